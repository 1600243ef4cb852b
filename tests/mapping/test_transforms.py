"""Transforms: each named step, argument validation, and no crash on arbitrary input."""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm_bridge.mapping.transforms import REGISTRY, TransformError, build, build_step


def run(specs: list[Any], value: Any) -> Any:
    return build(specs)(value)


def test_text_steps() -> None:
    assert run(["strip", "lower"], "  Ann@Example.COM ") == "ann@example.com"
    assert run(["upper"], "de") == "DE"
    assert run(["title"], "ann smith") == "Ann Smith"
    assert run(["empty_to_none"], "  ") is None
    assert run([{"truncate": 3}], "abcdef") == "abc"
    assert run([{"default": "n/a"}], None) == "n/a"
    assert run([{"default": "n/a"}], "x") == "x"
    assert run(["strip"], None) is None


def test_numbers_and_bools() -> None:
    assert run(["to_int"], "1,234") == 1234
    assert run(["to_int"], "72.6") == 73
    assert run(["to_float"], " 12.5 ") == 12.5
    assert run(["to_int"], "") is None
    assert run(["to_bool"], "Yes") is True
    assert run(["to_bool"], "0") is False
    with pytest.raises(TransformError, match="to_int expects a number"):
        run(["to_int"], "abc")
    with pytest.raises(TransformError):
        run(["to_float"], "inf")
    with pytest.raises(TransformError):
        run(["to_bool"], "maybe")


def test_dates() -> None:
    sf = run(["to_datetime"], "2024-01-15T10:20:30.000+0000")
    assert sf == datetime(2024, 1, 15, 10, 20, 30, tzinfo=UTC)
    hs = run(["to_datetime"], "2024-01-15T10:20:30.123Z")
    assert hs.tzinfo is not None and hs.microsecond == 123000
    assert run(["to_datetime"], 1705314030000) == datetime(2024, 1, 15, 10, 20, 30, tzinfo=UTC)
    assert run(["to_datetime"], "1705314030000").year == 2024
    assert run(["to_datetime"], datetime(2024, 1, 1)).tzinfo is UTC
    assert run(["to_date"], "2024-01-15") == date(2024, 1, 15)
    assert run(["to_date"], "2024-01-15T23:00:00-05:00") == date(2024, 1, 16)
    with pytest.raises(TransformError, match="ISO-8601"):
        run(["to_datetime"], "15/01/2024")


def test_lists_maps_domains_phones() -> None:
    assert run(["split"], "A; B;;C") == ("A", "B", "C")
    assert run([{"split": ","}, {"join": "|"}], "a,b") == "a|b"
    assert run([{"map": {"Web": "web", "Trade Show": "event"}}], "trade show") == "event"
    assert run([{"map": {"Web": "web"}}], "Other") == "Other"
    assert run(["domain_from_url"], "HTTPS://www.Acme.com/about") == "acme.com"
    assert run(["domain_from_email"], "Ann@Sub.Acme.io") == "sub.acme.io"
    assert run(["domain_from_email"], "nobody") is None
    assert run(["phone"], "+44 (20) 7946-0958") == "+442079460958"
    assert run(["phone"], "0044 20 7946 0958") == "+442079460958"
    assert run(["digits"], "ab-12-3") == "123"


def test_step_validation() -> None:
    with pytest.raises(ValueError, match="unknown transform 'lowercase'"):
        build_step("lowercase")
    with pytest.raises(ValueError, match="needs an argument"):
        build_step("truncate")
    with pytest.raises(ValueError, match="positive length"):
        build_step({"truncate": -1})
    with pytest.raises(ValueError, match="one-key mapping"):
        build_step({"truncate": 1, "strip": None})


anything = st.one_of(
    st.none(),
    st.text(),
    st.integers(),
    st.floats(),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.tuples(st.text()),
    st.lists(st.integers()),
    st.dictionaries(st.text(), st.integers()),
)
ARGS = {"map": {"a": "b"}, "default": "x", "truncate": 5, "split": ",", "join": ","}
STEPS = [build_step({n: ARGS[n]} if n in ARGS else n) for n in REGISTRY]


@given(anything)
def test_transforms_only_raise_transform_errors(value: Any) -> None:
    for step in STEPS:
        with contextlib.suppress(TransformError):
            step(value)
