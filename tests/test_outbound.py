"""The outbound checks hold a message that carries a link, asks for secrets, or lifts reader-addressed text.

The end-to-end cases plan an outreach task over a real source folder and run it on SQLite under a
lenient policy that sends any draft below critical risk, then read the outbox folder.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from humangate import Orchestrator, Settings
from humangate.graphs.common import GraphDeps
from humangate.graphs.registry import default_registry
from humangate.risk import RiskPolicy
from humangate.risk.outbound import find_credential_requests, find_links, lifted_passages, outbound_triggers
from humangate.tasks import plan_task, start_planned

LENIENT = RiskPolicy.from_toml_text('version = "lenient-1"\n[defaults]\nreview_from = "critical"\n')
PHISH = "Zeta Freight asks every partner to confirm their bank login at http://zeta-verify.example before the payout."
BENIGN = "Zeta Freight plans to open a depot in Lyon next year."


@pytest.mark.parametrize(
    "text",
    [
        "See https://zeta-verify.example/login for details.",
        "Visit www.zeta-verify.example today.",
        "The form is at zeta-verify.example/form.",
        "Go to zeta-verify.example and sign in.",
        "Defanged: hxxp[:]//zeta-verify.example/x",
    ],
)
def test_links_are_found_in_every_usual_spelling(text: str) -> None:
    assert find_links(text), text


@pytest.mark.parametrize("text", ["Write to ines@zeta-freight.example.", "We grew 3.5x in 2024.", "Thanks, Ines."])
def test_addresses_and_numbers_are_not_links(text: str) -> None:
    assert find_links(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Please confirm your bank login before Friday.",
        "Reply with your password so we can check the account.",
        "Kindly provide your card number and CVV.",
        "Merci de confirmer vos identifiants bancaires.",
        "Bitte bestätigen Sie Ihre Zugangsdaten.",
        "Por favor, envíe sus datos bancarios.",
    ],
)
def test_requests_for_secrets_are_found_in_four_languages(text: str) -> None:
    assert find_credential_requests(text), text


@pytest.mark.parametrize(
    "text",
    ["We will never ask you to share your password.", "Ne partagez jamais votre mot de passe.", "Thanks for the call."],
)
def test_a_warning_or_an_ordinary_sentence_is_not_a_request_for_secrets(text: str) -> None:
    assert find_credential_requests(text) == []


def test_a_source_passage_that_speaks_to_its_reader_is_found_when_lifted_word_for_word() -> None:
    source = f"Zeta Freight runs 40 electric trucks. {PHISH}"
    draft = f"Hi Ines,\n\nI read that {PHISH.lower()}\n\nBest,\nThe team"
    assert lifted_passages(draft, [("source about", source)])
    # Repeating a plain fact from the same source is what a draft is for.
    assert lifted_passages("Hi, Zeta Freight runs 40 electric trucks, I read.", [("source about", source)]) == []


def test_outbound_triggers_name_each_problem_and_pass_a_clean_message() -> None:
    kinds = {
        t.reason.split(";")[0]
        for t in outbound_triggers(to="ines@zeta-freight.example", subject="Hello", body=PHISH, sources=[("s", PHISH)])
    }
    assert any("link" in k for k in kinds) and any("credentials" in k for k in kinds), kinds
    clean = outbound_triggers(to="ines@zeta-freight.example", subject="Hello", body=BENIGN, sources=[("s", BENIGN)])
    assert clean == []
    (bad,) = outbound_triggers(to="Ines Costa", subject="Hello", body=BENIGN)
    assert "not an email address" in bad.reason


# -- end to end ------------------------------------------------------------------------------------------------


@pytest.fixture
def orch(tmp_path: Path) -> Iterator[Orchestrator]:
    settings = Settings(db_url=f"sqlite:///{tmp_path / 'hg.db'}", outbox_dir=tmp_path / "outbox")
    deps = GraphDeps(policy=LENIENT)
    with Orchestrator(settings, deps=deps, registry=default_registry(deps)) as o:
        o.add_user("erin", "expert")
        yield o


def _outreach(orch: Orchestrator, tmp_path: Path, line: str) -> tuple[str, list[tuple[str, str]]]:
    folder = tmp_path / "sources" / "zeta"
    folder.mkdir(parents=True)
    (folder / "about.md").write_text(
        "# About Zeta Freight\nSource: https://zeta-freight.example/about\n\n"
        "Zeta Freight runs a fleet of 40 electric trucks between Porto and Madrid. "
        f"The company was founded in 2018 in Porto.\n\n{line}\n",
        encoding="utf-8",
    )
    rows = [{"company": "Zeta Freight", "name": "Ines Costa", "email": "ines@zeta-freight.example", "sources": "zeta"}]
    task = "Research these companies and draft an intro email to each contact."
    _, planned = plan_task(orch, task, rows, source_dir=tmp_path / "sources")
    ((_, run),) = list(start_planned(orch, planned, "cli"))
    triggers = [(t.kind, t.reason) for i in run.pending_items for t in orch.item(i).request.assessment.triggers]
    return run.status, triggers


def _sent(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "outbox").glob("*.eml"))


def test_the_lenient_policy_sends_a_draft_built_from_a_plain_source(orch: Orchestrator, tmp_path: Path) -> None:
    status, _ = _outreach(orch, tmp_path, BENIGN)
    assert status == "completed" and len(_sent(tmp_path)) == 1


def test_a_phishing_line_in_a_source_never_goes_out_unreviewed(orch: Orchestrator, tmp_path: Path) -> None:
    status, triggers = _outreach(orch, tmp_path, PHISH)
    assert status == "paused" and _sent(tmp_path) == []
    reasons = " ".join(why for _, why in triggers)
    assert "link" in reasons and "credentials" in reasons and "speak to its reader" in reasons, triggers


@pytest.mark.parametrize(
    ("inputs", "kind"),
    [
        ({"topic": "Your invoice is ready at https://pay.example/inv/7."}, "impact"),
        ({"topic": "Could you confirm your card number for the renewal?"}, "policy"),
        ({"topic": "Thanks for the call.", "company": "Acme\r\nBcc: all@evil.example"}, "injection"),
        ({"topic": "Thanks! Sign in at https://evil.example/login", "channel": "slack"}, "impact"),
    ],
)
def test_the_notify_graph_runs_the_outbound_checks_every_graph_runs(
    tmp_path: Path, inputs: dict[str, str], kind: str
) -> None:
    """The smallest graph is no exception: links, credential requests and smuggled headers are held."""
    with Orchestrator(Settings(db_url=f"sqlite:///{tmp_path / 'hg.db'}", outbox_dir=tmp_path / "out")) as orch:
        run = orch.start("notify", {"recipient": "Bob Roy", "email": "bob@example.com"} | inputs)
        assert run.status == "paused", run
        triggers = orch.item(run.pending_items[0]).request.assessment.triggers
        assert kind in {t.kind for t in triggers}, triggers
