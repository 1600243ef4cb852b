"""SLA clock state machine, event detection and partner closed loop."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from crm_bridge.alignment.partner import classify_outcome, evaluate_partner
from crm_bridge.alignment.sla import SlaClock, clock_fields, current_clock, evaluate
from crm_bridge.alignment.sla_events import (
    Predicate,
    SlaFacts,
    compile_policies,
    evaluate_policy,
)
from crm_bridge.conditions import Condition, FieldCondition
from crm_bridge.config.sla import SlaFile
from crm_bridge.model import Person, RecordRef

NY = ZoneInfo("America/New_York")
H = timedelta(hours=1)
REF = RecordRef("salesforce", "Lead", "00Q1")

SLA = SlaFile.model_validate(
    {
        "calendars": [
            {
                "name": "us",
                "timezone": "America/New_York",
                "working_hours": ["09:00-17:00"],
                "holidays": [{"country": "US"}],
            }
        ],
        "policies": [
            {
                "name": "mql_first_contact",
                "start": {"stage_entered": "mql"},
                "stop": [{"first_activity": "sales"}, {"stage_entered": ["sal", "sql"]}],
                "duration": "4h",
                "at_risk": "75%",
                "calendar": "us",
                "owner_side": "sales",
                "team": "inside",
                "on_breach": {"sla_escalation": "manager"},
            },
            {
                "name": "recycled_nurture",
                "start": {"stage_entered": "recycled"},
                "stop": {"when": {"field": "nurture_track", "op": "is_set"}, "at": "enrolled_at"},
                "duration": "5d",
                "calendar": "us",
                "owner_side": "marketing",
            },
            {
                "name": "partner_acceptance",
                "start": {
                    "when": {"field": "partner_account", "op": "is_set"},
                    "at": "partner_assigned_at",
                },
                "stop": [{"status_changed": True}],
                "duration": "2d",
                "calendar": "us",
                "owner_side": "partner",
                "restart": False,
            },
        ],
        "partner_loop": {
            "policy": "partner_acceptance",
            "outcome_field": "partner_status",
            "outcomes": {"accepted": ["Accepted"], "lost": ["Lost", "Rejected"]},
        },
    }
)
POLICY = SLA.policy("mql_first_contact")


def is_set(cond: Condition) -> Predicate:
    """A stand-in for mapping.compile: supports the ``is_set`` leaf used here."""
    assert isinstance(cond, FieldCondition) and cond.op == "is_set"
    return lambda record, now: record.get(cond.field) not in (None, "")


COMPILED = compile_policies(SLA, is_set)
CAL = COMPILED["mql_first_contact"].calendar

MON_10 = datetime(2026, 6, 1, 10, tzinfo=NY)  # Monday; due 14:00, at risk 13:00


def ev(
    now: datetime,
    stop: datetime | None = None,
    prev: SlaClock | None = None,
    start: datetime | None = MON_10,
) -> SlaClock | None:
    return evaluate(POLICY, CAL, REF, start_at=start, stop_at=stop, now=now, previous=prev)


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 6, 1, hour, minute, tzinfo=NY)


def test_no_start_no_clock() -> None:
    assert ev(at(11), start=None) is None


def test_on_track_then_at_risk_then_breached() -> None:
    c = ev(at(12, 59))
    assert c is not None and c.state == "on_track"
    assert c.due_at == at(14) and c.at_risk_at == at(13)
    assert c.due_at.tzinfo is UTC and c.breached_at is None
    assert ev(at(13)).state == "at_risk"  # type: ignore[union-attr]
    b = ev(at(14))  # exactly at due: breached
    assert b is not None and b.state == "breached" and b.breached_at == at(14)


def test_met_and_met_late_with_due_boundary() -> None:
    met = ev(at(15), stop=at(13, 59))
    assert met is not None and (met.state, met.breached_at) == ("met", None)
    late = ev(at(15), stop=at(14))  # a stop exactly at due is late
    assert late is not None and late.state == "met_late" and late.breached_at == at(14)


def test_stop_before_start_or_after_now_is_ignored() -> None:
    assert ev(at(11), stop=at(9)).state == "on_track"  # type: ignore[union-attr]
    assert ev(at(11), stop=at(12)).state == "on_track"  # type: ignore[union-attr]


def test_breached_then_met_late_keeps_started_and_breach_time() -> None:
    b = ev(at(16))
    assert b is not None and b.state == "breached"
    later = ev(
        datetime(2026, 6, 2, 10, tzinfo=NY), stop=datetime(2026, 6, 2, 9, 30, tzinfo=NY), prev=b
    )
    assert later is not None
    assert later.state == "met_late" and later.started_at == b.started_at
    assert later.breached_at == b.breached_at == at(14)


def test_started_at_never_moves_and_stop_is_frozen() -> None:
    first = ev(at(11), stop=at(10, 30))
    assert first is not None and first.state == "met"
    # a later run sees a later activity time and an earlier stage time: nothing moves
    again = ev(at(16), stop=at(15), prev=first, start=at(9))
    assert again == first


def test_restart_on_recycle_opens_a_new_clock() -> None:
    old = ev(at(16), stop=at(11))
    assert old is not None and old.state == "met"
    re_mql = datetime(2026, 6, 3, 10, tzinfo=NY)
    new = ev(datetime(2026, 6, 3, 11, tzinfo=NY), stop=at(11), prev=old, start=re_mql)
    assert new is not None
    assert new.started_at == re_mql and new.stopped_at is None and new.state == "on_track"


def test_policy_without_restart_keeps_its_first_clock() -> None:
    policy = SLA.policy("partner_acceptance")
    first = evaluate(policy, CAL, REF, start_at=at(10), stop_at=None, now=at(11))
    assert first is not None
    again = evaluate(policy, CAL, REF, start_at=at(12), stop_at=None, now=at(13), previous=first)
    assert again is not None and again.started_at == first.started_at


def test_previous_for_another_policy_is_an_error() -> None:
    c = ev(at(11))
    assert c is not None
    with pytest.raises(ValueError, match="previous clock"):
        evaluate(
            SLA.policy("recycled_nurture"),
            CAL,
            REF,
            start_at=MON_10,
            stop_at=None,
            now=at(11),
            previous=c,
        )


@settings(max_examples=80, deadline=None)
@given(
    st.integers(0, 72 * 60),
    st.one_of(st.none(), st.integers(-60, 72 * 60)),
    st.one_of(st.none(), st.integers(-600, 600)),
)
def test_idempotent(now_min: int, stop_min: int | None, prev_shift: int | None) -> None:
    now = MON_10 + timedelta(minutes=now_min)
    stop = None if stop_min is None else MON_10 + timedelta(minutes=stop_min)
    prev = None
    if prev_shift is not None:
        prev = ev(
            MON_10 + timedelta(minutes=max(0, prev_shift)),
            start=MON_10 + timedelta(minutes=min(0, prev_shift)),
        )
    once = ev(now, stop=stop, prev=prev)
    assert ev(now, stop=stop, prev=once) == once
    if once is not None:
        assert once.state in {"on_track", "at_risk", "breached", "met", "met_late"}
        assert once.at_risk_at <= once.due_at


def test_clock_fields_and_on_breach() -> None:
    on = clock_fields(ev(at(11)), POLICY)
    assert on["sla_status"] == "on_track" and on["sla_due_at"] == at(14)
    assert on["sla_owner_side"] == "sales" and on["sla_team"] == "inside"
    assert on["sla_escalation"] is None and on["sla_breached_at"] is None
    br = clock_fields(ev(at(15)), POLICY)
    assert br["sla_status"] == "breached" and br["sla_escalation"] == "manager"
    empty = clock_fields(None, POLICY)
    assert all(v is None for v in empty.values()) and "sla_status" in empty


def test_current_clock_prefers_open_then_latest() -> None:
    a = ev(at(15), stop=at(11))
    b = ev(at(15), start=at(9, 30))
    assert a is not None and b is not None
    assert current_clock([a, b]) is b
    assert current_clock([]) is None


# -- event detection ---------------------------------------------------------------------


def person(**values: object) -> Person:
    return Person(ref=REF, modified_at=at(12).astimezone(UTC), values=dict(values))  # type: ignore[arg-type]


def test_first_sales_activity_after_mql_stops_the_clock() -> None:
    facts = SlaFacts(
        record=person(),
        stage_entered_at={"mql": at(10)},
        activities={"sales": [at(9), at(11)], "marketing": [at(10, 30)]},
    )
    c = evaluate_policy(COMPILED["mql_first_contact"], facts, at(16), None)
    assert c is not None and c.stopped_at == at(11) and c.state == "met"


def test_stage_advance_stops_the_clock() -> None:
    facts = SlaFacts(record=person(), stage_entered_at={"mql": at(10), "sal": at(15)})
    c = evaluate_policy(COMPILED["mql_first_contact"], facts, at(16), None)
    assert c is not None and c.state == "met_late" and c.stopped_at == at(15)


def test_marketing_nurture_of_recycled_lead() -> None:
    policy = COMPILED["recycled_nurture"]
    recycled = at(10)
    waiting = SlaFacts(record=person(), stage_entered_at={"recycled": recycled})
    c = evaluate_policy(policy, waiting, datetime(2026, 6, 8, 9, 59, tzinfo=NY), None)
    assert c is not None and c.state == "at_risk"  # 5 business days -> due Mon 8th 10:00
    assert c.due_at == datetime(2026, 6, 8, 10, tzinfo=NY)
    done = SlaFacts(
        record=person(nurture_track="Reengage", enrolled_at=datetime(2026, 6, 4, 12, tzinfo=NY)),
        stage_entered_at={"recycled": recycled},
    )
    c2 = evaluate_policy(policy, done, datetime(2026, 6, 9, tzinfo=NY), c)
    assert (
        c2 is not None
        and c2.state == "met"
        and c2.stopped_at == datetime(2026, 6, 4, 12, tzinfo=NY)
    )


def test_partner_closed_loop_outcomes() -> None:
    loop = SLA.partner_loop
    assert loop is not None
    policy = COMPILED["partner_acceptance"]
    assert classify_outcome(loop, " rejected ") == "lost"
    assert classify_outcome(loop, "Maybe") is None
    handed = at(10)
    waiting = SlaFacts(record=person(partner_account="P1", partner_assigned_at=handed))
    r = evaluate_partner(loop, policy, waiting, at(11), None)
    assert r.outcome is None and r.clock is not None and r.clock.state == "on_track"
    late = evaluate_partner(loop, policy, waiting, datetime(2026, 6, 3, 10, tzinfo=NY), r.clock)
    assert (
        late.outcome == "no_response" and late.clock is not None and late.clock.state == "breached"
    )
    assert late.fields() == {"partner_outcome": "no_response", "partner_responded_at": None}
    answered = SlaFacts(
        record=person(partner_account="P1", partner_assigned_at=handed, partner_status="Accepted")
    )
    ok = evaluate_partner(loop, policy, answered, at(16), r.clock)
    assert ok.outcome == "accepted" and ok.clock is not None and ok.clock.state == "met"
    assert ok.fields()["partner_responded_at"] == at(12)  # record modification time
    nothing = evaluate_partner(loop, policy, SlaFacts(record=person()), at(16), None)
    assert nothing.outcome is None and nothing.clock is None


# -- config validation ----------------------------------------------------------------------


def test_config_errors_are_clear() -> None:
    base = SLA.model_dump(mode="json", by_alias=True)
    bad = {**base, "policies": [{**base["policies"][0], "calendar": "nope"}]}
    with pytest.raises(ValidationError, match="calendar 'nope', which is not defined"):
        SlaFile.model_validate(bad)
    bad = {**base, "policies": [{**base["policies"][0], "duration": "4 hours"}]}
    with pytest.raises(ValidationError, match="business duration such as 90m, 4h or 5d"):
        SlaFile.model_validate(bad)
    bad = {**base, "policies": [{**base["policies"][0], "start": {"stage": "mql"}}]}
    with pytest.raises(ValidationError, match="expected a start event"):
        SlaFile.model_validate(bad)
    cal = base["calendars"][0]
    for change, msg in [
        ({"timezone": "Mars/Olympus"}, "unknown IANA timezone"),
        ({"working_hours": ["09:00-13:00", "12:00-17:00"]}, "overlap"),
        ({"working_hours": ["17:00-09:00"]}, "end after they start"),
        ({"holidays": [{"country": "XX"}]}, "unknown holiday country"),
        ({"holidays": [{"country": "DE", "subdivision": "ZZ"}]}, "unknown subdivision"),
        ({"extra": 1}, "Extra inputs are not permitted"),
    ]:
        with pytest.raises(ValidationError, match=msg):
            SlaFile.model_validate({**base, "calendars": [{**cal, **change}]})


def test_example_sla_file_loads() -> None:
    from pathlib import Path

    import yaml

    import crm_bridge

    path = Path(crm_bridge.__file__).parent / "example" / "mappings" / "sla.yaml"
    sla = SlaFile.model_validate(yaml.safe_load(path.read_text()))
    compiled = compile_policies(sla, lambda c: lambda r, n: False)
    assert compiled["mql_first_contact"].duration == 4 * H
    assert compiled["sal_qualification"].duration == 3 * 8 * H  # 3 days of 8h (lunch excluded)
    assert compiled["partner_acceptance"].duration == 2 * 9 * H


def test_condition_stop_from_an_earlier_cycle_does_not_stop_a_new_clock() -> None:
    policy = COMPILED["recycled_nurture"]
    first_enrolment = datetime(2026, 5, 4, 12, tzinfo=NY)
    facts = SlaFacts(
        record=person(nurture_track="Reengage", enrolled_at=first_enrolment),
        stage_entered_at={"recycled": at(10)},
    )
    c = evaluate_policy(policy, facts, at(16), None)
    assert c is not None and c.stopped_at is None and c.state == "on_track"
    # without an `at` time the condition counts from the start: met at once
    no_time = SlaFacts(
        record=person(nurture_track="Reengage"), stage_entered_at={"recycled": at(13)}
    )
    c2 = evaluate_policy(policy, no_time, at(16), None)
    assert c2 is not None and c2.state == "met" and c2.stopped_at == at(13)


_RANK = {"on_track": 0, "at_risk": 1, "breached": 2}


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 96 * 60), st.integers(0, 96 * 60))
def test_running_clock_only_moves_forward(a: int, b: int) -> None:
    early, late = sorted((a, b))
    c1 = ev(MON_10 + timedelta(minutes=early))
    c2 = ev(MON_10 + timedelta(minutes=late), prev=c1)
    assert c1 is not None and c2 is not None
    assert _RANK[c1.state] <= _RANK[c2.state]
    assert (c1.started_at, c1.due_at) == (c2.started_at, c2.due_at)
