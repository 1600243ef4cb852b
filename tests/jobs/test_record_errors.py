"""A value that cannot be mapped becomes a per-record error entry of the run naming the record,
the field and the value; the record's other fields and every other record still sync."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from crm_bridge.jobs.align import Rules
from crm_bridge.jobs.runner import compile_rules
from crm_bridge.jobs.sync import SyncOptions, run_sync
from crm_bridge.project import load_project
from crm_bridge.state.store import open_store

from .fakes import FakeClock, FakeConnector

EXAMPLE = Path(__file__).resolve().parents[2] / "crm_bridge" / "example"


@pytest.fixture(scope="module")
def rules() -> Rules:
    return compile_rules(load_project(EXAMPLE))


@pytest.mark.parametrize(
    ("bad", "shown"),
    [("lots", "'lots'"), (("a", "b"), "('a', 'b')"), (float("nan"), "nan")],
)
def test_bad_value_is_a_record_error_naming_record_field_value(
    rules: Rules, tmp_path: Path, bad: Any, shown: str
) -> None:
    clock = FakeClock(datetime(2026, 3, 2, 14, 0, tzinfo=UTC))
    sf, hs = FakeConnector("salesforce", clock), FakeConnector("hubspot", clock)
    sf.put("Lead", "00Q000000000001AAA", Email="ann@acme.com", Title="CFO", Lead_Score__c=bad)
    sf.put("Lead", "00Q000000000002AAA", Email="bob@beta.io", Title="CTO", Lead_Score__c=10)
    with open_store(f"sqlite:///{tmp_path / 'state.db'}") as store:
        summary = run_sync(
            store=store,
            connectors={"salesforce": sf, "hubspot": hs},
            rules=rules,
            options=SyncOptions(job="test"),
            clock=clock,
        )
    assert [p.code for p in summary.problems] == ["MAPPING_ERROR"]
    problem = summary.problems[0].as_dict()
    assert problem["record"] == "salesforce/Lead/00Q000000000001AAA"
    assert problem["field"] == "Lead_Score__c"
    assert (
        problem["message"].startswith("lead_score: ") and f"(value {shown})" in problem["message"]
    )
    assert summary.status == "partial"
    # the bad field does not stop the record: both leads got their persona tags
    written = {record_id: fields for _, record_id, fields in sf.writes}
    assert written["00Q000000000001AAA"]["CRMB_Function__c"] == "finance"
    assert written["00Q000000000002AAA"]["CRMB_Seniority__c"] == "c_level"
