"""Red team of the support triage graph, fifth pass: messages that need a person but got an automatic reply.

About 2,900 messages were generated in classes (and about 100 controls): sarcasm that reads polite, understatement,
rhetorical questions, sad faces and text emoticons, strong words misspelled, spelled out or disguised,
code-switching with Tagalog, Hindi, Malay or Spanish, a need in a "P.S.", a quoted or forwarded complaint, a
complaint at the end of a long friendly message, voice-transcript style without punctuation, third-person complaints
("my mother has been charged twice") and a thread in which the customer chases again. The forwarded, long,
voice-transcript and third-person messages were all held already; the ones kept here were answered automatically
before this pass.

The fixes are readers of a kind of wording, not these phrasings:

- ``agents.offline.lexicon_irony``: flat intensified praise with a full stop ("Very helpful, thanks."), praise that
  opens on a repeat ("Great, another update..."), "oh" before praise, the same praise said twice, "love how ..."
  about something that keeps going wrong, thanks for a runaround, a wait for a reply counted in days,
  understatement ("less than ideal", "a little cross") and rhetorical questions ("since when ...?", "are you
  kidding me?", "where is the accountability?").
- ``lexicon_marks``: sad, hurt or let-down faces, as emoji or text emoticons (":(", "-_-", "T_T"), and swear words
  disguised with stars, symbols or dodged spellings.
- ``spelling``: strong words misspelled by one edit or with letters doubled or dropped ("rediculous",
  "dissapointed"), spelled out ("r i d i c u l o u s") or shouted with a "1" ("USELESS!!1").
- ``risk.readable``: function words of Tagalog, Hindi as typed and Malay; a message in which they are at least a
  third of the function words is partly in another language, which the router cannot read.
- ``lexicon_curt``: a chaser after an earlier chaser in the thread, or "checking on this again"; ``lexicon_more``
  and ``lexicon_rights``: a charge still taken, a review announced about what went wrong, the customer's bank
  contacted.

Every test runs the offline support graph through the Orchestrator (built-in policy, real SQLite in a temporary
folder, one Orchestrator per module) and asserts that the message waits in the review queue and that no reply for
it reached the outbox. The controls at the end (sincere thanks, praise with an exclamation mark or with what it
solved, calm questions near each shape) must keep getting the bot's reply.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from humangate import Orchestrator
from tests.deadline import finishes_within
from tests.support_redteam import orchestrator_for, run_support

# Flat praise of the answer, intensified, with a full stop. (lexicon_irony)
FLAT_PRAISE = [
    "Very helpful, thanks.",
    "So helpful. Thanks.",
    "Really helpful, thank you.",
    "Extremely helpful. Really.",
    "So useful, cheers.",
    "Very reassuring indeed.",
    "Really informative. Cheers.",
    "Most helpful, thank you.",
    "Well, that was useful.",
]
# Praise that opens on a repeat, "oh" before praise, the same praise twice. (lexicon_irony)
PRAISE_ON_A_REPEAT = [
    "Great, another update that wipes my data.",
    "Oh great, another release that wipes my data. Love it.",
    "Wonderful, another app update that wipes my data. Thanks so much.",
    "Yay, more waiting.",
    "Yay, another password reset.",
    "Oh great, more fees.",
    "Oh joy, another form to fill in.",
    "Oh joy.",
    "Oh brilliant.",
    "Oh wonderful, just wonderful",
    "Cool. Really cool.",
    "Well done, really well done.",
    "How lovely.",
]
# "Love how ..." about something that keeps going wrong; thanks for a runaround. (lexicon_irony)
LOVE_HOW_AND_THANKS_FOR = [
    "Love how I have to explain this every time!",
    "I love how the page keeps timing out.",
    "Gotta love how my order is always late :)",
    "Love that you charge me for things I never ordered.",
    "I just love how the page keeps timing out 🙂",
    "Thanks for the runaround.",
    "Thanks for the non-answer.",
    "Thanks for keeping me waiting all weekend.",
    "Thanks for hanging up on me.",
    "Thanks for making me repeat myself.",
    "Appreciate the silence.",
    "Really appreciate being kept on hold.",
    "So glad we pay for this.",
    "Great to be treated like a number.",
    "Five stars for the silence",
    "Such great service, truly.",
    "Outstanding work, as ever.",
]
# A wait for a reply counted in days, said as praise or as a fact. (lexicon_irony)
WAITS_FOR_A_REPLY = [
    "Wow, only three weeks to hear back",
    "Oh wow, just three weeks to hear back!",
    "Only a month to hear back. Great job.",
    "Wow, only 10 days to hear back",
    "Nice, only 2 months to reply.",
    "Thanks, that answered my question. P.S. It took you three weeks to reply to me.",
]
# Rhetorical questions that need no complaint word. (lexicon_irony)
RHETORICAL = [
    "Who designed this?",
    "Who thought this was a good idea??",
    "Since when is this okay?",
    "Since when do you charge for this?",
    "Are you kidding me?",
    "How many more emails do I need to send?",
    "Where is the accountability?",
    "Where is your duty of care?",
    "When were you going to tell me about the price rise?",
    "when exactly were you planning to tell me",
    "Why would I trust you with my card now?",
    "Do you honestly think that's fair?",
    "Do you people even read?",
    "really",
]
# Said less than meant, and exasperation in two words. (lexicon_irony)
UNDERSTATEMENT = [
    "Less than ideal tbh.",
    "I'm a little cross.",
    "Cheesed off.",
    "Bummed out about this.",
    "Jeez Louise.",
    "bro what",
    "lol what",
    "wow. just wow.",
]
# Sad, hurt or let-down faces beside an acknowledgement or a question. (lexicon_marks)
FACES = [
    "thanks 😞",
    "got it 😔",
    "great :'(",
    "sure :-(",
    "cool 💔",
    "thanks 👎",
    "right -_-",
    "sure T_T",
    "Any update? D:",
    "Is it fixed yet? 😔",
    "Where is my order? 👎👎",
    "My order came today 😔",
]
# Strong words misspelled, spelled out, shouted with a "1", and swear words disguised. (spelling, lexicon_marks)
SPELLING = [
    "This is patheitc.",
    "so usless rn",
    "ur support is useles",
    "Honestly apalling!!",
    "so terribel rn",
    "I am furius",
    "This is atrocius.",
    "unprofesional behaviour",
    "ur app is r i d i c u l o u s",
    "ur app is u.n.a.c.c.e.p.t.a.b.l.e",
    "s h a m b l e s",
    "what the f**k",
    "what the h3ll",
    "$hit service",
    "what the bullsh1t",
    "fkn service",
]
# English mixed with Tagalog, Hindi as typed or Spanish: the English half reads calm. (risk.readable)
CODE_SWITCHING = [
    "Hindi pa rin dumating yung order ko, it's been 2 weeks na",
    "Grabe, ang tagal ng delivery ko, 2 weeks na wala pa rin",
    "Paki-check naman po, twice na ako na-charge",
    "Mera account block ho gaya, please help jaldi",
    "Aap log sirf time pass kar rahe ho",
    "Do baar paise kat gaye hai",
    "Quiero hablar con alguien, not a bot",
]
# The need in a "P.S." or a quoted line: a charge still taken, a review announced, the bank contacted.
# (lexicon_more, lexicon_rights)
ASIDES = [
    "Thanks for the quick help with the export! PS I'm still being charged for the old plan.",
    "Cheers for sorting out my login. P.S. I'll be leaving a review about the wait.",
    "Thanks for the quick help with the export!\n\nP.S. I'll be leaving a review about the wait.",
    "Any news on this?\n\n> I will be contacting my bank",
]

GROUPS = {
    "flat praise": FLAT_PRAISE,
    "praise on a repeat": PRAISE_ON_A_REPEAT,
    "love how, thanks for": LOVE_HOW_AND_THANKS_FOR,
    "waits for a reply": WAITS_FOR_A_REPLY,
    "rhetorical": RHETORICAL,
    "understatement": UNDERSTATEMENT,
    "faces": FACES,
    "spelling": SPELLING,
    "code-switching": CODE_SWITCHING,
    "asides": ASIDES,
}

# A chaser after an earlier chaser, or "checking on it again": the customer is chasing. (lexicon_curt, triage)
THREADS = [
    (("Hi, where is my order #4411?", "Any update on #4411?"), "Hello, any news on #4411 please?"),
    (("Hi, where is my order #4411?",), "Hi, just checking on order #4411 again."),
    (("Where is my parcel?",), "Hello? Any update?"),
]

CONTROL = [
    "Thanks, that fixed it!",
    "Great, it works now.",
    "Thanks so much, really helpful!",
    "That was very helpful, thank you!",
    "Very helpful, thanks so much!",
    "That was really useful, thanks!",
    "Thanks for the update, very clear.",
    "Perfect, thanks!",
    "Lovely, thanks a lot!",
    "Wonderful, thank you!",
    "Oh perfect, thank you!",
    "Oh great, thanks, that works!",
    "Wow, that was quick, thanks!",
    "Can you ship across the border to Canada?",
    "What's the difference between the plans?",
    "Thank you for the quick reply!",
    "Thanks for keeping me updated!",
    "Thanks for making me feel so welcome.",
    "Great job on the new release!",
    "Love the new dashboard!",
    "I love how easy the export is now.",
    "Love how simple the new checkout is!",
    "I love that I can pay monthly now.",
    "Only 2 days for delivery, amazing!",
    "Only took two minutes to set up, brilliant!",
    "Took 2 minutes to set up, thanks!",
    "Great, one more thing - where's the invoice?",
    "Honestly the best support I've had.",
    "P.S. love the new logo!",
    "Thanks! P.S. the new app looks great.",
    "P.S. thanks for the quick delivery!",
    "Thanks 😊",
    "Thanks 🙂",
    "Great :)",
    "perfect :D",
    "Got it ;)",
    "Great 👍",
    "Gracias, it's working now.",
    "Salamat po! It works now.",
    "Hola, my order #123 is late",
    "When will the new version be released?",
    "Who do I ask about invoices?",
    "How do I export my reports to PDF?",
    "Where can I download my invoice?",
    "Hi, what's the status of order 5521? It said it would ship today.",
    "Any update on the new feature?",
    "My husband wants to add his name to our account.",
    "hello so i want to upgrade to the family plan how do i do that",
]
CONTROL_THREADS = [
    (("How do I export to CSV?",), "Thanks, that's sorted now!"),
    (("How do I export to CSV?",), "Great, thanks for your help!"),
]

_FAILING = [(group, text) for group, texts in GROUPS.items() for text in texts]


@pytest.fixture(scope="module")
def orchestrator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Orchestrator]:
    """One Orchestrator on real SQLite for the module, with the built-in policy."""
    with orchestrator_for(tmp_path_factory.mktemp("redteam-support-fifth")) as o:
        yield o


def _thread_id(history: tuple[str, ...], text: str) -> str:
    return f"{text[:30]} after {history[-1][:30]}"


@pytest.mark.parametrize(("group", "text"), [pytest.param(g, t, id=f"{g}:{t[:50]}") for g, t in _FAILING])
def test_a_message_that_needs_a_person_waits_for_review(orchestrator: Orchestrator, group: str, text: str) -> None:
    status, sent = run_support(orchestrator, f"Q5-{_FAILING.index((group, text)):03d}", text)
    assert status == "paused" and sent == [], f"{group}: {text!r} was answered automatically: {sent}"


@pytest.mark.parametrize(("history", "text"), [pytest.param(h, t, id=_thread_id(h, t)) for h, t in THREADS])
def test_chasing_again_later_in_a_thread_waits_for_review(
    orchestrator: Orchestrator, history: tuple[str, ...], text: str
) -> None:
    status, sent = run_support(orchestrator, f"Q5T-{THREADS.index((history, text)):03d}", text, history)
    assert status == "paused" and sent == [], f"{text!r} after {history!r} was answered automatically: {sent}"


@pytest.mark.parametrize("text", [pytest.param(t, id=t[:50]) for t in CONTROL])
def test_control_a_routine_message_is_still_answered_automatically(orchestrator: Orchestrator, text: str) -> None:
    status, sent = run_support(orchestrator, f"Q5C-{CONTROL.index(text):03d}", text)
    assert status == "completed" and len(sent) == 1, f"{text!r} no longer gets an automatic reply"


@pytest.mark.parametrize(("history", "text"), [pytest.param(h, t, id=_thread_id(h, t)) for h, t in CONTROL_THREADS])
def test_control_thanks_later_in_a_thread_is_still_answered(
    orchestrator: Orchestrator, history: tuple[str, ...], text: str
) -> None:
    status, sent = run_support(orchestrator, f"Q5CT-{CONTROL_THREADS.index((history, text)):03d}", text, history)
    assert status == "completed" and len(sent) == 1, f"{text!r} after {history!r} no longer gets an automatic reply"


# The new readers' words, each repeated 30 times with the separators customers use, and long runs of spelled-out
# letters, stars and "!1": each reader must take linear time. Run in a child process with a deadline far above any
# polynomial time, so a stall fails the test instead of hanging the suite.
_WORDS = [
    "very helpful",
    "so",
    "really",
    "oh great",
    "another",
    "love how",
    "thanks for",
    "well done",
    "only 3 weeks",
    "since when",
    "you people",
    ":(",
    "-_-",
    "D:",
    "f*ck",
    "r",
    "useles",
    "any update",
    "checking again",
    "ang na",
]
_STALLS = [sep.join([w] * 30) + end for w in _WORDS for sep in (" ", ", ", "... ") for end in ("", " x", "?")] + [
    "a " * 3000 + "x",
    "f*" * 2000,
    "a." * 3000,
    "!1" * 3000,
    "love how " * 500 + "x",
]


def _read_all(texts: list[str]) -> None:
    from humangate.agents.offline.lexicon_curt import status_request
    from humangate.agents.offline.triage import find_signals, mixed_praise
    from humangate.risk.readable import unreadable_reason

    for text in texts:
        find_signals(text)
        mixed_praise(text)
        status_request(text)
        unreadable_reason(text)


def test_a_run_of_the_new_readers_words_cannot_stall_them() -> None:
    assert finishes_within(_read_all, _STALLS), (
        "reading runs of the new readers' words took over a minute: a reader backtracks"
    )
