"""An :class:`~crm_bridge.jobs.explain.Explanation` as JSON-ready data (``explain --json``).

Top-level keys: ``query``, ``kind``, ``at``, ``records`` (the entity's record per CRM),
``matches``, ``link``, ``identity``, ``fields``, ``mapping_issues``, ``lifecycle``,
``persona``, ``sla``, ``opportunity``, ``alignment`` and ``notes``. Times are ISO 8601 (UTC).
The CLI's text output is drawn from the same data.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from crm_bridge.alignment.sla import SlaClock
from crm_bridge.config.fields import FieldMap
from crm_bridge.jobs.align import OpportunityAlignment, PersonAlignment, Rules
from crm_bridge.jobs.explain import Explanation
from crm_bridge.jobs.values import same_value
from crm_bridge.mapping.lifecycle import FunnelTrace, StageDecision
from crm_bridge.mapping.titles import normalise_title
from crm_bridge.mapping.transforms import step_name
from crm_bridge.model import RecordRef

_HOW = {
    "stored": "stored link (crm-bridge linked these records in an earlier run)",
    "converted": "stored link of a converted lead, moved to its contact",
    "written_id": "the other CRM's id that crm-bridge wrote back on the record",
    "hubspot_sf_property": "HubSpot's own Salesforce id property",
    "email": "the same email address (case and spaces ignored)",
    "domain": "the same company domain",
}


def plain(value: Any) -> Any:
    """A value as JSON: times as ISO 8601, tuples as lists, refs as ``crm/type/id``."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, RecordRef):
        return str(value)
    if isinstance(value, tuple | list | set | frozenset):
        return [plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    return value


def _ref(ref: RecordRef | None) -> dict[str, str] | None:
    if ref is None:
        return None
    return {"object_type": ref.object_type, "id": ref.id, "ref": str(ref)}


def transform_text(spec: FieldMap) -> str:
    """The read steps of a field: ``strip, lower`` / ``picklist lead_status`` / ``as is``."""
    parts = []
    for step in spec.transform:
        name, arg = step_name(step)
        parts.append(name if arg is None else f"{name}({arg})")
    if spec.picklist is not None:
        parts.append(f"picklist {spec.picklist}")
    if spec.type is not None:
        parts.append(f"type {spec.type}")
    return ", ".join(parts) or "as is"


def explanation_dict(exp: Explanation, rules: Rules) -> dict[str, Any]:
    """The whole explanation as one JSON-ready dictionary."""
    entity = exp.entity
    return {
        "query": {"kind": exp.query.kind, "value": exp.query.value},
        "kind": exp.kind,
        "at": exp.now.isoformat(),
        "records": {crm: _ref(entity.ref(crm)) for crm in ("salesforce", "hubspot")},
        "matches": [str(r) for r in exp.matches],
        "link": _link(exp),
        "identity": _identity(exp),
        "fields": _fields(exp, rules),
        "mapping_issues": [
            {
                "record": str(i.record),
                "field": i.field,
                "native_field": i.native_field,
                "value": plain(i.value),
                "why": i.why,
            }
            for i in exp.mapping_issues
        ],
        "lifecycle": _lifecycle(exp) if exp.person else None,
        "persona": _persona(exp.person, exp) if exp.person else None,
        "sla": _sla(exp.person, exp, rules) if exp.person else None,
        "opportunity": _deal(exp.deal) if exp.deal else None,
        "alignment": _alignment(exp, rules),
        "notes": list(exp.notes),
    }


def _link(exp: Explanation) -> dict[str, Any] | None:
    refs = {side.ref for side in exp.entity.sides.values()}
    link = next((k for k in exp.identity.links if k.salesforce in refs or k.hubspot in refs), None)
    if link is None:
        return None
    stored = exp.stored_link
    return {
        "salesforce": str(link.salesforce),
        "hubspot": str(link.hubspot),
        "method": link.method,
        "how": _HOW.get(link.method, link.method),
        "stored": None
        if stored is None
        else {
            "method": stored.method,
            "linked_at": plain(stored.linked_at),
            "salesforce": str(stored.salesforce),
            "hubspot": str(stored.hubspot),
        },
    }


def _identity(exp: Explanation) -> dict[str, Any]:
    identity = exp.identity
    refs = {side.ref for side in exp.entity.sides.values()} | set(exp.matches)
    ambiguous = [
        {
            "record": str(a.record),
            "method": a.method,
            "key": a.key,
            "candidates": [str(c) for c in a.candidates],
        }
        for a in identity.ambiguities
        if a.record in refs or refs.intersection(a.candidates)
    ]
    unlinked = None
    if len(exp.entity.sides) == 1:
        unlinked = (
            "ambiguous: several candidates, none linked"
            if ambiguous
            else "no counterpart found: no stored link, written-back id, HubSpot Salesforce "
            "id property or record with the same email/domain in the other CRM"
        )
    return {
        "unlinked_reason": unlinked,
        "ambiguous": ambiguous,
        "duplicates": [
            {"key": d.key, "records": [str(r) for r in d.records]} for d in identity.duplicates
        ],
        "conversions": [
            {"lead": str(c.lead), "contact": str(c.contact)} for c in identity.conversions
        ],
        "records_read": [str(r) for r in exp.read],
    }


def _fields(exp: Explanation, rules: Rules) -> list[dict[str, Any]]:
    entity = exp.entity
    rows: list[dict[str, Any]] = []
    for name, spec in rules.fields.config.fields_of(exp.kind).items():
        sources = []
        for crm, side in entity.sides.items():
            native = spec.native(crm, side.ref.object_type)
            if native is None:
                continue
            raw = side.source.fields.get(native) if side.source is not None else None
            sources.append(
                {
                    "crm": crm,
                    "field": f"{side.ref.object_type}.{native}",
                    "raw": plain(raw),
                    "value": plain(side.values.get(name)),
                }
            )
        if not sources:
            continue
        row: dict[str, Any] = {
            "field": name,
            "value": plain(entity.merged.values.get(name)),
            "transform": transform_text(spec),
            "sources": sources,
        }
        resolution = entity.resolutions.get(name)
        if resolution is not None:
            row["resolution"] = {"winner": resolution.winner, "reason": resolution.reason}
        rows.append(row)
    return rows


def _why_stage(decision: StageDecision, trace: FunnelTrace | None) -> str:
    reason = decision.reason
    met = ", ".join(trace.stages) if trace and trace.stages else "none"
    if reason.startswith("stage:"):
        return f"the furthest stage whose condition holds (conditions hold for: {met})"
    if reason.startswith("recycle:"):
        return f"recycle rule '{reason[8:]}' holds for a record in one of its 'from' stages"
    if reason.startswith("disqualify:"):
        return f"disqualify rule '{reason[11:]}' holds (it applies from any stage)"
    if reason.startswith("kept:"):
        return f"stages only move forward; kept the previous stage (conditions hold for: {met})"
    return reason


def _lifecycle(exp: Explanation) -> dict[str, Any]:
    assert exp.person is not None
    decision = exp.person.decision
    trace = exp.trace
    return {
        "stage": decision.stage,
        "reason": decision.reason,
        "why": _why_stage(decision, trace),
        "previous": exp.previous_stage,
        "changed": decision.changed,
        "entered_at": plain(decision.entered_at),
        "entered_from": trace.entered_from.get(decision.stage or "") if trace else None,
        "entered": plain(dict(decision.entered)),
        "conditions_met": list(trace.stages) if trace else [],
        "disqualify_rules_met": list(trace.disqualify) if trace else [],
        "recycle_rules_met": [
            {"id": rule, "from": list(trace.recycle_from.get(rule, ()))} for rule in trace.recycle
        ]
        if trace
        else [],
    }


def _persona(result: PersonAlignment, exp: Explanation) -> dict[str, Any]:
    tags = result.tags
    title = exp.entity.merged.get("title")
    return {
        "title": title,
        "normalised_title": normalise_title(title),
        "department": exp.entity.merged.get("department"),
        "function": tags.function,
        "function_rule": tags.function_rule,
        "seniority": tags.seniority,
        "seniority_rule": tags.seniority_rule,
        "persona": tags.persona,
        "persona_name": tags.persona_name,
        "buying_role": tags.buying_role,
        "buying_role_rule": tags.buying_role_rule,
        "rule": tags.rule or None,
    }


def clock_dict(clock: SlaClock) -> dict[str, Any]:
    """One SLA clock as JSON."""
    return {
        "policy": clock.policy,
        "state": clock.state,
        "started_at": plain(clock.started_at),
        "at_risk_at": plain(clock.at_risk_at),
        "due_at": plain(clock.due_at),
        "stopped_at": plain(clock.stopped_at),
        "breached_at": plain(clock.breached_at),
    }


def _sla(result: PersonAlignment, exp: Explanation, rules: Rules) -> dict[str, Any]:
    shown = result.shown_clock
    return {
        "enabled": rules.sla is not None,
        "shown": clock_dict(shown) if shown is not None else None,
        "clocks": [clock_dict(c) for c in result.clocks],
        "stored": [clock_dict(c) for c in exp.stored_clocks],
        "partner": plain(result.partner.fields()) if result.partner is not None else None,
    }


def _deal(deal: OpportunityAlignment) -> dict[str, Any]:
    out: dict[str, Any] = {"stall": None, "committee": None}
    if deal.stall is not None:
        s = deal.stall
        out["stall"] = {
            "stalled": s.stalled,
            "reason": s.reason or None,
            "stage": s.stage,
            "days_without_stage_change": s.days_without_stage_change,
            "days_without_activity": s.days_without_activity,
            "days_stalled": s.days_stalled,
            "threshold": {
                "no_stage_change_days": s.threshold.no_stage_change_days,
                "no_activity_days": s.threshold.no_activity_days,
            },
            "marketing_assist": s.marketing_assist,
        }
    if deal.committee is not None:
        c = deal.committee
        out["committee"] = {
            "coverage_pct": c.coverage_pct,
            "complete": c.complete,
            "required": plain(dict(c.required)),
            "counts": plain(dict(c.counts)),
            "missing": list(c.missing),
            "stallers": c.stallers,
            "decision_maker_engaged": c.decision_maker_engaged,
            "members": [
                {
                    "person": str(m.person),
                    "roles": list(m.roles),
                    "source": m.source,
                    "is_primary": m.is_primary,
                    "engaged": m.engaged,
                    "last_activity_at": plain(m.last_activity_at),
                }
                for m in c.members
            ],
        }
    return out


def _alignment(exp: Explanation, rules: Rules) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for desired in exp.desired:
        ref = desired.ref
        names = rules.fields.write_fields(ref.crm, ref.object_type)
        canonical = {native: name for name, native in names.items()}
        rows = []
        for native in sorted(desired.fields):
            value, reason = desired.fields[native]
            current = desired.current.get(native)
            rows.append(
                {
                    "field": native,
                    "canonical": canonical.get(native),
                    "current": plain(current),
                    "desired": plain(value),
                    "change": not same_value(current, value),
                    "reason": reason,
                }
            )
        out[ref.crm] = {
            "record": str(ref),
            "written": ref.crm in exp.write_crms,
            "changes": sum(1 for r in rows if r["change"]),
            "fields": rows,
        }
    return out
