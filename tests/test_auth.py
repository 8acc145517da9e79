"""Panel logins: scrypt hashes, the users command, and the panel refusing to serve without users."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from humangate import Orchestrator, Settings
from humangate.auth import hash_password, verify_password
from humangate.cli import app
from humangate.errors import ConfigError, InvalidDecisionError, UnknownUserError
from humangate.ui import check_can_serve, is_local_host

runner = CliRunner()


def test_hash_and_verify() -> None:
    stored = hash_password("correct horse")
    assert stored.startswith("scrypt$16384$8$1$") and "correct" not in stored
    assert verify_password("correct horse", stored)
    assert not verify_password("correct horsE", stored)
    assert not verify_password("", stored)
    assert hash_password("correct horse") != stored  # a new salt each time


def test_verify_refuses_missing_and_malformed_hashes() -> None:
    assert not verify_password("anything", None)
    assert not verify_password("anything", "plain-text")
    assert not verify_password("anything", "scrypt$99999999999$8$1$00$00")
    assert not verify_password("x" * 5_000, hash_password("correct horse"))
    with pytest.raises(ValueError, match="8 to 1024 characters"):
        hash_password("short")


def test_orchestrator_passwords(orch: Orchestrator) -> None:
    assert orch.login_users() == 0
    orch.set_password("alice", "alice-secret")
    assert orch.login_users() == 1
    assert orch.check_password("alice", "alice-secret")
    assert not orch.check_password("alice", "wrong-secret")
    assert not orch.check_password("bob", "alice-secret")  # bob has no password
    assert not orch.check_password("nobody", "alice-secret")
    with pytest.raises(UnknownUserError):
        orch.set_password("nobody", "long-enough")
    with pytest.raises(InvalidDecisionError, match="8 to 1024"):
        orch.set_password("alice", "short")
    assert orch.check_password("alice", "alice-secret")  # a refused change changes nothing
    assert orch.verify_audit().ok


def test_cli_users_add_with_password(db_url: str, settings: Settings) -> None:
    result = runner.invoke(
        app, ["users", "add", "rita", "--role", "expert", "--password", "rita-secret", "--db", db_url, "--json"]
    )
    assert result.exit_code == 0, result.output
    assert '"password_set": true' in result.output
    plain = runner.invoke(app, ["users", "add", "sam", "--db", db_url])
    assert plain.exit_code == 0, plain.output
    with Orchestrator(settings) as orch:
        assert orch.user_role("rita") == "expert"
        assert orch.check_password("rita", "rita-secret")
        assert not orch.check_password("sam", "")
        assert orch.login_users() == 1


def test_ui_refuses_to_serve_without_users(db_url: str) -> None:
    wide = runner.invoke(app, ["ui", "--host", "0.0.0.0", "--port", "7999", "--db", db_url])
    assert wide.exit_code == 1
    assert "Refusing to serve the panel on 0.0.0.0" in wide.output
    local = runner.invoke(app, ["ui", "--db", db_url])
    assert local.exit_code == 1
    assert "humangate users add NAME --role reviewer --password" in local.output


def test_check_can_serve(orch: Orchestrator) -> None:
    assert is_local_host("127.0.0.1") and is_local_host("[::1]") and not is_local_host("0.0.0.0")
    with pytest.raises(ConfigError, match="no user has a password"):
        check_can_serve(orch, "0.0.0.0")
    orch.set_password("alice", "alice-secret")
    check_can_serve(orch, "0.0.0.0")
    check_can_serve(orch, "localhost")
