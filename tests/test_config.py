"""Settings and the public surface."""

from __future__ import annotations

import pytest

import humangate
from humangate.config import DatabaseURL, Settings
from humangate.errors import ConfigError


@pytest.mark.parametrize(
    "url",
    ["", "mysql://u@h/db", "sqlite://", "sqlite:///:memory:", "humangate.db", "postgresql:///db"],
)
def test_bad_database_urls_say_what_a_good_one_looks_like(url: str) -> None:
    with pytest.raises(ConfigError, match=r"sqlite:///\./humangate\.db.*postgresql://"):
        DatabaseURL.parse(url)


def test_urls_convert_for_each_driver() -> None:
    pg = DatabaseURL.parse("postgres://me:secret@db.internal:5432/hg")
    assert pg.sqlalchemy_url == "postgresql+psycopg://me:secret@db.internal:5432/hg"
    assert pg.libpq_url == "postgresql://me:secret@db.internal:5432/hg"
    assert "secret" not in pg.redacted()
    lite = DatabaseURL.parse("sqlite:///./data/hg.db")
    assert lite.backend == "sqlite" and str(lite.sqlite_path) == "data/hg.db"


def test_db_flag_wins_over_the_environment() -> None:
    env = {"HUMANGATE_DB_URL": "sqlite:///env.db", "HUMANGATE_LEASE_SECONDS": "60"}
    assert Settings.from_env(env).db_url == "sqlite:///env.db"
    assert Settings.from_env(env, db_url="sqlite:///flag.db").db_url == "sqlite:///flag.db"
    assert Settings.from_env(env).lease_seconds == 60
    with pytest.raises(ConfigError, match="must be a number"):
        Settings.from_env({"HUMANGATE_LEASE_SECONDS": "soon"})


def test_missing_sqlite_folder_is_a_clear_error(tmp_path: object) -> None:
    from humangate import Orchestrator
    from humangate.errors import StorageError

    with pytest.raises(StorageError, match="does not exist"):
        Orchestrator(Settings(db_url="sqlite:///no/such/folder/hg.db"))


def test_public_api_is_pinned() -> None:
    assert sorted(humangate.__all__) == [
        "DecideResult",
        "GateEvent",
        "GatePolicy",
        "GateState",
        "GateView",
        "GraphRegistry",
        "GraphSpec",
        "HumanGateError",
        "Orchestrator",
        "Page",
        "QueueFilter",
        "ReconcileReport",
        "ReviewDecision",
        "ReviewGate",
        "ReviewItem",
        "ReviewRequest",
        "RiskAssessment",
        "RunInfo",
        "Settings",
        "SourceExcerpt",
        "Trigger",
        "add_gated_step",
        "default_registry",
        "review_gate",
    ]
