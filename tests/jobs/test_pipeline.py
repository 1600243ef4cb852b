"""The sync pipeline's logic on in-memory CRMs: first run, rerun, two-way change, dry run,
partial failure, crash recovery."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from crm_bridge.config.alignment import AlignmentFile
from crm_bridge.config.fields import FieldsFile
from crm_bridge.config.lifecycle import LifecycleFile
from crm_bridge.config.personas import PersonasFile
from crm_bridge.config.sla import SlaFile
from crm_bridge.jobs.align import Rules
from crm_bridge.jobs.sync import SyncOptions, run_sync
from crm_bridge.mapping.fields import FieldMapper
from crm_bridge.mapping.lifecycle import Funnel
from crm_bridge.mapping.personas import PersonaClassifier
from crm_bridge.state.store import open_store

from .fakes import FakeClock, FakeConnector

MAPPINGS = Path(__file__).resolve().parents[2] / "crm_bridge" / "example" / "mappings"


def load(name, model):
    return model.model_validate(yaml.safe_load((MAPPINGS / name).read_text()))


@pytest.fixture(scope="module")
def rules():
    return Rules.compile(
        FieldMapper(load("fields.yaml", FieldsFile)),
        Funnel(load("lifecycle.yaml", LifecycleFile)),
        PersonaClassifier(load("personas.yaml", PersonasFile)),
        load("sla.yaml", SlaFile),
        load("alignment.yaml", AlignmentFile),
    )


@pytest.fixture
def world(tmp_path):
    clock = FakeClock(datetime(2026, 3, 2, 14, 0, tzinfo=UTC))
    sf, hs = FakeConnector("salesforce", clock), FakeConnector("hubspot", clock)
    sf.put(
        "Lead",
        "00Q000000000001AAA",
        Email="Ann@Acme.com ",
        Title="CFO",
        Company="Acme",
        Lead_Score__c=75,
        Status="Open - Not Contacted",
        OwnerId="005A",
    )
    hs.put(
        "contacts",
        "501",
        email="ann@acme.com",
        jobtitle="CFO",
        company="Acme",
        hubspotscore="80",
        lifecyclestage="lead",
    )
    hs.put(
        "contacts",
        "502",
        email="bob@beta.io",
        jobtitle="Sr. Software Engineer",
        company="Beta",
        lifecyclestage="subscriber",
    )
    store = open_store(f"sqlite:///{tmp_path / 'state.db'}")
    yield clock, sf, hs, store
    store.close()


def sync(rules, world, **kw):
    clock, sf, hs, store = world
    return run_sync(
        store=store,
        connectors={"salesforce": sf, "hubspot": hs},
        rules=rules,
        options=SyncOptions(job="test", **kw),
        clock=clock,
    )


def test_first_run_links_aligns_and_writes_both_crms(rules, world):
    _, sf, hs, store = world
    summary = sync(rules, world)
    assert summary.status == "succeeded", summary.problems
    ann_sf = sf.tables["Lead"]["00Q000000000001AAA"]
    ann_hs = hs.tables["contacts"]["501"]
    assert ann_sf["CRMB_HubSpot_Id__c"] == "501"
    assert ann_hs["crmb_salesforce_id"] == "00Q000000000001AAA"
    assert ann_sf["CRMB_Function__c"] == ann_hs["crmb_function"] == "finance"
    assert ann_sf["CRMB_Seniority__c"] == "c_level"
    assert ann_sf["CRMB_Lifecycle_Stage__c"] == ann_hs["crmb_lifecycle_stage"] == "mql"
    assert ann_hs["lifecyclestage"] == "marketingqualifiedlead"
    assert hs.tables["contacts"]["502"]["crmb_function"] == "engineering"
    assert summary.links_created == 1
    assert summary.fields_written > 0
    assert list(store.iter_audit(summary.run_id))


def test_rerun_with_no_changes_writes_nothing(rules, world):
    _, sf, hs, _ = world
    sync(rules, world)
    n = len(sf.writes) + len(hs.writes)
    again = sync(rules, world)
    assert again.fields_written == 0, [(c.ref, c.field, c.before, c.after) for c in again.planned]
    assert len(sf.writes) + len(hs.writes) == n


def test_change_in_hubspot_reaches_salesforce(rules, world):
    _, sf, hs, _ = world
    sync(rules, world)
    hs.put("contacts", "501", jobtitle="VP Marketing")
    summary = sync(rules, world)
    assert summary.status == "succeeded"
    assert sf.tables["Lead"]["00Q000000000001AAA"]["Title"] == "VP Marketing"
    assert sf.tables["Lead"]["00Q000000000001AAA"]["CRMB_Function__c"] == "marketing"
    # and nothing echoes back on the next run
    assert sync(rules, world).fields_written == 0


def test_dry_run_plans_and_writes_nothing(rules, world):
    _, sf, hs, store = world
    summary = sync(rules, world, dry_run=True)
    assert summary.planned and not sf.writes and not hs.writes
    assert {c.ref.crm for c in summary.planned} == {"salesforce", "hubspot"}
    assert all(c.reason for c in summary.planned)
    assert store.get_cursor("hubspot", "contacts") is None


def test_failed_record_does_not_block_its_batch(rules, world):
    _, _sf, hs, _ = world
    hs.fail_ids.add("501")
    summary = sync(rules, world)
    assert summary.status == "partial"
    assert [p.code for p in summary.problems] == ["FIELD_CUSTOM_VALIDATION_EXCEPTION"]
    assert "crmb_function" in hs.tables["contacts"]["502"]
    assert summary.count("hubspot", "contacts").failed == 1


def test_every_write_field_is_produced_by_alignment(rules):
    from crm_bridge.alignment.committee import COMMITTEE_FIELDS
    from crm_bridge.alignment.partner import PARTNER_FIELDS
    from crm_bridge.alignment.sla import SLA_FIELDS
    from crm_bridge.alignment.stalls import STALL_FIELDS
    from crm_bridge.jobs.align import PERSON_FIELDS

    produced = {
        *PERSON_FIELDS,
        *SLA_FIELDS,
        *PARTNER_FIELDS,
        *STALL_FIELDS,
        *COMMITTEE_FIELDS,
        "hubspot_id",
        "salesforce_id",
    }
    assert set(rules.fields.config.write) <= produced
