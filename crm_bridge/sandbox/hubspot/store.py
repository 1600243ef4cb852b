"""The HubSpot portal's data: records per object type, properties, pipelines, owners, associations."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from .associations import AssociationStore
from .errors import HubSpotError, conflict, not_found, validation
from .owners import Owner
from .pipelines import Pipeline, default_pipeline, stage_index
from .properties import (
    GROUPS,
    MODIFIED,
    OBJECT_TYPE_IDS,
    OBJECT_TYPES,
    SINGULAR,
    PropertyDef,
    default_properties,
    normalize,
    property_from_api,
    read_only_property,
    unknown_property,
)  # fmt: skip
from .records import ObjectTable, Record
from .timeutil import iso, parse_datetime

if TYPE_CHECKING:
    from crm_bridge.sandbox.world import World


@dataclass
class HubSpotSettings:
    """Tunables of the emulated portal."""

    max_filter_groups: int = 5
    max_filters_per_group: int = 6
    max_filters_total: int = 18
    search_result_cap: int = 10_000
    search_lag_s: float = 0.0
    search_per_second: int = 5
    daily_limit: int | None = None  # None: 250k/day at tier 100, 650k/day at tier 190


def object_type(name: str) -> str:
    """Canonical object type for a path segment (`contacts`, `0-1`, `contact`...); 400 otherwise."""
    name = OBJECT_TYPE_IDS.get(name, name.lower())
    if name in OBJECT_TYPES:
        return name
    plural = {v: k for k, v in SINGULAR.items()}.get(name)
    if plural:
        return plural
    raise HubSpotError(400, "VALIDATION_ERROR", f"Unable to infer object type from: {name}")


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class HubSpotStore:
    """In-memory HubSpot portal. Timestamps come from `now` and strictly increase per write."""

    now: Callable[[], datetime] = _now
    settings: HubSpotSettings = field(default_factory=HubSpotSettings)
    tables: dict[str, ObjectTable] = field(
        default_factory=lambda: {o: ObjectTable() for o in OBJECT_TYPES}
    )
    pipelines: list[Pipeline] = field(default_factory=lambda: [default_pipeline()])
    props: dict[str, dict[str, PropertyDef]] = field(default_factory=dict)
    groups: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    owners: dict[int, Owner] = field(default_factory=dict)
    assoc: AssociationStore = field(default_factory=AssociationStore)
    next_id: int = 1_000_001
    epoch: int = 0
    token_scopes: dict[str, frozenset[str]] = field(default_factory=dict)
    _last_ts: datetime = field(default_factory=lambda: datetime(1970, 1, 1, tzinfo=UTC))

    def __post_init__(self) -> None:
        for obj in OBJECT_TYPES:
            if obj not in self.props:
                self.props[obj] = {p.name: p for p in default_properties(obj, self.pipelines)}
            self.groups.setdefault(
                obj,
                {
                    GROUPS[obj]: {
                        "name": GROUPS[obj],
                        "label": GROUPS[obj].replace("information", " information").title(),
                        "displayOrder": 0,
                        "archived": False,
                    }
                },
            )
            for p in self.props[obj].values():
                if p.has_unique_value:
                    self.tables[obj].reindex(p.name)

    # ---- time and ids -------------------------------------------------------------------
    def tick(self) -> datetime:
        """A write timestamp: `now()`, forced strictly after the previous one (ms precision)."""
        now = self.now()
        ts = now.replace(microsecond=now.microsecond // 1000 * 1000)
        if ts <= self._last_ts:
            ts = self._last_ts + timedelta(milliseconds=1)
        self._last_ts = ts
        return ts

    def new_id(self) -> int:
        """The next record id (shared across object types)."""
        self.next_id += 1
        return self.next_id - 1

    # ---- properties ---------------------------------------------------------------------
    def prop(self, obj: str, name: str) -> PropertyDef | None:
        """A live property definition."""
        p = self.props[obj].get(name)
        return None if p is None or p.archived else p

    def add_property(self, obj: str, p: PropertyDef) -> None:
        """Register a property (readable, writable and searchable at once)."""
        if p.has_unique_value and sum(x.has_unique_value for x in self.props[obj].values()) >= 10:
            raise validation(
                "At most 10 unique-value properties per object", code="TOO_MANY_UNIQUE", name=p.name
            )
        self.props[obj][p.name] = p
        if p.has_unique_value:
            self.tables[obj].reindex(p.name)

    def read_names(self, obj: str, requested: list[str] | None) -> list[str]:
        """Property names to return: requested ones that exist, else the defaults."""
        from .properties import DEFAULT_READ

        if not requested:
            return list(DEFAULT_READ[obj])
        return [n for n in dict.fromkeys(requested) if self.prop(obj, n) is not None]

    def written_names(self, obj: str, written: Mapping[str, Any]) -> list[str]:
        """Property names a write response shows: the defaults plus the written ones."""
        from .properties import DEFAULT_READ

        return list(dict.fromkeys([*DEFAULT_READ[obj], *(n for n in written if self.prop(obj, n))]))

    def _validated(self, obj: str, values: Mapping[str, Any]) -> dict[str, str]:
        out: dict[str, str] = {}
        for name, value in values.items():
            p = self.prop(obj, name)
            if p is None:
                raise unknown_property(name, obj)
            if p.read_only and name != "hs_object_id":
                raise read_only_property(name)
            if name == "hs_object_id":
                continue
            out[name] = normalize(p, value)
        return out

    # ---- records ------------------------------------------------------------------------
    def resolve(self, obj: str, ident: str, id_property: str | None = None) -> Record | None:
        """Find a live-or-archived record by id (following merges) or by a unique property."""
        table = self.tables[obj]
        if id_property and id_property != "hs_object_id":
            p = self.prop(obj, id_property)
            if p is None or not p.has_unique_value:
                raise validation(
                    f"{id_property} is not a unique identifier property",
                    code="INVALID_ID_PROPERTY",
                    name=id_property,
                )
            rid = table.lookup_unique(id_property, ident)
            return None if rid is None else table.records.get(rid)
        try:
            rid = table.resolve(int(ident))
        except ValueError:
            return None
        return table.records.get(rid)

    def get(
        self, obj: str, ident: str, id_property: str | None = None, archived: bool = False
    ) -> Record:
        """A record or 404."""
        rec = self.resolve(obj, ident, id_property)
        if rec is None or rec.archived != archived:
            raise not_found("Object not found.  objectId are usually numeric.", [ident])
        return rec

    def _check_unique(self, obj: str, rec_id: int | None, values: Mapping[str, str]) -> None:
        table = self.tables[obj]
        for name, val in values.items():
            p = self.props[obj][name]
            if p.has_unique_value and val:
                holder = table.lookup_unique(name, val)
                if holder is not None and holder != rec_id:
                    raise conflict(f"{SINGULAR[obj].title()} already exists. Existing ID: {holder}")

    def create(self, obj: str, values: Mapping[str, Any]) -> Record:
        """Create a record (validating values); 409 on a duplicate unique value."""
        clean = self._validated(obj, values)
        self._check_unique(obj, None, clean)
        ts = self.tick()
        rid = self.new_id()
        created = parse_datetime(clean["createdate"]) if clean.get("createdate") else ts
        rec = Record(rid, {}, created, ts)
        rec.props["createdate"] = iso(created)
        rec.props["hs_object_id"] = str(rid)
        self._apply(obj, rec, clean, ts)
        self.tables[obj].add(rec)
        return rec

    def update(self, obj: str, rec: Record, values: Mapping[str, Any]) -> Record:
        """Update a live record's properties."""
        if rec.archived:
            raise not_found("Object not found.", [str(rec.id)])
        clean = self._validated(obj, values)
        self._check_unique(obj, rec.id, clean)
        self._apply(obj, rec, clean, self.tick())
        self.tables[obj].version += 1
        return rec

    def _apply(self, obj: str, rec: Record, clean: dict[str, str], ts: datetime) -> None:
        stamp = iso(ts)
        table = self.tables[obj]
        for name, val in clean.items():
            old = rec.props.get(name)
            if val == "":
                rec.props.pop(name, None)
            else:
                rec.props[name] = val
            if self.props[obj][name].has_unique_value:
                table.index(rec, name, old)
            if old != val and val:
                self._derive(obj, rec, name, val, stamp)
        rec.props[MODIFIED[obj]] = stamp
        rec.updated_at = ts

    def _derive(self, obj: str, rec: Record, name: str, val: str, stamp: str) -> None:
        if obj == "contacts" and name == "lifecyclestage":
            rec.props[f"hs_v2_date_entered_{val}"] = stamp
        elif obj == "deals" and name == "dealstage":
            stage = stage_index(self.pipelines).get(val)
            rec.props[f"hs_date_entered_{val}"] = stamp
            rec.props[f"hs_v2_date_entered_{val}"] = stamp
            rec.props.setdefault("pipeline", "default")
            if stage is not None:
                rec.props["hs_is_closed"] = "true" if stage.is_closed else "false"
                rec.props["hs_is_closed_won"] = "true" if stage.is_won else "false"

    def insert_raw(
        self, obj: str, props: dict[str, str], created: datetime, updated: datetime
    ) -> Record:
        """Insert a record without validation (seeding and bulk test data)."""
        rid = self.new_id()
        rec = Record(rid, dict(props), created, updated)
        rec.props["hs_object_id"] = str(rid)
        rec.props["createdate"] = iso(created)
        rec.props[MODIFIED[obj]] = iso(updated)
        table = self.tables[obj]
        table.records[rid] = rec
        table.order.append(rid)
        table.version += 1
        for name in table.unique:
            table.index(rec, name, None)
        return rec

    def archive(self, obj: str, rec: Record) -> None:
        """Move a record to the recycle bin (idempotent)."""
        if rec.archived:
            return
        ts = self.tick()
        rec.archived_at = ts
        rec.updated_at = ts
        table = self.tables[obj]
        for name in table.unique:
            table.index(rec, name, rec.props.get(name))
        table.version += 1

    def purge(self, obj: str, rec: Record) -> None:
        """Delete a record permanently (GDPR delete): no recycle bin, no associations."""
        table = self.tables[obj]
        table.remove(rec.id)
        for key in [k for k in self.assoc.links if k[0] == obj and k[1] == rec.id]:
            for to_id in list(self.assoc.links[key]):
                self.assoc.remove(obj, rec.id, key[2], to_id)

    def merge(self, obj: str, primary: Record, other: Record) -> Record:
        """Merge `other` into `primary`: fill gaps, move associations, `other`'s id resolves to primary."""
        if primary.id == other.id or primary.archived or other.archived:
            raise validation("Cannot merge these records", code="INVALID_MERGE")
        table = self.tables[obj]
        table.remove(other.id)
        for name, val in other.props.items():
            if (
                name not in primary.props
                and not self.props[obj].get(name, PropertyDef("", "", "", "", "")).read_only
            ):
                primary.props[name] = val
        ids = [x for x in primary.props.get("hs_merged_object_ids", "").split(";") if x]
        ids += [
            str(other.id),
            *[x for x in other.props.get("hs_merged_object_ids", "").split(";") if x],
        ]
        primary.props["hs_merged_object_ids"] = ";".join(ids)
        table.merged[other.id] = primary.id
        self.assoc.move(obj, other.id, primary.id)
        ts = self.tick()
        primary.props[MODIFIED[obj]] = iso(ts)
        primary.updated_at = ts
        for name in table.unique:
            table.index(primary, name, None)
        table.version += 1
        return primary

    def page(
        self, obj: str, after: int, limit: int, archived: bool
    ) -> tuple[list[Record], int | None]:
        """One page of the list endpoint and the next `after`, if any."""
        out: list[Record] = []
        it = self.tables[obj].page(after, archived)
        for rec in it:
            if len(out) == limit:
                return out, out[-1].id
            out.append(rec)
        return out, None

    def assoc_block(self, obj: str, rec: Record, to_types: list[str]) -> dict[str, Any]:
        """The v3 `associations` block of a record."""
        out: dict[str, Any] = {}
        for t in to_types:
            to_t = object_type(t)
            block = self.assoc.v3(obj, rec.id, to_t)
            if block["results"]:
                out[to_t] = block
        return out

    def live(self, obj: str) -> Iterator[Record]:
        """All live records of a type."""
        return self.tables[obj].live()

    # ---- seeding and persistence --------------------------------------------------------
    def seed(self, world: World, salesforce_deal_ids: Mapping[str, str] | None = None) -> None:
        """Add the World's HubSpot side (owners, companies, contacts, deals, associations);
        with ``salesforce_deal_ids`` (World id -> Salesforce Opportunity id), deals in both CRMs
        carry ``salesforceopportunityid`` as HubSpot's Salesforce integration sets it."""
        from .seed import seed_store

        seed_store(self, world, salesforce_deal_ids or {})

    def to_json(self) -> dict[str, Any]:
        """Everything needed to restore the portal."""
        return {
            "next_id": self.next_id,
            "tables": {o: {"records": [r.to_json() for r in t.records.values()], "merged": [[k, v] for k, v in t.merged.items()]}
                       for o, t in self.tables.items()},
            "props": {o: [p.to_json() for p in ps.values()] for o, ps in self.props.items()},
            "groups": self.groups,
            "owners": [o.to_json() for o in self.owners.values()],
            "assoc": self.assoc.to_json(),
        }  # fmt: skip

    def from_json(self, d: dict[str, Any]) -> None:
        """Replace this portal's contents with a `to_json` dump."""
        self.epoch += 1
        self.next_id = int(d["next_id"])
        ts = self.now()
        self.props = {
            o: {p["name"]: property_from_api(p, now=ts) for p in ps} for o, ps in d["props"].items()
        }
        self.groups = d["groups"]
        self.owners = {o.id: o for o in (Owner.from_json(x) for x in d["owners"])}
        self.assoc = AssociationStore.from_json(d["assoc"])
        self.tables = {}
        for obj, td in d["tables"].items():
            table = ObjectTable()
            for r in sorted((Record.from_json(x) for x in td["records"]), key=lambda r: r.id):
                table.records[r.id] = r
                table.order.append(r.id)
            table.merged = {int(k): int(v) for k, v in td["merged"]}
            for p in self.props[obj].values():
                if p.has_unique_value:
                    table.reindex(p.name)
            self.tables[obj] = table
