"""Persisted SLA clocks, one per (record, policy), so a restart changes nothing."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Row, select

from crm_bridge.model import RecordRef, SlaState
from crm_bridge.state import schema
from crm_bridge.state.base import CHUNK, StoreBase, aware, chunked, group_refs
from crm_bridge.state.codec import make_ref

if TYPE_CHECKING:
    from crm_bridge.alignment.sla import SlaClock

_STATES = ("on_track", "at_risk", "breached", "met", "met_late")


def _to_clock(row: Row[Any]) -> SlaClock:
    from crm_bridge.alignment.sla import SlaClock  # deferred: keeps the store import light

    state: SlaState = row.state
    return SlaClock(
        ref=make_ref(row.crm, row.object_type, row.record_id),
        policy=row.policy,
        started_at=row.started_at,
        due_at=row.due_at,
        at_risk_at=row.at_risk_at,
        stopped_at=row.stopped_at,
        state=state,
        breached_at=row.breached_at,
    )


class SlaStore(StoreBase):
    """SLA clocks (``crm_bridge.alignment.sla.SlaClock``)."""

    def upsert_sla_clocks(self, items: Iterable[SlaClock]) -> int:
        """Store ``items``, replacing the clock of the same (record, policy); returns how many."""
        rows = []
        for c in items:
            if c.state not in _STATES:
                raise ValueError(f"unknown SLA state {c.state!r} for {c.ref}")
            rows.append(
                {
                    "crm": c.ref.crm,
                    "object_type": c.ref.object_type,
                    "record_id": c.ref.id,
                    "policy": c.policy,
                    "started_at": aware(c.started_at, "SLA start"),
                    "due_at": aware(c.due_at, "SLA due time"),
                    "at_risk_at": aware(c.at_risk_at, "SLA at-risk time"),
                    "stopped_at": c.stopped_at,
                    "state": c.state,
                    "breached_at": c.breached_at,
                }
            )
        keys = ("crm", "object_type", "record_id", "policy")

        def work(conn: Connection) -> int:
            self._upsert(conn, schema.sla_clocks, rows, keys)
            return len(rows)

        return self._write("storing SLA clocks", work)

    def sla_clocks(self, refs: Iterable[RecordRef]) -> dict[tuple[RecordRef, str], SlaClock]:
        """The stored clocks of ``refs``, by (record, policy name)."""
        groups = group_refs(refs)
        t = schema.sla_clocks

        def work(conn: Connection) -> dict[tuple[RecordRef, str], SlaClock]:
            out: dict[tuple[RecordRef, str], SlaClock] = {}
            for (crm, object_type), ids in groups.items():
                for part in chunked(ids, CHUNK):
                    stmt = select(t).where(
                        t.c.crm == crm,
                        t.c.object_type == object_type,
                        self._in(t.c.record_id, part),
                    )
                    for row in conn.execute(stmt):
                        clock = _to_clock(row)
                        out[(clock.ref, clock.policy)] = clock
            return out

        return self._read("reading SLA clocks", work)

    def iter_sla_clocks(self, states: Collection[SlaState] | None = None) -> Iterator[SlaClock]:
        """Every stored clock (in ``states`` when given), page by page; e.g. the open clocks
        that must be re-evaluated as time passes even when their records do not change."""
        t = schema.sla_clocks
        wanted = None if states is None else sorted(states)
        last: tuple[str, str, str, str] | None = None
        while True:

            def work(
                conn: Connection, after: tuple[str, str, str, str] | None = last
            ) -> list[Row[Any]]:
                key = (t.c.crm, t.c.object_type, t.c.record_id, t.c.policy)
                stmt = select(t).order_by(*key).limit(CHUNK)
                if wanted is not None:
                    stmt = stmt.where(t.c.state.in_(wanted))
                if after is not None:
                    stmt = stmt.where(_tuple_gt(key, after))
                return list(conn.execute(stmt))

            rows = self._read("reading SLA clocks", work)
            for row in rows:
                yield _to_clock(row)
            if len(rows) < CHUNK:
                return
            tail = rows[-1]
            last = (tail.crm, tail.object_type, tail.record_id, tail.policy)


def _tuple_gt(columns: tuple[Any, ...], values: tuple[str, ...]) -> Any:
    """``columns > values`` in lexicographic order, portable to SQLite and PostgreSQL."""
    from sqlalchemy import and_, or_

    clauses = []
    for i, column in enumerate(columns):
        equal = [columns[j] == values[j] for j in range(i)]
        clauses.append(and_(*equal, column > values[i]))
    return or_(*clauses)
