"""Seed the Salesforce store from a generated `World` (Salesforce copies of people only)."""

from __future__ import annotations

from crm_bridge.sandbox.world import OPPORTUNITY_STAGES, Person, World, loss_reason

from .seed_records import AccountSeed, OpportunitySeed, PersonSeed, UserSeed, seed_records
from .store import SalesforceStore


def _rating(score: int | None) -> str | None:
    if score is None:
        return None
    return "Hot" if score >= 80 else "Warm" if score >= 50 else "Cold"


def _person(p: Person, world_accounts: dict[str, AccountSeed]) -> PersonSeed | None:
    copy = p.salesforce
    if copy is None:
        return None
    f = copy.fields
    account = world_accounts.get(p.company_id)
    return PersonSeed(
        key=p.id,
        last_name=f.last_name,
        created_at=p.created_at,
        as_lead=copy.kind == "lead",
        first_name=f.first_name,
        email=f.email,
        title=f.title,
        department=f.department,
        phone=f.phone,
        company_name=f.company_name,
        account_key=account.key if account else None,
        lead_source=p.lead_source,
        lead_score=float(f.lead_score) if f.lead_score is not None else None,
        lead_status=copy.lead_status,
        rating=_rating(f.lead_score),
        industry=account.industry if account else None,
        employees=account.employees if account else None,
        converted_at=copy.converted_at,
        last_activity_at=p.last_activity_at,
        modified_at=copy.modified_at,
        owner_key=p.owner_id,
        first_activity_at=p.first_sales_touch_at,
        partner=p.partner.partner if p.partner else None,
        partner_handed_at=p.partner.handed_at if p.partner else None,
        partner_status=p.partner.status if p.partner else None,
        partner_status_at=p.partner.status_at if p.partner else None,
    )


def seed_store(store: SalesforceStore, world: World) -> dict[str, str]:
    """Insert the World's Salesforce records into a freshly reset store; returns the
    Salesforce id of each opportunity by its World id."""
    users = [
        UserSeed(
            u.id,
            u.first_name,
            u.last_name,
            u.email,
            title=u.title,
            department=u.department,
            active=u.active,
        )
        for u in world.users
    ]
    accounts = {
        c.id: AccountSeed(
            c.id,
            c.name,
            c.created_at,
            website=c.domain,
            industry=c.industry,
            employees=c.employees,
            annual_revenue=float(c.annual_revenue),
            country=c.country,
            state=c.state,
            city=c.city,
            owner_key=c.owner_id,
        )
        for c in world.companies
        if c.in_salesforce
    }
    people = [seed for p in world.people if (seed := _person(p, accounts)) is not None]
    opportunities = []
    for o in world.opportunities:
        if not o.in_salesforce:
            continue
        stage = OPPORTUNITY_STAGES[o.stage]
        reason = loss_reason(o.loss_reason)
        opportunities.append(
            OpportunitySeed(
                key=o.id,
                name=o.name,
                stage=stage.salesforce,
                close_date=o.close_date,
                created_at=o.created_at,
                account_key=o.company_id if o.company_id in accounts else None,
                amount=float(o.amount),
                stage_history=tuple(
                    (OPPORTUNITY_STAGES[i].salesforce, at) for i, at in o.stage_history
                ),
                last_activity_at=o.last_activity_at,
                owner_key=o.owner_id,
                lead_source=o.lead_source,
                type=o.type,
                probability=stage.probability * 100,
                roles=tuple((r.person_id, r.role, r.is_primary) for r in o.contact_roles),
                loss_reason=reason.salesforce if reason else None,
            )
        )
    return seed_records(store, world.now, users, list(accounts.values()), people, opportunities)
