"""HubSpot connector on hubspot-api-client 12 (list, search, batch, properties, associations v4)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from hubspot import HubSpot

from crm_bridge.connectors.base import (
    DEFAULT_LOOKBACK,
    CheckReport,
    ConnectorStats,
    FieldInfo,
    FieldSpec,
    ObjectDescription,
    chunks,
    id_chunks,
)
from crm_bridge.connectors.calls import Caller
from crm_bridge.connectors.hubspot_api import HubSpotApis, Json, raw_call
from crm_bridge.connectors.ratelimit import RateLimiter
from crm_bridge.connectors.retry import DEFAULT_POLICY, RetryPolicy
from crm_bridge.connectors.values import format_hubspot, parse_datetime, parse_hubspot
from crm_bridge.errors import CrmError
from crm_bridge.model import (
    ContactRole,
    Crm,
    RecordRef,
    RecordUpdate,
    SourceRecord,
    Value,
    WriteResult,
)

MODIFIED = {"contacts": "lastmodifieddate", "companies": "hs_lastmodifieddate"}
GROUP = "crm_bridge"
LIST_LIMIT = 100
SEARCH_LIMIT = 200
BATCH_MAX = 100
SEARCH_CAP = 10_000
_TYPES = {
    "string": ("string", "text"),
    "int": ("number", "number"),
    "float": ("number", "number"),
    "bool": ("bool", "booleancheckbox"),
    "date": ("date", "date"),
    "datetime": ("datetime", "date"),
    "list": ("enumeration", "checkbox"),
}


def modified_property(object_type: str) -> str:
    """The last-modified property of a HubSpot object type."""
    return MODIFIED.get(object_type, "hs_lastmodifieddate")


class HubSpotConnector:
    """A HubSpot account; see :class:`crm_bridge.connectors.base.Connector`."""

    crm: Crm = "hubspot"

    def __init__(
        self,
        client: HubSpot,
        name: str = "hubspot",
        *,
        retry: RetryPolicy = DEFAULT_POLICY,
        limiter: RateLimiter | None = None,
        lookback: timedelta = DEFAULT_LOOKBACK,
        id_properties: Mapping[str, str] | None = None,
        search_cap: int = SEARCH_CAP,
    ) -> None:
        self.name = name
        self.apis = HubSpotApis(client)
        self.caller = Caller("hubspot", retry, limiter)
        self.lookback = lookback
        self.id_properties = dict(id_properties or {})
        self.search_cap = search_cap
        self._props: dict[str, dict[str, tuple[str, str]]] = {}

    @property
    def stats(self) -> ConnectorStats:
        """Counters since the connector was opened."""
        return self.caller.stats

    def close(self) -> None:
        """Close the connection pools of the cached API clients."""
        self.apis.close()

    # -- reading ------------------------------------------------------------------------
    def read(
        self, object_type: str, fields: Sequence[str], since: datetime | None
    ) -> Iterator[SourceRecord]:
        """All records (list API) or those changed since ``since - lookback`` (search)."""
        props = self._request_props(object_type, fields)
        if since is None:
            yield from self._list(object_type, props, archived=False)
        else:
            yield from self._search(object_type, props, since - self.lookback)
        yield from self._list(object_type, props, archived=True, since=since)

    def _request_props(self, object_type: str, fields: Sequence[str]) -> list[str]:
        props = dict.fromkeys(fields)
        props[modified_property(object_type)] = None
        if object_type in ("contacts", "companies"):
            props["hs_merged_object_ids"] = None
        return list(props)

    def _list(
        self,
        object_type: str,
        props: list[str],
        *,
        archived: bool,
        since: datetime | None = None,
    ) -> Iterator[SourceRecord]:
        api = self.apis.objects(object_type, "basic_api")
        after: str | None = None
        endpoint = "archived" if archived else "list"
        while True:
            kw: dict[str, Any] = {"limit": LIST_LIMIT, "properties": props, "archived": archived}
            if after:
                kw["after"] = after
            page = raw_call(self.caller, endpoint, api.get_page, object_type=object_type, **kw)
            for raw in page.get("results", []):
                record = self._record(object_type, raw)
                if archived and since is not None and record.modified_at < since - self.lookback:
                    continue
                self.stats.records_read += 1
                yield record
            after = ((page.get("paging") or {}).get("next") or {}).get("after")
            if not after:
                return

    def _search(
        self, object_type: str, props: list[str], since: datetime
    ) -> Iterator[SourceRecord]:
        """Ascending search windows; a window restarts from the last seen modified date
        before the 10,000-result cap, de-duplicating ids at the boundary."""
        api = self.apis.objects(object_type, "search_api")
        modified = modified_property(object_type)
        low = int(since.timestamp() * 1000)
        at_low: set[str] = set()
        while True:
            offset = 0
            last_ms = low
            at_last: set[str] = set(at_low)
            restart = False
            while True:
                body = {
                    "filterGroups": [
                        {
                            "filters": [
                                {"propertyName": modified, "operator": "GTE", "value": str(low)}
                            ]
                        }
                    ],
                    "sorts": [{"propertyName": modified, "direction": "ASCENDING"}],
                    "properties": props,
                    "limit": SEARCH_LIMIT,
                    "after": str(offset),
                }
                page = raw_call(self.caller, "search", api.do_search, body, object_type=object_type)
                for raw in page.get("results", []):
                    record = self._record(object_type, raw)
                    ms = int(record.modified_at.timestamp() * 1000)
                    if ms == low and record.ref.id in at_low:
                        continue
                    if ms != last_ms:
                        last_ms, at_last = ms, set()
                    at_last.add(record.ref.id)
                    self.stats.records_read += 1
                    yield record
                after = ((page.get("paging") or {}).get("next") or {}).get("after")
                if not after:
                    return
                offset = int(after)
                if offset + SEARCH_LIMIT > self.search_cap:
                    restart = True
                    break
            if restart and last_ms == low:
                raise CrmError(
                    f"more than {self.search_cap} records share one modified time; run a full read",
                    crm="hubspot",
                    object_type=object_type,
                    code="SEARCH_WINDOW_TOO_DENSE",
                )
            low, at_low = last_ms, at_last

    def _record(self, object_type: str, raw: Json) -> SourceRecord:
        types = self._prop_types(object_type)
        values: dict[str, Value] = {}
        for key, text in (raw.get("properties") or {}).items():
            prop_type, field_type = types.get(key, ("string", "text"))
            values[key] = parse_hubspot(text, prop_type, field_type)
        archived = bool(raw.get("archived"))
        stamp = raw.get("archivedAt") if archived else None
        stamp = (
            stamp
            or raw.get("updatedAt")
            or (raw.get("properties") or {}).get(modified_property(object_type))
        )
        modified = parse_datetime(str(stamp)) if stamp else datetime.fromtimestamp(0).astimezone()
        return SourceRecord(
            ref=RecordRef("hubspot", object_type, str(raw["id"])),
            modified_at=modified,
            fields=values,
            deleted=archived,
        )

    def _prop_types(self, object_type: str) -> dict[str, tuple[str, str]]:
        if object_type not in self._props:
            self.describe(object_type)
        return self._props[object_type]

    def read_ids(
        self, object_type: str, ids: Sequence[str], fields: Sequence[str]
    ) -> Iterator[SourceRecord]:
        """The given records through batch read (100 per call); missing ids are skipped."""
        api = self.apis.objects(object_type, "batch_api")
        props = self._request_props(object_type, fields)
        for part in id_chunks(list(ids), BATCH_MAX):
            body = {"properties": props, "inputs": [{"id": i} for i in part]}
            page = raw_call(
                self.caller, "batch_read", api.read, body, archived=False, object_type=object_type
            )
            for raw in page.get("results", []):
                self.stats.records_read += 1
                yield self._record(object_type, raw)

    def read_current(
        self, object_type: str, ids: Sequence[str], fields: Sequence[str]
    ) -> Mapping[str, Mapping[str, Value]]:
        """Current values of ``fields`` for ``ids``."""
        return {
            r.ref.id: {f: r.fields.get(f) for f in fields}
            for r in self.read_ids(object_type, ids, fields)
        }

    def find(
        self, object_type: str, field: str, value: str, fields: Sequence[str]
    ) -> Iterator[SourceRecord]:
        """Records whose property ``field`` equals ``value`` (search ``EQ``; HubSpot compares
        text case-insensitively), up to the search cap."""
        where = {"propertyName": field, "operator": "EQ", "value": value}
        yield from self._search_all(object_type, where, fields)

    def find_in(
        self, object_type: str, field: str, values: Sequence[str], fields: Sequence[str]
    ) -> Iterator[SourceRecord]:
        """Records whose property ``field`` is one of ``values`` (search ``IN`` with 100
        lower-cased values a filter, as the API requires for text)."""
        for part in id_chunks(sorted({v.lower() for v in values}), BATCH_MAX):
            where = {"propertyName": field, "operator": "IN", "values": list(part)}
            yield from self._search_all(object_type, where, fields)

    def _search_all(
        self, object_type: str, where: Json, fields: Sequence[str]
    ) -> Iterator[SourceRecord]:
        """Every page of a search with one filter, up to the search cap."""
        api = self.apis.objects(object_type, "search_api")
        props = self._request_props(object_type, fields)
        offset = 0
        while offset < self.search_cap:
            body = {
                "filterGroups": [{"filters": [where]}],
                "properties": props,
                "limit": SEARCH_LIMIT,
                "after": str(offset),
            }
            page = raw_call(self.caller, "search", api.do_search, body, object_type=object_type)
            for raw in page.get("results", []):
                self.stats.records_read += 1
                yield self._record(object_type, raw)
            after = ((page.get("paging") or {}).get("next") or {}).get("after")
            if not after:
                return
            offset = int(after)

    def read_associations(
        self, from_type: str, to_type: str, ids: Sequence[str]
    ) -> Iterator[tuple[str, str, tuple[str, ...]]]:
        """(from id, to id, labels) through associations v4 batch read, 100 ids a call."""
        api = self.apis.associations()
        for part in id_chunks(list(ids), BATCH_MAX):
            pending: list[Json] = [{"id": i} for i in part]
            while pending:
                page = raw_call(
                    self.caller,
                    "associations",
                    api.get_page,
                    from_type,
                    to_type,
                    {"inputs": pending},
                )
                pending = []
                for result in page.get("results", []):
                    source = str(result["from"]["id"])
                    for to in result.get("to", []):
                        labels = tuple(
                            str(t["label"])
                            for t in to.get("associationTypes", [])
                            if t.get("label")
                        )
                        yield source, str(to["toObjectId"]), labels
                    after = ((result.get("paging") or {}).get("next") or {}).get("after")
                    if after:
                        pending.append({"id": source, "after": after})

    def read_contact_roles(
        self, opportunity_ids: Sequence[str] | None = None
    ) -> Iterator[ContactRole]:
        """Deal -> contact associations with their labels (first label is the role)."""
        ids = opportunity_ids if opportunity_ids is not None else list(self._all_ids("deals"))
        for deal, contact, labels in self.read_associations("deals", "contacts", ids):
            yield ContactRole(
                opportunity=RecordRef("hubspot", "deals", deal),
                person=RecordRef("hubspot", "contacts", contact),
                role=labels[0] if labels else None,
                is_primary=False,
            )

    def _all_ids(self, object_type: str) -> Iterator[str]:
        for record in self._list(object_type, ["hs_object_id"], archived=False):
            yield record.ref.id

    # -- writing ------------------------------------------------------------------------
    def write(self, object_type: str, updates: Iterable[RecordUpdate]) -> Iterator[WriteResult]:
        """Batch update (or upsert by the configured idProperty) 100 at a time."""
        api = self.apis.objects(object_type, "batch_api")
        id_property = self.id_properties.get(object_type)
        for batch in chunks(updates, BATCH_MAX):
            inputs: list[Json] = []
            for update in batch:
                item: Json = {
                    "id": update.ref.id,
                    "properties": {k: format_hubspot(v) for k, v in update.fields.items()},
                }
                if id_property:
                    item["idProperty"] = id_property
                inputs.append(item)
            method = api.upsert if id_property else api.update
            try:
                page = raw_call(
                    self.caller, "batch_write", method, {"inputs": inputs}, object_type=object_type
                )
            except CrmError as exc:
                if exc.status is None or exc.status >= 500 or exc.status in (401, 403, 429):
                    raise
                for update in batch:
                    yield WriteResult(
                        update.ref, False, exc.code, exc.message, tuple(update.fields)
                    )
                continue
            yield from self._results(batch, page, id_property)

    def _results(
        self, batch: list[RecordUpdate], page: Json, id_property: str | None
    ) -> Iterator[WriteResult]:
        done: set[str] = set()
        for result in page.get("results", []):
            done.add(str(result.get("id")))
            if id_property:
                value = (result.get("properties") or {}).get(id_property)
                if value is not None:
                    done.add(str(value))
        failed: dict[str, tuple[str, str]] = {}
        for error in page.get("errors", []):
            ids = (error.get("context") or {}).get("ids") or []
            for i in ids:
                failed[str(i)] = (str(error.get("category", "")), str(error.get("message", "")))
        for update in batch:
            if update.ref.id in failed:
                code, message = failed[update.ref.id]
                yield WriteResult(update.ref, False, code, message, tuple(update.fields))
            elif update.ref.id in done or (not failed and not page.get("errors")):
                self.stats.records_written += 1
                yield WriteResult(update.ref, True)
            else:
                yield WriteResult(update.ref, False, "NOT_IN_RESPONSE", "no result returned")

    # -- metadata -----------------------------------------------------------------------
    def describe(self, object_type: str) -> ObjectDescription:
        """Properties of ``object_type``."""
        api = self.apis.properties("core_api")
        page = raw_call(
            self.caller, "properties", api.get_all, object_type, object_type=object_type
        )
        fields: dict[str, FieldInfo] = {}
        for prop in page.get("results", []):
            meta = prop.get("modificationMetadata") or {}
            read_only = bool(meta.get("readOnlyValue")) or bool(prop.get("calculated"))
            fields[prop["name"]] = FieldInfo(
                name=prop["name"],
                type=str(prop.get("type", "string")),
                updateable=not read_only,
                createable=not read_only,
                options=tuple(str(o.get("value")) for o in prop.get("options") or []),
                custom=not prop.get("hubspotDefined", False),
                label=str(prop.get("label", "")),
            )
            if prop.get("fieldType") == "checkbox":
                self._props.setdefault(object_type, {})[prop["name"]] = ("enumeration", "checkbox")
        types = self._props.setdefault(object_type, {})
        for name, info in fields.items():
            types.setdefault(name, (info.type, ""))
        return ObjectDescription(object_type, fields)

    def ensure_fields(self, object_type: str, specs: Sequence[FieldSpec]) -> list[str]:
        """Create missing properties in group ``crm_bridge`` (created if missing)."""
        existing = self.describe(object_type).fields
        missing = [s for s in specs if s.name not in existing]
        if not missing:
            return []
        self._ensure_group(object_type)
        core = self.apis.properties("core_api")
        created: list[str] = []
        for spec in missing:
            prop_type, field_type = _TYPES[spec.type]
            body: Json = {
                "name": spec.name,
                "label": spec.label or spec.name.replace("_", " ").capitalize(),
                "type": prop_type,
                "fieldType": "select" if spec.options and spec.type == "string" else field_type,
                "groupName": GROUP,
            }
            if spec.options:
                if spec.type == "string":
                    body["type"] = "enumeration"
                body["options"] = [
                    {"label": o, "value": o, "displayOrder": n} for n, o in enumerate(spec.options)
                ]
            elif spec.type == "list":
                body["options"] = []
            raw_call(
                self.caller, "properties", core.create, object_type, body, object_type=object_type
            )
            created.append(spec.name)
        self._props.pop(object_type, None)
        return created

    def _ensure_group(self, object_type: str) -> None:
        groups = self.apis.properties("groups_api")
        page = raw_call(self.caller, "properties", groups.get_all, object_type)
        if any(g.get("name") == GROUP for g in page.get("results", [])):
            return
        body = {"name": GROUP, "label": "crm-bridge alignment", "displayOrder": -1}
        raw_call(self.caller, "properties", groups.create, object_type, body)

    def check(self, required: Mapping[str, Sequence[str]]) -> CheckReport:
        """Auth, missing and read-only properties, daily budget left (from headers)."""
        report = CheckReport(self.name, "hubspot")
        try:
            for object_type, names in required.items():
                fields = self.describe(object_type).fields
                report.auth_ok = True
                report.missing_fields[object_type] = [n for n in names if n not in fields]
                report.not_updateable[object_type] = [
                    n for n in names if n in fields and not fields[n].updateable
                ]
            if not required:
                self.describe("contacts")
                report.auth_ok = True
        except CrmError as exc:
            report.error = exc.describe()
        limiter = self.caller.limiter
        if limiter is not None:
            report.budget_remaining, report.budget_max = limiter.daily_remaining, limiter.daily_max
        return report
