"""Transactions, retries and bulk helpers shared by the parts of :class:`StateStore`.

Every store method runs in one transaction. Writes on SQLite start with ``BEGIN IMMEDIATE``,
so the write lock is taken (waiting up to the busy timeout) before anything is read and a
transaction never fails half-way on a lock upgrade. A write that still meets ``database is
locked`` (or, on PostgreSQL, a serialization failure or deadlock) is retried as a whole.
Inside :meth:`StoreBase.transaction` all calls on the same thread share one transaction.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Connection, Engine, String, Table, any_, bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError

from crm_bridge.errors import StateError
from crm_bridge.model import RecordRef
from crm_bridge.state.engine import WRITE_OPTION, is_retriable, state_error

T = TypeVar("T")
Clock = Callable[[], datetime]
Sleep = Callable[[float], None]

#: Refs per ``IN (...)`` list and rows per bulk statement.
CHUNK = 500
#: Attempts of a write transaction that meets lock contention.
ATTEMPTS = 8


def chunked(items: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    """``items`` in lists of at most ``size``."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def group_refs(refs: Iterable[RecordRef]) -> dict[tuple[str, str], list[str]]:
    """Record ids by (crm, object type), without duplicates, in a stable order."""
    groups: dict[tuple[str, str], dict[str, None]] = defaultdict(dict)
    for ref in refs:
        groups[(ref.crm, ref.object_type)][ref.id] = None
    return {key: list(ids) for key, ids in groups.items()}


def aware(value: datetime, what: str) -> datetime:
    """``value`` if it is timezone-aware; naive datetimes are refused."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be a timezone-aware datetime, got {value.isoformat()}")
    return value


class StoreBase:
    """Engine, clock and transaction handling; the store's parts build on it."""

    def __init__(self, engine: Engine, url: URL, *, clock: Clock, sleep: Sleep = time.sleep):
        self._engine = engine
        self._url = url
        self._clock = clock
        self._sleep = sleep
        self._local = threading.local()

    @property
    def url(self) -> str:
        """The database URL with its password masked."""
        return self._url.render_as_string(hide_password=True)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self._engine.dialect.name

    def now(self) -> datetime:
        """The store's clock (injectable for tests)."""
        return self._clock()

    def close(self) -> None:
        """Close every pooled connection; the store must not be used afterwards."""
        self._engine.dispose()

    def _current(self) -> Connection | None:
        conn: Connection | None = getattr(self._local, "conn", None)
        return conn

    def _connect(self, *, write: bool) -> Connection:
        conn = self._engine.connect()
        conn.execution_options(**{WRITE_OPTION: write})
        return conn

    def _begin(self, conn: Connection, action: str) -> None:
        """Begin a transaction, retrying while another process holds the write lock."""
        for attempt in range(ATTEMPTS):
            try:
                conn.begin()
                return
            except SQLAlchemyError as exc:
                if not is_retriable(exc) or attempt == ATTEMPTS - 1:
                    raise state_error(action, self._url, exc) from exc
                conn.rollback()
                self._sleep(min(0.05 * 2**attempt, 2.0))

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run every store call made in the block (on this thread) in one write transaction.

        Committed when the block ends, rolled back if it raises. Nested blocks join the outer
        one. Use it to make several calls atomic, e.g. ``journal_done`` + ``record_written``
        + ``add_audit`` (or call :meth:`complete_batch`, which does that with retries).
        """
        if self._current() is not None:
            yield
            return
        try:
            conn = self._connect(write=True)
        except SQLAlchemyError as exc:
            raise state_error("connecting", self._url, exc) from exc
        try:
            self._begin(conn, "starting a transaction")
            self._local.conn = conn
            try:
                yield
            except SQLAlchemyError as exc:
                conn.rollback()
                raise state_error("a transaction", self._url, exc) from exc
            except BaseException:
                conn.rollback()
                raise
            try:
                conn.commit()
            except SQLAlchemyError as exc:
                raise state_error("commit", self._url, exc) from exc
        finally:
            self._local.conn = None
            conn.close()

    def _write(self, action: str, work: Callable[[Connection], T]) -> T:
        """Run ``work`` in a write transaction (retried as a whole on lock contention)."""
        return self._run(action, work, write=True)

    def _read(self, action: str, work: Callable[[Connection], T]) -> T:
        """Run ``work`` in a read transaction."""
        return self._run(action, work, write=False)

    def _run(self, action: str, work: Callable[[Connection], T], *, write: bool) -> T:
        current = self._current()
        if current is not None:
            # Inside an outer transaction: database errors go to its boundary untranslated,
            # so the outer level can retry or translate them.
            return work(current)
        for attempt in range(ATTEMPTS):
            try:
                with self._connect(write=write) as conn:
                    self._begin(conn, action)
                    self._local.conn = conn
                    try:
                        result = work(conn)
                    finally:
                        self._local.conn = None
                    conn.commit()
                    return result
            except StateError:
                raise
            except SQLAlchemyError as exc:
                if not is_retriable(exc) or attempt == ATTEMPTS - 1:
                    raise state_error(action, self._url, exc) from exc
                self._sleep(min(0.05 * 2**attempt, 2.0))
        raise AssertionError("unreachable")  # pragma: no cover

    def _in(self, column: Any, values: Sequence[str]) -> ColumnElement[bool]:
        """``column IN values``; on PostgreSQL as ``= ANY(array)`` with one parameter, which
        keeps one cached plan and a hashed lookup instead of hundreds of parameters."""
        if self.dialect == "postgresql":
            array = bindparam(None, list(values), type_=postgresql.ARRAY(String()))
            result: ColumnElement[bool] = column == any_(array)
            return result
        return column.in_(list(values))  # type: ignore[no-any-return]

    def _upsert(
        self,
        conn: Connection,
        table: Table,
        rows: Sequence[dict[str, Any]],
        keys: Sequence[str],
    ) -> None:
        """Insert ``rows``, replacing the non-key columns of rows whose keys exist."""
        if not rows:
            return
        # Last row per key wins; a consistent key order avoids deadlocks between writers.
        unique = {tuple(str(row[k]) for k in keys): row for row in rows}
        ordered = [unique[key] for key in sorted(unique)]
        insert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
        for batch in chunked(ordered):
            stmt = insert(table)
            update = {c: stmt.excluded[c] for c in batch[0] if c not in keys}
            conn.execute(stmt.on_conflict_do_update(index_elements=list(keys), set_=update), batch)


def expires(now: datetime, ttl: timedelta) -> datetime:
    """``now + ttl``, refusing a non-positive ttl."""
    if ttl <= timedelta(0):
        raise ValueError(f"a lock ttl must be positive, got {ttl}")
    return now + ttl
