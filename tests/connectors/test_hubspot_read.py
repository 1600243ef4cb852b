"""HubSpot reads on the sandbox: full list, windowed search past the 10k cap, archived."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from crm_bridge.sandbox.server import SandboxServer
from tests.connectors.support import connectors, seed_hubspot


def _live(server: SandboxServer, obj: str) -> set[str]:
    return {str(r.id) for r in server.sandbox.hubspot.live(obj)}


def test_full_read_pages_by_100_and_parses_values(sandbox: SandboxServer) -> None:
    ids = seed_hubspot(sandbox, "contacts", 250)
    _, hs = connectors(sandbox)
    records = list(hs.read("contacts", ["email", "createdate"], None))
    got = [r.ref.id for r in records if not r.deleted]
    assert len(got) == len(set(got))
    assert set(got) == _live(sandbox, "contacts") >= set(ids)
    assert hs.stats.by_endpoint["list"] == math.ceil(len(got) / 100)
    mine = next(r for r in records if r.ref.id == ids[0])
    assert mine.fields["email"] == "p0@ex.com"
    assert mine.modified_at == datetime(2024, 1, 1, tzinfo=UTC)
    assert isinstance(mine.fields["createdate"], datetime)


def test_incremental_search_reads_more_than_10000_changed_records(sandbox: SandboxServer) -> None:
    ids = seed_hubspot(sandbox, "contacts", 12_345)
    _, hs = connectors(sandbox)
    # since before every generated contact too (some were last modified before 2024)
    got = [r.ref.id for r in hs.read("contacts", ["email"], datetime(2000, 1, 1, tzinfo=UTC))]
    assert len(got) == len(set(got))
    assert set(got) == _live(sandbox, "contacts")
    assert set(ids) <= set(got)
    assert hs.stats.by_endpoint["search"] <= math.ceil(len(got) / 200) + 2


def test_search_window_restart_inside_a_run_of_equal_timestamps(sandbox: SandboxServer) -> None:
    ids = seed_hubspot(sandbox, "companies", 9_950, step_ms=1)
    ids += seed_hubspot(sandbox, "companies", 300, datetime(2024, 1, 2, tzinfo=UTC), step_ms=0)
    _, hs = connectors(sandbox)
    since = datetime(2000, 1, 1, tzinfo=UTC)
    got = [r.ref.id for r in hs.read("companies", ["name"], since)]
    assert len(got) == len(set(got))
    assert set(ids) <= set(got) == _live(sandbox, "companies")


def test_incremental_read_uses_lookback(sandbox: SandboxServer) -> None:
    old = seed_hubspot(sandbox, "deals", 3, datetime(2024, 1, 1, 12, 0, tzinfo=UTC))
    new = seed_hubspot(sandbox, "deals", 2, datetime(2024, 1, 1, 12, 5, tzinfo=UTC))
    _, hs = connectors(sandbox)
    since = datetime(2024, 1, 1, 12, 6, tzinfo=UTC)  # lookback 2 min reaches 12:04
    got = {r.ref.id for r in hs.read("deals", ["dealname"], since)}
    assert set(new) <= got
    assert not set(old) & got


def test_archived_records_are_yielded_as_deleted(sandbox: SandboxServer) -> None:
    ids = seed_hubspot(sandbox, "contacts", 5)
    store = sandbox.sandbox.hubspot
    store.archive("contacts", store.tables["contacts"].records[int(ids[0])])
    _, hs = connectors(sandbox)
    records = {r.ref.id: r for r in hs.read("contacts", ["email"], None)}
    assert records[ids[0]].deleted is True
    assert [i for i in ids if not records[i].deleted] == ids[1:]


def test_read_ids_and_read_current(sandbox: SandboxServer) -> None:
    ids = seed_hubspot(sandbox, "contacts", 3)
    _, hs = connectors(sandbox)
    current = hs.read_current("contacts", [ids[1], "999999"], ["email"])
    assert current == {ids[1]: {"email": "p1@ex.com"}}


def test_contact_roles_from_labelled_deal_associations(sandbox: SandboxServer) -> None:
    _, hs = connectors(sandbox)
    roles = list(hs.read_contact_roles())
    assert roles, "the seeded portal has deals with contacts"
    deals = {str(r.id) for r in sandbox.sandbox.hubspot.live("deals")}
    assert {r.opportunity.id for r in roles} <= deals
    assert any(r.role for r in roles)
    some = roles[0].opportunity.id
    assert {r.person for r in hs.read_contact_roles([some])} == {
        r.person for r in roles if r.opportunity.id == some
    }
