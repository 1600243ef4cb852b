"""State-store fixtures: every ``store`` test runs on SQLite (a temporary file) and, when
``CRM_BRIDGE_TEST_POSTGRES_URL`` is set (``source .ci/postgres.sh``), on PostgreSQL in a fresh
schema that is dropped afterwards. Without the variable the PostgreSQL cases are reported as
skipped with a loud reason; on CI (``CI=true``) a missing variable fails the run."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from crm_bridge.state import StateStore, open_store

PG_URL = os.environ.get("CRM_BRIDGE_TEST_POSTGRES_URL", "")
PG_MISSING = (
    "CRM_BRIDGE_TEST_POSTGRES_URL is not set: PostgreSQL state-store tests were NOT RUN "
    "(run `source .ci/postgres.sh` first)"
)

if not PG_URL and os.environ.get("CI", "").lower() == "true":
    raise pytest.UsageError(f"CI=true but {PG_MISSING}")

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param(
        "postgresql",
        id="postgresql",
        marks=[pytest.mark.postgres, *([] if PG_URL else [pytest.mark.skip(reason=PG_MISSING)])],
    ),
]

T0 = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime = T0) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta


def pytest_report_header() -> str:
    return "state store backends: sqlite" + (", postgresql" if PG_URL else f" ONLY — {PG_MISSING}")


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def store_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database of ``backend``."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'state' / 'state.db'}"
        return
    schema = f"crmb_test_{secrets.token_hex(6)}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(store_url: str, clock: FakeClock) -> Iterator[StateStore]:
    s = open_store(store_url, clock=clock, sleep=lambda _s: None)
    try:
        yield s
    finally:
        s.close()
