"""Stalled deals and buying-committee coverage."""

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from crm_bridge.alignment.committee import assess_committee, role_of_label
from crm_bridge.alignment.stalls import detect_stall, stall_for
from crm_bridge.config.alignment import AlignmentFile
from crm_bridge.model import ContactRole, Opportunity, RecordRef

NOW = datetime(2026, 6, 30, 12, tzinfo=UTC)
DAY = timedelta(days=1)
OPP = RecordRef("salesforce", "Opportunity", "006A")

CONFIG = AlignmentFile.model_validate(
    {
        "stalls": {
            "default": {"no_stage_change_days": 30, "no_activity_days": 14},
            "stages": {"Negotiation": {"no_stage_change_days": 14, "no_activity_days": 7}},
            "ignore_stages": ["Closed Won"],
            "marketing_assist": {"min_amount": 25000, "min_days_stalled": 7},
        },
        "committee": {
            "role_labels": {
                "Decision Maker": "decision_maker",
                "Economic Buyer": "decision_maker",
                "Evaluator": "influencer",
                "Technical Buyer": "champion",
                "Gatekeeper": "staller",
            },
            "required": {"decision_maker": 1, "champion": 1},
            "bands": [
                {
                    "min_amount": 100000,
                    "required": {"decision_maker": 1, "champion": 1, "influencer": 2},
                }
            ],
            "engaged_within_days": 30,
        },
    }
)
STALLS = CONFIG.stalls
COMMITTEE = CONFIG.committee


def stall(**kw: object):  # type: ignore[no-untyped-def]
    args: dict[str, object] = {
        "stage": "Proposal",
        "is_closed": False,
        "stage_entered_at": NOW - 41 * DAY,
        "last_activity_at": NOW - 23 * DAY,
        "now": NOW,
        "amount": 50000.0,
    }
    args.update(kw)
    return detect_stall(STALLS, OPP, **args)  # type: ignore[arg-type]


def test_stalled_with_reason_and_days() -> None:
    r = stall()
    assert r.stalled and r.days_stalled == 23
    assert r.reason == (
        "no stage change for 41 days (threshold 30) and no activity for 23 days "
        "(threshold 14) in stage Proposal"
    )
    assert r.marketing_assist
    assert r.fields() == {
        "stalled": True,
        "stall_reason": r.reason,
        "stall_days": 23,
        "marketing_assist": True,
    }


def test_recent_activity_or_stage_change_is_not_stalled() -> None:
    assert not stall(last_activity_at=NOW - 14 * DAY).stalled  # exactly at threshold
    assert not stall(stage_entered_at=NOW - 30 * DAY).stalled
    assert stall(stage_entered_at=NOW - 31 * DAY, last_activity_at=NOW - 15 * DAY).stalled


def test_per_stage_threshold_case_insensitive() -> None:
    r = stall(stage="negotiation", stage_entered_at=NOW - 15 * DAY, last_activity_at=NOW - 8 * DAY)
    assert r.stalled and r.threshold.no_stage_change_days == 14


def test_closed_and_ignored_stages_never_stall() -> None:
    assert not stall(is_closed=True).stalled
    assert not stall(stage="Closed Won").stalled
    assert stall(is_closed=True).fields()["stall_reason"] is None


def test_missing_activity_and_stage_time_fallbacks() -> None:
    r = stall(last_activity_at=None)
    assert r.stalled and "no activity recorded" in r.reason and r.days_stalled == 41
    r = stall(stage_entered_at=None, created_at=NOW - 60 * DAY, last_activity_at=None)
    assert r.stalled and r.days_without_stage_change == 60
    assert not stall(stage_entered_at=None, last_activity_at=None).stalled


def test_marketing_assist_limits() -> None:
    assert not stall(amount=10000.0).marketing_assist
    assert not stall(amount=None).marketing_assist
    short = stall(
        stage="Negotiation", stage_entered_at=NOW - 15 * DAY, last_activity_at=NOW - 8 * DAY
    )
    assert short.stalled and short.days_stalled == 8 and short.marketing_assist
    assert not stall(assist=False).marketing_assist


def test_stall_for_reads_canonical_fields() -> None:
    opp = Opportunity(
        ref=OPP,
        modified_at=NOW,
        values={
            "stage": "Proposal",
            "is_closed": False,
            "stage_entered_at": NOW - 41 * DAY,
            "last_activity_at": NOW - 23 * DAY,
            "amount": 30000,
        },
    )
    r = stall_for(STALLS, opp, NOW, assist_when=lambda rec, now: rec.get("amount") == 30000)
    assert r.stalled and r.marketing_assist and r.amount == 30000.0
    r = stall_for(STALLS, opp, NOW, assist_when=lambda rec, now: False)
    assert r.stalled and not r.marketing_assist


def test_stall_config_errors() -> None:
    with pytest.raises(ValidationError, match="listed twice"):
        AlignmentFile.model_validate(
            {
                "stalls": {
                    "default": {"no_stage_change_days": 30, "no_activity_days": 14},
                    "stages": {
                        "Proposal": {"no_stage_change_days": 1, "no_activity_days": 1},
                        "proposal": {"no_stage_change_days": 1, "no_activity_days": 1},
                    },
                }
            }
        )
    with pytest.raises(ValidationError, match="at least 1"):
        AlignmentFile.model_validate(
            {
                "stalls": {"default": {"no_stage_change_days": 30, "no_activity_days": 14}},
                "committee": {"required": {"champion": 0}},
            }
        )


# -- committee --------------------------------------------------------------------------------


def person(n: int) -> RecordRef:
    return RecordRef("salesforce", "Contact", f"003{n}")


def role(n: int, label: str | None, primary: bool = False, opp: RecordRef = OPP) -> ContactRole:
    return ContactRole(opportunity=opp, person=person(n), role=label, is_primary=primary)


def test_role_labels() -> None:
    assert role_of_label(COMMITTEE, "economic buyer ") == "decision_maker"
    assert role_of_label(COMMITTEE, "Champion") == "champion"  # a role name maps to itself
    assert role_of_label(COMMITTEE, "Blocker") == "blocker"
    assert role_of_label(COMMITTEE, "Other") is None
    assert role_of_label(COMMITTEE, None) is None


def test_crm_role_overrides_persona_and_coverage() -> None:
    roles = [
        role(1, "Decision Maker"),
        role(2, None),  # persona default: champion
        role(3, "Gatekeeper"),
        role(4, "Evaluator"),  # persona says decision_maker, CRM says influencer
        role(5, "Gatekeeper", opp=RecordRef("salesforce", "Opportunity", "other")),
    ]
    personas = {person(2): "champion", person(4): "decision_maker", person(3): "unknown"}
    r = assess_committee(
        COMMITTEE,
        OPP,
        roles,
        persona_roles=personas,  # type: ignore[arg-type]
        last_activity={person(1): NOW - 10 * DAY},
        now=NOW,
        amount=50000,
    )
    assert [m.roles for m in r.members] == [
        ("decision_maker",),
        ("champion",),
        ("staller",),
        ("influencer",),
    ]
    assert [m.source for m in r.members] == ["crm", "persona", "crm", "crm"]
    assert r.counts["decision_maker"] == 1 and r.stallers == 1
    assert r.missing == () and r.coverage_pct == 100 and r.complete
    assert r.decision_maker_engaged
    assert r.fields() == {
        "committee_coverage": 100,
        "committee_missing": None,
        "committee_size": 4,
        "committee_stallers": 1,
        "decision_maker_engaged": True,
    }


def test_size_band_and_missing_roles() -> None:
    roles = [role(1, "Decision Maker"), role(2, "Evaluator"), role(3, "Gatekeeper")]
    r = assess_committee(
        COMMITTEE, OPP, roles, persona_roles={}, last_activity={}, now=NOW, amount=150000
    )
    # required: dm 1, champion 1, influencer 2 -> have dm 1, influencer 1 of 4
    assert r.required == {"decision_maker": 1, "champion": 1, "influencer": 2}
    assert r.missing == ("champion", "influencer")
    assert r.coverage_pct == 50
    assert not r.decision_maker_engaged  # no recent activity, not primary
    assert r.fields()["committee_missing"] == "champion, influencer"


def test_decision_maker_engagement_rules() -> None:
    old = {person(1): NOW - 31 * DAY}
    r = assess_committee(
        COMMITTEE, OPP, [role(1, "Decision Maker")], persona_roles={}, last_activity=old, now=NOW
    )
    assert not r.decision_maker_engaged and r.coverage_pct == 50 and r.missing == ("champion",)
    r = assess_committee(
        COMMITTEE,
        OPP,
        [role(1, "Decision Maker", primary=True)],
        persona_roles={},
        last_activity=old,
        now=NOW,
    )
    assert r.decision_maker_engaged
    r = assess_committee(
        COMMITTEE,
        OPP,
        [role(1, "Champion", primary=True)],
        persona_roles={},
        last_activity={},
        now=NOW,
    )
    assert not r.decision_maker_engaged


def test_person_with_several_labels_and_empty_deal() -> None:
    r = assess_committee(
        COMMITTEE,
        OPP,
        [role(1, "Decision Maker"), role(1, "Technical Buyer", primary=True)],
        persona_roles={},
        last_activity={},
        now=NOW,
    )
    assert len(r.members) == 1 and r.members[0].roles == ("decision_maker", "champion")
    assert r.members[0].is_primary and r.coverage_pct == 100
    empty = assess_committee(COMMITTEE, OPP, [], persona_roles={}, last_activity={}, now=NOW)
    assert empty.coverage_pct == 0 and empty.missing == ("decision_maker", "champion")
    assert empty.fields()["committee_size"] == 0
