"""Opening a store: migrations to head (idempotent, matching the metadata), URLs, errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from crm_bridge.errors import StateError
from crm_bridge.state import default_state_url, head_revision, mask_url, open_store
from crm_bridge.state.migrate import MIGRATIONS_DIR, current_revision
from crm_bridge.state.schema import metadata

from .conftest import PG_URL, T0


def test_open_migrates_to_head_and_is_idempotent(store_url: str) -> None:
    first = open_store(store_url)
    run = first.start_run("job", "sync", T0)
    first.close()
    again = open_store(store_url)  # second open: nothing to migrate, data kept
    assert again.get_run(run) is not None
    engine = create_engine(store_url)
    try:
        assert current_revision(engine) == head_revision() == "0001"
        tables = set(inspect(engine).get_table_names())
        assert {t.name for t in metadata.sorted_tables} | {"alembic_version"} == tables
    finally:
        engine.dispose()
        again.close()


def test_migrated_schema_matches_the_metadata(store_url: str) -> None:
    open_store(store_url).close()
    engine = create_engine(store_url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), metadata)
        assert diff == []
    finally:
        engine.dispose()


def test_sqlite_store_uses_wal_and_creates_its_folder(tmp_path: Path) -> None:
    url = default_state_url(tmp_path / "project")
    assert url.endswith("/project/.crm-bridge/state.db")
    store = open_store(url)
    try:
        assert (tmp_path / "project" / ".crm-bridge" / "state.db").is_file()
        with store._engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    finally:
        store.close()


def test_migrations_ship_with_the_package() -> None:
    assert (MIGRATIONS_DIR / "env.py").is_file()
    assert (MIGRATIONS_DIR / "versions" / "0001_initial.py").is_file()
    assert not list(MIGRATIONS_DIR.parent.glob("alembic.ini"))


def test_a_database_from_a_newer_version_is_reported(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'state.db'}"
    open_store(url).close()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(StateError, match="newer crm-bridge"):
        open_store(url)


@pytest.mark.parametrize(
    "url",
    ["mysql://u:p@localhost/db", "not a url", "sqlite:////nonexistent-root-dir/\0/state.db"],
)
def test_bad_urls_raise_state_error(url: str) -> None:
    with pytest.raises(StateError):
        open_store(url)


def test_a_state_folder_that_cannot_be_made_is_reported(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("not a folder")
    with pytest.raises(StateError, match="cannot create the folder"):
        open_store(f"sqlite:///{tmp_path / 'afile' / 'sub' / 'state.db'}")


def test_passwords_are_masked() -> None:
    assert "s3cret" not in mask_url("postgresql+psycopg://u:s3cret@127.0.0.1:5432/db")
    assert "s3cret" not in mask_url("postgresql://u:s3cret@[bad")
    with pytest.raises(StateError) as info:
        open_store("mysql://user:s3cret@127.0.0.1/db")
    assert "s3cret" not in str(info.value) and "***" in str(info.value)


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason="CRM_BRIDGE_TEST_POSTGRES_URL is not set: NOT RUN")
def test_postgres_failure_never_shows_the_password() -> None:
    from sqlalchemy.engine import make_url

    bad = make_url(PG_URL).set(password="Wr0ngPassw0rd").render_as_string(hide_password=False)
    with pytest.raises(StateError) as info:
        open_store(bad)
    message = str(info.value)
    assert "Wr0ngPassw0rd" not in message
    assert "password authentication failed" in message and "***" in message
    short = bad.replace("postgresql+psycopg://", "postgresql://")
    with pytest.raises(StateError) as info:
        open_store(short)
    assert "Wr0ngPassw0rd" not in str(info.value)
