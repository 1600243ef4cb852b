"""Opportunities for the sandbox World: stages with history, activity (some stalled), roles."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from crm_bridge.sandbox.world import (
    LOSS_REASONS,
    OPPORTUNITY_STAGES,
    Company,
    ContactRole,
    ContactRoleName,
    Opportunity,
    Person,
)

WON, LOST = 5, 6
DEAL_KINDS = ("New Business", "New Business", "Existing Business - Upgrade",
              "Existing Business - Renewal")  # fmt: skip
PRODUCTS = ("Platform", "Analytics Suite", "Enterprise License", "Pilot", "Expansion",
            "Renewal", "Professional Services", "Add-on Seats", "Integration Pack")  # fmt: skip
ROLES_BY_SENIORITY: dict[str, tuple[ContactRoleName, ...]] = {
    "c_level": ("Economic Buyer", "Executive Sponsor", "Decision Maker"),
    "vp": ("Decision Maker", "Economic Buyer", "Executive Sponsor", "Influencer"),
    "director": ("Decision Maker", "Technical Buyer", "Influencer", "Evaluator"),
    "manager": ("Evaluator", "Technical Buyer", "Influencer", "Other"),
    "individual_contributor": ("Evaluator", "Influencer", "Other"),
    "unknown": ("Other", "Influencer"),
}


def _sf_contact(p: Person) -> bool:
    sf = p.salesforce
    return sf is not None and (sf.kind == "contact" or sf.converted_at is not None)


def generate_opportunities(
    rng: random.Random,
    now: datetime,
    n: int,
    companies: tuple[Company, ...],
    people: list[Person],
) -> tuple[Opportunity, ...]:
    """``n`` deals on companies that have people; roles prefer people present in the deal's CRMs.

    About a fifth of the open deals are stalled: their last stage change is 60-240 days old
    and their last activity 45-180 days old. Most lost deals have a loss reason.
    """
    by_company: dict[str, list[Person]] = {}
    for p in people:
        if p.duplicate_of is None:
            by_company.setdefault(p.company_id, []).append(p)
    with_people = [c for c in companies if c.id in by_company]
    if not with_people:
        return ()
    out = []
    for i in range(n):
        co = rng.choice(with_people)
        r = rng.random()
        if co.in_salesforce and co.in_hubspot:
            in_sf, in_hs = r < 0.9, r >= 0.2
        else:
            in_sf, in_hs = co.in_salesforce, co.in_hubspot
        stage_roll = rng.random()
        stage = WON if stage_roll < 0.25 else LOST if stage_roll < 0.45 else rng.randrange(5)
        stalled = stage < WON and rng.random() < 0.2
        created = now - timedelta(seconds=rng.randrange(20 * 86_400, 720 * 86_400))
        if stalled:
            last_change = now - timedelta(days=rng.uniform(60, 240))
            last_change = max(last_change, created)
            activity = now - timedelta(days=rng.uniform(45, 180))
        else:
            last_change = created + (now - created) * rng.uniform(0.3, 1.0)
            activity = now - timedelta(days=rng.uniform(0, 14))
        path = list(range(stage + 1)) if stage < WON else [*list(range(rng.randrange(1, 5))), stage]
        history: list[tuple[int, datetime]] = []
        span = (last_change - created) / max(1, len(path) - 1)
        for k, s in enumerate(path):
            at = created + span * k if k < len(path) - 1 else last_change
            history.append((s, at.replace(microsecond=0)))
        if stage >= WON:
            activity = min(activity, last_change + timedelta(days=rng.uniform(0, 30)))
            close = last_change.date()
        else:
            close = (now + timedelta(days=rng.uniform(-30 if stalled else 7, 180))).date()
        amount = int(round(co.employees**0.5 * rng.uniform(800, 4000), -2)) + 5_000
        out.append(
            Opportunity(
                id=f"o{i + 1:06d}",
                name=f"{co.name} - {rng.choice(PRODUCTS)}",
                company_id=co.id,
                owner_id=co.owner_id,
                amount=amount,
                stage=stage,
                close_date=close,
                created_at=created.replace(microsecond=0),
                stage_history=tuple(history),
                last_activity_at=None
                if rng.random() < 0.05
                else min(now, activity.replace(microsecond=0)),
                contact_roles=_roles(rng, by_company[co.id], in_sf, in_hs),
                lead_source=rng.choice(
                    ("Web", "Partner Referral", "Trade Show", "Webinar", "Other")
                ),
                type=rng.choice(DEAL_KINDS),
                in_salesforce=in_sf,
                in_hubspot=in_hs,
                loss_reason=_loss_reason(rng) if stage == LOST else None,
            )
        )
    assert all(0 <= o.stage < len(OPPORTUNITY_STAGES) for o in out[:1])
    return tuple(out)


def _loss_reason(rng: random.Random) -> str | None:
    """A weighted `LOSS_REASONS` key; one lost deal in twelve has none (the rep skipped it)."""
    if rng.random() < 1 / 12:
        return None
    return rng.choices(LOSS_REASONS, weights=[r.weight for r in LOSS_REASONS])[0].key


def _roles(
    rng: random.Random, staff: list[Person], in_sf: bool, in_hs: bool
) -> tuple[ContactRole, ...]:
    present = [
        p for p in staff if (in_sf and _sf_contact(p)) or (in_hs and p.hubspot is not None)
    ] or staff
    k = min(len(present), rng.choice((0, 1, 1, 2, 2, 3, 3, 4, 5)))
    if k == 0:
        return ()
    chosen = rng.sample(present, k)
    primary = rng.randrange(k)
    return tuple(
        ContactRole(
            p.id, rng.choice(ROLES_BY_SENIORITY.get(p.true_seniority, ("Other",))), j == primary
        )
        for j, p in enumerate(chosen)
    )
