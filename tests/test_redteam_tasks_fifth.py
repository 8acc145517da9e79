"""Red-team round 5 on task wording: capitals, a team at work, forms and material, senders, repeats, disguises.

Rounds 1 to 4 (tests/test_redteam_intake.py, tests/test_task_rules_phrasings.py, tests/test_redteam_tasks_more.py,
tests/test_redteam_tasks_fourth.py) covered review idioms in lower case, other languages, retractions, times,
channels and things sent. This round tried about 5,000 wordings (each after "Answer these support tickets." or
the outreach goal, and planned for both graphs): 871 written by hand (approval idioms, markup, P.S., bullets
and numbered steps, questions, delegation, other languages, content, recipients, frequency, tone; most
were already held), and generated families. Counts (tried / held at HEAD / held now; a wording planned for
both graphs counts twice):

- wordings the planner holds, in capitals or Title Case: 2,204 / 1,986 / 2,200;
- forms of writing: 658 / 194 / 658; material: 434 / 240 / 434;
- senders and reply-all: 32 / 18 / 32; someone else sends what is drafted: 200 / 152 / 200;
- repeats: 40 / 22 / 40; a team at work: 240 / 228 / 240; percentages and a flat "slow": 120 / 28 / 120;
- disguised with invisible characters, look-alike letters or words of other scripts: 184 / 124 / 184.

About 390 controls (115 by hand, 272 in capitals) hold exactly what they held at HEAD. A sample of each
class is kept here, and each kept hole failed at HEAD.

The fixes are general (word classes and sentence structure, never these phrases):

- capitals: a part whose every word is capitalised was read as a list of names ("PING ME BEFORE ANYTHING
  LEAVES", "Let Me Eyeball Them", "Then Dana"). ``claims._items`` now takes a part as names only when it has
  no word of a sentence about the flow (``claim_words.NOT_NAMES``: pronouns, prepositions, auxiliaries;
  and gate, send and review words), and ``task_rules.read_rules`` also reads a clause in capitals only in
  lower case, holding if either reading holds (in capitals, case no longer tells a name from a word);
  ``claim_words.FROM_NAME`` reads "DE MADRID";
- a team at work: "Compliance needs to check", "Legal will review" named a team, not the messages it
  reviews, but only the "compliance" or "legal" messages were held (``task_rules._describing``: a kind word
  followed by a modal, or by need/want/have + "to");
- forms, material, senders, repeats (``manner``, new, read by ``restrictions.restricted`` and
  ``claims.asks_content``): verse, markup, capitals, emoji, a register, things embedded or tracked; a
  template, a script, a style guide, earlier messages, someone's own voice; another sender, reply-all, or
  someone else who sends what is drafted ("draft replies Dana can send"); a repeat. A tone after "be" that
  is a kind word ("be rude") is no longer read as whom the tone is for (``complements.form_only``);
- a percentage after a verb of the work ("send them 50%"; ``restrictions.COUNT``) and a flat "slow" ("go
  slow"; ``timing._VAGUE``);
- disguises (``disguise``, new): invisible format characters are taken out before reading, and a part with
  letters of a script the readers do not know, even one look-alike letter, is claimed by no reader.

Left alone, as no hole or too costly to hold: "Hang Tight" and "Sit Tight" in Title Case (a two-word
company name looks the same), "Send them to the whole list" and "Send to all customers" (read as the items),
"Start small" (a directive a reply could echo), a link whose path spells words. A whole task in capitals
that lists names ("RESEARCH ACME, GLOBEX AND INITECH INTO CITED BRIEFS") now holds: a click for a shouted
task, since in capitals a name and a word look the same.

Checked end to end as in rounds 3 and 4: planned by ``agents.offline.planning.plan``, started through the
Orchestrator on SQLite in ``tmp_path`` under ``tests.lenient.LENIENT``. The controls at the end keep
ordinary wording of the same shapes from holding everything.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from humangate import Orchestrator
from humangate.agents.offline.claims import claimed
from humangate.agents.offline.disguise import foreign, visible
from humangate.agents.offline.manner import unheeded
from humangate.agents.offline.planning import plan
from humangate.agents.offline.task_rules import read_rules
from humangate.core.wording import fold
from humangate.tasks import planned_runs, start_planned
from tests.lenient import lenient_orchestrator
from tests.task_redteam import CALM, OUTREACH, ROW, SUPPORT
from tests.task_redteam import sent as _sent
from tests.task_redteam import statuses as _statuses


@pytest.fixture
def orch(tmp_path: Path) -> Iterator[Orchestrator]:
    with lenient_orchestrator(tmp_path) as o:
        yield o


# --- 1. Holes: the calm reply or email went out unreviewed -------------------------------------------------

# A sentence in capitals, or with every word capitalised, read as a list of names. Fix (claims._items with
# claim_words.NOT_NAMES and the flow words; task_rules.read_rules reads a clause in capitals in lower case too).
CAPITALS = [
    ("support", "PING ME BEFORE ANYTHING LEAVES."),
    ("outreach", "PING ME BEFORE ANYTHING LEAVES."),
    ("support", "LET ME EYEBALL THEM."),
    ("support", "HANG TIGHT."),
    ("support", "STAND BY."),
    ("support", "I'LL QA THEM."),
    ("outreach", "GET A THUMBS UP FIRST."),
    ("support", "LOOP ME IN."),
    ("support", "I'M THE GATEKEEPER."),
    ("support", "OUR POLICY IS FOUR-EYES."),
    ("outreach", "DANA DECIDES."),
    ("support", "RESPONDE A LOS CLIENTES DE MADRID."),  # claim_words.FROM_NAME in capitals
    ("support", "Let Me Eyeball Them."),
    ("support", "Needs My Stamp."),
    ("outreach", "Dana OKs Them."),
    ("support", "Second Opinion First."),
    ("support", "Dana Sends."),
    ("support", "Two Sets Of Eyes."),
    ("support", "I'm The Decision Maker."),
    ("support", "Then Dana."),  # a lead word ("then", "next") before a name: the work goes on to Dana
    ("outreach", "Next, Dana."),
    ("support", "And then Dana."),
]
# A team named as the subject of a modal: every reply is to be checked, but only the team's kind was held.
# Fix (task_rules._describing).
TEAMS = [
    ("support", "Compliance needs to check."),
    ("support", "Legal will review."),
    ("support", "Billing needs to approve."),
]
# A form of writing no drafter writes, and a tone after "be" that is a kind word. Fix (manner._FORMS,
# complements.form_only).
FORMS = [
    ("support", "Write it as a haiku."),
    ("outreach", "Write it as a haiku."),
    ("support", "Reply in Markdown."),
    ("support", "Use markdown."),
    ("outreach", "Write them in HTML."),
    ("support", "Use bold headings."),
    ("support", "Answer in all caps."),
    ("outreach", "Use lots of emoji."),
    ("support", "Write in pirate speak."),
    ("support", "Use Shakespearean English."),
    ("support", "Use legalese."),
    ("support", "Be rude."),
    ("outreach", "Be threatening."),
    ("outreach", "Use UTM links."),
]
# Material the drafters have not got: a template, canned answers, a house style, someone's voice. Fix
# (manner._MATERIAL).
MATERIAL = [
    ("support", "Use our template."),
    ("outreach", "Follow the template."),
    ("outreach", "Use last week's template."),
    ("support", "Use the canned responses."),
    ("outreach", "Write in my voice."),
    ("support", "Use our house style."),
]
# Another sender, reply-all, or someone else who sends: the effect sends from the product's address to the item
# alone. Fix (manner._SENDER).
SENDERS = [
    ("support", "Send from the sales inbox."),
    ("support", "Reply from the shared inbox."),
    ("outreach", "Send them from my Gmail."),
    ("support", "Reply all."),
    ("support", "Use reply all."),
    ("support", "Draft replies Dana can send."),  # someone else sends what is drafted
    ("outreach", "Draft emails my manager can send."),
    ("outreach", "Draft replies that Dana will send."),
]
# A repeat: each item gets one message, once. Fix (manner._REPEAT).
REPEATS = [
    ("outreach", "Send them again."),
    ("support", "Reply again."),
    ("outreach", "Send it one more time."),
    ("outreach", "Keep following up."),
]
# A share said as a percentage after the verb, and a pace said with a flat adverb. Fix (restrictions.COUNT,
# timing._VAGUE).
SHARES = [
    ("support", "Send them 50%."),
    ("outreach", "Send them at 50% volume."),
    ("support", "Go slow."),
]
# Invisible characters inside a word, a look-alike letter of another script, a word of another script. Fix
# (disguise.visible in task_rules.read_rules; disguise.foreign in claims.claimed and asks_content).
DISGUISES = [
    ("support", "Do not se\u200dnd the\u200dm."),  # zero-width joiners
    ("support", "Send them to\u00admo\u00adrrow."),  # soft hyphens
    ("support", "Send them t\u03bfm\u03bfrr\u03bfw."),  # Greek omicrons
    ("outreach", "Send them t\u03bf Dana."),
    ("support", "Send them \u0437\u0430\u0432\u0442\u0440\u0430."),  # "tomorrow" in Russian
    ("outreach", "Send them \u03b1\u03cd\u03c1\u03b9\u03bf."),  # "tomorrow" in Greek
    ("support", "Reply (\u0436\u0434\u0438\u0442\u0435 \u043c\u0435\u043d\u044f)."),  # "wait for me"
]
# Words joined by dots or underscores instead of spaces: one token to the phrase readers, a sentence to a person
# (found in review). Fix (disguise.visible spaces out such a run when it holds a function word).
JOINED = [
    ("outreach", "Send.them.to.Dana."),
    ("support", "Send_them_to_Dana."),
]
# Names the task lists that the rows do not match: "Hang Tight" (a Title Case phrase read as a company), a company
# no row holds, or a subset of the rows. The run went to every row (found in review). Fix (planning._names_unread:
# the names claims.named finds must be exactly the items').
NAMES = [
    ("support", "Hang Tight."),
    ("outreach", "Sit Tight."),
    ("outreach", "Lumen Robotics."),
    ("outreach", "Northwind Analytics, Lumen Robotics."),
]


@pytest.mark.parametrize(
    ("graph", "phrase"), CAPITALS + TEAMS + FORMS + MATERIAL + SENDERS + REPEATS + SHARES + DISGUISES + JOINED + NAMES
)
def test_a_rule_the_planner_read_as_harmless_holds_the_effect(orch: Orchestrator, graph: str, phrase: str) -> None:
    assert _statuses(orch, graph, phrase) == ["paused"], phrase
    assert _sent(orch) == []


# A whole task in capitals: a part that starts with a capital continued the goal before it, so "HANG TIGHT"
# was read as more of "ANSWER THESE SUPPORT TICKETS". Fix (task_rules.read_rules: the lower-case reading).
@pytest.mark.parametrize(
    "task", ["ANSWER THESE SUPPORT TICKETS AND HANG TIGHT.", "ANSWER THESE SUPPORT TICKETS AND LET ME EYEBALL THEM."]
)
def test_a_task_in_capitals_is_read_word_by_word(orch: Orchestrator, task: str) -> None:
    spec = plan(task, csv_rows=[{"id": "t1", "customer": "Pat Calm", "text": CALM}])
    assert [run.status for _, run in start_planned(orch, planned_runs(spec), "cli")] == ["paused"], spec.rules
    assert _sent(orch) == []


# --- 2. The mechanisms -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("part", "asks"),
    [
        ("write it as a haiku", True),
        ("use our brand colors", True),
        ("follow the template", True),
        ("match my previous emails", True),
        ("send from the sales inbox", True),
        ("send them again", True),
        ("keep following up", True),
        ("no emojis please", False),
        ("don't use markdown", False),
        ("follow the guidelines below", False),
        ("draft an intro email about our template library", False),  # the message's subject
        ("thank them again for their patience", False),
        ("keep messages short", False),
        ("write in plain text", False),
        ("be bold", False),
    ],
)
def test_a_form_material_sender_or_repeat_is_read(part: str, asks: bool) -> None:
    assert unheeded(fold(part)) is asks


def test_invisible_characters_go_and_other_scripts_are_seen() -> None:
    assert visible("se\u200dnd to\u00admorrow") == "send tomorrow"
    assert foreign("send them t\u03bfmorrow") and foreign("send them \u0437\u0430\u0432\u0442\u0440\u0430")
    assert foreign("hi\U000e0073\U000e0065")  # tag characters spell text no one sees
    assert not foreign("Research Ørsted and Łódź Labs") and not foreign("Answer these 😊")
    assert not foreign("\uff53\uff45\uff4e\uff44")  # full-width Latin is Latin
    assert visible("Send.them.to.Dana.") == "Send them to Dana." and visible("send_them_to_dana") == "send them to dana"
    for kept in (
        "Research docs.acme.example",
        "report_final_v.md",
        "ann.lee.smith@x.example",
        "https://a.b.example/x.y",
    ):
        assert visible(kept) == kept


@pytest.mark.parametrize(
    ("part", "reader"),
    [
        ("Let Me Eyeball Them", None),
        ("Dana Sends", None),
        ("Then Dana", None),
        ("Northwind Analytics, Lumen Robotics", "items"),
        ("Acme Corp, Globex", "items"),
    ],
)
def test_only_names_read_as_names(part: str, reader: str | None) -> None:
    assert claimed(part) == reader


def test_a_team_at_work_is_no_kind_of_message() -> None:
    assert read_rules("Compliance needs to check.", "support").require
    routed = read_rules("Anything legal needs review.", "support")
    assert not routed.require and [r.kinds for r in routed.routes] == [["legal"]]


# --- 3. Controls: ordinary wording of the same shapes still leaves the send to the policy ------------------

CONTROLS = [
    ("support", "Thanks!"),
    ("support", "Please be polite."),
    ("support", "Be gentle with upset customers."),
    ("support", "Be kind to angry customers."),
    ("support", "Keep the tone warm and friendly."),
    ("support", "Keep messages short."),
    ("support", "Use their first name."),
    ("support", "Write in plain text."),
    ("support", "Don't use markdown."),
    ("support", "Avoid all caps."),
    ("support", "Answer these tickets from the CSV."),
    ("support", "ANSWER THEM ALL."),
    ("support", "KEEP IT SHORT."),
    ("support", "BE POLITE."),
    ("support", "Anything legal needs review."),  # a routing rule, as before
    ("outreach", "Thank them again for their patience."),
    ("outreach", "Draft an intro email about our template library."),
    ("outreach", "Refer to their last funding round."),
    ("outreach", "Research Ørsted and draft a short intro."),
    ("outreach", "I'm Dana from Acme."),
    ("outreach", "Northwind Analytics."),  # the task names the one row it has
]


@pytest.mark.parametrize(("graph", "phrase"), CONTROLS)
def test_ordinary_wording_of_the_same_shapes_holds_nothing(graph: str, phrase: str) -> None:
    task = f"{SUPPORT if graph == 'support' else OUTREACH} {phrase}"
    spec = plan(task, csv_rows=[{"text": CALM}] if graph == "support" else [ROW])
    assert not spec.require_approval, (phrase, spec.rules)


@pytest.mark.parametrize(
    "task", ["ANSWER THESE SUPPORT TICKETS.", "ANSWER THESE SUPPORT TICKETS. THANKS!", "Answer These Support Tickets."]
)
def test_a_plain_task_in_capitals_still_runs(orch: Orchestrator, task: str) -> None:
    spec = plan(task, csv_rows=[{"id": "t1", "customer": "Pat Calm", "text": CALM}])
    assert [run.status for _, run in start_planned(orch, planned_runs(spec), "cli")] == ["completed"], spec.rules


@pytest.mark.parametrize(
    ("graph", "phrase"), [("support", "Keep messages short."), ("outreach", "Keep the tone warm and friendly.")]
)
def test_a_calm_message_with_an_ordinary_adornment_still_goes_out(orch: Orchestrator, graph: str, phrase: str) -> None:
    assert _statuses(orch, graph, phrase) == ["completed"], phrase
