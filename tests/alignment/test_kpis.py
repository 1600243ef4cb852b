"""KPIs against a small hand-computed data set (numbers worked out in the comments)."""

from datetime import UTC, datetime, timedelta

from crm_bridge.alignment.committee import CommitteeResult
from crm_bridge.alignment.kpi_inputs import DealFacts, LeadFacts, Owner, deal_facts, lead_facts
from crm_bridge.alignment.kpis import (
    DealValue,
    funnel,
    lost_to_no_decision,
    marketing_contribution,
    open_breaches,
    partner_outcomes,
    pipeline_coverage,
    sla_compliance,
    speed_to_lead,
    stalled_pipeline,
)
from crm_bridge.alignment.sla import SlaClock
from crm_bridge.alignment.stalls import detect_stall
from crm_bridge.config.alignment import StallConfig
from crm_bridge.model import Opportunity, Person, RecordRef

T = datetime(2026, 6, 1, 14, tzinfo=UTC)
H = timedelta(hours=1)
M = timedelta(minutes=1)


def ref(kind: str, n: str) -> RecordRef:
    return RecordRef("salesforce", kind, n)


def lead(n: str, *stages: str) -> LeadFacts:
    return LeadFacts(ref=ref("Lead", n), stages={s: T for s in stages})


ORDER = ["lead", "mql", "sal", "sql", "opportunity", "customer"]


def test_funnel_counts_and_conversion() -> None:
    leads = [
        lead("1", "lead", "mql", "sal", "sql"),
        lead("2", "mql"),  # jumped in at MQL: counts for lead too
        lead("3", "lead"),
        lead("4", "customer"),
        lead("5", "recycled", "mql"),  # recycled is not in the order
    ]
    f = funnel(leads, ORDER)
    # lead 5, mql 4, sal 2, sql 2, opportunity 1, customer 1
    assert [s.count for s in f.steps] == [5, 4, 2, 2, 1, 1]
    assert [s.conversion_pct for s in f.steps] == [None, 80.0, 50.0, 100.0, 50.0, 100.0]
    assert f.overall_pct == 20.0
    assert funnel([], ORDER).overall_pct is None


def clock(n: str, state: str, hours: float | None, policy: str = "mql_first_contact") -> SlaClock:
    started = T
    return SlaClock(
        ref=ref("Lead", n),
        policy=policy,
        started_at=started,
        due_at=started + 4 * H,
        at_risk_at=started + 3 * H,
        stopped_at=None if hours is None else started + timedelta(hours=hours),
        state=state,  # type: ignore[arg-type]
        breached_at=started + 4 * H if state in ("breached", "met_late") else None,
    )


CLOCKS = [
    clock("A", "met", 0.5),
    clock("B", "met", 1),
    clock("C", "met_late", 5),
    clock("D", "breached", None),
    clock("E", "met", 2),
    clock("F", "on_track", None),
    clock("A", "met_late", 3, policy="sal_qualification"),
]
OWNERS = {
    ref("Lead", "A"): Owner("alice", "east"),
    ref("Lead", "B"): Owner("alice", "east"),
    ref("Lead", "C"): Owner("bob", "west"),
    ref("Lead", "D"): Owner("bob", "west"),
    ref("Lead", "F"): Owner("carol", "east"),
}


def test_speed_to_lead_median_and_p90() -> None:
    s = speed_to_lead(CLOCKS, OWNERS, "mql_first_contact")
    # stopped: 30m, 1h, 2h, 5h -> median 1h30, p90 (nearest rank 4 of 4) 5h
    assert (s.overall.count, s.overall.median, s.overall.p90) == (4, 90 * M, 5 * H)
    assert (s.by_team["east"].median, s.by_team["east"].p90) == (45 * M, H)
    assert (s.by_team["west"].median, s.by_team["west"].p90) == (5 * H, 5 * H)
    assert s.by_team["(unassigned)"].count == 1
    assert s.by_owner["alice"].count == 2 and "carol" not in s.by_owner


def test_sla_compliance_and_open_breaches() -> None:
    c = sla_compliance(CLOCKS, OWNERS, "mql_first_contact")
    # met 3 (A, B, E), late 1 (C), breached 1 (D); F still running is not counted
    o = c.overall
    assert (o.met, o.met_late, o.breached, o.compliance_pct) == (3, 1, 1, 60.0)
    assert c.by_team["east"].compliance_pct == 100.0
    assert c.by_team["west"].compliance_pct == 0.0
    assert c.by_owner["carol"].compliance_pct is None
    every = sla_compliance(CLOCKS, OWNERS)
    assert every.overall.compliance_pct == 50.0  # 3 / (3 + 2 + 1)
    assert every.by_team["east"].compliance_pct == 66.7  # 2 / 3
    b = open_breaches(CLOCKS, OWNERS)
    assert [x.ref.id for x in b.overall] == ["D"]
    assert len(b.by_team["west"]) == 1 and "east" not in b.by_team


def deal(
    n: str, stage: str, amount: float, closed: bool = False, won: bool = False, **kw: object
) -> DealFacts:
    return DealFacts(
        ref=ref("Opportunity", n), stage=stage, amount=amount, is_closed=closed, is_won=won, **kw
    )  # type: ignore[arg-type]


P = {i: ref("Contact", f"p{i}") for i in range(1, 6)}
DEALS = [
    deal("1", "Proposal", 100_000, lead_source="Webinar", contacts=(P[1], P[2])),
    deal(
        "2",
        "Negotiation",
        50_000,
        lead_source="Outbound",
        first_touch="Paid Search",
        contacts=(P[3],),
    ),
    deal("3", "Closed Won", 80_000, True, True, lead_source="Outbound", contacts=(P[4],)),
    deal("4", "Closed Won", 20_000, True, True, lead_source="Webinar"),
    deal("5", "Closed Lost", 30_000, True, False, loss_reason="No Decision"),
    deal("6", "Closed Lost", 10_000, True, False, loss_reason="Price"),
    deal("7", "Proposal", 40_000, lead_source="Partner", contacts=(P[5],)),
]


def test_marketing_sourced_and_influenced() -> None:
    m = marketing_contribution(DEALS, ["webinar", "Paid Search"], [P[4], P[5]])
    assert m.pipeline == DealValue(3, 190_000) and m.revenue == DealValue(2, 100_000)
    assert m.sourced_pipeline == DealValue(2, 150_000)  # deals 1 (webinar), 2 (first touch)
    assert m.sourced_revenue == DealValue(1, 20_000)  # deal 4
    assert m.influenced_pipeline == DealValue(3, 190_000)  # + deal 7 (p5 touched)
    assert m.influenced_revenue == DealValue(2, 100_000)  # + deal 3 (p4 touched)
    assert m.sourced_by_source == {
        "Paid Search": DealValue(1, 50_000),
        "Webinar": DealValue(2, 120_000),
    }


def test_lost_to_no_decision() -> None:
    n = lost_to_no_decision(DEALS, ["no decision", "No Budget Decision"])
    assert n.lost == DealValue(2, 40_000) and n.no_decision == DealValue(1, 30_000)
    assert n.share_pct == 50.0


def test_stalled_pipeline_by_stage() -> None:
    cfg = StallConfig.model_validate(
        {"default": {"no_stage_change_days": 30, "no_activity_days": 14}}
    )
    old, fresh = T - timedelta(days=40), T - timedelta(days=1)
    stalls = [
        detect_stall(
            cfg,
            d.ref,
            stage=d.stage,
            is_closed=d.is_closed,
            stage_entered_at=old if d.ref.id != "2" else fresh,
            last_activity_at=old,
            now=T,
            amount=d.amount,
        )
        for d in DEALS
    ]
    total, by_stage = stalled_pipeline(stalls)
    # deals 1 and 7 (Proposal) stalled; 2 is fresh; closed deals never stall
    assert total == DealValue(2, 140_000)
    assert by_stage == {"Proposal": DealValue(2, 140_000)}


def committee(n: str, pct: int, complete: bool, engaged: bool) -> CommitteeResult:
    return CommitteeResult(
        opportunity=ref("Opportunity", n),
        members=(),
        counts={},
        required={"decision_maker": 1},
        missing=() if complete else ("champion",),
        coverage_pct=pct,
        stallers=0,
        decision_maker_engaged=engaged,
    )


def test_pipeline_coverage() -> None:
    committees = {
        ref("Opportunity", "1"): committee("1", 100, True, True),
        ref("Opportunity", "2"): committee("2", 50, False, False),
        ref("Opportunity", "3"): committee("3", 100, True, True),  # closed: ignored
    }
    personas = {P[1]: "Economic buyer", P[2]: None, P[3]: "", P[5]: "IT lead"}
    c = pipeline_coverage(DEALS, committees, personas)
    assert c.open == DealValue(3, 190_000)
    assert (c.contacts, c.contacts_with_persona, c.persona_pct) == (4, 2, 50.0)
    assert c.with_persona == DealValue(2, 140_000)  # deals 1 and 7
    assert c.committee_complete == DealValue(1, 100_000)
    assert c.decision_maker_engaged == DealValue(1, 100_000)
    assert c.avg_committee_coverage_pct == 50.0  # (100 + 50 + 0) / 3


def test_partner_outcomes() -> None:
    counts = partner_outcomes(["accepted", "accepted", None, "no_response", "lost"])
    assert counts == {
        "accepted": 2,
        "converted": 0,
        "recycled": 0,
        "lost": 1,
        "no_response": 1,
        "pending": 1,
    }


def test_facts_from_canonical_records() -> None:
    p = Person(
        ref=ref("Lead", "9"),
        modified_at=T,
        values={"owner": "alice", "team": "east", "lead_source": "Webinar"},
    )
    lf = lead_facts(p, {"mql": T})
    assert lf.owner == Owner("alice", "east") and lf.lead_source == "Webinar"
    o = Opportunity(
        ref=ref("Opportunity", "9"),
        modified_at=T,
        values={
            "stage": "Proposal",
            "amount": "1200.5",
            "is_closed": True,
            "is_won": False,
            "loss_reason": "No Decision",
            "team": "",
        },
    )
    d = deal_facts(o, [P[1]])
    assert (d.amount, d.is_lost, d.loss_reason, d.contacts) == (
        1200.5,
        True,
        "No Decision",
        (P[1],),
    )
    assert d.owner == Owner(None, None)
    assert deal_facts(Opportunity(ref=o.ref, modified_at=T, values={"amount": None})).amount == 0.0
