"""Fill a `HubSpotStore` from the CRM-neutral `World`: owners (with their teams), the portal's
custom partner properties, companies, contacts (first sales engagement, partner hand-over),
deals (closed-lost reason, Salesforce opportunity id where HubSpot's Salesforce integration
synced the deal) and links."""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

from crm_bridge.sandbox.world import (
    OPPORTUNITY_STAGES,
    PARTNER_STATUSES,
    Company,
    Opportunity,
    Person,
    World,
    loss_reason,
)

from .owners import Owner
from .properties import GROUPS, Option, PropertyDef
from .store import HubSpotStore
from .timeutil import iso

OWNER_BASE = 70_000_000
SYNCED_DEALS_PERCENT = 85
DEAL_TYPES = {"new business": "newbusiness", "existing business": "existingbusiness"}


def _extend_options(store: HubSpotStore, obj: str, name: str, values: dict[str, str]) -> None:
    """Add enumeration options the World uses (value -> label) that the portal lacks."""
    prop = store.props[obj][name]
    known = {o.value for o in prop.options}
    extra = [
        Option(label, value, len(known) + i)
        for i, (value, label) in enumerate(sorted(values.items()))
        if value not in known
    ]
    if extra:
        store.props[obj][name] = replace(prop, options=prop.options + tuple(extra))


def _owners(store: HubSpotStore, world: World) -> dict[str, str]:
    ids: dict[str, str] = {}
    for i, user in enumerate(world.users):
        oid = OWNER_BASE + i + 1
        team = user.department
        store.owners[oid] = Owner(
            oid,
            user.email,
            user.first_name,
            user.last_name,
            9_000_000 + i + 1,
            (team,),
            world.now - timedelta(days=730),
        )
        ids[user.id] = str(oid)
    labels = {ids[u.id]: f"{u.first_name} {u.last_name}" for u in world.users}
    for obj in ("contacts", "companies", "deals"):
        _extend_options(store, obj, "hubspot_owner_id", labels)
    return ids


def _custom_properties(store: HubSpotStore, now: datetime) -> None:
    """The contact properties this portal's admin created for partner hand-overs."""
    group = GROUPS["contacts"]
    options = tuple(Option(v, v, i) for i, v in enumerate(PARTNER_STATUSES))
    for name, label, type_, field_type, opts in (
        ("partner_name", "Partner", "string", "text", ()),
        ("partner_handoff_date", "Partner hand-off date", "datetime", "date", ()),
        ("partner_status", "Partner status", "enumeration", "select", options),
        ("partner_status_date", "Partner status date", "datetime", "date", ()),
    ):
        store.add_property(
            "contacts",
            PropertyDef(name, label, type_, field_type, group, options=opts,
                        hubspot_defined=False, created_at=now, updated_at=now),
        )  # fmt: skip


def _company(store: HubSpotStore, c: Company, owners: dict[str, str]) -> int:
    props = {
        "name": c.name, "domain": c.domain, "industry": c.industry, "numberofemployees": str(c.employees),
        "annualrevenue": str(c.annual_revenue), "country": c.country, "city": c.city, "phone": c.phone,
        "hubspot_owner_id": owners.get(c.owner_id, ""), "state": c.state or "",
    }  # fmt: skip
    rec = store.insert_raw(
        "companies", {k: v for k, v in props.items() if v}, c.created_at, c.created_at
    )
    return rec.id


def _contact(store: HubSpotStore, p: Person, owners: dict[str, str], company_id: int | None) -> int:
    hs = p.hubspot
    assert hs is not None
    f = hs.fields
    props = {
        "firstname": f.first_name, "lastname": f.last_name, "email": f.email, "jobtitle": f.title,
        "department": f.department, "phone": f.phone, "company": f.company_name,
        "hubspotscore": None if f.lead_score is None else str(f.lead_score), "lifecyclestage": hs.lifecyclestage,
        "hs_lead_status": hs.lead_status, "hubspot_owner_id": owners.get(p.owner_id), "hs_analytics_source": p.analytics_source,
        "notes_last_updated": iso(p.last_activity_at) if p.last_activity_at else None,
        "hs_last_activity_date": iso(p.last_activity_at) if p.last_activity_at else None,
        "hs_sa_first_engagement_date": iso(p.first_sales_touch_at) if p.first_sales_touch_at else None,
        "hs_first_outreach_date": iso(p.first_sales_touch_at) if p.first_sales_touch_at else None,
    }  # fmt: skip
    if company_id is not None:
        props["associatedcompanyid"] = str(company_id)
    if p.partner is not None:
        h = p.partner
        props.update(partner_name=h.partner, partner_handoff_date=iso(h.handed_at), partner_status=h.status,
                     partner_status_date=iso(h.status_at) if h.status_at else None)  # fmt: skip
    clean = {k: v for k, v in props.items() if v}
    for stage, entered in hs.lifecycle_history:
        clean[f"hs_v2_date_entered_{stage}"] = iso(entered)
    return store.insert_raw("contacts", clean, p.created_at, max(hs.modified_at, p.created_at)).id


def _deal(
    store: HubSpotStore, o: Opportunity, owners: dict[str, str], salesforce_id: str | None
) -> int:
    stage = OPPORTUNITY_STAGES[o.stage]
    props = {
        "dealname": o.name, "amount": str(o.amount), "pipeline": "default", "dealstage": stage.hubspot,
        "closedate": iso(datetime.combine(o.close_date, time(), UTC)), "hubspot_owner_id": owners.get(o.owner_id, ""),
        "hs_is_closed": "true" if stage.is_closed else "false", "hs_is_closed_won": "true" if stage.is_won else "false",
        "dealtype": DEAL_TYPES.get(o.type.lower(), ""),
    }  # fmt: skip
    if o.last_activity_at:
        props["notes_last_updated"] = props["hs_last_activity_date"] = iso(o.last_activity_at)
    reason = loss_reason(o.loss_reason)
    if reason is not None:
        props["closed_lost_reason"] = reason.hubspot
    if salesforce_id is not None:
        props["salesforceopportunityid"] = salesforce_id
    for idx, entered in o.stage_history:
        sid = OPPORTUNITY_STAGES[idx].hubspot
        props[f"hs_date_entered_{sid}"] = props[f"hs_v2_date_entered_{sid}"] = iso(entered)
    changes = [o.created_at, *(t for _, t in o.stage_history)]
    if o.last_activity_at:
        changes.append(o.last_activity_at)
    modified = max(changes)
    return store.insert_raw(
        "deals", {k: v for k, v in props.items() if v}, o.created_at, modified
    ).id


def synced_by_integration(world_id: str) -> bool:
    """Whether HubSpot's own Salesforce integration synced this deal (about 85 % of the deals
    in both CRMs; the rest sit in a pipeline it does not sync). Stable per World id."""
    return zlib.crc32(world_id.encode()) % 100 < SYNCED_DEALS_PERCENT


def seed_store(
    store: HubSpotStore, world: World, salesforce_deal_ids: Mapping[str, str] | None = None
) -> None:
    """Add the World's HubSpot side to the store (call on an empty store).

    ``salesforce_deal_ids`` (World id -> Salesforce id) sets ``salesforceopportunityid`` on
    the deals HubSpot's Salesforce integration would have synced.
    """
    sf_ids = salesforce_deal_ids or {}
    owners = _owners(store, world)
    _custom_properties(store, world.now - timedelta(days=365))
    _extend_options(
        store,
        "companies",
        "industry",
        {c.industry: c.industry for c in world.companies if c.in_hubspot},
    )
    _extend_options(
        store,
        "contacts",
        "hs_analytics_source",
        {p.analytics_source: p.analytics_source for p in world.people if p.hubspot},
    )
    companies = {c.id: _company(store, c, owners) for c in world.companies if c.in_hubspot}
    contacts: dict[str, int] = {}
    for p in world.people:
        if p.hubspot is None:
            continue
        co = companies.get(p.company_id)
        cid = contacts[p.id] = _contact(store, p, owners, co)
        if co is not None:
            store.assoc.add("contacts", cid, "companies", co, [("HUBSPOT_DEFINED", 1)])
    for o in world.opportunities:
        if not o.in_hubspot:
            continue
        sf_id = sf_ids.get(o.id) if synced_by_integration(o.id) else None
        did = _deal(store, o, owners, sf_id)
        co = companies.get(o.company_id)
        if co is not None:
            store.assoc.add("deals", did, "companies", co, [("HUBSPOT_DEFINED", 5)])
        for role in o.contact_roles:
            pid = contacts.get(role.person_id)
            if pid is None:
                continue
            specs = (
                []
                if role.role == "Other"
                else [("USER_DEFINED", store.assoc.create_label("deals", "contacts", role.role))]
            )
            store.assoc.add("deals", did, "contacts", pid, specs)
    store.epoch += 1
