"""Red team of the support triage graph, fourth pass: messages that need a person but got an automatic reply.

About 1,300 messages were tried (and about 190 controls), in shapes the first three passes did not cover: bare
acknowledgements that may carry displeasure, turns of a thread that are calm but continue a complaint or answer a
refusal, reopened tickets, the bot's earlier answer quoted back, threats phrased as plans, ultimatums and corporate
chasers, vulnerable customers said indirectly (money running out, a partner to hide from, immigration status, an
older customer), minors, access needs, fraud and scam victims, messages mostly emoji or punctuation, typos, no
spaces and all lowercase, code-switching, very long calm messages with the need in a parenthesis, forwarded e-mails
with the complaint in the quoted part, and business customers (a service level missed, service credits, "our legal
team", "we are reviewing the contract"). The long, parenthesised and forwarded messages were all held already, as
were most of the fraud, B2B and reopened ones; the ones kept here were answered automatically before this pass.

The fixes are sentence shapes and word classes, not these phrasings:

- ``agents.offline.lexicon_curt``: a curt reply. "Fine.", "Ok...", "Great." (a bare evaluative with a full stop),
  "Thanks anyway", "Is that it?" and an unamused face cannot be positively read as satisfied, wherever they are
  said. A neutral acknowledgement ("Noted.", "Sure.", "Ok then.") or a push for more ("So?", "When then?") is
  routine when it opens a conversation (the third pass keeps "Noted.", "Sure." and "Ok then." as controls), but
  after earlier turns of a thread it answers something whose outcome the system cannot see (a refusal, a delay):
  the analyst marks it ``curt`` and its reading holds it (``risk._support_rules``). Thanks said in words or with
  a smile ("Thanks, that's sorted!", "ok thanks!", "Great!") is satisfaction, and is still answered.
- ``agents.offline.lexicon_people``: hardship, a partner who must not learn an address, immigration status, an
  older customer, a minor writing, access needs, a child reached by a stranger or sold age-restricted goods, a
  purchase a child made without permission, a site posing as the business and a stranger given remote access.
- ``lexicon_tone``: repeat contact as a memory ("like I said", "same answer as last time", a reopened case), the
  last answer quoted back with what happened since, the answer contradicted, a verdict in two words, an ultimatum,
  a corporate chaser, an offer or a decision pushed back, praise in scare quotes, displeasure in other languages.
- ``lexicon_rights`` and ``lexicon_more``: a veiled plan ("you will be hearing from us", "through other channels",
  "sort it out in person"), a consumer body, a business customer's account manager, a service level missed, a data
  processing agreement, service credits, compensation asked for because something failed, other suppliers looked
  at, "this will be my last order", someone senior asked for by title.
- ``lexicon_safety``: a body reacting to a product (hair falling out, an infection). ``triage.deleet`` reads
  "some1" and "no1" as the words they spell.

Every test runs the offline support graph through the Orchestrator (built-in policy, real SQLite in a temporary
folder, one Orchestrator per module) and asserts that the message waits in the review queue and that no reply for
it reached the outbox. The control list at the end holds routine questions, thanks and acknowledgements, several
close to a shape above ("I'm 15 minutes away", "Can you send me a copy of the SLA?", thanks in a thread), that
must keep getting the bot's reply.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from humangate import Orchestrator
from tests.deadline import finishes_within
from tests.support_redteam import orchestrator_for, run_support

# Resignation said as an acknowledgement: "Fine.", "If you say so", "Thanks anyway". (lexicon_curt)
RESIGNED = [
    "Fine.",
    "fine",
    "FINE",
    "Fine!",
    "Ok fine.",
    "ok fine whatever",
    "Sure, whatever.",
    "kk whatever",
    "k then",
    "Sure, if you say so.",
    "Whatever you say.",
    "As you wish.",
    "Yeah right.",
    "Figures.",
    "cool story",
    "Fair enough I suppose.",
    "Thanks I guess.",
    "Thanks, I suppose.",
    "ok thanks I guess",
    "Cheers I suppose.",
    "Thanks anyway.",
    "Thanks anyways",
    "Ok thanks anyway.",
    "Cheers anyway.",
    "Never mind then.",
    "Fine, you win.",
    "Ok, if that's how it is.",
    "I suppose that'll have to do.",
]
# Trailing off, and a bare evaluative with a full stop: the sarcasm carriers. (lexicon_curt)
TRAILING_AND_FLAT = [
    "Ok...",
    "okay...",
    "Okay...",
    "Ok then...",
    "Right, ok then...",
    "Sure...",
    "Right...",
    "Alright...",
    "I see...",
    "Yes...",
    "Understood...",
    "Noted...",
    "Great...",
    "Great.",
    "Great. Just great.",
    "Wonderful. Just wonderful.",
    "Perfect.",
    "Wonderful.",
    "Lovely.",
    "Brilliant.",
    "Fantastic.",
    "Super.",
    "Nice.",
]
# The answer was not enough: "Is that it?", "And?", "Now what?". (lexicon_curt)
DEMANDS_FOR_MORE = [
    "So that's it then?",
    "That's it?",
    "Is that it?",
    "Is that all?",
    "And?",
    "So?",
    "Ok and?",
    "Now what?",
]
# An unamused or angry face beside otherwise calm words. (lexicon_curt)
FACES = [
    "Ok 🙄",
    "ok 😒",
    "thanks 🙄",
    "sure 😑",
    "great 🙃",
    "😒 ok",
    "😑 great",
    "nice one 🙄",
    "Sure, no problem 🙄",
    "😡 order 5512",
    "order 5512 😡😡",
]
# Repeat contact said as a memory, and a reopened ticket. (lexicon_tone)
REOPENED_AND_REPEATED = [
    "Like i said the parcel never came",
    "You asked me that yesterday.",
    "Same answer as last time then?",
    "Groundhog day.",
    "Hi again, the issue I raised last month is back.",
    "Please reopen case 7732.",
    "How many more times do I have to explain?",
]
# The bot's earlier answer quoted back with what happened since, or contradicted. (lexicon_tone)
ANSWER_QUOTED_BACK = [
    'Your last reply said "we will be in touch within 24 hours". That was Tuesday.',
    '"Thanks for your patience, we are looking into it." You said that last week.',
    "Your chat assistant told me I'd get free delivery. I didn't.",
    "That's not right.",
    "this aint right",
    "that aint right mate",
]
# A verdict in two words, a warning to others, displeasure code-switched into English. (lexicon_tone)
VERDICTS = [
    "absolute joke",
    "joke of a company",
    "total joke this",
    "what a joke",
    "im done",
    "never again",
    "never again!!",
    "This is beyond a joke.",
    "stay away",
    "Hallo, ich bin sehr unzufrieden with the service.",  # de: I am very dissatisfied
    "Yaar, mera order abhi tak nahi aaya, it's been 10 days.",  # hi-en: my order still hasn't come
    "Estoy decepcionado with the delivery.",  # es: I am disappointed
]
# A chaser in office words, an ultimatum, an offer or a decision pushed back, praise in scare quotes. (lexicon_tone)
CHASERS_AND_PUSHBACK = [
    "Just circling back on this.",
    "Gentle reminder about my email from last week.",
    "Please advise at your earliest convenience, as this is now overdue.",
    "Last chance to make this right.",
    "You have until Friday.",
    "I'm giving you 48 hours.",
    "A voucher is not acceptable.",
    "Please reconsider.",
    "I'd like someone to reconsider this.",
    "Appreciate the 'quick' response.",
    "Loving the radio silence.",
    "Right, so I just keep waiting?",
    "What am I supposed to do now?",
    "Where do I go from here?",
    "Do I need to come in person to get this sorted?",
]
# Threats phrased as plans, and leaving said without "cancel". (lexicon_rights escalating, lexicon_more churn)
PLANS = [
    "I know what I need to do.",
    "You will be hearing from us.",
    "I'll deal with this through other channels.",
    "I'll come down to the store tomorrow and sort it out in person.",
    "I'm going to contact Which? about this.",
    "Which? will hear about this.",
    "I'm reconsidering our subscription.",
    "We're reviewing our options.",
    "I'm weighing up my options.",
    "This will be my last order.",
    "That's the last time I order from you.",
]
# Money running out or a payment moved to payday, a partner to hide from, immigration status. (lexicon_people)
HARDSHIP_AND_SAFETY_AT_HOME = [
    "I'm between jobs, can the payment wait until the 20th?",
    "I have £12 until payday.",
    "I've got nothing left until payday on Friday.",
    "I had to choose between heating and eating this week.",
    "It's heat or eat this winter.",
    "I'm a single mum and I can't cover this right now.",
    "I'm behind on everything at the moment.",
    "I'm sleeping rough at the moment.",
    "I need to move out quickly and can't tell him my new address.",
    "I'm an asylum seeker, can I use my ARC card as ID?",
    "My BRP expires next month, will my account be closed?",
    "I'm waiting on my settled status, can I still sign up?",
    "I get paid on the 28th, can the direct debit wait till then?",
    "Can I pay half now and half next month?",
]
# A minor writing, a child's purchase without permission, a child reached through the product. (lexicon_people)
MINORS = [
    "I'm 15, can I open an account?",
    "im 13 is that ok",
    "I'm only 16, do I need my parents' permission?",
    "I'm sixteen, can I sign up?",
    "I am under 18, can I order?",
    "I'm a student and under 18, can I still get the discount?",
    "I'm in year 9, can I use this for school?",
    "Me and my friend are 14, can we book?",
    "hi im 11 how do i get free coins",
    "my daughter made in-app purchases without permission",
    "My kid signed up for this using my email.",
    "A stranger has been messaging my daughter on your platform.",
    "My teenager ordered vapes from your site.",
]
# Access needs said as a condition or as what the customer cannot do. (lexicon_people)
ACCESS_NEEDS = [
    "Is there a text phone number?",
    "I have dyslexia and your forms keep timing out.",
    "I can't hear the agent on the phone, can we do chat?",
    "I'm autistic and phone calls are very hard for me, can we do this by email?",
    "I can't get up the stairs to the collection point.",
    "I need someone to explain it slowly.",
    "Can someone explain things slowly to my mum?",
    "Do you have step-free access at the branch?",
]
# Scam victims: a site posing as the business, a stranger given remote access, an identity used. (lexicon_people harm)
SCAMS = [
    "I paid for an item on a site using your logo and never got it.",
    "I let someone remote into my computer who said they were from you.",
    "They asked me to install AnyDesk.",
    "Someone set up a direct debit in my name.",
]
# A body reacting to a product. (lexicon_safety)
BODY = [
    "The shampoo made my hair fall out.",
    "The earbuds gave me an ear infection.",
]
# Business customers: a service level missed, credits owed, the account manager, a DPA, other suppliers, the cost
# to the business, someone senior by title; and compensation asked for because something failed. (lexicon_more,
# lexicon_rights, lexicon_tone)
BUSINESS = [
    "Our SLA guarantees 99.9% uptime and we had four hours of downtime yesterday.",
    "This is a breach of the SLA.",
    "We need service credits for the downtime.",
    "Please confirm the service credits we're owed under the contract.",
    "We expect the credits to be applied to our next invoice.",
    "We'd like the credits we're owed applied to the next bill.",
    "I'll need to raise this with our account manager.",
    "We need a DPA signed before we can continue.",
    "Please send over your data processing agreement.",
    "The board has asked us to look at other suppliers.",
    "This is affecting our payroll run for 2,000 staff.",
    "Please escalate to your VP of engineering.",
    "We're putting the contract out to tender.",
    "Your uptime has been below the agreed 99.5% three months running.",
    "The credits you applied don't reflect the actual downtime.",
    "Can I get a discount since the delivery was late?",
]
# The need in a short parenthesis or in the quoted part of a forwarded message, and terse lowercase with "some1"
# for "someone". (lexicon_people, lexicon_tone, lexicon_rights, lexicon_more; triage.deleet)
ASIDES_AND_TERSE = [
    "How do I change my password? (I think someone else has been logging in.)",
    "What's the postage to Spain? (also the last parcel never arrived)",
    "Where's the nearest branch? (I'll be coming in to sort this out in person)",
    "Thanks!\n\n---\n> We need service credits for the downtime.",
    "Hello, following on from below:\n> This will be my last order.",
    "where my money",
    "can some1 ring me",
    "ur phone line is always busy",
]

GROUPS = {
    "resigned": RESIGNED,
    "trailing_and_flat": TRAILING_AND_FLAT,
    "demands_for_more": DEMANDS_FOR_MORE,
    "faces": FACES,
    "reopened_and_repeated": REOPENED_AND_REPEATED,
    "answer_quoted_back": ANSWER_QUOTED_BACK,
    "verdicts": VERDICTS,
    "chasers_and_pushback": CHASERS_AND_PUSHBACK,
    "plans": PLANS,
    "hardship_and_safety_at_home": HARDSHIP_AND_SAFETY_AT_HOME,
    "minors": MINORS,
    "access_needs": ACCESS_NEEDS,
    "scams": SCAMS,
    "body": BODY,
    "business": BUSINESS,
    "asides_and_terse": ASIDES_AND_TERSE,
}

# A neutral acknowledgement or a push for more after earlier, calm turns: the earlier turn is answered on its own,
# and so is the same reply opening a conversation; together they cannot be read as satisfied. (lexicon_curt,
# triage.analyze marks it ``curt``)
_SUNDAY = "Can you deliver on Sunday instead?"
_NOT_ARRIVED = "Hi, my order 5512 hasn't arrived yet, can you check?"
_ADDRESS = "Hi, can I change my delivery address?"
_BILL = "Could you check why my bill is higher this month?"
_BIRTHDAY = "Is it possible to speed up my order? It's for my daughter's birthday on Saturday."
THREADS = [
    ((_SUNDAY,), "Sure."),
    ((_SUNDAY,), "Noted."),
    ((_SUNDAY,), "Ok then."),
    ((_SUNDAY,), "ok"),
    ((_SUNDAY,), "Right."),
    ((_SUNDAY,), "I see."),
    ((_NOT_ARRIVED,), "Ok."),
    ((_NOT_ARRIVED,), "Right, ok."),
    ((_NOT_ARRIVED,), "Hello?"),
    ((_NOT_ARRIVED,), "Ok, what now?"),
    ((_NOT_ARRIVED,), "When then?"),
    ((_NOT_ARRIVED,), "So when will it come?"),
    ((_NOT_ARRIVED, "Any news on this?"), "Hello?"),
    ((_ADDRESS,), "Sure."),
    ((_ADDRESS,), "ok then"),
    ((_BILL,), "Ok."),
    ((_BILL,), "Sure."),
    ((_BIRTHDAY,), "Ok."),
    ((_BIRTHDAY,), "Right, ok."),
    (("Can I return the shoes after 30 days?",), "Noted."),
    (("Can I return the shoes after 30 days?",), "Understood."),
    (("Is there any way to get it before Friday?",), "Alright."),
    (("Can I use two discount codes?",), "Yep."),
    (("Can I use two discount codes?",), "Got it."),
    (("When will the item be back in stock?",), "And when will that be?"),
    (("When is my engineer coming?",), "So when then?"),
]

# Control: routine questions, thanks and acknowledgements that are answered automatically, several close to a shape
# above (a number of minutes, an SLA asked about, an old age of a toy, thanks in a thread, an opening "Noted.").
CONTROL = [
    "Thanks, that's sorted!",
    "ok thanks!",
    "Ok thanks!",
    "Great, thanks!",
    "Perfect, thank you!",
    "Brilliant, thanks so much!",
    "Great!",
    "Perfect!",
    "Lovely, thanks.",
    "Cheers, that's great.",
    "Thanks, that works.",
    "Got it, thanks!",
    "Noted, thanks!",
    "Sure, thanks!",
    "Thanks 👍",
    "Sounds good, thanks!",
    "All good now, thanks!",
    "Fine, thanks, and you?",
    "Thanks, I'll try that.",
    "Got it.",
    "Understood.",
    "Yep.",
    "Alright then.",
    "ok",
    "Where is my order 5512?",
    "Can you tell me when my order will arrive?",
    "Can I change my delivery address to 14 High Street?",
    "How do I update my billing address?",
    "How do I reset my password?",
    "Do you deliver on Saturdays?",
    "Is the blue jacket available in size 12?",
    "How do I download my invoice?",
    "Do you have a student discount?",
    "Is there a discount for bulk orders?",
    "Is there a voucher for first-time customers?",
    "What does your SLA cover for the enterprise plan?",
    "Can you send me a copy of the SLA?",
    "Who is our account manager?",
    "Can we add ten more seats to our plan?",
    "We'd like to upgrade to the Team plan.",
    "I'm 15 minutes away, can you hold my table?",
    "I'm 10 minutes late for collection, is that ok?",
    "I'm 16 weeks in and loving the programme!",
    "Is the toy suitable for a 3 year old?",
    "My son loves the new game, thanks!",
    "Can my daughter use my account?",
    "Is there a text alert when my parcel is out for delivery?",
    "I'll be visiting your branch on Monday, what time do you open?",
    "I'm looking at other colours, is the green one in stock?",
    "That's right, the order number is 5512.",
    "Yes, that's correct.",
    "Is that right?",
    "Right, and how do I pay?",
    "So how do I export the report?",
    "Hello? I have a question about delivery times.",
    "As I mentioned on the call, we'd like to upgrade to annual billing.",
    "Is the café reopening on Monday?",
    "I'm in year 2 of my degree, is there a student discount?",
    "I'm 25, am I eligible for the young person's railcard?",
    "I am 12 minutes from the shop, can you keep it?",
    "We're 14 people for dinner on Friday, can you fit us?",
    "I'm 17th in the queue, how long will it take?",
    "I get paid monthly, can I switch to monthly billing?",
    "Can I change the direct debit date to the 1st?",
    "We're reviewing the contract terms before signing, can you send the draft?",
    "Is there an SLA for the standard plan?",
    "How are service credits calculated?",
    "Can I get a discount since I'm ordering 20 units?",
    "That's it, thanks! All sorted.",
    "Is that all I need to do? Thanks!",
    "So, what are the next steps to upgrade?",
    "And what time does the engineer arrive?",
    "Nice work on the new app, really smooth.",
    "Perfect, see you Friday!",
    "Great, see you then.",
    "Super, thank you!",
    "Sure, go ahead and book it.",
    "Ok, please go ahead.",
    "This will be my first order, any tips?",
    "My last order was great, can I reorder the same?",
    "I'll be in touch next week about the order.",
    "I'll come down to the store tomorrow to pick it up.",
    "Can teenagers open an account with parental consent?",
    "Happy to wait, no rush at all!",
]
# Thanks after an earlier turn, a new question in a thread, and a polite status request after a calm thread.
_SLOT = "Can I change my delivery slot to Friday?"
CONTROL_THREADS = [
    ((_SLOT,), "Thanks, that's sorted!"),
    ((_SLOT,), "ok thanks!"),
    ((_SLOT,), "Great, thanks!"),
    ((_SLOT,), "Perfect, thank you!"),
    ((_SLOT,), "Cheers!"),
    ((_SLOT,), "Lovely, thank you."),
    ((_SLOT,), "Can I also change the address to 14 High Street?"),
    (("Hi, how do I add a second user?", "ok thanks"), "Any update on this?"),
    (("How do I export to CSV?",), "And how do I add a second user?"),
]

_FAILING = [(group, text) for group, texts in GROUPS.items() for text in texts]


@pytest.fixture(scope="module")
def orchestrator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Orchestrator]:
    """One Orchestrator on real SQLite for the module, with the built-in policy."""
    with orchestrator_for(tmp_path_factory.mktemp("redteam-support-fourth")) as o:
        yield o


def _thread_id(history: tuple[str, ...], text: str) -> str:
    return f"{text[:30]} after {history[-1][:30]}"


@pytest.mark.parametrize(("group", "text"), [pytest.param(g, t, id=f"{g}:{t[:50]}") for g, t in _FAILING])
def test_a_message_that_needs_a_person_waits_for_review(orchestrator: Orchestrator, group: str, text: str) -> None:
    status, sent = run_support(orchestrator, f"Q-{_FAILING.index((group, text)):03d}", text)
    assert status == "paused" and sent == [], f"{group}: {text!r} was answered automatically: {sent}"


@pytest.mark.parametrize(("history", "text"), [pytest.param(h, t, id=_thread_id(h, t)) for h, t in THREADS])
def test_a_curt_reply_later_in_a_thread_waits_for_review(
    orchestrator: Orchestrator, history: tuple[str, ...], text: str
) -> None:
    status, sent = run_support(orchestrator, f"QT-{THREADS.index((history, text)):03d}", text, history)
    assert status == "paused" and sent == [], f"{text!r} after {history!r} was answered automatically: {sent}"


@pytest.mark.parametrize("text", [pytest.param(t, id=t[:50]) for t in CONTROL])
def test_control_a_routine_message_is_still_answered_automatically(orchestrator: Orchestrator, text: str) -> None:
    status, sent = run_support(orchestrator, f"QC-{CONTROL.index(text):03d}", text)
    assert status == "completed" and len(sent) == 1, f"{text!r} no longer gets an automatic reply"


@pytest.mark.parametrize(("history", "text"), [pytest.param(h, t, id=_thread_id(h, t)) for h, t in CONTROL_THREADS])
def test_control_thanks_later_in_a_thread_is_still_answered_automatically(
    orchestrator: Orchestrator, history: tuple[str, ...], text: str
) -> None:
    status, sent = run_support(orchestrator, f"QCT-{CONTROL_THREADS.index((history, text)):03d}", text, history)
    assert status == "completed" and len(sent) == 1, f"{text!r} after {history!r} no longer gets an automatic reply"


# A run of acknowledgements ("ok ok ok ...", "okokok", "hmmhmm", "kkkk") once took exponential time in the curt
# readers, whose words overlapped ("ok" and "o+k+", "hmm+" and "hm+") and needed no boundary: 24 of them stalled a
# worker for hours (found in review). Each word now matches one way and ends at a boundary. Run in a child process
# with a deadline far above any polynomial time, so a stall fails the test instead of hanging the suite.
_STALLS = ["ok " * 60 + "x", "ok, " * 60 + "zz", "ok" * 80, "k" * 200 + "?", "hmm" * 60 + "x", "so " * 60 + "?x"]


def _read_all(texts: list[str]) -> None:
    from humangate.agents.offline.lexicon_curt import bare_reply
    from humangate.agents.offline.triage import find_signals

    for text in texts:
        find_signals(text)
        find_signals(text, router=True)
        bare_reply(text)


def test_a_run_of_acknowledgements_cannot_stall_the_reader() -> None:
    assert finishes_within(_read_all, _STALLS), (
        "reading a run of acknowledgements took over a minute: the curt readers backtrack"
    )
