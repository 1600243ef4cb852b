"""Runs of jobs and their per-record errors.

Run ids are human-friendly and sort by start time: ``r<YYYYMMDD>-<HHMMSS>-<4 hex>`` from the
UTC start time plus a random suffix, e.g. ``r20261124-093000-ab12``.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Row, select
from sqlalchemy.exc import IntegrityError

from crm_bridge.errors import StateError
from crm_bridge.state import schema
from crm_bridge.state.base import CHUNK, StoreBase, aware, chunked
from crm_bridge.state.codec import make_ref, stats_to_text
from crm_bridge.state.rows import (
    RUN_STATUSES,
    FinalStatus,
    RecordErrorEntry,
    RecordProblemLike,
    RunInfo,
    RunStatus,
)


def new_run_id(started_at: datetime) -> str:
    """A fresh run id for a run started at ``started_at``."""
    stamp = started_at.astimezone(UTC).strftime("%Y%m%d-%H%M%S")
    return f"r{stamp}-{secrets.token_hex(2)}"


def _to_run(row: Row[Any]) -> RunInfo:
    status: RunStatus = row.status
    stats: dict[str, Any] = json.loads(row.stats)
    return RunInfo(
        run_id=row.id,
        job=row.job,
        mode=row.mode,
        status=status,
        started_at=row.started_at,
        finished_at=row.finished_at,
        stats=stats,
        error=row.error,
        owner=row.owner,
    )


class RunStore(StoreBase):
    """Runs and per-record errors."""

    def start_run(
        self, job: str, mode: str, started_at: datetime, *, owner: str | None = None
    ) -> str:
        """Record a new ``running`` run of ``job`` and return its id.

        ``mode`` is free text (``sync``, ``dry_run``, ``full``, ``revert``, ...). ``owner`` is
        the job-lock owner the run holds, if any: when that lock expires and another run takes
        it over, this run is marked ``interrupted``.
        """
        aware(started_at, "run start time")

        def work(conn: Connection) -> str:
            for _ in range(20):
                run_id = new_run_id(started_at)
                try:
                    with conn.begin_nested():
                        conn.execute(
                            schema.runs.insert(),
                            {
                                "id": run_id,
                                "job": job,
                                "mode": mode,
                                "status": "running",
                                "owner": owner,
                                "started_at": started_at,
                                "finished_at": None,
                                "stats": "{}",
                                "error": None,
                            },
                        )
                    return run_id
                except IntegrityError:
                    continue
            raise StateError("could not allocate a unique run id")

        return self._write("starting a run", work)

    def finish_run(
        self,
        run_id: str,
        status: FinalStatus,
        finished_at: datetime,
        stats: Mapping[str, Any],
        error: str | None = None,
    ) -> None:
        """Record the outcome of a ``running`` run.

        Raises :class:`StateError` if the run does not exist or is no longer running (e.g.
        it was marked ``interrupted`` because its lock expired and another run took over).
        """
        if status not in RUN_STATUSES[1:]:
            raise ValueError(
                f"a run finishes as succeeded, partial, failed or interrupted, not {status!r}"
            )
        aware(finished_at, "run finish time")
        text = stats_to_text(stats)
        t = schema.runs

        def work(conn: Connection) -> None:
            result = conn.execute(
                t.update()
                .where(t.c.id == run_id, t.c.status == "running")
                .values(status=status, finished_at=finished_at, stats=text, error=error)
            )
            if result.rowcount == 1:
                return
            found = conn.execute(select(t.c.status).where(t.c.id == run_id)).scalar_one_or_none()
            if found is None:
                raise StateError(f"no run {run_id!r} in the state store")
            raise StateError(f"run {run_id} is already {found}; its outcome was not recorded")

        self._write("finishing a run", work)

    def get_run(self, run_id: str) -> RunInfo | None:
        """The run ``run_id``, or ``None``."""
        t = schema.runs

        def work(conn: Connection) -> RunInfo | None:
            row = conn.execute(select(t).where(t.c.id == run_id)).one_or_none()
            return None if row is None else _to_run(row)

        return self._read("reading a run", work)

    def list_runs(self, limit: int = 20, job: str | None = None) -> list[RunInfo]:
        """The newest ``limit`` runs (of ``job``), newest first."""
        t = schema.runs

        def work(conn: Connection) -> list[RunInfo]:
            stmt = select(t).order_by(t.c.started_at.desc(), t.c.id.desc()).limit(limit)
            if job is not None:
                stmt = stmt.where(t.c.job == job)
            return [_to_run(row) for row in conn.execute(stmt)]

        return self._read("listing runs", work)

    def add_record_errors(self, run_id: str, items: Iterable[RecordProblemLike]) -> int:
        """Store per-record errors of ``run_id``; returns how many were stored."""
        rows = [
            {
                "run_id": run_id,
                "crm": item.ref.crm,
                "object_type": item.ref.object_type,
                "record_id": item.ref.id,
                "field": item.field,
                "code": item.code,
                "message": item.message,
            }
            for item in items
        ]

        def work(conn: Connection) -> int:
            for batch in chunked(rows):
                conn.execute(schema.run_errors.insert(), batch)
            return len(rows)

        return self._write("storing record errors", work)

    def record_errors(self, run_id: str) -> Iterator[RecordErrorEntry]:
        """The per-record errors of ``run_id`` in the order stored, page by page."""
        t = schema.run_errors
        last = 0
        while True:

            def work(conn: Connection, after: int = last) -> list[Row[Any]]:
                stmt = (
                    select(t)
                    .where(t.c.run_id == run_id, t.c.id > after)
                    .order_by(t.c.id)
                    .limit(CHUNK)
                )
                return list(conn.execute(stmt))

            rows = self._read("reading record errors", work)
            for row in rows:
                ref = make_ref(row.crm, row.object_type, row.record_id)
                yield RecordErrorEntry(ref, row.field, row.code, row.message)
            if len(rows) < CHUNK:
                return
            last = rows[-1].id

    def _interrupt_runs(self, conn: Connection, job: str, owner: str, at: datetime) -> int:
        """Mark ``running`` runs of ``job`` held by lock owner ``owner`` as interrupted."""
        t = schema.runs
        result = conn.execute(
            t.update()
            .where(t.c.job == job, t.c.owner == owner, t.c.status == "running")
            .values(
                status="interrupted",
                finished_at=at,
                error=f"interrupted: the job lock of {owner} expired and was taken over",
            )
        )
        return result.rowcount
