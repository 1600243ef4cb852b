from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm_bridge.jobs.values import same_value

T = datetime(2026, 1, 5, 9, 0, 0, 123000, tzinfo=UTC)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (3, 3.0),
        (3, "3"),
        ("42.50", 42.5),
        (True, "true"),
        (False, "False"),
        (None, ""),
        ((), None),
        (T, "2026-01-05T09:00:00.123Z"),
        (T, "2026-01-05T09:00:00.123+0000"),
        (T, "2026-01-05T10:00:00.123+01:00"),
        (T, T.replace(microsecond=123400)),
        (date(2026, 1, 5), "2026-01-05"),
        (("a", "b"), "b;a"),
        (("a",), "a"),
        ("CFO", "CFO"),
    ],
)
def test_same_in_other_representations(a, b):
    assert same_value(a, b) and same_value(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (3, 4),
        ("3", "three"),
        (True, False),
        (True, 1),
        (None, "x"),
        ("", 0),
        (T, "2026-01-05T09:00:01.123Z"),
        (date(2026, 1, 5), "2026-01-06"),
        (("a", "b"), "a"),
        ("CFO", "cfo"),
    ],
)
def test_different_values_differ(a, b):
    assert not same_value(a, b) and not same_value(b, a)


@given(st.one_of(st.none(), st.text(), st.integers(), st.floats(allow_nan=False), st.booleans()))
def test_reflexive_and_total(value):
    assert same_value(value, value)
    assert isinstance(same_value(value, "x"), bool)
