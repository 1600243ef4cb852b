"""In-memory Salesforce org: records per sObject, recycle bin, query cursors and persistence."""

from __future__ import annotations

import itertools
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from . import derive
from .errors import SfApiError, bad_request, invalid_type, not_found
from .ids import KEY_PREFIXES, QUERY_LOCATOR_PREFIX, make_id, normalise
from .limits import ApiUsage
from .objects import standard_objects
from .schema import FieldDef, ObjectSchema
from .values import coerce, format_datetime

if TYPE_CHECKING:
    from crm_bridge.sandbox.world import World

Record = dict[str, Any]
MAX_CURSORS = 200


class Cursor:
    """An open query result: the matching rows and how to turn each into JSON."""

    __slots__ = ("project", "rows", "size")

    def __init__(
        self, rows: list[Record], project: Callable[[Record], dict[str, Any]], size: int
    ) -> None:
        self.rows = rows
        self.project = project
        self.size = size


class SalesforceStore:
    """The emulated org's data. Not thread-safe: the sandbox serves it from one event loop."""

    def __init__(self, now: Callable[[], datetime] | None = None) -> None:
        self.now = now or (lambda: datetime.now(UTC))
        self.api = ApiUsage()
        self.reset()

    def reset(self) -> None:
        """Empty the org (schemas back to standard, one integration user)."""
        self.api.reset()
        self.schemas: dict[str, ObjectSchema] = standard_objects()
        self._lower = {name.lower(): s for name, s in self.schemas.items()}
        self.tables: dict[str, dict[str, Record]] = {name: {} for name in self.schemas}
        self._prefix_type = {KEY_PREFIXES[name]: name for name in self.schemas}
        self._counter = itertools.count(1)
        self.cursors: OrderedDict[str, Cursor] = OrderedDict()
        self.custom_fields: list[Record] = []
        self.api_user_id = ""
        self.api_user_id = self.insert(
            "User",
            {
                "Username": "integration@crm-bridge.sandbox",
                "LastName": "Integration User",
                "Email": "integration@crm-bridge.sandbox",
                "Alias": "integ",
                "IsActive": True,
                "UserType": "Standard",
            },
            validate=False,
        )

    # ----- lookup -------------------------------------------------------------------------
    def schema(self, name: str) -> ObjectSchema | None:
        """The schema of an sObject (any case), or None."""
        return self._lower.get(name.lower())

    def require_schema(self, name: str) -> ObjectSchema:
        """The schema of an sObject, or the API's INVALID_TYPE error (404 on REST paths)."""
        schema = self.schema(name)
        if schema is None:
            err = invalid_type(name)
            raise SfApiError(404, "NOT_FOUND", err.message)
        return schema

    def find(self, record_id: str) -> tuple[str, Record] | None:
        """(type, record) for an id (15 or 18 chars), deleted or not; None if unknown."""
        sobject = self._prefix_type.get(record_id[:3])
        if sobject is None:
            return None
        rec = self.tables[sobject].get(normalise(record_id))
        return None if rec is None else (sobject, rec)

    def records(self, sobject: str, include_deleted: bool = False) -> Iterator[Record]:
        """All records of a type (deleted ones only when asked)."""
        rows: Iterable[Record] = self.tables[sobject].values()
        if include_deleted:
            return iter(rows)
        return (r for r in rows if not r.get("IsDeleted"))

    def get(self, sobject: str, record_id: str) -> Record:
        """A live record of this type, or 404 NOT_FOUND."""
        rec = self.tables[sobject].get(normalise(record_id))
        if rec is None or rec.get("IsDeleted"):
            raise not_found()
        return rec

    # ----- writes -------------------------------------------------------------------------
    def _stamp(self) -> str:
        """Audit stamps have whole seconds, like a real org's (``….000+0000``)."""
        return format_datetime(self.now().replace(microsecond=0))

    def _check_reference(self, f: FieldDef, value: str) -> None:
        found = self.find(value)
        if found is None or found[0] not in f.reference_to:
            if len(value) not in (15, 18) or value[:3] not in self._prefix_type:
                raise bad_request(
                    "MALFORMED_ID", f"{f.label}: id value of incorrect type: {value}", [f.name]
                )
            raise bad_request(
                "INVALID_CROSS_REFERENCE_KEY", f"{f.label}: invalid cross reference id", [f.name]
            )

    def validate(self, schema: ObjectSchema, values: Record, creating: bool) -> Record:
        """Check and convert a write body into stored values (raises ``SfApiError``)."""
        out: Record = {}
        locked: list[str] = []
        for key, raw in values.items():
            if key == "attributes" or (key.lower() == "id" and not creating):
                continue
            f = schema.get(key)
            if f is None:
                raise bad_request(
                    "INVALID_FIELD", f"No such column '{key}' on sobject of type {schema.name}"
                )
            if not (f.createable if creating else f.updateable):
                locked.append(f.name)
                continue
            value = coerce(f, raw)
            if value is not None and f.type == "reference":
                self._check_reference(f, value)
            out[f.name] = value
        if locked:
            verb = "create" if creating else "update"
            raise bad_request(
                "INVALID_FIELD_FOR_INSERT_UPDATE",
                f"Unable to {verb} fields: {', '.join(locked)}. Please check the security "
                "settings of this field and verify that it is read/write for your profile or "
                "permission set.",
                locked,
            )
        missing = [
            f.name
            for f in schema.fields.values()
            if f.required
            and (out.get(f.name) is None if creating or f.name in out else False)
            and not (creating and f.default is not None and f.name not in out)
        ]
        if missing:
            raise bad_request(
                "REQUIRED_FIELD_MISSING",
                f"Required fields are missing: [{', '.join(missing)}]",
                missing,
            )
        return out

    def insert(
        self, sobject: str, values: Record, *, validate: bool = True, stamp: str | None = None
    ) -> str:
        """Create a record and return its 18-character id."""
        schema = self.schemas[sobject]
        data = self.validate(schema, values, True) if validate else dict(values)
        stamp = stamp or self._stamp()
        rec: Record = dict.fromkeys(schema.fields)
        for f in schema.fields.values():
            if f.default is not None:
                rec[f.name] = f.default
            elif f.type == "boolean":
                rec[f.name] = False
        record_id = make_id(schema.key_prefix, next(self._counter))
        user = self.api_user_id or record_id
        rec.update(
            Id=record_id,
            CreatedDate=stamp,
            LastModifiedDate=stamp,
            SystemModstamp=stamp,
            CreatedById=user,
            LastModifiedById=user,
        )
        if "OwnerId" in schema.fields:
            rec["OwnerId"] = user
        if sobject == "User":
            rec["IsActive"] = True
        rec.update(data)
        derive.apply(sobject, rec, {**rec, **data}, stamp)
        self.tables[sobject][record_id] = rec
        self._after_write(sobject, rec, data)
        return record_id

    def update(
        self, sobject: str, record_id: str, values: Record, *, validate: bool = True
    ) -> None:
        """Update a live record (404 NOT_FOUND / ENTITY_IS_DELETED otherwise)."""
        rec = self.tables[sobject].get(normalise(record_id))
        if rec is None:
            raise not_found()
        if rec.get("IsDeleted"):
            raise SfApiError(404, "ENTITY_IS_DELETED", "entity is deleted")
        if sobject == "Lead" and rec["IsConverted"]:
            raise bad_request("CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead")
        data = self.validate(self.schemas[sobject], values, False) if validate else values
        stamp = self._stamp()
        rec.update(data)
        rec["LastModifiedDate"] = rec["SystemModstamp"] = stamp
        rec["LastModifiedById"] = self.api_user_id
        derive.apply(sobject, rec, data, stamp)
        self._after_write(sobject, rec, data)

    def delete(self, sobject: str, record_id: str) -> None:
        """Move a record to the recycle bin (IsDeleted=true, visible through queryAll)."""
        rec = self.tables[sobject].get(normalise(record_id))
        if rec is None:
            raise not_found()
        if rec.get("IsDeleted"):
            raise SfApiError(404, "ENTITY_IS_DELETED", "entity is deleted")
        if "IsDeleted" not in self.schemas[sobject].fields:  # a User is deactivated instead
            raise bad_request("DELETE_FAILED", f"entity type cannot be deleted: {sobject}")
        rec["IsDeleted"] = True
        rec["LastModifiedDate"] = rec["SystemModstamp"] = self._stamp()

    def snapshot(self, sobject: str, record_id: str) -> Record:
        """A copy of a record, for rollback."""
        return dict(self.tables[sobject][normalise(record_id)])

    def restore(self, sobject: str, rec: Record) -> None:
        """Put back a record snapshot (rollback of an update or delete)."""
        self.tables[sobject][rec["Id"]] = rec

    def remove(self, sobject: str, record_id: str) -> None:
        """Erase a record entirely (rollback of an insert)."""
        self.tables[sobject].pop(record_id, None)

    def _after_write(self, sobject: str, rec: Record, data: Record) -> None:
        if sobject != "Task" or not rec.get("ActivityDate"):
            return
        for ref in ("WhoId", "WhatId"):
            found = self.find(rec[ref]) if rec.get(ref) else None
            if found and "LastActivityDate" in found[1]:
                current = found[1]["LastActivityDate"]
                if current is None or current < rec["ActivityDate"]:
                    found[1]["LastActivityDate"] = rec["ActivityDate"]

    # ----- schema changes ------------------------------------------------------------------
    def add_field(self, sobject: str, f: FieldDef) -> None:
        """Add a custom field to a type; existing records get null."""
        self.schemas[sobject].add(f)
        for rec in self.tables[sobject].values():
            rec.setdefault(f.name, None)

    # ----- cursors -------------------------------------------------------------------------
    def open_cursor(
        self, rows: list[Record], project: Callable[[Record], dict[str, Any]], size: int
    ) -> str:
        """Keep a query result for paging and return its locator."""
        locator = make_id(QUERY_LOCATOR_PREFIX, next(self._counter))
        self.cursors[locator] = Cursor(rows, project, size)
        while len(self.cursors) > MAX_CURSORS:
            self.cursors.popitem(last=False)
        return locator

    # ----- persistence ---------------------------------------------------------------------
    def seed(self, world: World) -> dict[str, str]:
        """Replace the data with records generated from a World; returns the Salesforce id
        of each opportunity by its World id (HubSpot's seeding links deals to them)."""
        from .seed import seed_store

        self.reset()
        return seed_store(self, world)

    def to_json(self) -> dict[str, Any]:
        """The whole org as JSON-ready data (schemas, records, custom fields)."""
        return {
            "counter": next(self._counter),
            "api_user_id": self.api_user_id,
            "schemas": {n: [asdict(f) for f in s.fields.values()] for n, s in self.schemas.items()},
            "tables": {n: list(t.values()) for n, t in self.tables.items()},
            "custom_fields": self.custom_fields,
        }

    def from_json(self, data: dict[str, Any]) -> None:
        """Load what ``to_json`` produced."""
        self.reset()
        for name, fields in data["schemas"].items():
            schema = self.schemas[name]
            for raw in fields:
                kw: dict[str, Any] = {
                    k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()
                }
                schema.add(FieldDef(**kw))
        self.tables = {n: {r["Id"]: r for r in rows} for n, rows in data["tables"].items()}
        self._counter = itertools.count(int(data["counter"]))
        self.api_user_id = data["api_user_id"]
        self.custom_fields = list(data["custom_fields"])
