"""`humangate tokens` and `humangate ui`: tokens made at the command line, one server on one port."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from typer.testing import CliRunner

from humangate import Orchestrator, Settings
from humangate.cli import app
from tests.api_support import GATED
from tests.panel_support import PanelServer

runner = CliRunner()


def hg(db: str, *args: str) -> dict[str, object]:
    result = runner.invoke(app, [*args, "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.output))


def test_tokens_command_creates_lists_and_revokes(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 't.db'}"
    with Orchestrator(Settings(db_url=db)) as orch:
        orch.add_user("alice", "reviewer")
    made = hg(db, "tokens", "create", "--user", "alice", "--name", "agent inbox", "--expires", "90d")
    token = str(made["token"])
    assert token.startswith(f"hgt_{made['id']}_") and made["user"] == "alice"
    listed = hg(db, "tokens", "list")["tokens"]
    assert isinstance(listed, list) and listed[0]["status"] == "active" and listed[0]["label"] == "agent inbox"
    assert token.split("_", 2)[2] not in json.dumps(listed)  # the secret is shown once, never listed
    plain = runner.invoke(app, ["tokens", "create", "--user", "alice", "--db", db])
    assert plain.exit_code == 0 and "shown once" in plain.output and "hgt_" in plain.output
    assert hg(db, "tokens", "revoke", str(made["id"]))["revoked_at"] is not None
    assert hg(db, "tokens", "list", "--user", "alice")["tokens"][-1]["status"] == "revoked"
    for args, message in (
        (["tokens", "create", "--user", "nobody"], "Unknown reviewer 'nobody'"),
        (["tokens", "create", "--user", "alice", "--expires", "soon"], "a duration such as 90d"),
        (["tokens", "revoke", "0123456789abcdef"], "No token"),
        (["tokens", "link", "1", "--user", "alice"], "No review item 1"),
        (["tokens", "slack", "alice", "--slack-user", "not an id", "--team", "T1X"], "U024BE7LH"),
    ):
        result = runner.invoke(app, [*args, "--db", db])
        assert result.exit_code != 0 and message in result.output, (args, result.output)


def test_tokens_link_prints_a_per_reviewer_link(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'l.db'}"
    with Orchestrator(Settings(db_url=db, outbox_dir=tmp_path / "o")) as orch:
        orch.add_user("alice", "reviewer")
        item_id = orch.start("notify", GATED).pending_items[0]
    no_url = runner.invoke(app, ["tokens", "link", str(item_id), "--user", "alice", "--db", db])
    assert no_url.exit_code == 1 and "HUMANGATE_PUBLIC_URL" in no_url.output
    env = {"HUMANGATE_PUBLIC_URL": "https://review.example.com/"}
    result = runner.invoke(
        app, ["tokens", "link", str(item_id), "--user", "alice", "--ttl", "2h", "--db", db, "--json"], env=env
    )
    assert result.exit_code == 0, result.output
    link = json.loads(result.output)
    assert link["url"].startswith("https://review.example.com/links/") and link["item_id"] == item_id


def test_humangate_ui_serves_the_panel_the_api_and_its_schema_on_one_port(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'ui.db'}"
    with Orchestrator(Settings(db_url=db, outbox_dir=tmp_path / "o")) as orch:
        orch.add_user("alice", "reviewer")
        orch.set_password("alice", "a long passphrase")
        item_id = orch.start("notify", GATED).pending_items[0]
    token = str(hg(db, "tokens", "create", "--user", "alice")["token"])
    with PanelServer(db, tmp_path / "ui.log") as server:
        base = server.url.rstrip("/")
        panel = httpx.get(base + "/", follow_redirects=True)
        assert panel.status_code == 200 and "gradio" in panel.text.lower()
        assert httpx.get(base + "/openapi.json").json()["info"]["title"] == "humangate"
        assert httpx.get(base + "/api/queue").status_code == 401
        cross = httpx.get(base + "/info", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in cross.headers  # the mounted panel adds no CORS to the API
        queue = httpx.get(base + "/api/queue", headers={"x-api-key": token}).json()
        assert [i["id"] for i in queue["items"]] == [item_id]
        login = httpx.post(base + "/login", data={"username": "alice", "password": "wrong password!"})
        assert login.status_code in (400, 401)  # the panel's own login still guards the panel
