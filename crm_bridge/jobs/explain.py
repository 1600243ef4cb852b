"""How one record is mapped: the engine behind ``crm-bridge explain EMAIL_OR_ID``.

:func:`explain` finds a record by email (Salesforce Lead/Contact ``Email``, HubSpot contact
``email``) or by id (Salesforce 15/18-character ids, numeric HubSpot ids), reads its
counterparts the way a sync would (stored links, ids crm-bridge wrote back, HubSpot's
Salesforce id properties, a converted lead's contact, the same email or domain), then runs the
pipeline's own pieces on them as a dry run: field mapping, identity linking
(:func:`~crm_bridge.jobs.entities.link_and_group`), the merge of shared fields, and
:class:`~crm_bridge.jobs.stage.AlignStage` (lifecycle, personas, SLA clocks, stalls and
committee coverage, desired values against current ones). Nothing is written to either CRM
nor to the state store, which is only read (links, clocks, last written values).
:mod:`crm_bridge.jobs.explain_view` turns the result into JSON-ready data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol, TypeAlias

from crm_bridge.alignment.sla import SlaClock
from crm_bridge.errors import CrmBridgeError
from crm_bridge.jobs.align import OpportunityAlignment, PersonAlignment, Rules
from crm_bridge.jobs.diff import Desired
from crm_bridge.jobs.entities import Entity, link_and_group
from crm_bridge.jobs.pull import NATIVE_TYPES, SyncConnector, fetch, read_fields
from crm_bridge.jobs.stage import AlignStage
from crm_bridge.jobs.summary import RunSummary
from crm_bridge.jobs.sync import SyncOptions, merge_groups
from crm_bridge.mapping.fields import MappingIssue
from crm_bridge.mapping.identity import IdentityKeys, IdentityResult, id_text, normalise_email
from crm_bridge.mapping.lifecycle import FunnelTrace
from crm_bridge.mapping.transforms import normalise_domain
from crm_bridge.model import Canonical, Crm, ObjectKind, RecordRef, SourceRecord
from crm_bridge.state.rows import Link as StoredLink
from crm_bridge.state.store import StateStore

QueryKind: TypeAlias = Literal["email", "salesforce_id", "hubspot_id"]
#: Salesforce key prefixes of the objects crm-bridge maps.
SF_PREFIXES: Mapping[str, str] = {
    "00Q": "Lead",
    "003": "Contact",
    "001": "Account",
    "006": "Opportunity",
}
_HS_TYPE: Mapping[ObjectKind, str] = {
    "person": "contacts",
    "account": "companies",
    "opportunity": "deals",
}
_ROUNDS = 3  # counterpart look-ups: a few hops (lead -> contact -> HubSpot) are enough


class RecordNotFound(CrmBridgeError):
    """No record of either CRM matches the email or id (exit code 1)."""


class FindConnector(SyncConnector, Protocol):
    """What explain needs of a connector: the pipeline's reads plus a lookup by field."""

    def find(
        self, object_type: str, field: str, value: str, fields: Sequence[str]
    ) -> Iterable[SourceRecord]: ...


@dataclass(frozen=True, slots=True)
class Query:
    """What to look for: a normalised email, a Salesforce id or a HubSpot id."""

    kind: QueryKind
    value: str

    def __str__(self) -> str:
        return self.value


def parse_query(text: str) -> Query:
    """``Ann@X.com`` -> email; 15/18 letters and digits -> Salesforce id; digits -> HubSpot id.

    Raises ``ValueError`` with a message for anything else."""
    raw = text.strip()
    if "@" in raw:
        email = normalise_email(raw)
        if email is None:
            raise ValueError(f"{text!r} is not a valid email address")
        return Query("email", email)
    if raw.isdigit():
        return Query("hubspot_id", raw)
    if len(raw) in (15, 18) and raw.isascii() and raw.isalnum():
        if raw[:3] not in SF_PREFIXES:
            known = ", ".join(f"{p} {o}" for p, o in SF_PREFIXES.items())
            raise ValueError(f"{raw!r}: not the id of a mapped Salesforce object ({known})")
        return Query("salesforce_id", raw)
    raise ValueError(
        f"{text!r} is neither an email, a Salesforce id (15 or 18 letters and digits) "
        "nor a HubSpot id (digits)"
    )


@dataclass(slots=True)
class Explanation:
    """Everything :func:`explain` found and computed for one record."""

    query: Query
    kind: ObjectKind
    now: datetime
    #: records the query matched (several when an email is shared), best first
    matches: list[RecordRef]
    entity: Entity
    identity: IdentityResult
    stored_link: StoredLink | None
    #: every record read to explain this one (counterparts, duplicates)
    read: list[RecordRef]
    mapping_issues: list[MappingIssue]
    person: PersonAlignment | None
    deal: OpportunityAlignment | None
    trace: FunnelTrace | None
    previous_stage: str | None
    stored_clocks: list[SlaClock]
    desired: list[Desired]
    #: CRMs the job writes to (the alignment of the others is shown but never written)
    write_crms: frozenset[Crm]
    notes: list[str] = field(default_factory=list)


class _Reader:
    """Records read so far (by ref) and the look-ups already made."""

    def __init__(
        self, connectors: Mapping[Crm, FindConnector], rules: Rules, summary: RunSummary
    ) -> None:
        self.connectors = connectors
        self.rules = rules
        self.summary = summary
        self.records: dict[RecordRef, SourceRecord] = {}
        self._searched: set[tuple[Crm, str, str]] = set()

    def ids(self, refs: Iterable[RecordRef]) -> None:
        fetch(self.connectors, self.rules, refs, self.records, self.summary)

    def search(self, kind: ObjectKind, key: str, value: str) -> list[RecordRef]:
        """Records of ``kind`` whose mapped field ``key`` equals ``value``, in both CRMs."""
        found: list[RecordRef] = []
        for crm, connector in self.connectors.items():
            for object_type in NATIVE_TYPES[crm][kind]:
                native = self.rules.fields.mapper(crm, object_type).fields.get(key)
                if native is None or (crm, object_type, value) in self._searched:
                    continue
                self._searched.add((crm, object_type, value))
                fields = read_fields(self.rules, crm, object_type)
                for record in connector.find(object_type, native, value, fields):
                    self.records.setdefault(record.ref, record)
                    found.append(record.ref)
        return found


def _find(reader: _Reader, query: Query) -> list[RecordRef]:
    if query.kind == "email":
        return reader.search("person", "email", query.value)
    if query.kind == "salesforce_id":
        object_type = SF_PREFIXES[query.value[:3]]
        reader.ids([RecordRef("salesforce", object_type, query.value)])
        return [
            r for r in reader.records if r.crm == "salesforce" and r.id[:15] == query.value[:15]
        ]
    for object_types in NATIVE_TYPES["hubspot"].values():  # contacts, companies, deals
        for object_type in object_types:
            reader.ids([RecordRef("hubspot", object_type, query.value)])
            hits = [r for r in reader.records if r.crm == "hubspot" and r.id == query.value]
            if hits:
                return hits
    return []


def _rank(rules: Rules, record: SourceRecord, keys: IdentityKeys) -> int:
    """Which match stands for the query: live Salesforce records, HubSpot, converted leads."""
    ref = record.ref
    if ref.object_type == "Lead" and rules.fields.map(record).record.get(keys.converted) is True:
        return 3
    if ref.crm == "hubspot":
        return 2
    return 1 if ref.object_type == "Lead" else 0


def _linked_ids(
    records: Iterable[Canonical], kind: ObjectKind, keys: IdentityKeys
) -> set[RecordRef]:
    """Refs a record names: ids written back, HubSpot's Salesforce ids, a converted contact."""
    out: set[RecordRef] = set()
    for record in records:
        values = record.values
        if record.ref.crm == "salesforce":
            hs_id = id_text(values.get(keys.hubspot_id))
            if hs_id:
                out.add(RecordRef("hubspot", _HS_TYPE[kind], hs_id))
            contact = id_text(values.get(keys.converted_contact_id))
            if contact and record.ref.object_type == "Lead":
                out.add(RecordRef("salesforce", "Contact", contact))
            continue
        for name in (
            keys.salesforce_id,
            keys.salesforce_contact_id,
            keys.salesforce_lead_id,
            keys.salesforce_account_id,
        ):
            sf_id = id_text(values.get(name))
            object_type = SF_PREFIXES.get(sf_id[:3]) if sf_id else None
            if sf_id and object_type is not None:
                ref = RecordRef("salesforce", object_type, sf_id)
                if ref.kind == kind:
                    out.add(ref)
    return out


def _match_keys(records: Iterable[Canonical], kind: ObjectKind, keys: IdentityKeys) -> set[str]:
    out: set[str] = set()
    for record in records:
        if kind == "person":
            email = normalise_email(record.values.get(keys.email))
            if email:
                out.add(email)
        elif kind == "account":
            raw = record.values.get(keys.domain)
            domain = normalise_domain(raw) if isinstance(raw, str) else None
            if domain:
                out.add(domain)
    return out


def _gather(
    reader: _Reader, store: StateStore, kind: ObjectKind, keys: IdentityKeys
) -> dict[RecordRef, Canonical]:
    """Read counterparts until nothing new turns up (a few rounds at most)."""
    key = "email" if kind == "person" else "domain"
    mapped: dict[RecordRef, Canonical] = {}
    for _ in range(_ROUNDS):
        before = len(reader.records)
        mapped = {
            ref: reader.rules.fields.map(src).record
            for ref, src in reader.records.items()
            if ref.kind == kind and not src.deleted
        }
        wanted = set(store.linked_many(mapped).values()) | _linked_ids(mapped.values(), kind, keys)
        reader.ids(wanted)
        if kind != "opportunity":
            for value in sorted(_match_keys(mapped.values(), kind, keys)):
                reader.search(kind, key, value)
        if len(reader.records) == before:
            break
    return {
        ref: reader.rules.fields.map(src).record
        for ref, src in reader.records.items()
        if ref.kind == kind and not src.deleted
    }


def explain(
    query: Query,
    *,
    connectors: Mapping[Crm, FindConnector],
    rules: Rules,
    store: StateStore,
    options: SyncOptions,
    now: datetime,
    write_crms: Iterable[Crm] = (),
) -> Explanation:
    """Find the record ``query`` names and explain its mapping and alignment (writes nothing).

    Raises :class:`RecordNotFound` when no record matches."""
    summary = RunSummary(run_id="explain", job=options.job, dry_run=True, started_at=now)
    keys = IdentityKeys()
    reader = _Reader(connectors, rules, summary)
    found = _find(reader, query)
    if not found:
        raise RecordNotFound(_not_found(query))
    found.sort(key=lambda r: (_rank(rules, reader.records[r], keys), r))
    primary = found[0]
    kind = primary.kind
    notes: list[str] = []
    if reader.records[primary].deleted:
        notes.append(f"{primary} is deleted (archived) in its CRM")
    records = _gather(reader, store, kind, keys)
    if primary not in records:
        records[primary] = rules.fields.map(reader.records[primary]).record
    issues = [i for ref in records for i in rules.fields.map(reader.records[ref]).issues]
    known = store.linked_many(records)
    sf = [r for r in records.values() if r.ref.crm == "salesforce"]
    hs = [r for r in records.values() if r.ref.crm == "hubspot"]
    groups, identity = link_and_group(sf, hs, known)
    group = _group_of(primary, groups, identity, notes)
    refs = [c.ref for c in group.values()]
    (entity,) = merge_groups(store, rules, options, kind, [group])
    stage = AlignStage(store, connectors, rules, summary, now)
    stage.keep_desired = True
    previous: str | None = None
    if kind == "person":
        previous, _ = stage.previous_stage(entity)
    elif kind == "opportunity":
        stage.prepare_opportunities([entity])
    stage.align(entity)
    stored_link = next((s for s in (store.get_link(r) for r in refs) if s is not None), None)
    return Explanation(
        query=query,
        kind=kind,
        now=now,
        matches=found,
        entity=entity,
        identity=identity,
        stored_link=stored_link,
        read=sorted(reader.records),
        mapping_issues=issues,
        person=stage.people[-1] if stage.people else None,
        deal=stage.deals[-1] if stage.deals else None,
        trace=rules.funnel.trace(entity.merged, now) if kind == "person" else None,
        previous_stage=previous,
        stored_clocks=list(store.sla_clocks([entity.key]).values()),
        desired=stage.desired,
        write_crms=frozenset(write_crms),
        notes=notes,
    )


def _group_of(
    primary: RecordRef,
    groups: list[dict[Crm, Canonical]],
    identity: IdentityResult,
    notes: list[str],
) -> dict[Crm, Canonical]:
    """The entity the primary record belongs to; a converted lead is explained through its
    contact (as a sync would: the lead itself is never written)."""
    target = primary
    for conversion in identity.conversions:
        if conversion.lead == primary:
            target = conversion.contact
            notes.append(f"{primary} is a converted lead: explained through its contact {target}")
    for group in groups:
        if any(c.ref == target for c in group.values()):
            return group
    if target != primary:
        notes.append(f"the contact {target} could not be read: showing the converted lead")
    return next(g for g in groups if any(c.ref == primary for c in g.values()))


def _not_found(query: Query) -> str:
    if query.kind == "email":
        return (
            f"no record with the email {query.value} "
            "(searched Salesforce Leads and Contacts and HubSpot contacts)"
        )
    if query.kind == "salesforce_id":
        object_type = SF_PREFIXES[query.value[:3]]
        return f"no Salesforce {object_type} with the id {query.value}"
    return f"no HubSpot contact, company or deal with the id {query.value}"
