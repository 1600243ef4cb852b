"""Job locks, so two runs of one job never overlap.

A lock has an owner and an expiry (``now + ttl`` from the store's clock). Taking a lock is one
conditional upsert (``INSERT ... ON CONFLICT (job) DO UPDATE ... WHERE expired OR same
owner``), atomic on SQLite and PostgreSQL: of two processes racing for it exactly one gets
it. A holder keeps it with :meth:`LockStore.refresh_lock` while it works; when a holder dies
its lock expires and the next :meth:`LockStore.acquire_lock` takes it over, marking the dead
holder's ``running`` runs ``interrupted``.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Connection, select
from sqlalchemy.dialects import postgresql, sqlite

from crm_bridge.state import schema
from crm_bridge.state.base import expires
from crm_bridge.state.rows import LockInfo
from crm_bridge.state.runs import RunStore


class LockStore(RunStore):
    """Job locks (built on runs, to mark the runs of an expired holder interrupted)."""

    def acquire_lock(self, job: str, owner: str, ttl: timedelta) -> bool:
        """Take the lock of ``job`` for ``owner`` for ``ttl``.

        True when taken: it was free, expired (taken over), or already ``owner``'s (then its
        expiry is extended). False while another owner holds an unexpired lock.
        """
        now = self.now()
        until = expires(now, ttl)
        t = schema.locks
        insert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert

        def work(conn: Connection) -> bool:
            lock_read = select(t.c.owner, t.c.expires_at).where(t.c.job == job)
            if self.dialect == "postgresql":
                lock_read = lock_read.with_for_update()
            previous = conn.execute(lock_read).one_or_none()
            stmt = insert(t).values(job=job, owner=owner, acquired_at=now, expires_at=until)
            stmt = stmt.on_conflict_do_update(
                index_elements=["job"],
                set_={
                    "owner": stmt.excluded.owner,
                    "acquired_at": stmt.excluded.acquired_at,
                    "expires_at": stmt.excluded.expires_at,
                },
                where=(t.c.expires_at <= now) | (t.c.owner == owner),
            )
            taken = conn.execute(stmt.returning(t.c.owner)).first() is not None
            if taken and previous is not None and previous.owner != owner:
                self._interrupt_runs(conn, job, previous.owner, now)
            return taken

        return self._write("taking a job lock", work)

    def take_over_lock(self, job: str, holder: str, owner: str, ttl: timedelta) -> bool:
        """Take ``job``'s lock from ``holder`` (known to be dead) for ``owner``, before it expires.

        Compare-and-swap: only succeeds while ``holder`` still holds it, so two processes that
        both saw the dead holder cannot both win. The dead holder's runs are marked interrupted.
        """
        now = self.now()
        until = expires(now, ttl)
        t = schema.locks

        def work(conn: Connection) -> bool:
            result = conn.execute(
                t.update()
                .where(t.c.job == job, t.c.owner == holder)
                .values(owner=owner, acquired_at=now, expires_at=until)
            )
            if result.rowcount != 1:
                return False
            self._interrupt_runs(conn, job, holder, now)
            return True

        return self._write("taking over a job lock", work)

    def refresh_lock(self, job: str, owner: str, ttl: timedelta) -> bool:
        """Extend ``owner``'s lock of ``job`` to ``now + ttl``; False if ``owner`` lost it."""
        now = self.now()
        until = expires(now, ttl)
        t = schema.locks

        def work(conn: Connection) -> bool:
            result = conn.execute(
                t.update().where(t.c.job == job, t.c.owner == owner).values(expires_at=until)
            )
            return result.rowcount == 1

        return self._write("refreshing a job lock", work)

    def release_lock(self, job: str, owner: str) -> bool:
        """Give up ``owner``'s lock of ``job``; False if ``owner`` did not hold it."""
        t = schema.locks

        def work(conn: Connection) -> bool:
            result = conn.execute(t.delete().where(t.c.job == job, t.c.owner == owner))
            return result.rowcount == 1

        return self._write("releasing a job lock", work)

    def lock_info(self, job: str) -> LockInfo | None:
        """Who holds the lock of ``job`` and until when (expired locks included)."""
        t = schema.locks

        def work(conn: Connection) -> LockInfo | None:
            row = conn.execute(select(t).where(t.c.job == job)).one_or_none()
            if row is None:
                return None
            return LockInfo(row.job, row.owner, row.acquired_at, row.expires_at)

        return self._read("reading a job lock", work)
