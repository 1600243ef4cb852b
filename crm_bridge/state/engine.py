"""Database URLs and engines for the state store: SQLite (WAL, busy timeout, ``BEGIN
IMMEDIATE`` for writes) and PostgreSQL (psycopg 3), plus error translation that never shows a
password.
"""

from __future__ import annotations

import re
import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from crm_bridge.errors import StateError

#: Folder under the project folder that holds the default SQLite state database.
STATE_DIR = ".crm-bridge"
STATE_FILE = "state.db"

#: How long SQLite waits for another process's write lock before reporting "locked".
SQLITE_BUSY_TIMEOUT_S = 30.0

#: Execution option telling the SQLite ``begin`` hook to take the write lock at once.
WRITE_OPTION = "crmb_write"

_PASSWORD_RE = re.compile(r"(://[^:/@\s]*:)[^@\s]*@")


def default_state_url(project_dir: Path) -> str:
    """``sqlite:///<project>/.crm-bridge/state.db`` (absolute); the folder is made on open."""
    return f"sqlite:///{(project_dir / STATE_DIR / STATE_FILE).resolve()}"


def mask_url(url: str | URL) -> str:
    """``url`` with its password replaced by ``***`` (also for URLs that do not parse)."""
    if isinstance(url, URL):
        return url.render_as_string(hide_password=True)
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return _PASSWORD_RE.sub(r"\1***@", url)


def parse_url(url: str) -> URL:
    """Parse and normalise a state URL: ``postgres://`` and ``postgresql://`` use psycopg 3."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise StateError(f"state store URL {mask_url(url)!r} is not a database URL") from exc
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise StateError(
            f"state store URL {mask_url(parsed)!r}: only sqlite:/// and "
            "postgresql+psycopg:// databases are supported"
        )
    return parsed


def create_state_engine(url: URL) -> Engine:
    """An engine for ``url``; SQLite files get their folder created and WAL mode."""
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    # No server-side prepared statements: a generic plan cannot hash an ``= ANY(array)``
    # parameter and turns bulk look-ups into a linear scan per row.
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=5,
        connect_args={"prepare_threshold": None},
    )


def _sqlite_engine(url: URL) -> Engine:
    database = url.database or ""
    memory = database in ("", ":memory:") or database.startswith("file::memory:")
    connect_args: dict[str, Any] = {
        "timeout": SQLITE_BUSY_TIMEOUT_S,
        "check_same_thread": False,
    }
    if memory:
        engine = create_engine(url, connect_args=connect_args, poolclass=StaticPool)
    else:
        try:
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        except (OSError, ValueError) as exc:
            raise StateError(
                f"cannot create the folder of the state database {database}: {exc}"
            ) from exc
        engine = create_engine(url, connect_args=connect_args)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy (the "begin" hook below) emit BEGIN instead of the driver.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
            if not memory:
                _ensure_wal(cursor)
            cursor.execute("PRAGMA synchronous = FULL")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        write = bool(conn.get_execution_options().get(WRITE_OPTION))
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def _ensure_wal(cursor: Any) -> None:
    """Switch the database file to WAL mode (persistent) unless it is in WAL mode already.

    The switch needs an exclusive lock and SQLite may answer "locked" at once, without
    waiting, when another process opens the new file at the same moment: retry for a while.
    """
    for attempt in range(100):
        mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
        if str(mode).lower() == "wal":
            return
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc).lower() and "busy" not in str(exc).lower():
                raise
            time.sleep(min(0.01 * (attempt + 1), 0.3))
    cursor.execute("PRAGMA journal_mode = WAL")


def is_retriable(exc: BaseException) -> bool:
    """True for errors a retry of the whole transaction can cure: SQLite busy/locked,
    PostgreSQL serialization failures and deadlocks, dropped connections."""
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        orig = exc.orig
        sqlstate = getattr(orig, "sqlstate", None)
        if sqlstate in ("40001", "40P01"):
            return True
        text = str(orig).lower()
        return "database is locked" in text or "database is busy" in text
    return False


def describe(exc: BaseException) -> str:
    """A one-line description of a database error, without SQL, parameters or passwords."""
    orig = exc.orig if isinstance(exc, DBAPIError) else None
    text = str(orig if orig is not None else exc).strip().splitlines()
    line = text[0] if text else type(exc).__name__
    return _PASSWORD_RE.sub(r"\1***@", line)


def state_error(action: str, url: URL, exc: SQLAlchemyError) -> StateError:
    """A :class:`StateError` naming what failed and the (masked) database."""
    return StateError(f"state store {mask_url(url)}: {action} failed: {describe(exc)}")
