"""Approval and escalation wording in four languages, checked end to end: planned, started, nothing sent.

Every case plans a support task with the offline planner and starts its runs through the Orchestrator
on a real SQLite database, under a lenient policy that would send any reply below critical risk. An
approval phrasing must hold every reply; an escalation phrasing must hold the messages it names (at
the role it names) and may let calm ones through.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from humangate import Orchestrator
from humangate.agents.offline.planning import plan
from humangate.tasks import planned_runs, start_planned
from tests.lenient import lenient_orchestrator

# Lenient on the escalation router too (a low recall target): only the task's own rules hold a reply.
MESSAGES = {
    "calm": "Hello, could you tell me when my order ships? Thanks a lot!",
    "angry": "This is ridiculous. It is the third time I write and nobody answers. I am furious.",
    "refund": "I was charged twice for my plan this month, please refund the second payment.",
    "legal": "If this is not fixed this week I will ask my lawyer to take legal action against you.",
}

APPROVAL = [
    # English, some with typos
    "I want to see every reply before it goes out.",
    "Run each answer past me first.",
    "Let me aprove them first.",
    "Send them to my review dashboard for approval.",
    "Nothing leaves without my sign-off.",
    "Don't send anything before I approve it.",
    "Please have a person reveiw each reply.",
    "Check them.",
    "I'd like to okay every answer before sending.",
    "Hold the replies until I confirm.",
    "Wait for my go-ahead.",
    "Make sure a human verifies each reply.",
    "Never reply without asking me.",
    "Send without asking me unless it is a refund.",
    "Answers shuold be aproved by me.",
    # German
    "Lass mich jede Antwort vor dem Versand prüfen.",
    "Ich möchte alles freigeben, bevor es rausgeht.",
    "Bitte zeig mir die Antworten zuerst.",
    "Nichts ohne meine Freigabe verschicken.",
    "Die Antworten bitte erst nach meiner Genehmigung senden.",
    "Ich will die Mails vorher kontrolieren.",
    "Bitte erst ueberpruefen lassen.",
    # Spanish
    "Quiero revisar cada respuesta antes de enviarla.",
    "Déjame aprobarlas primero.",
    "No envíes nada sin mi aprobación.",
    "Muéstrame las respuestas antes de mandarlas.",
    "Necesito dar el visto bueno a cada correo.",
    "Quiero comprovar cada respuesta antes.",
    # French
    "Je veux valider avant l'envoi.",
    "Laisse-moi relire chaque réponse d'abord.",
    "N'envoie rien sans mon accord.",
    "Montre-moi les réponses avant de les envoyer.",
    "Je dois approuver chaque message.",
    "Merci de vérifer chaque réponse avant envoi.",
]

# Wording that stops the send, makes it wait on the user or keeps it for the user: no review word, yet no leave
# to send either. The rule is structural (a send word with a negation, an exception, a wait on the user, or
# the user as its subject), so these hold although none of their phrases is listed anywhere.
SEND_HELD = [
    "Keep everything as drafts; we will send them ourselves.",
    "Under no circumstances should anything be sent today.",
    "Never hit send on my behalf.",
    "Text me before anything goes out.",
    "Call me before you send them.",
    "Send them once I'm back from lunch.",
    "Hold them until I get back.",
    "Send the replies except the ones about billing.",
    "I'd rather press send myself.",
    "Let me cross-check each reply first.",
    "Schick nichts raus, bevor ich Bescheid gebe.",
    "Sende die Antworten nicht.",
    "Lass mich die Mails selbst verschicken.",
    "No envíes las respuestas hasta que yo lo diga.",
    "Attends-moi avant d'envoyer quoi que ce soit.",
    "Je les enverrai moi-même.",
]
# A permission with a condition, a wait or a review in its clause is no clear permission.
UNCLEAR_PERMISSION = [
    "Send without asking me as soon as I have checked them.",
    "No need to ask me if the customer sounds calm.",
    "Skip my approval only for the short replies.",
    "Send without asking me after a quick look from me.",
    "Ohne Rückfrage senden, sobald ich sie geprüft habe.",
    "Envíalas sin preguntarme cuando yo las haya revisado.",
    "Pas besoin de me demander une fois que j'ai tout validé.",
]
# Sending words that leave the send to the assistant: these must not be read as a hold.
SEND_ALLOWED = [
    "Answer and send the replies today.",
    "Don't forget to send a reply to each ticket.",
    "Reply to the tickets I sent you yesterday, then send the answers.",
    "Send the replies first thing in the morning.",
    "Send each reply as soon as it is ready.",
    "I want you to send the replies today.",
    "Beantworte die Tickets und schick die Antworten ab.",
    "Envoie les réponses aujourd'hui.",
]

# (phrasing, the messages that must wait, the role they wait for, whether calm messages may pass)
ESCALATION = [
    ("Hand me anything angry.", {"angry"}, None, True),
    ("Escalate anything angry.", {"angry"}, None, True),
    ("Refund requests go to an expert.", {"refund"}, "expert", True),
    ("Legal threats to an expert.", {"legal"}, "expert", True),
    ("Send angry customers to me.", {"angry"}, None, True),
    ("Escalate furios customers and refunds to me.", {"angry", "refund"}, None, True),
    ("Gib mir alle wütenden Kunden.", {"angry"}, None, True),
    ("Rückerstattungen gehen an einen Experten.", {"refund"}, "expert", True),
    ("Leite verärgerte Kunden an mich weiter.", {"angry"}, None, True),
    ("Pásame los clientes enfadados.", {"angry"}, None, True),
    ("Las solicitudes de reembolso van a un experto.", {"refund"}, "expert", True),
    ("Escala los casos legales a un experto.", {"legal"}, "expert", True),
    ("Transmets-moi les clients en colère.", {"angry"}, None, True),
    ("Les demandes de remboursement vont à un expert.", {"refund"}, "expert", True),
    ("Fais remonter les menaces juridiques à un expert.", {"legal"}, "expert", True),
    # What it hands over cannot be told: every reply waits.
    ("Hand me the tricky ones.", set(MESSAGES), None, False),
    ("Escalate anythng odd to me.", set(MESSAGES), None, False),
]


@pytest.fixture
def orch(tmp_path: Path) -> Iterator[Orchestrator]:
    with lenient_orchestrator(tmp_path) as o:
        yield o


def _run(orch: Orchestrator, task: str, kinds: list[str]) -> dict[str, tuple[str, list[str]]]:
    """Plan and start the task over one message per kind; return each kind's run status and waiting roles."""
    rows = [{"id": f"t-{k}", "customer": f"Pat {k.title()}", "text": MESSAGES[k]} for k in kinds]
    spec = plan(f"Answer these support tickets. {task}", csv_rows=rows)
    assert spec.graph == "support"
    out: dict[str, tuple[str, list[str]]] = {}
    for (_, run), kind in zip(start_planned(orch, planned_runs(spec), "cli"), kinds, strict=True):
        out[kind] = (run.status, [orch.item(i).required_role for i in run.pending_items])
    return out


def _sent(orch: Orchestrator) -> int:
    folder = orch.settings.outbox_dir
    return sum(1 for p in folder.iterdir() if p.is_file()) if folder.exists() else 0


def test_the_lenient_policy_sends_calm_replies_without_a_task_rule(orch: Orchestrator) -> None:
    result = _run(orch, "", ["calm", "angry", "refund"])
    assert result["calm"][0] == "completed" and result["angry"][0] == "completed", result
    assert _sent(orch) >= 2


@pytest.mark.parametrize("phrase", APPROVAL)
def test_approval_wording_holds_every_reply(orch: Orchestrator, phrase: str) -> None:
    result = _run(orch, phrase, ["calm", "angry"])
    assert all(status == "paused" for status, _ in result.values()), (phrase, result)
    assert _sent(orch) == 0


@pytest.mark.parametrize("phrase", SEND_HELD + UNCLEAR_PERMISSION)
def test_wording_that_holds_back_the_send_or_clouds_a_permission_holds_every_reply(
    orch: Orchestrator, phrase: str
) -> None:
    result = _run(orch, phrase, ["calm"])
    assert result["calm"][0] == "paused", (phrase, result)
    assert _sent(orch) == 0


@pytest.mark.parametrize("phrase", SEND_ALLOWED)
def test_wording_that_leaves_the_send_to_the_assistant_adds_no_hold(phrase: str) -> None:
    spec = plan(f"Answer these support tickets. {phrase}", csv_rows=[{"text": MESSAGES["calm"]}])
    assert not spec.require_approval, (phrase, spec.rules)


@pytest.mark.parametrize(("phrase", "held", "role", "calm_passes"), ESCALATION)
def test_escalation_wording_holds_what_it_names(
    orch: Orchestrator, phrase: str, held: set[str], role: str | None, calm_passes: bool
) -> None:
    result = _run(orch, phrase, list(MESSAGES))
    for kind in held:
        status, roles = result[kind]
        assert status == "paused", (phrase, kind, result)
        if role is not None:
            assert roles and all(r in ("expert", "owner", "admin") for r in roles), (phrase, kind, roles)
    if calm_passes:
        assert result["calm"][0] == "completed", (phrase, result)
    completed = sum(1 for status, _ in result.values() if status == "completed")
    assert _sent(orch) == completed  # only what passed was sent; nothing held went out


@pytest.mark.parametrize(
    "phrase",
    ["Send without asking me.", "No need to review the replies.", "Sin preguntarme.", "Pas besoin de valider."],
)
def test_only_an_explicit_permission_relaxes_review(orch: Orchestrator, phrase: str) -> None:
    spec = plan(f"Answer these support tickets. {phrase}", csv_rows=[{"text": MESSAGES["calm"]}])
    assert not spec.require_approval and any("Do not ask" in r for r in spec.rules), spec.rules
    assert _run(orch, phrase, ["calm"])["calm"][0] == "completed"


def test_the_plan_says_how_it_read_unclear_wording() -> None:
    spec = plan("Answer these support tickets and check them.", csv_rows=[{"text": MESSAGES["calm"]}])
    assert spec.require_approval
    assert any("I read" in r and "check them" in r and "a person approves every reply" in r for r in spec.rules)


def test_a_models_plan_never_drops_the_routing_rules_read_offline() -> None:
    import json

    from humangate.agents.planner import Planner
    from tests.test_agents_llm import answering

    task = "Answer these support tickets and hand me anything angry."
    model_plan = {"task": task, "graph": "support", "items": [], "rules": [], "routes": []}
    spec = Planner(answering(*[json.dumps(model_plan)] * 4)).run(task, csv_rows=[{"text": MESSAGES["angry"]}])
    assert spec.model_failure is None and [r.kinds for r in spec.routes] == [["angry"]]
