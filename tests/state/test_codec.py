"""Field values round-trip exactly through the tagged JSON encoding and through the store."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm_bridge.model import RecordRef, Value
from crm_bridge.state import StateStore
from crm_bridge.state.codec import decode_value, encode_value

from .conftest import T0

values: st.SearchStrategy[Value] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.text(),
    st.dates(),
    st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=-5, minutes=-30))])),
    st.datetimes(),
    st.tuples(st.text()) | st.lists(st.text(), max_size=4).map(tuple),
)


def same(a: Value, b: Value) -> bool:
    if isinstance(a, datetime) and isinstance(b, datetime):
        return a == b and (a.tzinfo is None) == (b.tzinfo is None)
    return type(a) is type(b) and a == b


@given(values)
def test_every_value_round_trips_with_its_type(value: Value) -> None:
    back = decode_value(encode_value(value))
    assert same(back, value), (value, back)


@given(values)
def test_encoding_is_canonical(value: Value) -> None:
    assert encode_value(decode_value(encode_value(value))) == encode_value(value)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, -0.0])
def test_special_floats(value: float) -> None:
    back = decode_value(encode_value(value))
    assert isinstance(back, float)
    assert (math.isnan(back) and math.isnan(value)) or (back == value and str(back) == str(value))


def test_types_that_look_alike_stay_apart() -> None:
    encoded = {encode_value(v) for v in (1, 1.0, True, "1", ("1",), date(2020, 1, 1), "2020-01-01")}
    assert len(encoded) == 7
    assert decode_value(encode_value(True)) is True


def test_aware_datetimes_are_stored_in_utc() -> None:
    eastern = datetime(2026, 3, 8, 1, 30, tzinfo=timezone(timedelta(hours=-5)))
    back = decode_value(encode_value(eastern))
    assert isinstance(back, datetime)
    assert back == eastern and back.utcoffset() == timedelta(0)


def test_unsupported_values_are_refused() -> None:
    with pytest.raises(TypeError):
        encode_value([1, 2])  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        encode_value((1, 2))  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        decode_value('{"$x": 1}')


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(values, min_size=1, max_size=5))
def test_values_round_trip_through_the_store(store: StateStore, batch: list[Value]) -> None:
    run = store.start_run("codec", "sync", T0)
    ref = RecordRef("hubspot", "contacts", run)
    items = {(ref, f"f{i}"): v for i, v in enumerate(batch)}
    store.record_written(run, items)
    back = store.last_written([ref])
    assert back.keys() == items.keys()
    for key, value in items.items():
        assert same(back[key], value), (value, back[key])
