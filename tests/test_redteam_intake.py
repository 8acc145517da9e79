"""Red-team findings on task intake: task wording the offline planner half-reads, and CSV rows that smuggle.

The product fails closed: what the planner cannot positively read as safe goes to a person. Each test asserts
that safe behaviour and failed when it was written. Wording is checked end to end: planned offline, started
through the Orchestrator on a real SQLite database in ``tmp_path``, under a lenient policy that sends anything
below critical risk, so only the task's own rules hold a reply and a missed rule shows up as a send.

Phrasings already covered by test_task_rules_phrasings.py, test_redteam_outbound.py and test_dry_run.py are
not repeated here.
"""

from __future__ import annotations

import base64
import email
import email.policy
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from humangate import Orchestrator
from humangate.agents.offline.planning import plan
from humangate.agents.support import SupportAnalyst
from humangate.core.schemas import SupportMessage, SupportReply
from humangate.errors import InvalidInputError
from humangate.risk import assess_support
from humangate.sources import read_csv_rows
from humangate.tasks import planned_runs, start_planned
from tests.lenient import LENIENT, lenient_orchestrator

MESSAGES = {
    "calm": "Hello, could you tell me when my order ships? Thanks a lot!",
    "angry": "This is ridiculous. It is the third time I write and nobody answers. I am furious.",
    "refund": "I was charged twice for my plan this month, please refund the second payment.",
    "legal": "If this is not fixed this week I will ask my lawyer to take legal action against you.",
}
SUPPORT = "Answer these support tickets."
OUTREACH = "Research these companies and draft an intro email to the contact at each."
DEMO_SOURCES = Path(__file__).resolve().parents[1] / "src" / "humangate" / "data" / "demo" / "sources"
NORTHWIND = "Northwind Analytics"


@pytest.fixture
def orch(tmp_path: Path) -> Iterator[Orchestrator]:
    with lenient_orchestrator(tmp_path) as o:
        yield o


def _sent(orch: Orchestrator) -> list[bytes]:
    folder = orch.settings.outbox_dir
    return [p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()] if folder.exists() else []


def _support(orch: Orchestrator, task: str, kinds: list[str]) -> dict[str, str]:
    """Plan and start a support task over one ticket per kind; return each kind's run status."""
    rows = [{"id": f"t-{k}", "customer": f"Pat {k.title()}", "text": MESSAGES[k]} for k in kinds]
    spec = plan(f"{SUPPORT} {task}", csv_rows=rows)
    assert spec.graph == "support"
    runs = [run for _, run in start_planned(orch, planned_runs(spec), "cli")]
    return {k: r.status for k, r in zip(kinds, runs, strict=True)}


def _outreach(orch: Orchestrator, task: str, rows: list[dict[str, str]]) -> list[str]:
    spec = plan(task, csv_rows=rows)
    assert spec.graph == "outreach"
    return [run.status for _, run in start_planned(orch, planned_runs(spec, source_dir=DEMO_SOURCES), "cli")]


def _csv(tmp_path: Path, text: str) -> list[dict[str, object]]:
    path = tmp_path / "items.csv"
    path.write_text(text, encoding="utf-8", newline="")
    return read_csv_rows(path)


# --- 1. Review wording the planner has not seen ------------------------------------------------------------
#
# Each of these asks a person to see, stop or hold the replies, and each is read as no rule at all: spec has
# require_approval False and no route, and under the lenient policy the calm reply goes out unreviewed.
# Code path: agents/offline/task_rules.read_rules -> _review_at / _anchors / sending.defers_send find no review
# word, no hand-over target and no send veto, so the clause is skipped (`if review is None and not anchors and
# not deferred: continue`). The vocabularies in core/wording.py cover four languages and a list of
# English stems; everything else (another language, an idiom, a named third person, "draft/stage/queue",
# a retraction, a time or count the planner cannot enforce) falls through to "send".
# General fix: invert the default in read_rules. A clause that the planner cannot classify as (a) the task's
# own goal/items/tone, or (b) a recognised permission, must not be dropped: any clause left over after the
# goal and items are read should set require_approval (with the rule "I could not read ...; a person approves
# every reply"). Only a task whose every clause is positively understood may leave the send to the policy.

OTHER_LANGUAGES = [
    "Fammi vedere le risposte prima di inviarle.",  # Italian: show me the replies before sending them
    "Ik wil elke e-mail eerst goedkeuren.",  # Dutch: I want to approve every email first
    "Niets versturen zonder mijn goedkeuring.",  # Dutch: send nothing without my approval
    "Chcę zatwierdzić każdą odpowiedź.",  # Polish: I want to approve every reply
    "Nie wysyłaj niczego bez mojej zgody.",  # Polish: do not send anything without my consent
    "Jag vill godkänna varje svar.",  # Swedish: I want to approve every reply
]
INDIRECT = [
    "Legal needs to see these.",
    "Nothing leaves without a second pair of eyes.",
    "Apply the four-eyes principle.",
    "Needs my thumbs up.",
    "A human must be in the loop.",
    # A reviewer named by name: CONSULT only knows "past me/us", not "past Sam".
    "Run it past Sam.",
    "Everything goes through Sam.",
    "Clear it with legal.",
    "When Sam okays them, send.",
]
DRAFT_ONLY = [
    "Treat these like drafts.",
    "Only queue them.",
    "Stage them.",
    "Just draft them.",
    "Dry run only.",
    "This is a test; don't actually email anyone.",
    "Manual send only.",
    "autosend: off",
    "Hold them.",
    "Sit on them.",
]
# A permission, then taken back in the next sentence: the retraction has no review word, so the send stands.
RETRACTED = [
    "Send them all. Scratch that, hold them.",
    "Send them all. On second thought, don't.",
    "Send them all. Actually no.",
]
# Rules on time, count or recipients that no graph enforces: the planner must hold rather than ignore them.
UNENFORCEABLE = [
    "Not before Monday.",
    "Send them tomorrow.",
    "Only the first 10.",
    "At most 5 replies.",
    "Only reply to customers at example.com.",
    "CC me.",
    "BCC legal@example.com.",
    "Send each one three times.",
]
GARBLED = ["R E V I E W  them.", "pls appr b4 sending"]
# A warning with a style verb in front ("be ...") read as a writing directive and was dropped.
WARNINGS = ["Be careful, these are VIPs.", "Be cautious with these."]


@pytest.mark.parametrize(
    "phrase", OTHER_LANGUAGES + INDIRECT + DRAFT_ONLY + RETRACTED + UNENFORCEABLE + GARBLED + WARNINGS
)
def test_wording_the_planner_cannot_read_holds_every_reply(orch: Orchestrator, phrase: str) -> None:
    result = _support(orch, phrase, ["calm"])
    assert result["calm"] == "paused", (phrase, result)
    assert _sent(orch) == []


# --- 2. A word that names a kind but is not the scope narrows a blanket review ----------------------------
#
# "Please review the replies for errors" asks to review every reply; "errors" is a "technical" kind word, so
# the clause becomes a routing rule for technical messages only and every other reply is sent. The same with a
# team named after a kind ("Let legal approve the replies" -> legal messages only), a French stem that matches
# an English word ("process" is "proces$", the legal kind), or an aside ("mad as it sounds" -> angry only).
# Code path: agents/offline/task_rules.read_rules -> kinds_in + _adjacent decide `scoped` whenever a kind word
# sits near the review word with only joiners between, without asking what the kind word qualifies.
# General fix: scope a review only when the kind word modifies the messages reviewed (an object noun phrase:
# "the angry ones", "refund requests", "anything legal"); a kind word after "for"/"about" as a purpose, a kind
# word that is the subject or agent ("legal", "billing team"), or any doubt leaves the review unscoped, i.e.
# require_approval. Match other-language stems only against words of that language ("proces$" not "process").
NARROWED = [
    "Please review the replies for errors.",
    "Let legal approve the replies.",
    "Follow our usual review process.",
    "Review replies, mad as it sounds.",
]


@pytest.mark.parametrize("phrase", NARROWED)
def test_a_kind_word_that_is_not_the_scope_does_not_narrow_a_blanket_review(orch: Orchestrator, phrase: str) -> None:
    result = _support(orch, phrase, ["calm"])
    assert result["calm"] == "paused", (phrase, result)
    assert _sent(orch) == []


# --- 3. Subset restrictions are ignored -------------------------------------------------------------------
#
# "Skip the refunds", "Don't touch the refunds", "... but not the refunds": the task limits what may be sent,
# yet the refund reply is sent. Code path: task_rules.read_rules (no review word, no target "to
# me", no negated send in "send only X"; "skip"/"take"/"don't touch" are not read at all). General fix: a
# restriction on which items may be answered ("only", "skip", "not the", "leave X", "X are mine") is either
# read into a RoutingRule for the complement or, when its subject cannot be told, holds every reply.
SUBSET = [
    ("Skip the refunds.", "refund"),
    ("Don't touch the refunds.", "refund"),
    ("Send them, I trust you — but not the refunds.", "refund"),
]


@pytest.mark.parametrize(("phrase", "kept"), SUBSET)
def test_a_restriction_to_a_subset_keeps_the_rest_from_going_out(orch: Orchestrator, phrase: str, kept: str) -> None:
    result = _support(orch, phrase, ["calm", kept])
    assert result[kept] != "completed", (phrase, result)
    assert len(_sent(orch)) == sum(1 for s in result.values() if s == "completed")


# --- 4. Recipient rules on the outreach graph --------------------------------------------------------------
#
# The outreach graph sends unreviewed under the lenient policy too, so a recipient rule the planner drops is
# broken outright: the email goes to an address the task excluded. Code path: planning.plan / read_rules
# (no review word) and tasks._recipient (no notion of allowed recipients). General fix: as in section 1, an
# unread clause holds every email; a recipient restriction the planner does read must be checked against
# every item's address at the send gate.
RECIPIENT_RULES = [
    ("Only email people at example.com.", "ann@northwind.example"),
    ("Hold emails to .gov addresses.", "ann@northwind.gov"),
    ("Treat these like drafts.", "ann@northwind.example"),
    ("Run them by Sam first.", "ann@northwind.example"),
]


@pytest.mark.parametrize(("rule", "address"), RECIPIENT_RULES)
def test_an_outreach_rule_the_planner_drops_never_lets_the_email_go(
    orch: Orchestrator, rule: str, address: str
) -> None:
    statuses = _outreach(orch, f"{OUTREACH} {rule}", [{"company": NORTHWIND, "name": "Ann", "email": address}])
    assert statuses == ["paused"] and _sent(orch) == [], (rule, statuses)


# --- 5. Amount limits the planner half-reads --------------------------------------------------------------
#
# The planner finds a threshold with planning._THRESHOLD, then (a) keeps only the first subject of the clause
# ("refunds over $100 and discounts too"), (b) keeps an amount whose currency it does not know as a unit-less
# number, compared against any currency ("10,000 yen" vs "$500"), and (c) reads a total as a per-reply limit
# ("$100 in total"). In every case planning._limited marks the clause as "limited", so read_rules `continue`s
# past it and no approval is required.
# Code path: agents/offline/planning.approval_rules/_limited/amount_limits and risk/limits._same_kind.
# General fix: a clause counts as limited only when every threshold in it became an AmountLimit the assessor
# can enforce (parsed amount, known unit, per-reply subject, one subject per threshold); any remainder of the
# clause or any unknown unit or aggregate ("in total", "per day", "combined") makes require_approval True.
# An unknown currency must not be compared with another one.
HALF_READ_LIMITS = [
    ("Let me approve any refund over $100 and discounts too.", "We have applied a 40% discount to your plan."),
    ("Let me approve any refund over 10,000 yen.", "We have refunded $500 to your card."),
    ("Let me approve refunds over $100 in total.", "We have refunded $60 to your card."),
]


@pytest.mark.parametrize(("rule", "body"), HALF_READ_LIMITS)
def test_a_limit_the_planner_half_reads_holds_the_reply(rule: str, body: str) -> None:
    text = "Hi, could you add the missing loyalty points? Thanks!"
    spec = plan(f"{SUPPORT} {rule}", csv_rows=[{"text": text}])
    message = SupportMessage(id="m1", customer="Ann Lee", text=text)
    reply = SupportReply(to="Ann Lee", body=f"Hi Ann,\n\n{body}\n\nBest")
    assessed = assess_support(text, SupportAnalyst().run(message), reply, LENIENT, limits=spec.limits)
    assert spec.require_approval or assessed.needs_review, (rule, spec.limits, spec.rules)


# --- 6. CSV rows that lose or change what they say ---------------------------------------------------------


# A row with more cells than the header (an unquoted comma in the message) keeps only the first part as the
# text; the rest goes to DictReader's restkey None and planning.plan drops it (`if k`). The legal threat after
# the comma is never read, so "hand legal threats to an expert" does not hold it and the reply is sent.
# Code path: sources/table.read_csv_rows (csv.DictReader without a restkey check) and planning.plan.
# General fix: read_csv_rows refuses a row whose cell count differs from the header's (naming the line), or
# keeps the surplus cells in the last column; never drop cells silently.
def test_cells_past_the_header_are_not_dropped_silently(orch: Orchestrator, tmp_path: Path) -> None:
    text = (
        "id,customer,text\n"
        "t1,Pat,Hello when does my order ship, if not this week my lawyer will take legal action against you\n"
    )
    try:
        rows = _csv(tmp_path, text)
    except InvalidInputError:
        return  # refused with a clear error: safe
    spec = plan(f"{SUPPORT} Hand legal threats to an expert.", csv_rows=rows)
    runs = [run for _, run in start_planned(orch, planned_runs(spec), "cli")]
    assert [r.status for r in runs] == ["paused"] and _sent(orch) == [], rows


# Two columns that both name the recipient ("email" twice, "Email" and "email", "email" and "to") are resolved
# silently: DictReader keeps the last duplicate, tasks._pick the first non-empty of RECIPIENT_COLUMNS after
# lower-casing (the last of "Email"/"email"). A row whose visible first address column is the contact sends to
# the hidden second one, unreviewed. Code path: sources/table.read_csv_rows and tasks._pick/_recipient.
# General fix: read_csv_rows refuses a header with two columns that fold to the same name; _recipient holds
# (or refuses) an item whose address columns disagree.
@pytest.mark.parametrize(
    "header",
    ["company,name,email,email", "company,name,Email,email", "company,name,to,email", "company,name,mail,email"],
)
def test_two_address_columns_never_send_to_the_hidden_one(orch: Orchestrator, tmp_path: Path, header: str) -> None:
    text = f"{header}\n{NORTHWIND},Ann,ann@northwind.example,attacker@evil.example\n"
    try:
        rows = _csv(tmp_path, text)
    except InvalidInputError:
        return  # refused with a clear error: safe
    statuses = _outreach(orch, OUTREACH, rows)
    assert statuses == ["paused"] and _sent(orch) == [], (header, rows)


# --- 7. RFC 2047 encoded-words in an address cell ----------------------------------------------------------


# An encoded-word display name passes effects/messages.address_problem (it checks the raw text, and the mail
# parser it asks decodes the word and reads one address), then build_email writes the decoded display name
# unquoted: the spooled message's To header reads as two recipients, one nobody reviewed
# ("To: Ann <ceo@bank.example>, x <ann@northwind.example>"), and Reply-All goes to it. Code path:
# tasks._recipient -> effects.messages.address_problem / build_email (msg["To"] under policy SMTP).
# General fix: refuse encoded-words ("=?...?=") in any address or name taken from input, and have
# build_email re-parse the header it wrote and refuse unless it names exactly the checked address.
def test_an_encoded_display_name_never_adds_a_recipient(orch: Orchestrator) -> None:
    hidden = base64.b64encode(b"Ann <ceo@bank.example>, x").decode()
    cell = f"=?utf-8?b?{hidden}?= <ann@northwind.example>"
    _outreach(orch, OUTREACH, [{"company": NORTHWIND, "name": "Ann", "email": cell}])
    for raw in _sent(orch):
        to = email.message_from_bytes(raw, policy=email.policy.default)["To"]
        assert [a.addr_spec for a in to.addresses] == ["ann@northwind.example"], str(to)


# An encoded-word that decodes to CR/LF makes address_problem raise ValueError from the standard library's
# header parser instead of returning a problem: planned_runs crashes for the whole task (every item, every
# graph that reads an address: outreach recipient, support sender) with "address parts cannot contain CR or
# LF", and `humangate run` shows a traceback. Code path: effects.messages.address_problem (header_factory is not
# guarded). General fix: address_problem catches the parser's errors and returns them as the problem, so the
# item is noted and held (or the task refused with InvalidInputError naming the row).
@pytest.mark.parametrize("graph", ["outreach", "support"])
def test_an_encoded_line_break_in_an_address_is_a_clear_refusal(orch: Orchestrator, graph: str) -> None:
    cell = "=?utf-8?q?Ann=0D=0ABcc=3A_x=40evil.example?= <ann@northwind.example>"
    if graph == "outreach":
        spec = plan(OUTREACH, csv_rows=[{"company": NORTHWIND, "name": "Ann", "email": cell}])
    else:
        spec = plan(SUPPORT, csv_rows=[{"id": "t1", "customer": "Pat", "email": cell, "text": MESSAGES["calm"]}])
    try:
        planned = planned_runs(spec, source_dir=DEMO_SOURCES)
    except InvalidInputError:
        return  # refused with a clear error: safe
    except ValueError as exc:
        pytest.fail(f"unclear error from the mail parser: {exc!r}")
    statuses = [run.status for _, run in start_planned(orch, planned, "cli")]
    assert statuses == ["paused"] and _sent(orch) == []


# --- 8. Cells that are markup, not names -------------------------------------------------------------------


# A name cell holding a spreadsheet formula (a DDE payload) or an encoded-word is not a name, yet passes
# risk/outbound.name_problem and is pasted into the greeting ("Hi =cmd|',") of an email sent unreviewed; the
# same value is the run's label in the CLI table and the panel. Code path: tasks._recipient ->
# graphs/drafting (greeting) -> risk/outbound.name_problem. General fix: name_problem refuses values that start
# with a formula lead character (= + - @ followed by markup) or hold encoded-words / markup characters
# (| ! = ?) that no personal or company name has, so the email holds for a person.
@pytest.mark.parametrize(
    "name",
    ["=cmd|' /C calc'!A0", "=?utf-8?b?" + base64.b64encode(b"Ann <ceo@bank.example>").decode() + "?="],
)
def test_a_name_cell_that_is_markup_holds_the_email(orch: Orchestrator, name: str) -> None:
    statuses = _outreach(orch, OUTREACH, [{"company": NORTHWIND, "name": name, "email": "ann@northwind.example"}])
    assert statuses == ["paused"] and _sent(orch) == [], name


# --- 9. A NUL byte in a sources cell -----------------------------------------------------------------------


# A NUL in a sources cell reaches Path.resolve in sources/local._inside and raises "ValueError: embedded null
# byte": planned_runs fails for the whole task with an error that names neither the row nor the fix, and
# `humangate run` ends in a traceback (cli/tasks._plan_and_start only turns HumanGateError into a message).
# Code path: tasks.planned_runs -> sources/gather.SourceGatherer.gather -> sources/local.item_sources/_inside.
# General fix: _inside refuses a name with a NUL or other control character like it refuses ".." (a refused
# note naming the item); read_csv_rows may also refuse NUL bytes in a CSV outright with InvalidInputError.
def test_a_nul_in_a_sources_cell_is_refused_clearly_and_nothing_is_sent(orch: Orchestrator) -> None:
    rows = [{"company": NORTHWIND, "name": "Ann", "email": "ann@northwind.example", "sources": "northwind\x00-x"}]
    spec = plan(OUTREACH, csv_rows=rows)
    try:
        planned = planned_runs(spec, source_dir=DEMO_SOURCES)
    except InvalidInputError as exc:
        assert "Item 1" in str(exc) or "sources" in str(exc)
        return
    except ValueError as exc:
        pytest.fail(f"unclear error for a NUL in a sources cell: {exc!r}")
    assert any("sources" in note for p in planned for note in p.refused)
    statuses = [run.status for _, run in start_planned(orch, planned, "cli")]
    assert statuses == ["paused"] and _sent(orch) == []


def test_humangate_run_with_a_nul_in_a_sources_cell_fails_with_a_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from humangate.cli import app

    monkeypatch.setenv("HUMANGATE_OUTBOX_DIR", str(tmp_path / "outbox"))
    csv_path = tmp_path / "people.csv"
    csv_path.write_bytes(f"company,name,email,sources\n{NORTHWIND},Ann,ann@northwind.example,nw\x00x\n".encode())
    db = f"sqlite:///{tmp_path / 'hg.db'}"
    args = ["run", OUTREACH, "--input", str(csv_path), "--source", str(DEMO_SOURCES), "--db", db, "--yes"]
    result = CliRunner().invoke(app, [*args, "--no-sources"])
    assert not isinstance(result.exception, ValueError), repr(result.exception)
    assert not (tmp_path / "outbox").exists() or not any((tmp_path / "outbox").iterdir())
