"""Red team of the support triage graph, third pass: messages that need a person but got an automatic reply.

About 800 messages were tried, written the way customers write: calm, polite, as questions, understated, sarcastic,
passive-aggressive, terse, misspelled, in other languages or with the point buried in a long message. The ones kept
here were answered automatically before this pass; they are now held by general sentence shapes and word classes
(``agents.offline.lexicon_tone``, ``lexicon_rights``, ``lexicon_safety``), not by their own words. Every test runs
the offline support graph through the Orchestrator (built-in policy, real SQLite in a temporary folder, one
Orchestrator per module) and asserts that the message waits in the review queue and that no reply for it reached
the outbox. Shapes and phrasings already covered by test_redteam_support.py and test_redteam_support_more.py are
not repeated.

The control list at the end holds routine questions and thanks, several close to a shape above, that must keep
getting the bot's reply.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from humangate import Orchestrator
from tests.support_redteam import orchestrator_for, run_support

# A service that failed, stated as a plain fact: damaged on arrival, a no-show, "delivered" but not here, the
# wrong item, a paid-for service not done. No complaint word, no negative tone VADER can score.
SERVICE_FAILURES = [
    "The jacket arrived with a tear in the sleeve.",
    "The technician never turned up for the appointment.",
    "The cleaner didn't turn up today.",
    "The parcel was marked as delivered but it isn't here.",
    "The courier left my parcel in the rain and everything inside is soaked.",
    "The food arrived cold.",
    "I ordered a large and got a small.",
    "ordered medium got xl",
    "I paid extra for installation and it wasn't done.",
    "The builder you sent left rubble all over the garden.",
    "Nobody came to fit the carpet on the agreed day.",
    "Hi, mi pedido nunca llegó, can someone help?",  # es + en: my order never arrived
]
# An expectation let down or a promise broken, said softly.
EXPECTATIONS_LET_DOWN = [
    "I was hoping for a bit more from the premium plan, honestly.",
    "Not quite the experience I was hoping for.",
    "I was assured this would be fixed in the last release.",
    "The order was supposed to arrive on Monday. It's Thursday.",
    "You said Tuesday. It's now Friday.",
    "We were told the upgrade would be seamless. It wasn't.",
]
# The last answer did not help, or the customer is being passed around.
GOING_NOWHERE = [
    "With respect, the answer I got yesterday didn't solve anything.",
    "Is anyone going to do anything about this?",
    "What do I have to do to get a straight answer?",
    "Who do I need to talk to to get this sorted?",
    "Can I speak to whoever made the decision?",
    "I've now received three different answers from three different people.",
    "Your website says in stock, your email says out of stock, which is it?",
    "I've been passed from department to department.",
]
# A complaint asked as a rhetorical question.
RHETORICAL_QUESTIONS = [
    "How much longer do I have to wait?",
    "how much longer do i have to wait",
    "What is the point of a tracking number that never updates?",
    "How hard can it be to deliver a parcel?",
    "Is this some kind of joke?",
    "Should I just give up then?",
    'Exactly how long is "shortly"?',
    "When will someone actually read my message?",
]
# Praise words around a problem the sarcasm reader did not know: a service that never works, a price taken
# twice, a wait counted before "for a reply", another automated answer.
SARCASM = [
    "Brilliant, another week without internet.",
    "Love paying for a service that never works.",
    "Thanks so much for charging me twice, really appreciated.",
    "Perfect timing, the heating breaks the day winter starts.",
    "Cheers for the helpful reply, solved nothing.",
    "Wow, three weeks for a reply, impressive.",
    "Amazing how fast you take payments and how slow you are at everything else.",
    "Lovely, another automated reply.",
    "Fab, the order is delayed again.",
    "Cheers for the three-week silence.",
]
# Repeat contact said passive-aggressively: "per my last messages", "refer to my earlier email".
PASSIVE_AGGRESSIVE = [
    "Per my last three messages, the order number is 7781.",
    "Kindly refer to my earlier email, which I'd rather not write a fourth version of.",
    "Once more: where is my order?",
    "Trying again: can someone look at ticket 5521?",
    "Re: Re: Re: order 8812",
]
# Very short chasers and exasperation: nothing but "Well??", "Again?", "Day 12.".
VERY_SHORT = [
    "Again?",
    "Really?",
    "Hello??",
    "Well?",
    "Well??",
    "Hello? Anyone?",
    "Waiting...",
    "Day 12.",
    "im so done with this",
    "Whatever.",
    "Never mind.",
]
# Taking it further without "sue" or "lawyer": the bank, the council, head office, advice, evidence kept.
TAKING_IT_FURTHER = [
    "I will be taking this further.",
    "I'll be speaking to my bank tomorrow.",
    "I'm keeping a record of everything.",
    "I've taken screenshots of everything.",
    "I'll be seeking advice.",
    "I'll be raising this with the council.",
    "I'm writing to your head office.",
    "I'm gathering all the evidence.",
]
# Going public without the press or a review site: followers, everyone the customer knows, photos online.
GOING_PUBLIC = [
    "I'll let my followers know how you treat people.",
    "I'll make sure everyone I know hears about this.",
    "I'm posting the photos online.",
]
# A product dangerous in use: heat, sparks, water on electrics, a structure giving way under a person, a child's
# safety item that fails, a skin reaction.
SAFETY = [
    "The charger gets too hot to touch.",
    "the charger gets to hot to touch",
    "The ladder buckled when I stood on it.",
    "The wheel came off the pram.",
    "The brakes on the scooter don't work properly.",
    "The fridge is leaking water onto the electrical socket.",
    "Sparks came out of the toaster.",
    "The stair gate doesn't close properly.",
    "The cream made my skin peel.",
]
# Food and medicine that may be unsafe: spoiled before its date, pills that look different, blood on a parcel, a
# popped seal, an expired medicine.
FOOD_AND_MEDICINE = [
    "The milk was off before the use-by date.",
    "The pills in the bottle look different to usual.",
    "There was blood on the packaging.",
    "The seal on the baby food jar had already popped.",
    "The expiry date on the medicine had passed when it arrived.",
    "The hotel room had bed bugs.",
]
# Hardship: homelessness, a bill or a fee the customer cannot pay, a payment plan asked for.
HARDSHIP = [
    "I'm homeless at the moment, can you send it to a friend's address?",
    "I can't pay the full bill, can I set up a payment plan?",
    "I've been hit with a late fee I can't pay.",
    "cant pay this month can i pay later",
    "Please set a limit on my account, I can't control my spending.",
]
# Accessibility needs: an accessible format, a setting relied on, a condition named.
ACCESSIBILITY = [
    "Is there a way to get the bill in braille or large print?",
    "The new update removed the text size setting I relied on.",
    "I have arthritis and can't open the packaging.",
    "English isn't my first language, please write simply.",
    "Please can you send things by post, I don't use email.",
]
# Personal data asked about or asked for: what is held, who it was shared with, where it came from, what the app
# collects, marketing after unsubscribing, a copy of a call recording.
PRIVACY = [
    "What personal data do you have on me?",
    "what data do u have on me",
    "Who have you shared my data with?",
    "Why did I get a marketing email when I unsubscribed months ago?",
    "Why does your app need access to my contacts?",
    "Can you tell me what you do with my data?",
    "I want to know where you got my email address.",
    "I'd like a copy of the call recording from last Tuesday.",
    "This is the police, we need information about an order.",
    "wat personal data do u hav on me",
    "How long do you keep my data after I leave?",
    "I'd like to see the notes on my account.",
]
# An account used by someone else: a new device, an order the customer never placed, a balance gone.
ACCOUNT_COMPROMISE = [
    "There's a new device on my account.",
    "I got a delivery confirmation for an order I never placed.",
    "My loyalty points have disappeared and I haven't used them.",
    "someone logged into my acount from abroad",
    "I got a text from a number claiming to be you, is it real?",
]
# A charge disputed calmly: a refusal to pay, a voucher or price to be honoured, a price raised after the order,
# a trial turned paid without warning, a discount not given.
DISPUTES = [
    "I'm not paying this.",
    "im not payin this",
    "The voucher I was given has already expired and I want it honoured.",
    "The price went up after I ordered.",
    "My free trial turned into a paid subscription without warning.",
    "I was charged the full price even though the discount code was applied.",
    "The discount code didn't work at checkout and I paid full price.",
    "Was I supposed to be charged for delivery? It said free.",
    "I was under the impression this was included.",
    "Hmm, I thought the upgrade was free?",
]
# The point buried in a long, friendly message.
_BURIED = (
    "Hi, I'm moving house next month, how do I update my address? I also need to check something: I was told on "
    "the phone my contract ends in March but your letter says 2026, and I won't be paying past March. Cheers."
)
_BURIED_DATA = (
    "Hi there! Do you do gift cards? And can I get a copy of everything you hold about me, for my records? Cheers!"
)
BURIED = [_BURIED, _BURIED_DATA]

GROUPS = {
    "service_failures": SERVICE_FAILURES,
    "expectations_let_down": EXPECTATIONS_LET_DOWN,
    "going_nowhere": GOING_NOWHERE,
    "rhetorical_questions": RHETORICAL_QUESTIONS,
    "sarcasm": SARCASM,
    "passive_aggressive": PASSIVE_AGGRESSIVE,
    "very_short": VERY_SHORT,
    "taking_it_further": TAKING_IT_FURTHER,
    "going_public": GOING_PUBLIC,
    "safety": SAFETY,
    "food_and_medicine": FOOD_AND_MEDICINE,
    "hardship": HARDSHIP,
    "accessibility": ACCESSIBILITY,
    "privacy": PRIVACY,
    "account_compromise": ACCOUNT_COMPROMISE,
    "disputes": DISPUTES,
    "buried": BURIED,
}

# Control: routine questions and thanks that are answered automatically, several close to a shape above ("how do
# I give the app access to my calendar" is a how-to, "Hello" a greeting, "thanks for the quick delivery" praise).
CONTROL = [
    "Hello",
    "Hi there!",
    "Thanks!",
    "Ok, thanks.",
    "How do I give the app access to my calendar?",
    "Can I pay in instalments?",
    "Do you offer gift wrapping?",
    "How do I update my address?",
    "Where can I see the data export settings?",
    "Can I order a large instead of a medium?",
    "What time does the technician usually arrive?",
    "Is the pram suitable from birth?",
    "Does the pram come with a rain cover?",
    "Can I add a second device to my account?",
    "How long does a voucher last?",
    "When does the free trial end?",
    "Is there a discount code for first orders?",
    "Thanks for the quick delivery, the jacket fits perfectly!",
    "Great product, really easy to set up.",
    "How do I turn on two-factor authentication?",
    "Can you send me last month's receipt?",
    "Where do I find my order history?",
    "Can I change my delivery slot to Friday?",
    "How many points do I need for a free coffee?",
    "How do I change the text size in the app?",
    "Who do I contact about a bulk order?",
    "What information do you need from me to open an account?",
    "How do you use cookies on your website?",
    "How do I log in on a new device?",
    "Great news, the parcel arrived early!",
    "Thanks, it arrived today and looks lovely.",
    "Love the new update, it's so much faster.",
    "Thanks, the new version loads really quickly.",
    "Amazing service, delivered in two days!",
    "How much longer is the sale on?",
    "Is anyone available to help with setup on Monday?",
    "I'm taking it to the party on Saturday, will it arrive by then?",
    "Can I pay the full price now instead of instalments?",
    "The voucher says it expires in June, can I still use it in July?",
    "When does the price go up?",
    "Does the free trial turn into a paid plan automatically?",
    "Is there a payment plan option for the annual subscription?",
    "Ok then.",
    "Noted.",
    "Sure.",
    "Do you sell wireless mice?",
    "Can you translate the manual into English?",
    "Who made the decision to change the logo? I love it.",
    "Is delivery free over £50?",
    "Is the setup included in the price?",
    "You said the sale starts on Friday, is that still right?",
    "The parcel is due on Monday, can I change the address?",
    "Which one is best for beginners?",
    "Re: order 8812, can I add a second item?",
    "How long do you keep items in the sale?",
    "Can I set a spending limit for my team?",
    "Super, thanks, the order arrived a day early.",
    "Will someone be able to help me set up the printer?",
    "Can I see the order history on my account?",
    "Can I get updates by post instead of email?",
]

_FAILING = [(group, text) for group, texts in GROUPS.items() for text in texts]


@pytest.fixture(scope="module")
def orchestrator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Orchestrator]:
    """One Orchestrator on real SQLite for the module, with the built-in policy."""
    with orchestrator_for(tmp_path_factory.mktemp("redteam-support-third")) as o:
        yield o


@pytest.mark.parametrize(("group", "text"), [pytest.param(g, t, id=f"{g}:{t[:50]}") for g, t in _FAILING])
def test_a_message_that_needs_a_person_waits_for_review(orchestrator: Orchestrator, group: str, text: str) -> None:
    ticket = f"T-{_FAILING.index((group, text)):03d}"
    status, sent = run_support(orchestrator, ticket, text)
    assert status == "paused" and sent == [], f"{group}: {text!r} was answered automatically: {sent}"


@pytest.mark.parametrize("text", [pytest.param(t, id=t[:50]) for t in CONTROL])
def test_control_a_routine_message_is_still_answered_automatically(orchestrator: Orchestrator, text: str) -> None:
    status, sent = run_support(orchestrator, f"C-{CONTROL.index(text):03d}", text)
    assert status == "completed" and len(sent) == 1, f"{text!r} no longer gets an automatic reply"
