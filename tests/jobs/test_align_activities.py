"""Speed to lead: the example's first-contact SLA stops at the first sales activity after the
MQL (``first_activity_at``), with the last activity as the fallback."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from crm_bridge.jobs.align import Rules, align_person, sales_activities
from crm_bridge.jobs.runner import compile_rules
from crm_bridge.model import Person, RecordRef, Value
from crm_bridge.project import load_project

EXAMPLE = Path(__file__).resolve().parents[2] / "crm_bridge" / "example"
MQL = datetime(2026, 3, 3, 14, tzinfo=UTC)  # a Tuesday, 09:00 in New York
NOW = MQL + timedelta(days=60)


@pytest.fixture(scope="module")
def rules() -> Rules:
    return compile_rules(load_project(EXAMPLE))


def mql(**values: Value) -> Person:
    base: dict[str, Value] = {"email": "a@b.co", "lead_score": 80, "mql_date": MQL}
    return Person(RecordRef("hubspot", "contacts", "1"), MQL, {**base, **values})


def first_contact_stop(rules: Rules, record: Person) -> datetime | None:
    result = align_person(rules, record, NOW, previous_stage=None, entered={}, previous_clocks={})
    (clock,) = [c for c in result.clocks if c.policy == "mql_first_contact"]
    assert clock.started_at == MQL
    return clock.stopped_at


def test_sales_activities_sorted_and_dates_end_of_day() -> None:
    first = MQL + timedelta(hours=2)
    record = mql(first_activity_at=first, last_activity_at=date(2026, 3, 10))
    assert sales_activities(record) == {
        "sales": [first, datetime(2026, 3, 10, 23, 59, 59, tzinfo=UTC)]
    }
    assert sales_activities(mql()) == {}


def test_stops_at_the_first_activity_not_the_last(rules: Rules) -> None:
    first, last = MQL + timedelta(hours=2), MQL + timedelta(days=40)
    assert first_contact_stop(rules, mql(first_activity_at=first, last_activity_at=last)) == first


def test_falls_back_to_the_last_activity(rules: Rules) -> None:
    last = MQL + timedelta(hours=3)
    assert first_contact_stop(rules, mql(last_activity_at=last)) == last
    # a first activity from before this MQL does not stop its clock; the last one does
    before = MQL - timedelta(days=30)
    assert first_contact_stop(rules, mql(first_activity_at=before, last_activity_at=last)) == last
    assert first_contact_stop(rules, mql(first_activity_at=before)) is None


def test_a_last_activity_rounded_below_the_first_is_ignored(rules: Rules) -> None:
    # Salesforce's LastActivityDate is a date: mapped as a datetime it is midnight, which can
    # fall between the MQL and the exact first touch of that same day
    first = MQL + timedelta(hours=3)
    midnight = datetime.combine(first.date(), datetime.min.time(), UTC)
    assert MQL < midnight < first or midnight <= MQL  # either way the first touch must win
    record = mql(first_activity_at=first, last_activity_at=midnight)
    assert sales_activities(record) == {"sales": [first]}
    assert first_contact_stop(rules, record) == first
