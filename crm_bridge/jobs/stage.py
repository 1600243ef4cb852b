"""Per-run alignment state: previous stages and clocks in, desired field values out.

:class:`AlignStage` is used by :func:`crm_bridge.jobs.sync.run_sync` for one run. It remembers
what one kind's alignment tells the next (people's buying roles and activity for the committee
of their deals), loads the persisted SLA clocks, turns each entity's alignment into
:class:`~crm_bridge.jobs.diff.Desired` values per CRM record, and persists the new clocks.
Stalls are clocks too (policy ``stall``), so a deal that goes quiet is found by time alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta

from crm_bridge.alignment.sla import SlaClock
from crm_bridge.alignment.stalls import StallResult
from crm_bridge.jobs.align import (
    OpportunityAlignment,
    PersonAlignment,
    Rules,
    activity_time,
    align_opportunity,
    align_person,
)
from crm_bridge.jobs.diff import Desired, diff
from crm_bridge.jobs.entities import Entity, Merged
from crm_bridge.jobs.pull import SyncConnector, fetch
from crm_bridge.jobs.summary import RunSummary
from crm_bridge.mapping.compile import as_datetime
from crm_bridge.model import (
    BuyingRole,
    ContactRole,
    Crm,
    FieldChange,
    RecordRef,
    SourceRecord,
    Value,
)
from crm_bridge.state.store import StateStore

STALL_POLICY = "stall"
_FAR = timedelta(days=3650)


class AlignStage:
    """Alignment of one run, kind after kind."""

    def __init__(
        self,
        store: StateStore,
        connectors: Mapping[Crm, SyncConnector],
        rules: Rules,
        summary: RunSummary,
        now: datetime,
    ) -> None:
        self.store = store
        self.connectors = connectors
        self.rules = rules
        self.summary = summary
        self.now = now
        self.roles: dict[RecordRef, BuyingRole | None] = {}
        self.activity: dict[RecordRef, datetime | None] = {}
        self.contact_roles: dict[RecordRef, list[ContactRole]] = {}
        self.clocks: list[SlaClock] = []
        #: keep every aligned person/deal (the report and explain need them; a sync does not,
        #: and memory then stays proportional to one batch of changes, not to every record)
        self.keep_records = True
        self.people: list[PersonAlignment] = []
        self.deals: list[OpportunityAlignment] = []
        #: each aligned person/deal with its merged canonical record (what the report needs)
        self.person_records: list[tuple[Merged, PersonAlignment]] = []
        self.deal_records: list[tuple[Merged, OpportunityAlignment]] = []
        self.breaches = 0
        self.at_risk = 0
        self.stalled = 0
        #: when set, every record's desired values (changed or not) are kept in ``desired``
        #: (``crm-bridge explain`` shows them beside the current values)
        self.keep_desired = False
        self._clock_cache: dict[RecordRef, dict[str, SlaClock]] | None = None
        self.desired: list[Desired] = []

    # -- time-triggered work -------------------------------------------------------------
    def due_refs(self, now: datetime) -> list[RecordRef]:
        """Records whose open SLA or stall clock reaches a threshold by ``now``."""
        due: list[RecordRef] = []
        for clock in self.store.iter_sla_clocks(states=("on_track", "at_risk")):
            threshold = clock.at_risk_at if clock.state == "on_track" else clock.due_at
            if threshold <= now:
                due.append(clock.ref)
        return due

    def prefetch_clocks(self, entities: Sequence[Entity]) -> None:
        """Read the stored SLA clocks of ``entities`` in bulk (a few queries instead of one per
        person); :meth:`align` then uses them."""
        cache: dict[RecordRef, dict[str, SlaClock]] = {e.key: {} for e in entities}
        for (ref, policy), clock in self.store.sla_clocks(list(cache)).items():
            cache.setdefault(ref, {})[policy] = clock
        self._clock_cache = cache

    # -- opportunities need their committees ---------------------------------------------
    def prepare_opportunities(self, entities: Sequence[Entity]) -> None:
        """Read the contact roles of these deals and the people on them not yet aligned."""
        ids: dict[Crm, list[str]] = {}
        for entity in entities:
            for crm, side in entity.sides.items():
                ids.setdefault(crm, []).append(side.ref.id)
        people: set[RecordRef] = set()
        for crm, opp_ids in ids.items():
            for role in self.connectors[crm].read_contact_roles(sorted(opp_ids)):
                self.contact_roles.setdefault(role.opportunity, []).append(role)
                people.add(role.person)
        missing = [p for p in people if p not in self.roles]
        found: dict[RecordRef, SourceRecord] = {}
        fetch(self.connectors, self.rules, missing, found, self.summary)
        for ref, source in found.items():
            record = self.rules.fields.map(source).record
            tags = self.rules.personas.classify(record.get("title"), record.get("department"))
            self.roles[ref] = tags.buying_role  # type: ignore[assignment]
            self.activity[ref] = activity_time(record.get("last_activity_at"))

    # -- one entity ----------------------------------------------------------------------
    def align(self, entity: Entity) -> list[FieldChange]:
        """Alignment of one entity as field changes for each of its CRM records."""
        values: dict[str, Value] = {}
        reasons: dict[str, str] = {}
        if entity.kind == "person":
            result = self._person(entity)
            values.update(result.values)
            reasons.update(dict.fromkeys(result.values, f"lifecycle {result.decision.reason}"))
            for name in ("function", "seniority", "persona", "buying_role", "persona_rule"):
                reasons[name] = f"persona rules {result.tags.rule or 'no rule matched'}"
            shown = result.shown_clock
            if shown is not None:
                for name in values:
                    if name.startswith(("sla_", "partner_")):
                        reasons[name] = f"SLA {shown.policy}: {shown.state}"
        elif entity.kind == "opportunity":
            deal = self._opportunity(entity)
            values.update(deal.values)
            if deal.stall is not None:
                why = deal.stall.reason or "not stalled"
                reasons.update({k: f"stall check: {why}" for k in deal.stall.fields()})
            reasons.update(
                {k: "committee coverage" for k in values if k.startswith(("committee", "decision"))}
            )
        return self._desired(entity, values, reasons)

    def previous_stage(self, entity: Entity) -> tuple[str | None, dict[str, datetime]]:
        """The stage crm-bridge wrote last (furthest of the two CRMs; outcome stages such as
        ``recycled`` rank after the funnel) and when it was entered."""
        best: str | None = None
        entered: dict[str, datetime] = {}
        order = self.rules.funnel.order

        def rank(stage: str) -> int:
            return order.get(stage, len(order))

        for side in entity.sides.values():
            names = self.rules.fields.write_fields(side.ref.crm, side.ref.object_type)
            raw = side.source.fields if side.source is not None else {}
            stage = raw.get(names.get("lifecycle_stage", ""))
            if not isinstance(stage, str) or not stage:
                continue
            at = as_datetime(raw.get(names.get("lifecycle_stage_entered_at", "")))
            if best is None or rank(stage) > rank(best):
                best = stage
            if at is not None and (stage not in entered or at < entered[stage]):
                entered[stage] = at
        return best, entered

    def _person(self, entity: Entity) -> PersonAlignment:
        previous, entered = self.previous_stage(entity)
        if self._clock_cache is not None:
            clocks = dict(self._clock_cache.get(entity.key, {}))
        else:
            stored = self.store.sla_clocks([entity.key])
            clocks = {policy: c for (_, policy), c in stored.items()}
        result = align_person(
            self.rules,
            entity.merged,
            self.now,
            previous_stage=previous,
            entered=entered,
            previous_clocks=clocks,
        )
        role: BuyingRole | None = result.tags.buying_role  # type: ignore[assignment]
        last = activity_time(entity.merged.get("last_activity_at"))
        for side in entity.sides.values():
            self.roles[side.ref] = role
            self.activity[side.ref] = last
        self.clocks.extend(result.clocks)
        shown = result.shown_clock
        if shown is not None:
            self.breaches += shown.state == "breached"
            self.at_risk += shown.state == "at_risk"
        if self.keep_records:
            self.people.append(result)
            self.person_records.append((entity.merged, result))
        return result

    def _opportunity(self, entity: Entity) -> OpportunityAlignment:
        roles: list[ContactRole] = []
        for side in entity.sides.values():
            for role in self.contact_roles.get(side.ref, []):
                roles.append(ContactRole(entity.key, role.person, role.role, role.is_primary))
        result = align_opportunity(
            self.rules,
            entity.merged,
            self.now,
            contact_roles=roles,
            persona_roles=self.roles,
            last_activity=self.activity,
        )
        if result.stall is not None:
            self.stalled += result.stall.stalled
            self.clocks.append(self._stall_clock(entity, result.stall))
        if self.keep_records:
            self.deals.append(result)
            self.deal_records.append((entity.merged, result))
        return result

    def _stall_clock(self, entity: Entity, stall: StallResult) -> SlaClock:
        record = entity.merged
        entered = as_datetime(record.get("stage_entered_at")) or as_datetime(
            record.get("created_at")
        )
        start = entered or self.now
        last = activity_time(record.get("last_activity_at")) or start
        t = stall.threshold
        stall_at = max(
            start + timedelta(days=t.no_stage_change_days),
            last + timedelta(days=t.no_activity_days),
        )
        if bool(record.get("is_closed")):
            state, stall_at = "met", min(stall_at, self.now)
        elif stall.stalled:
            state = "breached"
        else:
            state = "on_track"
        return SlaClock(
            ref=entity.key,
            policy=STALL_POLICY,
            started_at=start.astimezone(UTC),
            due_at=stall_at.astimezone(UTC),
            at_risk_at=stall_at.astimezone(UTC),
            stopped_at=self.now if state == "met" else None,
            state=state,  # type: ignore[arg-type]
            breached_at=stall_at.astimezone(UTC) if state == "breached" else None,
        )

    def _desired(
        self, entity: Entity, values: Mapping[str, Value], reasons: Mapping[str, str]
    ) -> list[FieldChange]:
        changes: list[FieldChange] = []
        stage = values.get("lifecycle_stage")
        for crm, side in entity.sides.items():
            current = side.source.fields if side.source is not None else {}
            desired = Desired(side.ref, current)
            mine = dict(values)
            other = entity.ref("hubspot" if crm == "salesforce" else "salesforce")
            if other is not None:
                mine["hubspot_id" if crm == "salesforce" else "salesforce_id"] = other.id
            update = self.rules.fields.alignment_update(side.ref, mine)
            names = self.rules.fields.write_fields(crm, side.ref.object_type)
            canonical = {native: name for name, native in names.items()}
            for native, value in update.fields.items():
                name = canonical.get(native, native)
                desired.want(native, value, reasons.get(name, f"{name} link"))
            if isinstance(stage, str):
                for native, value in self.rules.funnel.crm_values(
                    stage, crm, side.ref.object_type
                ).items():
                    desired.want(native, value, f"lifecycle stage {stage}")
            for name, resolution in entity.resolutions.items():
                if resolution.winner is None or resolution.winner == crm:
                    continue
                native_values = self.rules.fields.to_native(
                    crm, side.ref.object_type, {name: resolution.value}
                )
                for native, value in native_values.items():
                    desired.want(native, value, resolution.reason)
            if self.keep_desired:
                self.desired.append(desired)
            changes.extend(diff(desired))
        return changes

    def persist(self, *, new_links: bool) -> None:
        """Store the clocks computed in this run."""
        if self.clocks:
            self.store.upsert_sla_clocks(self.clocks)


def iter_refs(entities: Iterable[Entity]) -> list[RecordRef]:
    """Every CRM ref of ``entities``."""
    return [side.ref for e in entities for side in e.sides.values()]
