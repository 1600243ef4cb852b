"""Lifecycle: furthest-first, forward-only, recycle, disqualify, entry times, translation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from crm_bridge.config.lifecycle import LifecycleFile
from crm_bridge.mapping.lifecycle import Funnel
from crm_bridge.model import Person, RecordRef

from .conftest import NOW

LATER = NOW + timedelta(days=3)


def rec(**values: Any) -> Person:
    return Person(RecordRef("hubspot", "contacts", "1"), NOW, {"email": "a@x.com", **values})


@pytest.fixture()
def funnel(lifecycle_file: LifecycleFile) -> Funnel:
    return Funnel(lifecycle_file)


def test_furthest_stage_first(funnel: Funnel) -> None:
    d = funnel.decide(rec(company="Acme", lead_score=80, lead_status="working"), NOW)
    assert (d.stage, d.entered_at, d.reason, d.changed) == ("sal", NOW, "stage:sal", True)
    assert funnel.decide(rec(), NOW).stage == "subscriber"
    assert funnel.decide(Person(RecordRef("hubspot", "contacts", "2"), NOW, {}), NOW).stage is None


def test_forward_only_and_entered_times(funnel: Funnel) -> None:
    first = funnel.decide(rec(lead_score=80), NOW)
    assert first.stage == "mql"
    # score drops: conditions now reach only subscriber, record stays mql with its old time
    kept = funnel.decide(rec(lead_score=10), LATER, previous="mql", entered=first.entered)
    assert (kept.stage, kept.entered_at, kept.changed) == ("mql", NOW, False)
    assert kept.reason.startswith("kept:mql (forward-only")
    moved = funnel.decide(rec(lead_status="qualified"), LATER, previous="mql", entered=kept.entered)
    assert (moved.stage, moved.entered_at) == ("sql", LATER)
    assert moved.entered == {"mql": NOW, "sql": LATER}
    # same stage, no stored time: the stage's time is taken now
    assert funnel.decide(rec(lead_score=80), LATER, previous="mql").entered_at == LATER


def test_recycle_and_back(funnel: Funnel) -> None:
    d = funnel.decide(rec(lead_score=80, lead_status="nurture"), LATER, previous="sal")
    assert (d.stage, d.reason, d.changed) == ("recycled", "recycle:nurture", True)
    # still nurture: stays recycled even though the score would make it an MQL
    still = funnel.decide(
        rec(lead_score=80, lead_status="nurture"), LATER + timedelta(1), "recycled", d.entered
    )
    assert (still.stage, still.entered_at, still.changed) == ("recycled", LATER, False)
    # status moves on: re-enters the funnel
    back = funnel.decide(
        rec(lead_score=80, lead_status="new"), LATER + timedelta(2), "recycled", still.entered
    )
    assert back.stage == "mql" and back.changed
    # a subscriber is not recycled (rule only applies from mql/sal/sql)
    assert (
        funnel.decide(rec(lead_status="nurture"), NOW, previous="subscriber").stage == "subscriber"
    )


def test_disqualify_from_any_stage(funnel: Funnel) -> None:
    d = funnel.decide(rec(lead_status="unqualified", lead_score=90), NOW, previous="sql")
    assert (d.stage, d.reason) == ("disqualified", "disqualify:unqualified")
    again = funnel.decide(rec(lead_status="unqualified"), LATER, "disqualified", d.entered)
    assert (again.stage, again.entered_at, again.changed) == ("disqualified", NOW, False)


def test_entered_from_field() -> None:
    cfg = LifecycleFile.model_validate(
        {
            "stages": [
                {
                    "name": "mql",
                    "when": {"field": "score", "op": "gte", "value": 1},
                    "entered_from": "mql_at",
                }
            ]
        }
    )
    d = Funnel(cfg).decide(rec(score=5, mql_at="2026-01-02T03:04:05Z"), NOW)
    assert d.entered_at is not None and d.entered_at.year == 2026 and d.entered_at.month == 1


def test_translation(funnel: Funnel) -> None:
    assert funnel.crm_values("mql", "hubspot", "contacts") == {
        "lifecyclestage": "marketingqualifiedlead"
    }
    assert funnel.crm_values("sql", "salesforce", "Lead") == {"CRMB_Lifecycle_Stage__c": "sql"}
    assert funnel.crm_values("mql", "hubspot", "deals") == {}
    assert funnel.stage_from_crm("hubspot", "contacts", "SalesQualifiedLead") == "sql"
    # mql and sal share HubSpot's marketingqualifiedlead: read back as the earlier one
    assert funnel.stage_from_crm("hubspot", "contacts", "marketingqualifiedlead") == "mql"
    assert funnel.stage_from_crm("hubspot", "contacts", "other") == "disqualified"
    assert funnel.stage_from_crm("hubspot", "contacts", 3) is None


def test_schema_errors() -> None:
    when = {"field": "x", "op": "is_set"}
    with pytest.raises(ValidationError, match="stage 'mql' is defined twice"):
        LifecycleFile.model_validate({"stages": [{"name": "mql", "when": when}] * 2})
    with pytest.raises(ValidationError, match=r"recycle\[0\]\.from: unknown stage 'sal'"):
        LifecycleFile.model_validate(
            {
                "stages": [{"name": "mql", "when": when}],
                "recycle": [{"from": ["sal"], "when": when}],
            }
        )
    with pytest.raises(ValidationError, match="not a person object"):
        LifecycleFile.model_validate(
            {
                "stages": [{"name": "mql", "when": when}],
                "crm_values": {"hubspot": {"deals": {"field": "x"}}},
            }
        )


def test_recycle_applies_on_first_evaluation():
    """A record first seen while its recycle condition already holds goes straight to the
    recycle stage (not to the funnel stage first and to recycled one run later)."""
    from datetime import UTC, datetime

    from crm_bridge.config.lifecycle import LifecycleFile
    from crm_bridge.mapping.lifecycle import Funnel
    from crm_bridge.model import Person, RecordRef

    funnel = Funnel(
        LifecycleFile.model_validate(
            {
                "stages": [
                    {"name": "lead", "when": {"field": "email", "op": "is_set"}},
                    {"name": "mql", "when": {"field": "score", "op": "gte", "value": 60}},
                ],
                "recycle": [
                    {
                        "id": "nurture",
                        "from": ["mql"],
                        "when": {"field": "status", "op": "eq", "value": "nurture"},
                    }
                ],
            }
        )
    )
    now = datetime(2026, 1, 5, tzinfo=UTC)
    rec = Person(
        ref=RecordRef("hubspot", "contacts", "1"),
        modified_at=now,
        values={"email": "a@b.c", "score": 70, "status": "nurture"},
    )
    first = funnel.decide(rec, now)
    assert first.stage == "recycled" and first.reason == "recycle:nurture"
    again = funnel.decide(rec, now, previous=first.stage, entered=first.entered)
    assert again.stage == "recycled" and not again.changed
    assert again.entered_at == first.entered_at
