"""The World generator: determinism, shape, and realistic variety (teams, first sales
touches, loss reasons, partner hand-overs)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from crm_bridge.sandbox import titles
from crm_bridge.sandbox.world import (
    LOSS_REASONS,
    OPPORTUNITY_STAGES,
    PARTNER_STATUSES,
    PARTNERS,
    World,
    generate_world,
)

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def world() -> World:
    return generate_world(3000, 11, NOW)


def test_deterministic_for_people_seed_now(world: World) -> None:
    assert generate_world(3000, 11, NOW) == world
    assert generate_world(3000, 12, NOW).people != world.people
    later = generate_world(3000, 11, NOW + timedelta(days=1))
    assert later.people[0].created_at != world.people[0].created_at


def test_rejects_naive_now() -> None:
    with pytest.raises(ValueError, match="UTC"):
        generate_world(10, 1, datetime(2026, 1, 1))


def test_sizes_ids_and_aware_utc_datetimes(world: World) -> None:
    originals = [p for p in world.people if p.duplicate_of is None]
    assert len(originals) == 3000
    assert len(world.companies) == 3000 // 8
    assert len(world.opportunities) == 3000 // 5
    assert len({p.id for p in world.people}) == len(world.people)
    assert len({c.domain for c in world.companies}) == len(world.companies)
    stamps = [p.created_at for p in world.people] + [o.created_at for o in world.opportunities]
    assert all(s.tzinfo is not None and s.utcoffset() == timedelta(0) for s in stamps)
    assert all(s <= NOW for s in stamps)
    company_ids = {c.id for c in world.companies}
    assert all(p.company_id in company_ids for p in world.people)
    user_ids = {u.id for u in world.users}
    assert all(c.owner_id in user_ids for c in world.companies)
    assert {u.team for u in world.users} == {"sales", "marketing", "customer_success"}


def test_every_function_and_seniority_appears_with_abbreviations_and_oddities(
    world: World,
) -> None:
    people = [p for p in world.people if p.duplicate_of is None]
    assert {p.true_function for p in people} >= set(titles.FUNCTIONS)
    assert {p.true_seniority for p in people} >= set(titles.SENIORITIES)
    cells = Counter((p.true_function, p.true_seniority) for p in people)
    assert all(cells[(f, s)] > 0 for f in titles.FUNCTIONS for s in titles.SENIORITIES)
    all_titles = {p.title for p in people}
    for token in ("VP", "SVP", "CFO", "Dir.", "Mgr", "Sr.", "Head of"):
        assert any(token in t for t in all_titles), token
    foreign = {t for rows in titles.FOREIGN_TITLES.values() for _f, _s, t in rows}
    assert len(all_titles & foreign) >= 10
    assert {"-", "n/a", ""} & all_titles
    assert len(all_titles) > 300


def test_leads_in_every_status_and_lifecycle_stages(world: World) -> None:
    sf = [p.salesforce for p in world.people if p.salesforce is not None]
    statuses = Counter(c.lead_status for c in sf if c.kind == "lead")
    assert set(statuses) == {
        "Open - Not Contacted", "Working - Contacted", "Nurture", "Closed - Converted",
        "Closed - Not Converted",
    }  # fmt: skip
    converted = [c for c in sf if c.lead_status == "Closed - Converted"]
    assert converted and all(c.converted_at is not None for c in converted)
    assert any(c.kind == "contact" for c in sf)
    stages = {p.hubspot.lifecyclestage for p in world.people if p.hubspot is not None}
    assert stages >= {"subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead",
                      "opportunity", "customer"}  # fmt: skip
    for p in world.people:
        if p.hubspot is not None:
            history = p.hubspot.lifecycle_history
            assert history[-1][0] == p.hubspot.lifecyclestage
            assert [at for _s, at in history] == sorted(at for _s, at in history)


def test_cross_crm_overlap_with_realistic_differences(world: World) -> None:
    both = [p for p in world.people if p.salesforce and p.hubspot and p.duplicate_of is None]
    assert len(both) > 300
    sf_only = [p for p in world.people if p.salesforce and not p.hubspot]
    hs_only = [p for p in world.people if p.hubspot and not p.salesforce]
    assert sf_only and hs_only
    pairs = [(p.salesforce.fields, p.hubspot.fields) for p in both]  # type: ignore[union-attr]
    case_diff = [a for a, b in pairs if a.email and b.email and a.email != b.email
                 and a.email.lower() == b.email.lower()]  # fmt: skip
    missing_phone = [a for a, b in pairs if (a.phone is None) != (b.phone is None)]
    stale = [a for a, b in pairs if a.title and b.title and a.title != b.title]
    assert len(case_diff) > 10
    assert len(missing_phone) > 10
    assert len(stale) > 10


def test_duplicates_inside_one_crm(world: World) -> None:
    by_id = {p.id: p for p in world.people}
    dups = [p for p in world.people if p.duplicate_of is not None]
    assert len(dups) > 20
    for d in dups:
        original = by_id[d.duplicate_of or ""]
        assert (d.salesforce is None) != (d.hubspot is None)
        assert d.email.lower() == original.email.lower()
        assert d.company_id == original.company_id


def test_opportunities_stages_history_stalls_and_roles(world: World) -> None:
    opps = world.opportunities
    assert {o.stage for o in opps} == set(range(len(OPPORTUNITY_STAGES)))
    for o in opps:
        assert o.stage_history[-1][0] == o.stage
        times = [at for _s, at in o.stage_history]
        assert times == sorted(times) and times[0] >= o.created_at - timedelta(seconds=1)
        assert sum(r.is_primary for r in o.contact_roles) == (1 if o.contact_roles else 0)
        assert o.in_salesforce or o.in_hubspot
    open_opps = [o for o in opps if not OPPORTUNITY_STAGES[o.stage].is_closed]
    stalled = [
        o for o in open_opps
        if NOW - o.last_stage_change_at > timedelta(days=59)
        and o.last_activity_at is not None and NOW - o.last_activity_at > timedelta(days=44)
    ]  # fmt: skip
    assert 0.1 < len(stalled) / len(open_opps) < 0.4
    roles = Counter(r.role for o in opps for r in o.contact_roles)
    assert set(roles) == {"Decision Maker", "Economic Buyer", "Technical Buyer", "Evaluator",
                          "Executive Sponsor", "Influencer", "Other"}  # fmt: skip
    by_id = {p.id: p for p in world.people}
    assert all(by_id[r.person_id].company_id == o.company_id
               for o in opps for r in o.contact_roles)  # fmt: skip


def test_teams_own_what_they_work(world: World) -> None:
    users = {u.id: u for u in world.users}
    assert {u.department for u in world.users} == {
        "SDR East", "SDR West", "AE Enterprise", "AE Mid-Market", "Partner desk", "Marketing",
        "Customer Success",
    }  # fmt: skip
    assert all(users[c.owner_id].department.startswith("AE ") for c in world.companies)
    leads = [p for p in world.people if p.duplicate_of is None and p.salesforce is None]
    owners = Counter(users[p.owner_id].department for p in leads)
    assert set(owners) == {"SDR East", "SDR West", "Partner desk"}


def test_first_sales_touch_follows_the_mql_date(world: World) -> None:
    mqls = [p for p in world.people if p.mql_at is not None]
    touched = [p for p in mqls if p.first_sales_touch_at is not None]
    assert 0.75 < len(touched) / len(mqls) < 0.95
    hours = sorted(
        (p.first_sales_touch_at - p.mql_at).total_seconds() / 3600  # type: ignore[operator]
        for p in touched
    )
    assert all(h >= 0 for h in hours) and 1 < hours[len(hours) // 2] < 12
    for p in touched:
        assert p.last_activity_at is not None and p.last_activity_at >= p.first_sales_touch_at  # type: ignore[operator]
        if p.hubspot is not None and p.hubspot.lifecyclestage == "marketingqualifiedlead":
            assert dict(p.hubspot.lifecycle_history)["marketingqualifiedlead"] == p.mql_at


def test_lost_deals_have_loss_reasons_and_some_leads_go_to_partners(world: World) -> None:
    lost = [o for o in world.opportunities if o.stage == 6]
    reasons = Counter(o.loss_reason for o in lost)
    assert set(reasons) == {r.key for r in LOSS_REASONS} | {None}
    assert 0.2 < reasons["no_decision"] / len(lost) < 0.45 and reasons[None] < len(lost) / 5
    assert all(o.loss_reason is None for o in world.opportunities if o.stage != 6)
    users = {u.id: u for u in world.users}
    partnered = [p for p in world.people if p.partner is not None]
    assert 0.04 < len(partnered) / len(world.people) < 0.06
    assert {p.partner.status for p in partnered} == {*PARTNER_STATUSES} - {"Lost"} | {None}  # type: ignore[union-attr]
    for p in partnered:
        h = p.partner
        assert h is not None and h.partner in PARTNERS and h.handed_at <= NOW
        assert (h.status is None) == (h.status_at is None)
        assert h.status_at is None or h.handed_at <= h.status_at <= NOW
        assert users[p.owner_id].department == "Partner desk" and p.duplicate_of is None
        assert p.salesforce is None or p.salesforce.converted_at is None
