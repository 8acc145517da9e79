"""Red-team round 3 on task wording: more shapes the offline planner read as leave to send.

Round 1 (tests/test_redteam_intake.py) and round 2 (tests/test_redteam_replies.py, claims section) covered
other languages, review idioms, retractions, destinations after a preposition and half-read limits. This
round tried 608 wordings (questions, passive voice, conditionals, split sentences, typos, nine languages and
three scripts, lists, quotes and tags, negated permissions, times, shares, roles, recipients, warnings); the
ones kept here were all read as no rule at all, so under the lenient policy the calm reply or email went out
unreviewed (or, in section 2, the rule became a "say this" directive that a reply echoing its words passes).
Each test failed when it was written. Wording is checked end to end as in round 1: planned by
``agents.offline.planning.plan`` (the function ``humangate run --dry-run`` shows), started through the
Orchestrator on SQLite in ``tmp_path`` under ``tests.lenient.LENIENT``.

The fixes are general (word classes and sentence structure, never these phrases), and the controls at the
end keep ordinary wording of the same shapes from holding everything.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from humangate import Orchestrator
from humangate.agents.offline.claims import claimed
from humangate.agents.offline.complements import addressee, form_only
from humangate.agents.offline.planning import plan
from humangate.agents.offline.restrictions import restricted
from humangate.core.wording import fold, tokens
from humangate.risk.directives import unfollowed
from humangate.tasks import planned_runs, start_planned
from tests.lenient import lenient_orchestrator
from tests.task_redteam import CALM, OUTREACH, ROW, SUPPORT
from tests.task_redteam import sent as _sent
from tests.task_redteam import statuses as _statuses


@pytest.fixture
def orch(tmp_path: Path) -> Iterator[Orchestrator]:
    with lenient_orchestrator(tmp_path) as o:
        yield o


# --- 1. Rules read as nothing ------------------------------------------------------------------------------
#
# Each phrase below was claimed by a reader of agents/offline/claims.claimed (goal, style, items, context or
# courtesy), so read_rules set no approval and the calm reply was sent. Grouped by shape, each with its fix.

# A time the send must wait for, said with a number word: claims' schedule pattern knew only "in <digits>
# days" and weekdays. Fix (restrictions.SCHEDULE): a span counted in words or figures after in/after/for,
# and later parts of the day or ends of periods. A deadline the send meets now ("within a week") holds none.
TIME = [
    ("support", "Send them in two days."),
    ("support", "Answer in two days."),
    ("support", "Answer these in a week."),
]
# A share of the items ("half", "a few", "a sample", "the oldest ones"): no count words matched. Fix
# (restrictions.COUNT): shares, fractions, percentages "of", and picks by age or size restrict the work.
SHARE = [
    ("support", "Send half of them."),
    ("support", "Reply some of them."),
    ("support", "Answer most of them."),
    ("support", "Answer a few of them."),
    ("support", "Answer a couple of them."),
    ("support", "Answer a handful."),
    ("support", "Answer 10% of them."),
    ("support", "Answer a sample."),
    ("support", "Answer a random subset."),
    ("support", "Answer every other one."),
    ("support", "Answer the oldest ones."),
]
# Exceptions of more than one word ("other than", "apart from") and a permission they narrow: EXCEPT held
# single words only. Fix (wording.EXCEPT_PHRASE, read by restrictions.restricted and task_rules._relaxes),
# and "besides"/"barring"/"excepting" join EXCEPT.
EXCEPTIONS = [
    ("support", "Send without asking me, other than the VIPs."),
    ("support", "Reply to all of them apart from Pat."),
]
# A verb of contacting whose direct object is a person, a role or a name: destinations only looked after a
# preposition ("to my manager"). Fix (complements.addressee, checked by claims._goal, _style, asks_content).
# A reply goal narrowed to one sender ("tickets from Pat") is narrowed like one that names a kind.
CONTACTS = [
    ("support", "Also email their assistant."),
    ("support", "Send Dana a copy of each."),
    ("support", "Email Dana each draft."),
    ("support", "Message Dana before sending."),
    ("support", "Email their manager too."),
    ("support", "Contact their boss."),
    ("support", "Reach their legal team."),
    ("support", "Answer these tickets from Pat."),
    ("support", "Avoid emailing competitors."),  # a style verb whose object is sending: whom, not how
]
# "Keep"/"make" directives whose complement is not about the wording: the style reader claimed any "keep"
# without a destination. Fix (complements.form_only): after keep/stay/be/sound/make/remain every word must
# be one of tone, length, plainness or the message itself.
KEEP = [
    ("support", "Keep them aside."),
    ("support", "Keep them back."),
    ("support", "Keep them for now."),
    ("support", "Keep them to yourself."),
    ("support", "Keep them quiet."),
    ("support", "Keep it between us."),
    ("support", "Keep it under wraps."),
    ("support", "Keep Dana posted."),
    ("support", "Keep Dana informed."),
    ("support", "Keep me posted."),
    ("support", "Keep me in the loop."),
    ("support", "Keep Dana in the loop."),
    ("support", "Make sure Sam sees them."),
    ("support", "make sure i seee them before u send"),  # "seee" is no review word; "make sure ..." is no form
    ("outreach", "Keep them on ice."),
    ("outreach", "Keep everything internal."),
]
# A warning, or a statement of who decides, read as context ("who the sender is") or as a list of items.
# Fix (claims._plain, _items): a word of stakes or care (sensitive, delicate, VIP, stakes) or of gating
# (final say, decision, gatekeeper, policy, four-eyes), or the messages "going out", is never context.
STATEMENTS = [
    ("support", "This is sensitive."),
    ("support", "This is delicate."),
    ("support", "These are VIP customers."),
    ("outreach", "This is high stakes."),
    ("support", "I'm the gatekeeper."),
    ("support", "I am the final say."),
    ("support", "I'm the decision maker."),
    ("support", "I'm the last line of defence."),
    ("support", "I'm responsible for what goes out."),
    ("support", "Our policy is four-eyes."),
]
# Whose address or name a message goes out under. Fix (restrictions.RECIPIENT): "from my address", "as me",
# "under the CEO's name".
SENDER = [
    ("outreach", "Send them from my address."),
    ("outreach", "Sign them as me and send."),
    ("outreach", "Send from the CEO's account."),
    ("outreach", "Send under the CEO's name."),
]
# More people than the item's contact: the outreach graph emails the row's address only, so the email goes
# to someone the task did not mean, unreviewed. Fixes: complements.addressee reads "write to their X" and
# "everyone at/there" after a verb of reaching people; restrictions.RECIPIENT reads addresses and contacts
# beyond the item's own ("each address you can find", "more contacts").
WIDER = [
    ("outreach", "Write to their investors."),
    ("outreach", "Email everyone at each company."),
    ("outreach", "Reach out to all employees there."),
    ("outreach", "Send one to each address you can find."),
    ("outreach", "Find more contacts and email them too."),
    ("outreach", "Use whatever address their site lists."),
]
# A cue the user gives ("on my word"), and scripts the tokenizer does not read (no Latin letters left, so
# the part was "courtesy"). Fixes: restrictions.CUE; claims.claimed leaves a part with letters but no
# readable words unclaimed.
CUES = [
    ("support", "Go on my word."),
    ("support", "Reply upon my nod."),
    ("support", "Покажи мне ответы перед отправкой."),
    ("support", "送信する前に見せてください。"),
    ("support", "发送前先给我看。"),
]


@pytest.mark.parametrize(
    ("graph", "phrase"), TIME + SHARE + EXCEPTIONS + CONTACTS + KEEP + STATEMENTS + SENDER + WIDER + CUES
)
def test_a_rule_the_planner_read_as_nothing_holds_the_effect(orch: Orchestrator, graph: str, phrase: str) -> None:
    assert _statuses(orch, graph, phrase) == ["paused"], phrase
    assert _sent(orch) == []


# A send goal whose object picks some of the items ("the calm ones", "polite customers", "the ones about
# shipping"): the goal reader claimed it, so every item was answered, the ones left out too. Fix
# (complements.selection, read by claims._goal and asks_content): a qualifier in front of the nouns for whom
# is answered, or "the ones about/with ...", narrows the items; which are left out cannot be told.
SELECTION = [
    "Send the calm ones automatically.",
    "Send the easy ones yourself.",
    "Send replies to polite customers.",
    "Send the ones about shipping.",
]
REFUND = "I was charged twice for my plan this month, please refund the second payment."


@pytest.mark.parametrize("phrase", SELECTION)
def test_a_goal_that_picks_some_items_never_sends_the_others(orch: Orchestrator, phrase: str) -> None:
    rows = [{"id": "t1", "customer": "Pat Calm", "text": CALM}, {"id": "t2", "customer": "Sam Refund", "text": REFUND}]
    spec = plan(f"{SUPPORT} {phrase}", csv_rows=rows)
    statuses = [run.status for _, run in start_planned(orch, planned_runs(spec), "cli")]
    assert statuses[1] != "completed", (phrase, statuses, spec.rules)


# --- 2. Rules read as "say this" -----------------------------------------------------------------------------
#
# A verb of sending with a time, condition, share or recipient, or a directive that names nothing to check,
# was handed to the drafters as content ("the task asks every reply: 'Send when the outage is fixed'"):
# risk.directives then passes any reply that echoes the words, so a reply saying "the outage is fixed"
# went out at once, and "Write only" or "Sign them as me" (nothing to look for) passed every reply.
# Fix (claims.asks_content): such a part says when or whether to send, not what to say; it is unclaimed.
MISREAD = [
    ("Send when the outage is fixed.", "Good news: the outage is fixed, so we can send your order now."),
    ("Send them after the board meeting.", "After the board meeting we will send them the details."),
    ("Send on Friday.", "We will send it on Friday."),
    ("Send them after 5pm.", "We will send it after 5pm."),
    ("Email only decision makers.", "We only email decision makers."),
    ("Send to the billing address instead.", "We will send it to the billing address instead."),
    ("Inform Sam before sending.", "I will inform Sam before sending."),
    ("Mention them to Dana first.", "I will mention them to Dana first."),
    ("Reply to everyone except Pat.", "We reply to everyone except Pat."),
    ("Write only.", "Thanks for writing."),
    ("Sign them as me.", "Thanks for writing."),
    ("Go on my word.", "You have my word: it will go out today."),
]


@pytest.mark.parametrize(("phrase", "echo"), MISREAD)
def test_a_rule_on_the_send_is_not_a_directive_a_reply_can_echo(phrase: str, echo: str) -> None:
    spec = plan(f"{SUPPORT} {phrase}", csv_rows=[{"text": CALM}])
    body = f"Hi Pat,\n\n{echo}\n\nBest"
    held = spec.require_approval or unfollowed(spec.directives, subject="Re: your order", body=body)
    assert held, (phrase, spec.rules, spec.directives)


# --- 3. The mechanisms -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("part", "who"),
    [
        ("Email their manager too", "their manager"),
        ("Write to their investors", "their investors"),
        ("Email everyone at each company", "everyone at each"),
        ("Send Dana a copy of each", "Dana"),
        ("Reach their legal team", "their legal team"),
        ("Email me the drafts", "me"),
        ("Email each contact in the file", None),
        ("Send a support reply to each", None),
        ("Tell them the outage is fixed", None),
        ("Invite them to our webinar", None),
        ("Send a thank-you email to each attendee", None),
    ],
)
def test_the_object_of_a_verb_of_contacting_is_a_person_or_the_items(part: str, who: str | None) -> None:
    assert addressee(part) == who


@pytest.mark.parametrize(
    ("part", "form"),
    [
        ("keep it short and sweet", True),
        ("keep replies friendly", True),
        ("make it sound human", True),
        ("be gentle with upset customers", True),
        ("keep it jargon-free", True),
        ("keep them aside", False),
        ("keep dana posted", False),
        ("make sure sam sees them", False),
        ("keep everything internal", False),
        ("mention our pilot", True),  # not a form verb: left to the other checks
    ],
)
def test_a_form_verb_claims_only_a_complement_about_the_wording(part: str, form: bool) -> None:
    assert form_only(tokens(fold(part))) is form


@pytest.mark.parametrize(
    ("part", "limits"),
    [
        ("answer them in three days", True),
        ("reply within a week", False),  # a deadline an immediate send meets, like "today"
        ("answer half of them", True),
        ("answer the oldest ones", True),
        ("reply to each apart from pat", True),
        ("go on my word", True),
        ("send them from my work address", True),
        ("send the replies today", False),
        ("send the replies first thing in the morning", False),
        ("answer each ticket", False),
        ("offer them a 20% discount", False),
    ],
)
def test_a_time_share_exception_or_cue_restricts_the_work(part: str, limits: bool) -> None:
    assert restricted(part, tokens(part)) is limits


def test_a_script_the_readers_cannot_read_is_not_courtesy() -> None:
    assert claimed("Покажи мне ответы") is None
    assert claimed("Thanks!") == "courtesy"


# --- 4. Controls: the same shapes in ordinary tasks still leave the send to the policy ------------------

CONTROLS = [
    ("support", "Keep it short and sweet."),
    ("support", "Keep them brief."),
    ("support", "Make it sound human."),
    ("support", "Make sure they're short."),
    ("support", "Stay positive."),
    ("support", "Keep the tone light."),
    ("support", "Keep it jargon-free."),
    ("support", "Be empathetic with upset customers."),
    ("support", "Keep each reply under 80 words."),
    ("support", "Never promise delivery dates."),
    ("support", "We are a small bakery in Lisbon."),
    ("support", "I'm Dana, head of support at Acme."),
    ("support", "We sell coffee machines to offices."),
    ("support", "Our customers are mostly small businesses."),
    ("support", "Answer them today."),
    ("support", "Send the replies first thing in the morning."),
    ("support", "Reply within a week."),
    ("support", "Respond to each within the hour."),
    ("support", "Reply to these customer emails politely."),
    ("support", "Answer the open tickets."),
    ("support", "Answer the new customer requests."),
    ("support", "Reply to each customer."),
    ("outreach", "Send thank-you emails to each attendee in the CSV."),
    ("outreach", "Send short messages to each lead."),
    ("outreach", "Contact the prospects in the attached sheet."),
    ("outreach", "Reach out to each lead in the file."),
    ("outreach", "Contact each company in the list."),
    ("outreach", "Write to each contact in the CSV."),
    ("outreach", "Send a short intro email to each lead."),
    ("outreach", "Use their first name."),
    ("outreach", "I'm the founder of Acme."),
]


@pytest.mark.parametrize(("graph", "phrase"), CONTROLS)
def test_ordinary_wording_of_the_same_shapes_holds_nothing(graph: str, phrase: str) -> None:
    task = f"{SUPPORT if graph == 'support' else OUTREACH} {phrase}"
    spec = plan(task, csv_rows=[{"text": CALM}] if graph == "support" else [ROW])
    assert not spec.require_approval, (phrase, spec.rules)


# Content directives near the misread ones: still carried to the drafters and checked, not held outright.
CONTENT = [
    ("Email them about our webinar on 3 March.", "webinar"),
    ("Invite them to our webinar on Friday.", "webinar"),
    ("Mention their recent funding round.", "funding"),
    ("Offer them a 20% discount.", "discount"),
    ("Tell them about our free pilot.", "pilot"),
]


@pytest.mark.parametrize(("phrase", "quoted"), CONTENT)
def test_what_to_say_with_a_date_or_a_share_is_still_a_directive(phrase: str, quoted: str) -> None:
    spec = plan(f"{OUTREACH} {phrase}", csv_rows=[ROW])
    assert not spec.require_approval and any(quoted in d for d in spec.directives), (spec.rules, spec.directives)
