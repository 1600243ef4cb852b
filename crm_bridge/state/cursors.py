"""Read cursors per (connection, object type)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, select

from crm_bridge.state import schema
from crm_bridge.state.base import StoreBase, aware
from crm_bridge.state.rows import Cursor


class CursorStore(StoreBase):
    """Incremental-read cursors."""

    def get_cursor(self, connection: str, object_type: str) -> Cursor | None:
        """The saved cursor of ``connection`` / ``object_type``, or ``None`` (read everything)."""
        t = schema.cursors

        def work(conn: Connection) -> Cursor | None:
            row = conn.execute(
                select(t.c.cursor_at, t.c.token).where(
                    t.c.connection == connection, t.c.object_type == object_type
                )
            ).one_or_none()
            return None if row is None else Cursor(at=row.cursor_at, token=row.token)

        return self._read("reading a cursor", work)

    def set_cursor(
        self, connection: str, object_type: str, at: datetime, token: str | None = None
    ) -> None:
        """Save the cursor of ``connection`` / ``object_type`` (replaces the previous one)."""
        aware(at, "cursor time")
        row = {
            "connection": connection,
            "object_type": object_type,
            "cursor_at": at,
            "token": token,
            "updated_at": self.now(),
        }

        def work(conn: Connection) -> None:
            self._upsert(conn, schema.cursors, [row], ("connection", "object_type"))

        self._write("saving a cursor", work)

    def delete_cursors(self, connection: str | None = None) -> int:
        """Forget the cursors of ``connection`` (all when ``None``) so the next run reads all."""
        t = schema.cursors

        def work(conn: Connection) -> int:
            stmt = t.delete()
            if connection is not None:
                stmt = stmt.where(t.c.connection == connection)
            return conn.execute(stmt).rowcount

        return self._write("deleting cursors", work)
