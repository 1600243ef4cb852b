"""Linked entities: the Salesforce and HubSpot copies of one person, company or deal.

:func:`build_entities` links mapped records across the CRMs (stored links first, then the
identity rules of :mod:`crm_bridge.mapping.identity`) and merges each pair into one
:class:`Merged` record whose shared fields are resolved by the job's conflict policy
(:mod:`crm_bridge.jobs.conflicts`). Alignment is computed once per entity and written to
every side.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from crm_bridge.jobs.conflicts import NEVER_WRITTEN, Policy, Resolution, Side, resolve
from crm_bridge.jobs.values import same_value
from crm_bridge.mapping.fields import FieldMapper
from crm_bridge.mapping.identity import IdentityResult, link_records
from crm_bridge.model import Canonical, Crm, ObjectKind, RecordRef, SourceRecord, Value


@dataclass(slots=True)
class Merged(Canonical):
    """A canonical record merged from both CRMs; ``sf.X`` / ``hs.X`` read either source."""

    sources: dict[Crm, SourceRecord] = field(default_factory=dict)

    def get(self, name: str) -> Value:
        if name.startswith("sf."):
            src = self.sources.get("salesforce")
            return None if src is None else src.fields.get(name[3:])
        if name.startswith("hs."):
            src = self.sources.get("hubspot")
            return None if src is None else src.fields.get(name[3:])
        return self.values.get(name)


@dataclass(slots=True)
class Entity:
    """One real-world record: its copy per CRM and the merged view."""

    kind: ObjectKind
    sides: dict[Crm, Canonical]
    merged: Merged
    resolutions: dict[str, Resolution] = field(default_factory=dict)

    @property
    def key(self) -> RecordRef:
        """The entity's stable key: its Salesforce ref when it has one, else HubSpot's."""
        side = self.sides.get("salesforce") or self.sides["hubspot"]
        return side.ref

    def ref(self, crm: Crm) -> RecordRef | None:
        side = self.sides.get(crm)
        return None if side is None else side.ref


def shared_fields(mapper: FieldMapper, kind: ObjectKind, sync: Iterable[str] | None) -> list[str]:
    """Canonical fields of ``kind`` mapped in both CRMs, marked ``sync: true`` and (when the
    job lists fields) selected by the job."""
    chosen = None if sync is None else set(sync)
    out = []
    for name, spec in mapper.config.fields_of(kind).items():
        if spec.salesforce is None or spec.hubspot is None or not spec.sync:
            continue
        if chosen is not None and name not in chosen:
            continue
        out.append(name)
    return out


def merge(
    mapper: FieldMapper,
    kind: ObjectKind,
    sides: dict[Crm, Canonical],
    *,
    shared: Iterable[str],
    policies: Mapping[str, Policy],
    default_policy: Policy,
    last_written: Mapping[tuple[RecordRef, str], Value],
    orders: Mapping[str, Mapping[str, int]],
) -> Entity:
    """Merge the copies of one entity; shared fields resolved per the conflict policies."""
    sf, hs = sides.get("salesforce"), sides.get("hubspot")
    base = sf or hs
    assert base is not None
    values = dict(hs.values) if hs is not None else {}
    if sf is not None:
        values.update({k: v for k, v in sf.values.items() if v is not None or k not in values})
    sources = {c: s.source for c, s in sides.items() if s.source is not None}
    merged = Merged(ref=base.ref, modified_at=base.modified_at, values=values, sources=sources)
    entity = Entity(kind, sides, merged)
    if sf is None or hs is None:
        return entity
    for name in shared:
        spec = mapper.config.fields_of(kind)[name]
        keys: list[tuple[RecordRef, str] | None] = []
        echoes: list[bool] = []
        for copy in (sf, hs):
            native = spec.native(copy.ref.crm, copy.ref.object_type)
            current = copy.source.fields.get(native) if copy.source and native else None
            key = (copy.ref, native) if native else None
            keys.append(key)
            echoes.append(
                key is not None and key in last_written and same_value(current, last_written[key])
            )
        sides_: list[Side] = []
        for i, copy in enumerate((sf, hs)):
            value = copy.values.get(name)
            other = keys[1 - i]
            # a side still holding the value crm-bridge last wrote to the other side is
            # unchanged since the last sync too (crm-bridge copied it from there)
            baseline = (
                not echoes[i]
                and other is not None
                and other in last_written
                and same_value(value, last_written[other])
            )
            unchanged = echoes[i] or baseline
            sides_.append(
                Side(copy.ref.crm, value, value if unchanged else NEVER_WRITTEN, copy.modified_at)
            )
        result = resolve(
            name, sides_[0], sides_[1], policies.get(name, default_policy), orders.get(name)
        )
        entity.resolutions[name] = result
        merged.values[name] = result.value
    return entity


def link_and_group(
    sf_records: list[Canonical],
    hs_records: list[Canonical],
    known: Mapping[RecordRef, RecordRef],
) -> tuple[list[dict[Crm, Canonical]], IdentityResult]:
    """Pair records of the two CRMs into entity sides (unlinked records stand alone)."""
    identity = link_records(sf_records, hs_records, known)
    pairs = identity.by_ref()
    by_ref: dict[RecordRef, Canonical] = {r.ref: r for r in sf_records}
    by_ref.update({r.ref: r for r in hs_records})
    groups: list[dict[Crm, Canonical]] = []
    done: set[RecordRef] = set()
    for record in [*sf_records, *hs_records]:
        if record.ref in done:
            continue
        done.add(record.ref)
        group: dict[Crm, Canonical] = {record.ref.crm: record}
        other = pairs.get(record.ref)
        if other is not None and other in by_ref and other not in done:
            done.add(other)
            group[other.crm] = by_ref[other]
        groups.append(group)
    return groups, identity


def newest(records: Iterable[Canonical]) -> datetime | None:
    """The latest modification time among ``records``."""
    times = [r.modified_at for r in records]
    return max(times) if times else None
