"""Condition compilation: each operator, None/wrong types, durations, combinators."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from crm_bridge.conditions import parse_condition
from crm_bridge.mapping.compile import compile_condition
from crm_bridge.model import Person, RecordRef, SourceRecord

from .conftest import NOW

REF = RecordRef("salesforce", "Lead", "00Q1")


def person(**values: Any) -> Person:
    src = SourceRecord(REF, NOW, {"Status": values.pop("_status", None)})
    return Person(REF, NOW, values, src)


def holds(cond: dict[str, Any], **values: Any) -> bool:
    return compile_condition(parse_condition(cond))(person(**values), NOW)


def test_comparisons() -> None:
    assert holds({"field": "score", "op": "gte", "value": 60}, score=60)
    assert not holds({"field": "score", "op": "gt", "value": 60}, score=60)
    assert holds({"field": "score", "op": "lt", "value": 60.5}, score=60)
    assert not holds({"field": "score", "op": "gte", "value": 60}, score="70")
    assert not holds({"field": "score", "op": "gte", "value": 60}, score=None)
    assert holds({"field": "status", "op": "eq", "value": "Working"}, status="Working")
    assert not holds({"field": "status", "op": "eq", "value": "Working"}, status="working")
    assert holds({"field": "status", "op": "ne", "value": "Working"}, status=None)
    assert holds({"field": "status", "op": "in", "value": ["A", "B"]}, status="B")
    assert not holds({"field": "status", "op": "in", "value": ["A", 1]}, status=True)
    assert holds({"field": "status", "op": "not_in", "value": ["A"]}, status=None)
    assert holds({"field": "tags", "op": "in", "value": ["x"]}, tags=("y", "x"))


def test_text_and_presence() -> None:
    assert holds({"field": "title", "op": "contains", "value": "vp"}, title="SVP Sales")
    assert holds({"field": "title", "op": "matches", "value": r"^S?VP\b"}, title="SVP Sales")
    assert not holds({"field": "title", "op": "matches", "value": "x"}, title=5)
    assert holds({"field": "email", "op": "is_set"}, email="a@b.co")
    assert not holds({"field": "email", "op": "is_set"}, email="   ")
    assert holds({"field": "email", "op": "is_empty"}, email=())
    assert holds({"field": "sf.Status", "op": "eq", "value": "Nurture"}, _status="Nurture")


def test_dates_and_durations() -> None:
    old = NOW - timedelta(days=10)
    assert holds({"field": "at", "op": "older_than", "value": "5d"}, at=old)
    assert not holds({"field": "at", "op": "newer_than", "value": "5d"}, at=old)
    assert holds({"field": "at", "op": "newer_than", "value": "2w"}, at=old)
    assert holds({"field": "at", "op": "older_than", "value": "1d"}, at=date(2026, 5, 1))
    assert not holds({"field": "at", "op": "older_than", "value": "1d"}, at="yesterday")
    naive = datetime(2026, 5, 1)
    assert holds({"field": "at", "op": "older_than", "value": "1d"}, at=naive)
    assert holds({"field": "at", "op": "gte", "value": "2026-05-01"}, at=NOW)
    assert not holds({"field": "at", "op": "gte", "value": "2026-07-01T00:00:00Z"}, at=NOW)


def test_combinators() -> None:
    cond = {
        "all": [
            {"field": "score", "op": "gte", "value": 60},
            {"not": {"field": "status", "op": "eq", "value": "Junk"}},
            {"any": [{"field": "email", "op": "is_set"}, {"field": "phone", "op": "is_set"}]},
        ]
    }
    assert holds(cond, score=70, status="New", phone="1")
    assert not holds(cond, score=70, status="Junk", phone="1")
    assert not holds(cond, score=70, status="New")
    assert holds({"all": []})
    assert not holds({"any": []})


values = st.one_of(
    st.none(),
    st.text(),
    st.integers(),
    st.floats(allow_nan=True),
    st.booleans(),
    st.datetimes(timezones=st.just(UTC)),
    st.dates(),
    st.tuples(st.text()),
)
OPS = [
    {"field": "v", "op": "eq", "value": "a"},
    {"field": "v", "op": "ne", "value": 1},
    {"field": "v", "op": "in", "value": ["a", 1, True]},
    {"field": "v", "op": "not_in", "value": ["a"]},
    {"field": "v", "op": "gt", "value": 5},
    {"field": "v", "op": "lte", "value": "m"},
    {"field": "v", "op": "gte", "value": "2024-01-01"},
    {"field": "v", "op": "contains", "value": "a"},
    {"field": "v", "op": "matches", "value": "a+"},
    {"field": "v", "op": "is_set"},
    {"field": "v", "op": "is_empty"},
    {"field": "v", "op": "older_than", "value": "3d"},
    {"field": "v", "op": "newer_than", "value": "3h"},
]
COMPILED = [compile_condition(parse_condition(c)) for c in OPS]


@given(values)
def test_no_value_crashes_a_condition(value: Any) -> None:
    record = person(v=value)
    for predicate in COMPILED:
        assert predicate(record, NOW) in (True, False)
