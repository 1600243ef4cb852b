"""The state store: :class:`StateStore` and :func:`open_store`."""

from __future__ import annotations

import time

from sqlalchemy.exc import SQLAlchemyError

from crm_bridge.errors import StateError
from crm_bridge.model import utcnow
from crm_bridge.state.base import Clock, Sleep
from crm_bridge.state.cursors import CursorStore
from crm_bridge.state.engine import create_state_engine, mask_url, parse_url, state_error
from crm_bridge.state.journal import JournalStore
from crm_bridge.state.links import LinkStore
from crm_bridge.state.locks import LockStore
from crm_bridge.state.migrate import upgrade
from crm_bridge.state.sla import SlaStore


class StateStore(JournalStore, LockStore, LinkStore, CursorStore, SlaStore):
    """Everything crm-bridge remembers between runs, in SQLite or PostgreSQL.

    Open it with :func:`open_store`. Each method is one transaction (writes retried on lock
    contention); :meth:`transaction` groups several. Parts, each documented in its module:
    cursors (:mod:`~crm_bridge.state.cursors`), identity links (:mod:`~.links`), runs and
    record errors (:mod:`~.runs`), job locks (:mod:`~.locks`), last written values and audit
    (:mod:`~.writes`), write journal (:mod:`~.journal`), SLA clocks (:mod:`~.sla`).
    Raises :class:`crm_bridge.errors.StateError` when the database fails.
    """

    def __enter__(self) -> StateStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def open_store(
    url: str,
    *,
    clock: Clock = utcnow,
    sleep: Sleep = time.sleep,
) -> StateStore:
    """Open the state store at ``url`` and migrate it to the newest schema.

    ``sqlite:///path/state.db`` (the folder is created) or ``postgresql+psycopg://...``
    (``postgresql://`` and ``postgres://`` are accepted too). Idempotent and safe when
    several processes open the same store at once. ``clock`` is the time source for locks
    and default timestamps; ``sleep`` the pause between retries (both injectable for tests).
    """
    parsed = parse_url(url)
    engine = create_state_engine(parsed)
    try:
        upgrade(engine)
    except StateError:
        engine.dispose()
        raise
    except SQLAlchemyError as exc:
        engine.dispose()
        raise state_error("opening", parsed, exc) from exc
    return StateStore(engine, parsed, clock=clock, sleep=sleep)


__all__ = ["StateStore", "mask_url", "open_store"]
