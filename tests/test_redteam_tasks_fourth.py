"""Red-team round 4 on task wording: times of day, the world, judgment, channels, attachments, signs.

Rounds 1 to 3 (tests/test_redteam_intake.py, tests/test_redteam_replies.py, tests/test_redteam_tasks_more.py)
covered review idioms, other languages, retractions, destinations, shares, contacts and warnings. This round
tried 1,378 new wordings (and 156 controls), each after "Answer these support tickets." or the outreach goal:
parts of the day and
clock times, events and dependencies ("after legal signs off", "upon confirmation"), conditions on the world
("only if the invoice is paid", "where the order is late"), judgment and hedges ("reply as needed", "send them
maybe"), implicit approval ("I'd like to see them first", "run them by me", "I want eyes on these"), delegation
("have Sam check them"), soft prohibitions ("hold off", "sit on them"), drafts-only wording ("queue them up",
"get them ready"), channels ("text them instead", "post it on LinkedIn"), attachments ("attach the price list"),
messages besides the reply ("send a follow-up too"), second sentences that retract or restrict the first, typos,
lower case without punctuation, emoji, bullets and quotes, and German, Spanish, French, Portuguese, Italian and
Dutch. 1,067 were already held; 258 read as no rule at all (so under the lenient policy the calm reply went out
unreviewed) or as a "say this" directive a reply could echo are fixed, and a sample of each shape is kept here.
Each kept case failed before its fix. Left alone, as no hole or too costly to hold: "prepare the replies" and
"write them up" (the goal's own verbs), "answer Pat first" (an order, not a hold), "answer tickets in English"
(read as how to write), "send hafl of them" (a four-letter word one letter off), "I've got Pat", "remind them
Friday" and "give them a quick read before sending" (holding "read before" would hold "read the ticket first").

The known hole this round started from: "Send these in the morning." planned with no rule. ``SCHEDULE`` let
"first thing in the morning" and "today" pass on purpose, and read later parts of the day only ("this
evening", "after lunch"). The decision, now in ``agents.offline.timing``: a stated part of the day or clock
time holds whatever its preposition ("in the morning", "at noon", "at 9", and "by noon" or "before 5" too).
The product has no clock of the user's day and does not know their time zone, so it cannot tell a deadline
still ahead from a time the send must wait for; a hold on a deadline costs the user a click, a send before its
time cannot be recalled. What any immediate send meets still passes: "today", "now", "right away", "soon",
"within the hour", and the current part of the day "this morning" (like "today"); "first thing in the
morning" stays an idiom for "as early as you can", as round 3 pinned it. An event the send waits on
("before the meeting", "once I'm back", "following the board vote") holds for the same reason: the product
cannot see it.

The fixes are general (word classes and sentence structure, never these phrases):

- ``timing`` (new, out of ``restrictions``): parts of the day in seven languages, clock times in figures and
  words, events after before/following/upon/pending/ahead of/prior to, waits with no length, the
  recipient's time, and a pace; time words typed one letter off;
- ``conditions`` (new): conditionals other than if/when ("where", "in case", "as long as", inversion), judgment
  ("as needed", "at your discretion", "whatever makes sense", "you feel"), hedges ("maybe", "probably");
- ``channels`` (new): channels no graph has, attachments, and messages besides the one each item gets;
- ``complements.selection``: "the ones"/"those" with a clause or phrase after it, a noun for whom is answered
  with a phrase that picks ("customers in Europe", "tickets older than a week"), and "what/whichever";
- ``restrictions``: a count of the items in words or ordinals and a bare number as the whole object ("send
  one"), drafts in other languages; ``wording.EXCEPT``: "minus" and typed exceptions ("exept", "exc");
- ``claim_words`` (split out of ``claims``): signs other than smiles, hearts, thanks or a tick are unread; a
  rule of process ("the two-person rule") is no writing directive; a greeting is courtesy;
- ``claims.asks_content``: a directive to the user ("tell me first"), about a channel or attachment, or a
  negated verb of the work is no content; a send or work verb of another language with a time is no content;
- ``complements.addressee``: "ask" is a verb of contacting ("ask Sam to read them");
- ``task_rules``: a kind word that is the subject of a verb in progress names a team ("legal is reviewing").

Checked end to end as in round 3: planned by ``agents.offline.planning.plan``, started through the
Orchestrator on SQLite in ``tmp_path`` under ``tests.lenient.LENIENT``. The controls at the end keep
ordinary wording of the same shapes from holding everything.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from humangate import Orchestrator
from humangate.agents.offline.channels import unsupported
from humangate.agents.offline.claim_words import unread_symbols
from humangate.agents.offline.complements import selection, sends_a_thing
from humangate.agents.offline.conditions import conditional
from humangate.agents.offline.planning import plan
from humangate.agents.offline.timing import timed
from humangate.core.wording import fold, tokens
from humangate.risk.directives import unfollowed
from tests.lenient import lenient_orchestrator
from tests.task_redteam import CALM, OUTREACH, ROW, SUPPORT
from tests.task_redteam import sent as _sent
from tests.task_redteam import statuses as _statuses


@pytest.fixture
def orch(tmp_path: Path) -> Iterator[Orchestrator]:
    with lenient_orchestrator(tmp_path) as o:
        yield o


# --- 1. Rules read as nothing ------------------------------------------------------------------------------

# A part of the day or a clock time, whatever the preposition, typed one letter off or in German. Fix
# (timing.SCHEDULE, timing.timed): see the module docstring for why "by noon" holds and "today" does not.
DAYTIME = [
    ("support", "Send these in the morning."),
    ("support", "Send them in the afternoon."),
    ("support", "Reply at noon."),
    ("support", "Send the replies at lunchtime."),
    ("support", "Send them at 9."),
    ("support", "Send at nine am."),
    ("support", "Send them by noon."),
    ("support", "Send them before 5."),
    ("support", "Send them mid-morning."),
    ("support", "Send them during business hours."),
    ("support", "Send them at COB."),
    ("support", "Reply on the first of the month."),
    ("support", "Between 9 and 5."),  # read as a list of names before
    ("support", "From 9 to 5."),
    ("support", '"Send them at noon."'),
    ("support", "send these in the mornin"),
    ("support", "send them tmrw"),
    ("support", "Schick sie am Nachmittag."),
    ("support", "Schick sie später."),
    ("support", "Schick sie irgendwann."),
    ("support", "Envoie une relance la semaine prochaine."),
]
# An event the send waits on, which the product cannot see. Fix (timing._EVENTS): before/following/upon/
# pending/ahead of/prior to an event, post-/pre- an event noun, "while I'm away", "nach dem Meeting".
EVENTS = [
    ("support", "Send them before the meeting."),
    ("support", "Send following the board vote."),
    ("support", "Send them post-launch."),
    ("support", "Send them upon confirmation."),
    ("support", "Send them ahead of the meeting."),
    ("support", "Send them prior to the webinar."),
    ("support", "Send them while I'm away."),
    ("support", "Send during my vacation."),
    ("support", "Schick sie erst nach dem Meeting."),
]
# A wait with no length, the recipient's own time, and a pace. Fix (timing._VAGUE).
PACE = [
    ("support", "Send them in a bit."),
    ("support", "Send them eventually."),
    ("support", "Send at the best time."),
    ("support", "Send in their time zone."),
    ("support", "Send at 9 their time."),
    ("support", "Send them gradually."),
    ("support", "Send them over the week."),
    ("support", "Send them in waves."),
]
# A condition on the world other than if/when, judgment the planner does not have, a doubt left open.
# Fix (conditions.conditional, read by restrictions.restricted).
JUDGMENT = [
    ("support", "Reply where the order is late."),
    ("support", "Send them in case they ask."),
    ("support", "Answer them should they need it."),
    ("support", "Reply as long as the account is active."),
    ("support", "Reply as needed."),
    ("support", "Reply at your discretion."),
    ("support", "Use your best judgment."),
    ("support", "Send whatever makes sense."),
    ("support", "Send replies you feel good about."),
    ("support", "Handle whatever you can."),
    ("support", "Send them maybe."),
    ("support", "Responde según tu criterio."),
    ("support", "Antworte nach Ermessen."),
    ("support", "Responde lo que puedas."),
]
# A reply goal whose object picks some of the items after the noun. Fix (complements.selection): "the ones" or
# "those" with anything after, a noun with a phrase that picks unless it says where the items are or how to
# write ("in the CSV", "in a friendly tone"), "what/whatever/whichever".
PICKS = [
    ("support", "Answer the ones you can."),
    ("support", "Answer what you can."),
    ("support", "Answer the ones you're sure about."),
    ("support", "Reply to paid accounts."),
    ("support", "Answer those on the Pro plan."),
    ("support", "Answer customers in Europe."),
    ("support", "Reply to those who haven't heard back."),
    ("support", "Answer tickets older than a week."),
    ("support", "Answer tickets from last month."),
    ("support", "Answer whichever seem easy."),
    ("support", "Responde a los clientes de Madrid."),  # claim_words.FROM_NAME: "de", "aus", "von"
]
# A channel no graph has: the email would go out in its place. Fix (channels._CHANNEL).
CHANNELS = [
    ("support", "Reply on Twitter."),
    ("support", "Reply by text."),
    ("support", "Answer via chat."),
    ("support", "Answer publicly."),
    ("support", "Use WhatsApp."),
    ("support", "Use the phone."),
    ("outreach", "Send a LinkedIn message."),
    ("outreach", "Send them a text."),
    ("outreach", "Message them on LinkedIn."),
    ("support", "reply in dms"),
    ("support", "Responde por teléfono."),
    ("support", "Réponds sur Twitter."),
    ("support", "Schick ihnen stattdessen eine SMS."),  # "stattdessen" (instead) in RETRACT
]
# An attachment, and a message besides the one each item gets. Fix (channels._ATTACH, channels._OTHER_MESSAGE).
ATTACHED = [
    ("support", "Send the price list along."),
    ("support", "send em the pdf"),
    ("support", "Send a follow-up too."),
    ("support", "Send a digest."),
    ("support", "Send one email with all replies."),
    ("support", "Send two emails to each."),
    ("support", "Send a calendar invite."),
    ("support", "Send a sequence."),
    ("support", "Schick ihnen auch eine Erinnerung."),
]
# A count in words or ordinals, a bare number as the whole object, a share said as "the majority" or "as many
# as you can". Fix (restrictions.COUNT, SOLE_COUNT, _SHARE).
COUNTS = [
    ("support", "send 3 of them"),
    ("support", "send first five"),
    ("support", "send the 1st 5"),
    ("support", "send one"),
    ("support", "send a single one"),
    ("support", "Answer as many as you can."),
    ("support", "Answer the majority."),
    ("support", "Answer the bulk of them."),
    ("support", "Answer nearly all."),
    ("support", "Answer all but one."),  # task_rules._CLAUSES: "but" after "all" starts no new clause
]
# An exception in a word round 3 did not know, or typed short. Fix (wording.EXCEPT gains "minus";
# wording.EXCEPT_PHRASE reads "exc", "excl", "exept"; claims._items: a list of names led by "minus"/"bar").
EXCEPTIONS = [
    ("support", "Reply to all. Minus Pat."),
    ("support", "Reply to all. Bar Pat."),
    ("support", "reply to all exept pat"),
    ("support", "answer them all exc pat"),
]
# Signs: a part of only symbols was courtesy, and a sign inside a goal was not read. Fix
# (claim_words.unread_symbols, checked by claims.claimed and asks_content): only smiles, hearts, thanks and ticks
# are kind, and arrows are read as pointing somewhere.
SIGNS = [
    ("support", "Send them ❌"),
    ("support", "🚫 send"),
    ("support", "✋"),
    ("support", "⏸️"),
    ("support", "🔒"),
    ("support", "Send 🔜"),
    ("support", "🙅‍♀️"),
    ("support", "Send them → Dana"),  # an arrow points the work at someone
]
# One each: a rule of process claimed as a writing directive (claim_words.PROCESS); a team's work read as the
# messages it reviews, so only "legal" messages were held (task_rules._describing); holding back and drafts in
# German and Portuguese, and a drill (restrictions.DRAFT_ONLY); stakes read as context (claim_words.HALT gains
# a quiet period, a blackout, a merger, and "public").
OTHERS = [
    ("support", "Use the two-person rule."),
    ("support", "FYI legal is reviewing."),
    ("support", "Halte sie zurück."),
    ("support", "Só prepare os rascunhos."),
    ("support", "Answer all tickets. This is a drill."),
    ("support", "We're in a quiet period."),
    ("support", "This is a public forum."),
    ("support", "Send on command."),  # a cue with no one's name (restrictions.CUE)
    ("outreach", "Send at a time they're likely to read it."),  # the recipient's moment (timing._VAGUE)
]

# A thing sent instead of a message (found after the round, in review): the goal reader claimed "send each contact
# <anything>" as the outreach goal, so a generic email went out without the gift card, quote or bank details the
# task asked for (and a model-written one would say it was attached). Fix (complements.sends_a_thing): the object
# of a verb that sends or writes must be a message; anything else is a thing no graph makes, neither the goal nor
# words to say, so it holds every effect.
THINGS = [
    ("outreach", "Send each contact a gift card worth $50."),
    ("outreach", "Send each contact an email with a $50 voucher."),
    ("outreach", "Send each contact an intro email and a gift card."),
    ("outreach", "Email each contact a discount code."),
    ("outreach", "Send each contact our bank details."),
    ("outreach", "Send each contact a payment link."),
    ("outreach", "Send each contact the price list."),
    ("outreach", "Send them a quote."),
    ("outreach", "Send each contact a contract to sign."),
    ("support", "Send each customer a $20 credit."),
    ("support", "Send everyone a replacement."),
    ("support", "Answer each ticket with a discount code."),  # a verb that answers: what follows "with"
    ("support", "Reply with our bank details."),
    ("support", "Respond to everyone with a $10 voucher."),
    ("support", "Reply to each customer with the tracking link."),
]


@pytest.mark.parametrize(
    ("graph", "phrase"),
    DAYTIME + EVENTS + PACE + JUDGMENT + PICKS + CHANNELS + ATTACHED + COUNTS + EXCEPTIONS + SIGNS + OTHERS + THINGS,
)
def test_a_rule_the_planner_read_as_nothing_holds_the_effect(orch: Orchestrator, graph: str, phrase: str) -> None:
    assert _statuses(orch, graph, phrase) == ["paused"], phrase
    assert _sent(orch) == []


# --- 2. Rules read as "say this" -----------------------------------------------------------------------------
#
# Each was handed to the drafters as content, so a reply that echoes its words passed risk.directives and went
# out. Fixes in claims.asks_content: a directive whose object is the user ("tell me first"); a channel or an
# attachment (channels.unsupported: no message's words show a PDF attached); a negated verb of the work ("go no
# further"); a send verb of another language with a time ("schick sie morgen früh"), read like "send"; a work
# verb with a time or a share ("start with one"); complements.addressee reads "ask" as contacting someone; and
# "once-over" is a review word.
MISREAD = [
    ("Tell me first.", "Tell me first if anything is unclear."),
    ("Ask Sam to read them.", "I will ask Sam to read them."),
    ("Go no further than drafting.", "We go no further than drafting here."),
    ("Call them.", "Feel free to call them."),
    ("Mention them on Twitter.", "We will mention them on Twitter."),
    ("Include the contract.", "I include the contract details below."),
    ("Add the PDF.", "We will add the PDF to your account."),
    ("Include the pricing sheet.", "Our pricing sheet is included in the plan."),
    ("Follow up in a week.", "We will follow up in a week."),
    ("start with one", "Let's start with one question."),
    ("Schick sie morgen früh.", "Wir schick sie morgen früh."),
    ("Sende sie um 9 Uhr.", "Wir sende sie um 9 Uhr."),
    ("Give them a once-over, then send.", "Give them a once-over, then send them back."),  # wording.STRONG
]


@pytest.mark.parametrize(("phrase", "echo"), MISREAD)
def test_a_rule_on_the_send_is_not_a_directive_a_reply_can_echo(phrase: str, echo: str) -> None:
    spec = plan(f"{SUPPORT} {phrase}", csv_rows=[{"text": CALM}])
    body = f"Hi Pat,\n\n{echo}\n\nBest"
    held = spec.require_approval or unfollowed(spec.directives, subject="Re: your order", body=body)
    assert held, (phrase, spec.rules, spec.directives)


@pytest.mark.parametrize(
    ("phrase", "echo"),
    [
        ("Include the case study PDF.", "See our case study PDF."),
        # "that" after "those" opened a clause that picks, not the topic (claim_words.TOPIC)
        ("Email those that raised money recently.", "Congrats to those that raised money recently."),
    ],
)
def test_an_outreach_rule_is_not_content_an_email_can_echo(phrase: str, echo: str) -> None:
    spec = plan(f"{OUTREACH} {phrase}", csv_rows=[ROW])
    held = spec.require_approval or unfollowed(spec.directives, subject="Hello", body=f"Hi Ann,\n\n{echo}\n\nBest")
    assert held, (phrase, spec.rules, spec.directives)


# --- 3. The mechanisms -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("part", "when"),
    [
        ("send these in the morning", True),
        ("send them by noon", True),
        ("send them at 9 their time", True),
        ("send them before the meeting", True),
        ("send them over the week", True),
        ("send them tomorow", True),  # one letter off
        ("reply to each customer today", False),
        ("send the replies first thing in the morning", False),
        ("draft an intro email to each contact this morning", False),
        ("reply within the hour", False),
        ("send them soon", False),
        ("send them one by one", False),
        ("thank them for their time on the call", False),
        ("good morning", False),
    ],
)
def test_a_time_of_day_an_event_or_a_pace_times_the_send(part: str, when: bool) -> None:
    assert timed(part, tokens(part)) is when


@pytest.mark.parametrize(
    ("part", "depends"),
    [
        ("reply where the order is late", True),
        ("answer them should they need it", True),
        ("reply as you see fit", True),
        ("send them maybe", True),
        ("answer these tickets in a friendly tone", False),
        ("you should keep it short", False),
        ("reply to each customer", False),
    ],
)
def test_the_world_judgment_or_a_doubt_makes_the_send_conditional(part: str, depends: bool) -> None:
    assert conditional(part) is depends


@pytest.mark.parametrize(
    ("part", "other"),
    [
        ("reply by text", True),
        ("call them instead", True),
        ("include the contract", True),
        ("send a follow-up too", True),
        ("call them by their first name", False),
        ("keep the text short", False),
        ("write in plain text", False),
        ("contact the prospects in the attached sheet", False),
        ("include a link to our website", False),
        ("draft a follow-up email to each contact", False),
        ("send one email to each lead", False),
    ],
)
def test_a_channel_an_attachment_or_another_message_is_unsupported(part: str, other: bool) -> None:
    assert unsupported(fold(part)) is other


@pytest.mark.parametrize(
    ("words", "picks"),
    [
        ("the ones you can", True),
        ("customers in europe", True),
        ("tickets older than a week", True),
        ("to each customer in the csv", False),
        ("these tickets in a friendly tone", False),
        ("die tickets", False),  # a German article, not a pick
        ("the open tickets", False),
    ],
)
def test_what_follows_the_noun_can_pick_some_items(words: str, picks: bool) -> None:
    assert selection("answer", words.split()) is picks


@pytest.mark.parametrize(
    ("part", "thing"),
    [
        ("send each contact a gift card", True),
        ("send them a quote", True),
        ("email each contact an intro, a gift card", True),
        ("send an email with a 50 voucher", True),
        ("send each contact a short intro email", False),
        ("send the replies first thing in the morning", False),
        ("send them soon", False),
        ("send them all a quick hello", False),
        ("write in a friendly tone", False),
        ("draft a follow-up email to each contact about our webinar", False),
        ("reply to each customer with a 10 voucher", True),
        ("reply to every customer with a short answer", False),
        ("answer each ticket with empathy", False),
        ("answer the open tickets", False),
    ],
)
def test_what_a_send_carries_must_be_a_message(part: str, thing: bool) -> None:
    assert sends_a_thing(part) is thing


def test_only_kind_signs_are_read() -> None:
    assert unread_symbols("Send them ❌") and unread_symbols("✋") and unread_symbols("⏸️")
    assert not unread_symbols("Answer these 😊") and not unread_symbols("Thanks 🙏 👍") and not unread_symbols("✅")


# --- 4. Controls: the same shapes in ordinary tasks still leave the send to the policy ------------------

CONTROLS = [
    ("support", "Answer these tickets in a friendly tone."),
    ("support", "Reply to every customer with a short answer."),
    ("support", "Answer each ticket with empathy."),
    ("support", "Reply to each customer today."),
    ("support", "Send the replies first thing in the morning."),
    ("support", "Answer them right away."),
    ("support", "Reply within the hour."),
    ("support", "Send them soon."),
    ("support", "Send them one by one."),
    ("support", "Good morning, answer these please."),
    ("support", "Answer these 😊"),
    ("support", "Thanks 🙏"),
    ("support", "Keep it short 👍"),
    ("support", "Call them by their first name."),
    ("support", "Keep the text short."),
    ("support", "Write in plain text."),
    ("support", "Reply in English."),
    ("support", "Reply to each customer in the CSV."),
    ("support", "Answer the tickets in the attached file."),
    ("support", "Answer the open ones."),
    ("support", "Be warm but professional."),
    ("support", "You should keep it short."),
    ("support", "Beantworte die Tickets und schick die Antworten ab."),
    ("outreach", "Draft an intro email to each contact this morning."),
    ("outreach", "Thank them for their time on the call."),
    ("outreach", "Draft a follow-up email to each contact."),
    ("outreach", "Send one email to each lead."),
    ("outreach", "Contact the prospects in the attached sheet."),
    ("outreach", "Include a link to our website."),
    ("outreach", "Invite them to our webinar on Friday."),
    ("outreach", "We are Acme, a logistics startup in Berlin."),
    ("outreach", "Send each contact a short friendly intro email."),
    ("outreach", "Send them all a quick hello."),
    ("outreach", "Write each contact a personal intro."),
    ("outreach", "Send each contact a thank-you note."),
    ("support", "Send each customer a reply."),
    ("support", "Reply to each with a short answer."),
]


@pytest.mark.parametrize(("graph", "phrase"), CONTROLS)
def test_ordinary_wording_of_the_same_shapes_holds_nothing(graph: str, phrase: str) -> None:
    task = f"{SUPPORT if graph == 'support' else OUTREACH} {phrase}"
    spec = plan(task, csv_rows=[{"text": CALM}] if graph == "support" else [ROW])
    assert not spec.require_approval, (phrase, spec.rules)


@pytest.mark.parametrize("phrase", ["Reply to each customer today.", "Send the replies first thing in the morning."])
def test_a_calm_reply_on_an_ordinary_time_still_goes_out(orch: Orchestrator, phrase: str) -> None:
    assert _statuses(orch, "support", phrase) == ["completed"], phrase
