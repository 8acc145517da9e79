"""The offline planner claims every sentence of a task; one it cannot read holds every effect.

Failing closed must not mean holding everything: ordinary tasks, with the directives on form people add
("Keep it under 120 words.", "Use a friendly tone.", "Don't mention pricing.") and routing rules that stay
scoped ("hand angry customers to me"), plan without approval of every effect. A directive that asks the
message to say something ("Mention our free pilot.", "Sign as Dana.", "Reply in German.") is carried to the
drafters, and each email or reply that does not show it waits for a person. The red team's wording
(tests/test_redteam_intake.py) is the other side of the same mechanism.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from humangate import Orchestrator
from humangate.agents.offline.claims import claimed, parts
from humangate.agents.offline.destinations import destination
from humangate.agents.offline.limit_wording import amount_limits, limit_covered
from humangate.agents.offline.planning import plan
from humangate.agents.offline.task_rules import read_rules
from humangate.core.schemas import AmountLimit
from humangate.core.wording import fold, kinds_in, language, tokens
from humangate.risk.limits import limit_triggers
from humangate.tasks import planned_runs, start_planned
from tests.lenient import lenient_orchestrator

# Lenient on the escalation router too: only the task's own rules hold a reply.
CALM = "Hello, could you tell me when my order ships? Thanks a lot!"
ANGRY = "This is ridiculous. It is the third time I write and nobody answers. I am furious."

# (graph the task is for, task, the kinds of the routing rules it must keep)
CONTROL: list[tuple[str, str, list[list[str]]]] = [
    (
        "outreach",
        "Research these companies and draft an intro email to the contact at each. Keep it under 120 words.",
        [],
    ),
    ("outreach", "Research these companies, then write a friendly intro email to each. Use a friendly tone.", []),
    ("outreach", "Email each contact in the file about our new warehouse module. Keep it short and warm.", []),
    (
        "outreach",
        "Draft a follow-up email to each contact. Thank them for meeting us at the trade fair. Don't mention pricing.",
        [],
    ),
    ("outreach", "Research Northwind Analytics and Lumen Robotics, then draft an intro email to each.", []),
    ("outreach", "I'm Dana, head of sales at Acme. Please draft intro emails to these leads.", []),
    ("support", "Answer these support tickets. Use a friendly tone.", []),
    ("support", "Answer these support tickets and hand angry customers to me.", [["angry"]]),
    ("support", "Answer these tickets. Thank them for their order.", []),
    ("support", "Triage the inbox and reply to each message. Keep replies under 100 words.", []),
    ("support", "Reply to these customer emails politely. Escalate refund requests to an expert.", [["refund"]]),
    ("support", "Answer these support tickets; be concise and friendly.", []),
    ("support", "Beantworte die Kundenanfragen. Bleib freundlich.", []),
    ("support", "Answer these support tickets. Refunds over $100 need my approval.", []),
    (
        "support",
        "Triage these support tickets: answer the calm ones and hand angry, churning or legal ones to me.",
        [["angry", "legal", "churn"]],
    ),
    ("research", "Research Acme Corp, Globex and Initech into cited briefs.", []),
    ("research", "Summarise these documents on warehouse automation into a cited brief.", []),
    ("research", "Look into these companies and summarise what they do. Focus on their products.", []),
    ("research", "Research these startups. Cover funding, team size and customers.", []),
    ("research", "Investigate these vendors and brief me on each. Keep each brief under 200 words.", []),
    # Benign neighbours of the red team's destinations (tests/test_redteam_replies.py, claims section).
    ("support", "Answer these support tickets. We are Acme, a logistics startup.", []),
    ("support", "Answer these support tickets. Address them by first name.", []),
    ("support", "Answer these support tickets. Keep it short.", []),
    ("support", "Answer these support tickets. Write in a friendly tone.", []),
    ("support", "Answer these support tickets. Thank them for their patience.", []),
    ("outreach", "Draft intro emails to these leads. We are Acme, a logistics startup in Berlin.", []),
    ("research", "Research these companies in Germany into cited briefs.", []),
    # Benign neighbours of round 3 (tests/test_redteam_tasks_more.py): form verbs, contact verbs, context.
    ("support", "Answer these support tickets. Keep them brief and make it sound human.", []),
    ("support", "Answer these support tickets. Be gentle with upset customers.", []),
    ("support", "Reply to these customer emails politely. We are a small bakery in Lisbon.", []),
    ("outreach", "Contact the prospects in the attached sheet. Send short messages to each lead.", []),
    ("outreach", "Send thank-you emails to each attendee in the CSV. Use their first name.", []),
    # Benign neighbours of round 4 (tests/test_redteam_tasks_fourth.py): times an immediate send meets, a
    # greeting and a smile, "in a friendly tone" after the items, a call and a follow-up that are the email's.
    ("support", "Good morning! Answer these tickets in a friendly tone. Reply to each customer today. 😊", []),
    ("support", "Answer these support tickets. Send the replies one by one first thing in the morning.", []),
    ("outreach", "Draft an intro email to each contact this morning. Thank them for their time on the call.", []),
    ("outreach", "Draft a follow-up email to each contact. Call them by their first name.", []),
]


def _rows(graph: str) -> list[dict[str, str]] | None:
    if graph == "support":
        return [{"text": CALM}]
    if graph == "outreach":
        return [{"company": "Northwind Analytics", "name": "Ann", "email": "ann@northwind.example"}]
    return None


@pytest.mark.parametrize(("graph", "task", "routes"), CONTROL)
def test_an_ordinary_task_leaves_the_send_to_the_policy(graph: str, task: str, routes: list[list[str]]) -> None:
    spec = plan(task, csv_rows=_rows(graph))
    assert spec.graph == graph
    assert not spec.require_approval, (task, spec.rules)
    assert sorted(sorted(r.kinds) for r in spec.routes) == sorted(sorted(k) for k in routes), spec.routes


# Directives that ask the message to say something: the plan hands each to the drafter or the support analyst
# and every email or reply is checked for it (risk.directives); the offline engine writes none of these, so
# each message waits for a person who can write it in.
SAYS_MORE: list[tuple[str, str, str]] = [
    ("outreach", "Draft a short intro email to each contact in the file. Mention our webinar on 3 March.", "webinar"),
    ("outreach", "Write to each lead in the CSV. Sign as Dana from Acme.", "Sign as Dana"),
    (
        "outreach",
        "Draft intro emails to these prospects. We are Acme, a logistics startup. Mention our free pilot.",
        "pilot",
    ),
    ("outreach", "Reach out to the contacts in the attached CSV and invite them to our webinar on 3 March.", "invite"),
    (
        "outreach",
        "Write a formal intro email to each prospect. Address them by first name. Sign off as Dana.",
        "Sign off",
    ),
    ("outreach", "Compose an intro email to each contact. Avoid jargon. Include a link to our website.", "link"),
    ("outreach", "Notify each contact in the file that our office moves next month. Keep it brief.", "office moves"),
    ("outreach", "Send a thank-you email to each attendee in the CSV. Mention the recording link.", "recording"),
    ("outreach", "Draft intro emails to these leads. Offer them a 50% discount.", "discount"),
    ("support", "Reply to each customer message. Reply in German.", "German"),
    ("support", "Respond to the support tickets in the CSV. Write to them in German.", "German"),
    ("support", "Answer these support tickets. Apologise for the delay. Hand angry customers to me.", "Apologise"),
    ("support", "Respond to the support tickets in the CSV. Mention that shipping takes 3 to 5 days.", "shipping"),
    ("support", "Answer these support tickets. Sign as Dana from Acme.", "Dana"),
    ("support", "Answer these support tickets. Mention our webinar on 3 March.", "webinar"),
    ("support", "Answer these support tickets. Refer them to our FAQ.", "FAQ"),
    ("outreach", "Draft intro emails to these leads. Tell them their competitor is going bankrupt.", "bankrupt"),
    ("support", "Answer these tickets. Tell them the outage is fixed.", "outage"),
]


@pytest.mark.parametrize(("graph", "task", "quoted"), SAYS_MORE)
def test_a_directive_that_asks_the_message_to_say_something_is_carried_and_checked(
    graph: str, task: str, quoted: str
) -> None:
    # These were claimed as style and dropped: neither drafter saw them, so an email without the pilot, or
    # a reply in English to "reply in German", went out unreviewed.
    spec = plan(task, csv_rows=_rows(graph))
    assert spec.graph == graph and not spec.require_approval, spec.rules
    assert any(quoted in d for d in spec.directives), spec.directives
    assert any(quoted in r and "waits for a person" in r for r in spec.rules), spec.rules


@pytest.mark.parametrize(
    "task",
    [
        "Research these startups. Cover funding, team size and customers.",
        "Look into these companies and summarise what they do. Focus on their products.",
    ],
)
def test_what_a_brief_should_cover_does_not_hold_it(task: str) -> None:
    # A brief goes to the task's owner, not out into the world.
    assert not plan(task).require_approval


@pytest.fixture
def orch(tmp_path: Path) -> Iterator[Orchestrator]:
    with lenient_orchestrator(tmp_path) as o:
        yield o


@pytest.mark.parametrize(
    "task",
    [
        "Answer these support tickets and hand angry customers to me. Keep it under 80 words. Reply in English.",
        "Answer these support tickets. Thank them for writing. Use a friendly tone.",
    ],
)
def test_a_calm_reply_still_goes_out_and_a_scoped_route_still_holds_its_kind(orch: Orchestrator, task: str) -> None:
    rows = [{"id": "t1", "customer": "Pat", "text": CALM}, {"id": "t2", "customer": "Sam", "text": ANGRY}]
    spec = plan(task, csv_rows=rows)
    statuses = [run.status for _, run in start_planned(orch, planned_runs(spec), "cli")]
    assert statuses[0] == "completed", (task, spec.rules)
    assert statuses[1] == ("paused" if spec.routes else "completed")


# --- The mechanism -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("clause", "expected"),
    [
        (
            "Research these companies, draft an intro email to each",
            ["Research these companies", "draft an intro email to each"],
        ),
        (
            "Research Northwind Analytics and Quill Legal then draft",
            ["Research Northwind Analytics, Quill Legal", "draft"],
        ),
        ("Hand me angry, churning or legal ones to me", ["Hand me angry, churning, legal ones to me"]),
        ("Cover funding, team size and customers", ["Cover funding, team size, customers"]),
        ("Answer them and stage them", ["Answer them", "stage them"]),
        ("Send them, I trust you", ["Send them", "I trust you"]),
    ],
)
def test_a_clause_is_cut_into_parts_and_lists_stay_whole(clause: str, expected: list[str]) -> None:
    assert parts(clause) == expected


@pytest.mark.parametrize(
    ("part", "reader"),
    [
        ("Answer these support tickets", "goal"),
        ("Please could you research these companies", "goal"),
        ("Don't forget to send a reply to each ticket", "goal"),
        ("Keep it under 120 words", "style"),
        ("Don't mention pricing", "style"),
        ("Mention our webinar on 3 March", None),  # content the drafters would drop
        ("Friendly and concise", "tone"),
        ("Northwind Analytics, Lumen Robotics", "items"),
        ("The contacts are in the attached CSV", "items"),
        ("We are Acme, a logistics startup", "context"),
        ("Thanks", "courtesy"),
        # Restrictions and retractions no graph enforces: no reader claims them.
        ("Send them tomorrow", None),
        ("Only reply to customers at example.com", None),
        ("At most 5 replies", None),
        ("Just draft them", None),
        ("Keep them as drafts", None),
        ("Scratch that", None),
        ("This is a test", None),
        ("We only sell to people in the EU", None),
        ("Legal needs to see these", None),
        ("Legal", None),
        ("Stage them", None),
        # Another destination than the items: a person, role, team or place, in lower case too.
        ("Send the answers to my manager", None),
        ("Write them into a Google Doc", None),
        ("Copy the answers into a spreadsheet", None),
        ("Share them with the legal team", None),
        ("Address them to my manager", None),
        ("Keep them in my inbox", None),
        ("Keep them in Slack", None),
        ("Refer each one to compliance", None),
        ("Send them to me", None),
        ("We run every reply by Dana", None),
        ("Our replies go through Dana", None),
        ("I'm the one who sends them", None),
        ("Our lawyer reads everything", None),
        ("We keep everything in Notion", None),
        ("These are for Dana", None),
        ("The tickets are for Legal", None),
        # Their benign neighbours: the items, the wording, who the sender is.
        ("Reply to each customer message", "goal"),
        ("Respond to the support tickets in the CSV", "goal"),
        ("Thank them for meeting us at the trade fair", "goal"),
        ("Write in a friendly tone", "goal"),
        ("Address them by first name", "style"),
        ("Sign as Dana from Acme", None),
        ("Refer them to our FAQ", None),
        ("Include a link to our website", None),
        ("Reply in German", None),
        ("We are Acme, a logistics startup in Berlin", "context"),
        ("The tickets are in the attached CSV", "items"),
    ],
)
def test_each_reader_claims_what_it_understands_and_nothing_else(part: str, reader: str | None) -> None:
    assert claimed(part) == reader


@pytest.mark.parametrize(
    ("part", "phrase"),
    [
        ("Send the answers to my manager", "to my manager"),
        ("Share them with the legal team", "with the legal team"),
        ("Write them into a Google Doc", "into a Google Doc"),
        ("Keep them in my inbox", "in my inbox"),
        ("Refer each one to compliance", "to compliance"),
        ("These are for Dana", "for Dana"),
        ("Draft intro emails to these prospects", None),  # the items
        ("Look into these companies", None),
        ("Summarise these documents into a cited brief", None),  # the kind of writing
        ("Reply in German", None),  # a language, not a name
        ("Thank them for meeting us at the trade fair", None),  # a reason
    ],
)
def test_a_destination_is_a_person_role_team_or_place_after_a_preposition(part: str, phrase: str | None) -> None:
    assert destination(part) == phrase


@pytest.mark.parametrize(
    ("part", "covered"),
    [
        ("Answer these support tickets", None),
        ("Refunds over $100 need my approval", True),
        ("let me approve any refund over EUR 150", True),
        ("Show me anything over $1.5k before it goes out", True),
        ("Flag discounts above 20%", True),
        ("let me approve any refund over 10,000 yen", False),  # a currency the checker does not know
        ("let me approve refunds over $100 in total", False),  # a total, not a per-reply limit
        ("let me approve refunds over $100 per day", False),
        ("approve them and any refund over $100", False),  # wider than the limit
    ],
)
def test_a_limit_covers_its_part_only_when_all_of_it_is_enforced(part: str, covered: bool | None) -> None:
    assert limit_covered(part) is covered


def test_an_unread_sentence_holds_every_effect_and_the_plan_quotes_it() -> None:
    spec = plan("Answer these support tickets. Run it past Sam.", csv_rows=[{"text": CALM}])
    assert spec.require_approval
    assert (
        "The task says 'Run it past Sam', which the planner could not read as safe; every reply waits for a person."
        in (spec.rules)
    )
    outreach = read_rules("Draft intro emails to these leads. Stage them.", "outreach")
    assert outreach.require and any("'Stage them'" in r and "every email waits" in r for r in outreach.rules)


def test_a_half_read_limit_holds_every_effect_and_says_why() -> None:
    spec = plan("Answer these support tickets. Let me approve any refund over $100 and discounts too.")
    assert spec.require_approval
    assert any("'discounts too'" in r and "could not read as safe" in r for r in spec.rules), spec.rules
    assert [(x.subject, x.amount) for x in amount_limits(spec.task)] == [("refund", 100.0)]
    total = plan("Answer these support tickets. Let me approve refunds over $100 in total.")
    assert total.require_approval
    assert any("a limit the planner could not fully read" in r for r in total.rules), total.rules


@pytest.mark.parametrize(
    ("task", "kinds"),
    [
        ("Hand me anything angry.", ["angry"]),
        ("Refund requests go to an expert.", ["refund"]),
        ("Escalate furious customers and refunds to me.", ["angry", "refund"]),
        ("Please review the replies for errors.", None),  # a purpose, not the messages reviewed
        ("Let legal approve the replies.", None),  # a team, not the messages reviewed
        ("Follow our usual review process.", None),  # "process" is English here, not the French "procès"
        ("Review replies, mad as it sounds.", None),  # an aside
    ],
)
def test_a_kind_word_scopes_a_review_only_when_it_describes_the_messages(task: str, kinds: list[str] | None) -> None:
    read = read_rules(f"Answer these support tickets. {task}", "support")
    if kinds is None:
        assert read.require and not read.routes, read.rules
    else:
        assert not read.require and sorted(k for r in read.routes for k in r.kinds) == sorted(kinds), read.rules


def test_other_language_kind_stems_count_only_in_their_language() -> None:
    english = tokens(fold("Follow our usual review process for the replies."))
    assert language(english) == "en" and kinds_in(english, lang="en") == {}
    french = tokens(fold("Les demandes sur un procès vont à un expert."))
    assert language(french) == "fr" and "legal" in kinds_in(french, lang="fr")
    assert "legal" in kinds_in(tokens(fold("Escala los casos legales a un experto.")), lang="es")  # a loan word


def test_an_amount_in_an_unknown_currency_is_never_measured_against_a_known_one() -> None:
    limit = AmountLimit(subject="refund", amount=100, unit="$")
    assert limit_triggers("We have refunded ¥5,000 to your card.", [limit])
    assert limit_triggers("We have refunded CHF 20 to your card.", [limit])
    assert not limit_triggers("We have refunded $20 to your card.", [limit])
    bare = AmountLimit(subject="refund", amount=100, unit="")
    assert not limit_triggers("We have refunded CHF 20 to your card.", [bare])  # no currency to tell apart


def test_the_dry_run_shows_why_the_task_holds_every_reply(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from humangate.cli import app

    monkeypatch.setenv("HUMANGATE_OUTBOX_DIR", str(tmp_path / "outbox"))
    csv = tmp_path / "tickets.csv"
    csv.write_text(f"id,customer,text\nt1,Pat,{CALM.replace(',', '')}\n", encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'hg.db'}"
    task = "Answer these support tickets. Treat these like drafts."
    result = CliRunner().invoke(app, ["run", task, "--input", str(csv), "--db", db, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "'Treat these like drafts', which the planner could not read as safe" in " ".join(result.stdout.split())
