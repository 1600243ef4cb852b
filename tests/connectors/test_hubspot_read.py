"""HubSpot reads against the sandbox: full list, windowed search past the 10k cap, archived."""

from __future__ import annotations

from datetime import UTC, datetime

from crm_bridge.model import RecordRef, RecordUpdate
from tests.connectors.hs_support import connector, seed
from tests.sandbox.hubspot_env import Env


def test_full_read_pages_by_100_and_parses_values(hs_env: Env) -> None:
    ids = seed(hs_env, "contacts", 250)
    hs = connector(hs_env)
    records = list(hs.read("contacts", ["email", "createdate"], None))
    assert sorted(r.ref.id for r in records) == sorted(ids)
    assert hs.stats.by_endpoint["list"] == 3
    first = records[0]
    assert first.fields["email"] == "p0@ex.com"
    assert first.modified_at.tzinfo is not None
    assert isinstance(first.fields["createdate"], datetime)
    assert not any(r.deleted for r in records)


def test_incremental_search_reads_more_than_10000_changed_records(hs_env: Env) -> None:
    ids = seed(hs_env, "contacts", 12_345)
    hs = connector(hs_env)
    since = datetime(2024, 1, 1, tzinfo=UTC)
    got = [r.ref.id for r in hs.read("contacts", ["email"], since)]
    assert len(got) == len(set(got))
    assert sorted(got) == sorted(ids)
    # 12,345 / 200 pages plus one restart overlap at most
    assert hs.stats.by_endpoint["search"] <= 64


def test_search_window_boundary_with_equal_timestamps(hs_env: Env) -> None:
    ids = seed(hs_env, "companies", 9_950, step_ms=1)
    # 300 records share one stamp across the first window's cap
    ids += seed(hs_env, "companies", 300, datetime(2024, 1, 2, tzinfo=UTC), step_ms=0)
    hs = connector(hs_env)
    got = [r.ref.id for r in hs.read("companies", ["name"], datetime(2023, 1, 1, tzinfo=UTC))]
    assert len(got) == len(set(got)) == 10_250
    assert set(got) == set(ids)


def test_archived_records_are_yielded_as_deleted(hs_env: Env) -> None:
    ids = seed(hs_env, "contacts", 5)
    rec = hs_env.hubspot.tables["contacts"].records[int(ids[0])]
    hs_env.hubspot.archive("contacts", rec)
    hs = connector(hs_env)
    records = {r.ref.id: r for r in hs.read("contacts", ["email"], None)}
    assert records[ids[0]].deleted is True
    assert [i for i in ids if not records[i].deleted] == ids[1:]


def test_read_ids_and_read_current(hs_env: Env) -> None:
    ids = seed(hs_env, "contacts", 3)
    hs = connector(hs_env)
    current = hs.read_current("contacts", [ids[1], "999999"], ["email"])
    assert current == {ids[1]: {"email": "p1@ex.com"}}


def test_write_then_read_back(hs_env: Env) -> None:
    ids = seed(hs_env, "contacts", 230)
    hs = connector(hs_env)
    updates = [
        RecordUpdate(RecordRef("hubspot", "contacts", i), {"jobtitle": f"T{n}"})
        for n, i in enumerate(ids)
    ]
    results = list(hs.write("contacts", updates))
    assert [r.ref.id for r in results] == ids
    assert all(r.ok for r in results)
    assert hs.stats.by_endpoint["batch_write"] == 3
    assert hs.read_current("contacts", [ids[229]], ["jobtitle"])[ids[229]]["jobtitle"] == "T229"
