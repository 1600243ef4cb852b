from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm_bridge.jobs.conflicts import NEVER_WRITTEN, Side, resolve, stage_order

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def side(crm, value, last=NEVER_WRITTEN, minutes=0):
    return Side(crm, value, last, T0 + timedelta(minutes=minutes))


def test_equal_values_are_in_sync():
    r = resolve("title", side("salesforce", "CFO"), side("hubspot", "CFO"), "newest")
    assert r.winner is None and r.value == "CFO"


def test_edit_on_one_side_wins_over_our_own_echo_on_the_other():
    # we wrote "CFO" to both; a person changed HubSpot to "CEO"
    r = resolve(
        "title", side("salesforce", "CFO", "CFO", 10), side("hubspot", "CEO", "CFO"), "salesforce"
    )
    assert (r.value, r.winner) == ("CEO", "hubspot")
    assert "changed in hubspot" in r.reason
    r = resolve(
        "title", side("salesforce", "VP", "CFO"), side("hubspot", "CFO", "CFO", 10), "hubspot"
    )
    assert (r.value, r.winner) == ("VP", "salesforce")


@pytest.mark.parametrize(
    ("policy", "expected"),
    [("salesforce", "A"), ("hubspot", "B"), ("newest", "B")],
)
def test_both_changed_falls_to_policy(policy, expected):
    r = resolve("title", side("salesforce", "A", "X", 0), side("hubspot", "B", "X", 5), policy)
    assert r.value == expected
    assert "changed in both CRMs" in r.reason


def test_newest_tie_goes_to_salesforce():
    r = resolve("title", side("salesforce", "A"), side("hubspot", "B"), "newest")
    assert r.winner == "salesforce"


def test_furthest_uses_stage_order():
    order = stage_order(["lead", "mql", "sql", "customer"])
    r = resolve(
        "stage", side("salesforce", "mql", minutes=9), side("hubspot", "sql"), "furthest", order
    )
    assert r.value == "sql"
    r = resolve(
        "stage",
        side("salesforce", "customer"),
        side("hubspot", "bogus", minutes=9),
        "furthest",
        order,
    )
    assert r.value == "customer"


def test_empty_never_overwrites_filled_under_neutral_policies():
    r = resolve("phone", side("salesforce", None, minutes=9), side("hubspot", "+1 555"), "newest")
    assert (r.value, r.winner) == ("+1 555", "hubspot")
    r = resolve("phone", side("salesforce", None), side("hubspot", "+1 555"), "salesforce")
    assert r.value is None


values = st.one_of(st.none(), st.text(max_size=5), st.integers(-3, 3))


@given(
    values, values, values, values, st.sampled_from(["salesforce", "hubspot", "newest", "furthest"])
)
def test_result_is_always_one_of_the_two_values(a, b, la, lb, policy):
    r = resolve("f", side("salesforce", a, la), side("hubspot", b, lb, 1), policy, {"1": 1})
    assert r.value in (a, b)
    # resolving again after writing the result to both sides is stable
    again = resolve(
        "f", side("salesforce", r.value, r.value), side("hubspot", r.value, r.value), policy
    )
    assert again.winner is None
