"""Identity links: one Salesforce record and one HubSpot record that are the same person,
company or deal. Each record is in at most one link (unique per side)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, select
from sqlalchemy.exc import IntegrityError

from crm_bridge.errors import StateError
from crm_bridge.model import ObjectKind, RecordRef
from crm_bridge.state import schema
from crm_bridge.state.base import CHUNK, StoreBase, aware, chunked, group_refs
from crm_bridge.state.codec import make_ref
from crm_bridge.state.rows import LINK_METHODS, Link, LinkMethod

_SIDE = {"salesforce": ("sf_type", "sf_id"), "hubspot": ("hs_type", "hs_id")}


class LinkConflict(StateError):
    """A record is already linked to a different record of the other CRM."""


def _kind(ref: RecordRef) -> ObjectKind:
    try:
        return ref.kind
    except KeyError:
        raise ValueError(f"{ref}: {ref.object_type!r} is not a known {ref.crm} object") from None


def _to_link(row: Row[Any]) -> Link:
    method: LinkMethod = row.method
    kind: ObjectKind = row.kind
    return Link(
        kind=kind,
        salesforce=make_ref("salesforce", row.sf_type, row.sf_id),
        hubspot=make_ref("hubspot", row.hs_type, row.hs_id),
        method=method,
        linked_at=row.linked_at,
    )


class LinkStore(StoreBase):
    """Identity links across the two CRMs."""

    def _find(self, conn: Connection, ref: RecordRef) -> Link | None:
        t = schema.links
        type_col, id_col = _SIDE[ref.crm]
        row = conn.execute(
            select(t).where(t.c[type_col] == ref.object_type, t.c[id_col] == ref.id)
        ).one_or_none()
        return None if row is None else _to_link(row)

    def link(self, a: RecordRef, b: RecordRef, *, method: LinkMethod, at: datetime) -> Link:
        """Link a Salesforce record and a HubSpot record (in either order) of the same kind.

        Linking a pair that is already linked returns the existing link unchanged. Raises
        :class:`LinkConflict` when either record is linked to another record, and
        ``ValueError`` for two refs of one CRM, different kinds or an unknown method.
        """
        return self.link_many([(a, b, method)], at=at)[0]

    def link_many(
        self, pairs: Sequence[tuple[RecordRef, RecordRef, LinkMethod]], *, at: datetime
    ) -> list[Link]:
        """:meth:`link` for many pairs in one transaction (all or none)."""
        aware(at, "link time")
        checked = [self._check_pair(a, b, method) for a, b, method in pairs]

        def work(conn: Connection) -> list[Link]:
            return [self._insert_link(conn, sf, hs, method, at) for sf, hs, method in checked]

        return self._write("linking records", work) if checked else []

    @staticmethod
    def _check_pair(
        a: RecordRef, b: RecordRef, method: LinkMethod
    ) -> tuple[RecordRef, RecordRef, LinkMethod]:
        if {a.crm, b.crm} != {"salesforce", "hubspot"}:
            raise ValueError(f"a link joins a Salesforce and a HubSpot record, got {a} and {b}")
        if _kind(a) != _kind(b):
            raise ValueError(f"cannot link a {_kind(a)} ({a}) to a {_kind(b)} ({b})")
        if method not in LINK_METHODS:
            raise ValueError(f"unknown link method {method!r}; expected one of {LINK_METHODS}")
        return (a, b, method) if a.crm == "salesforce" else (b, a, method)

    def _insert_link(
        self, conn: Connection, sf: RecordRef, hs: RecordRef, method: LinkMethod, at: datetime
    ) -> Link:
        for ref, want in ((sf, hs), (hs, sf)):
            existing = self._find(conn, ref)
            if existing is not None:
                if existing.other(ref) == want:
                    return existing
                raise LinkConflict(f"{ref} is already linked to {existing.other(ref)}")
        row = {
            "kind": _kind(sf),
            "sf_type": sf.object_type,
            "sf_id": sf.id,
            "hs_type": hs.object_type,
            "hs_id": hs.id,
            "method": method,
            "linked_at": at,
        }
        try:
            with conn.begin_nested():
                conn.execute(schema.links.insert(), row)
        except IntegrityError as exc:
            raise LinkConflict(f"{sf} or {hs} was linked concurrently") from exc
        return Link(_kind(sf), sf, hs, method, at)

    def get_link(self, ref: RecordRef) -> Link | None:
        """The link ``ref`` is part of, or ``None``."""
        return self._read("reading a link", lambda conn: self._find(conn, ref))

    def linked(self, ref: RecordRef) -> RecordRef | None:
        """The record of the other CRM linked to ``ref``, or ``None``."""
        found = self.get_link(ref)
        return None if found is None else found.other(ref)

    def linked_many(self, refs: Iterable[RecordRef]) -> dict[RecordRef, RecordRef]:
        """For each of ``refs`` that is linked, the other record (bulk, chunked)."""
        t = schema.links
        groups = group_refs(refs)

        def work(conn: Connection) -> dict[RecordRef, RecordRef]:
            out: dict[RecordRef, RecordRef] = {}
            for (crm, object_type), ids in groups.items():
                type_col, id_col = _SIDE[crm]
                for part in chunked(ids, CHUNK):
                    rows = conn.execute(
                        select(t).where(t.c[type_col] == object_type, self._in(t.c[id_col], part))
                    )
                    for row in rows:
                        found = _to_link(row)
                        mine = found.salesforce if crm == "salesforce" else found.hubspot
                        out[mine] = found.other(mine)
            return out

        return self._read("reading links", work)

    def iter_links(self, kind: ObjectKind | None = None) -> Iterator[Link]:
        """Every link (of ``kind``), oldest first, read page by page."""
        t = schema.links
        last = 0
        while True:
            after = last

            def work(conn: Connection, after: int = after) -> list[Row[Any]]:
                stmt = select(t).where(t.c.id > after).order_by(t.c.id).limit(CHUNK)
                if kind is not None:
                    stmt = stmt.where(t.c.kind == kind)
                return list(conn.execute(stmt))

            rows = self._read("reading links", work)
            for row in rows:
                yield _to_link(row)
            if len(rows) < CHUNK:
                return
            last = rows[-1].id

    def relink(self, old: RecordRef, new: RecordRef, *, method: LinkMethod | None = None) -> bool:
        """Move ``old``'s link to ``new`` (same CRM), e.g. a converted lead to its contact.

        ``method`` replaces the link's method when given (e.g. ``converted``); its time is
        kept. Returns ``False`` when ``old`` is not linked. Raises :class:`LinkConflict` when
        ``new`` is already linked to something else, ``ValueError`` for another CRM or kind.
        """
        if old.crm != new.crm or _kind(old) != _kind(new):
            raise ValueError(f"cannot move a link from {old} to {new}: CRM or kind differs")
        t = schema.links
        type_col, id_col = _SIDE[old.crm]
        if method is not None and method not in LINK_METHODS:
            raise ValueError(f"unknown link method {method!r}; expected one of {LINK_METHODS}")
        changes: dict[str, str] = {type_col: new.object_type, id_col: new.id}
        if method is not None:
            changes["method"] = method

        def work(conn: Connection) -> bool:
            found = self._find(conn, old)
            if found is None:
                return False
            taken = self._find(conn, new)
            if taken is not None:
                if taken.other(new) == found.other(old):
                    conn.execute(
                        t.delete().where(t.c[type_col] == old.object_type, t.c[id_col] == old.id)
                    )
                    return True
                raise LinkConflict(f"{new} is already linked to {taken.other(new)}")
            conn.execute(
                t.update()
                .where(t.c[type_col] == old.object_type, t.c[id_col] == old.id)
                .values(changes)
            )
            return True

        return self._write("moving a link", work)

    def unlink(self, ref: RecordRef) -> bool:
        """Remove the link ``ref`` is part of; ``False`` when there was none."""
        t = schema.links
        type_col, id_col = _SIDE[ref.crm]

        def work(conn: Connection) -> bool:
            result = conn.execute(
                t.delete().where(t.c[type_col] == ref.object_type, t.c[id_col] == ref.id)
            )
            return result.rowcount > 0

        return self._write("removing a link", work)
