"""Benchmark: reads and writes through the crm-bridge connectors against the sandbox.

``python -m bench.connectors [--records N] [--writes W] [--paced-seconds S]``

Throughput (a ``crm-bridge sandbox serve`` process with N generated people, rate limits off,
so the client does not share the server's interpreter):

* full read of every object (Salesforce Lead, Contact, Account, Opportunity; HubSpot contacts,
  companies, deals) with the fields the example project's sync requests (its alignment fields
  are created first): records/s and API calls against the minimum ``ceil(n / page size)``
  (Salesforce query pages of 2,000, HubSpot list pages of 100);
* W changes written per person object (Salesforce Lead and Contact, HubSpot contacts and
  companies): records/s and calls against ``ceil(W / 200)`` (Salesforce composite) and
  ``ceil(W / 100)`` (HubSpot batch update);
* the incremental read right after those writes: the calls it needs against
  ``ceil(W / 2000)`` (SOQL) and ``ceil(W / 200)`` (HubSpot search), and whether it returned
  exactly the W changed records.

Rate limits on (an in-process sandbox enforcing HubSpot's rolling 10-second limit, once at
100 and once at 190 calls per 10 s): paced full reads of contacts for S seconds; calls/s
achieved divided by the bound (10/s or 19/s) and the 429 responses seen (client and server;
the target is 0). Then paced incremental reads (search, 5 per second) for S/2 seconds.

Prints one summary line and writes the figures to ``bench/results/connectors.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import crm_bridge
from bench.serve import serve
from crm_bridge.connectors.base import Connector, ConnectorStats
from crm_bridge.connectors.factory import sandbox_connectors
from crm_bridge.connectors.hubspot import HubSpotConnector
from crm_bridge.connectors.retry import no_urllib3_retries
from crm_bridge.connectors.salesforce import SalesforceConnector
from crm_bridge.jobs.pull import read_fields
from crm_bridge.jobs.runner import compile_rules
from crm_bridge.jobs.setup import create_alignment
from crm_bridge.model import NATIVE_KINDS, Crm, RecordRef, RecordUpdate
from crm_bridge.project import load_project
from crm_bridge.sandbox.clients import hubspot_client, salesforce_client
from crm_bridge.sandbox.server import SandboxServer

RESULT = Path(__file__).parent / "results" / "connectors.json"
EXAMPLE = Path(crm_bridge.__file__).parent / "example"
PAGE = {"salesforce": 2000, "hubspot": 100}
WRITE_BATCH = {"salesforce": 200, "hubspot": 100}
SEARCH_PAGE = 200
WRITE_OBJECTS: dict[Crm, tuple[str, ...]] = {
    "salesforce": ("Lead", "Contact"),
    "hubspot": ("contacts", "companies"),
}
WRITE_FIELD = {
    "Lead": "CRMB_Persona__c",
    "Contact": "CRMB_Persona__c",
    "contacts": "crmb_persona",
    "companies": "crmb_salesforce_id",
}
DATA_ENDPOINTS = {"query", "list"}


def _unpaced(ep: SimpleNamespace) -> dict[Crm, Connector]:
    sf = SalesforceConnector(salesforce_client(ep), "salesforce", lookback=timedelta(0))
    hs = HubSpotConnector(
        hubspot_client(ep, retry=no_urllib3_retries()), "hubspot", lookback=timedelta(0)
    )
    return {"salesforce": sf, "hubspot": hs}


def _delta(stats: ConnectorStats, before: Counter[str]) -> dict[str, int]:
    return {k: v - before.get(k, 0) for k, v in stats.by_endpoint.items() if v - before.get(k, 0)}


def _full_reads(connectors: dict[Crm, Connector], fields: dict[str, list[str]]) -> list[Any]:
    rows = []
    for crm, connector in connectors.items():
        for obj in NATIVE_KINDS[crm]:
            before = Counter(connector.stats.by_endpoint)
            started = time.perf_counter()
            ids = [r.ref.id for r in connector.read(obj, fields[obj], None) if not r.deleted]
            seconds = time.perf_counter() - started
            calls = _delta(connector.stats, before)
            data = sum(n for k, n in calls.items() if k in DATA_ENDPOINTS)
            minimum = max(1, math.ceil(len(ids) / PAGE[crm]))
            rows.append(
                {
                    "crm": crm,
                    "object": obj,
                    "records": len(ids),
                    "unique": len(set(ids)) == len(ids),
                    "seconds": round(seconds, 2),
                    "records_per_s": round(len(ids) / seconds),
                    "calls": calls,
                    "page_calls": data,
                    "min_page_calls": minimum,
                    "page_calls_vs_min": round(data / minimum, 2),
                    "total_calls_vs_min": round(sum(calls.values()) / minimum, 2),
                }
            )
    return rows


def _writes_then_incremental(connectors: dict[Crm, Connector], writes: int) -> list[Any]:
    rows = []
    for crm, connector in connectors.items():
        for obj in WRITE_OBJECTS[crm]:
            # converted leads cannot be updated (CANNOT_UPDATE_CONVERTED_LEAD): skip them
            probe = ["Id"] if crm == "salesforce" else ["email"]
            ids = [
                r.ref.id
                for r in connector.read(obj, probe, None)
                if not r.deleted and not r.fields.get("IsConverted")
            ][:writes]
            field = WRITE_FIELD[obj]
            stamp = f"bench-{int(time.time())}"
            updates = [
                RecordUpdate(RecordRef(crm, obj, i), {field: f"{stamp}-{i}"[:18]}) for i in ids
            ]
            cursor = datetime.now(UTC) - timedelta(seconds=1)
            before = Counter(connector.stats.by_endpoint)
            started = time.perf_counter()
            results = list(connector.write(obj, updates))
            write_s = time.perf_counter() - started
            write_calls = _delta(connector.stats, before)
            ok = sum(1 for r in results if r.ok)
            minimum = math.ceil(len(ids) / WRITE_BATCH[crm])
            before = Counter(connector.stats.by_endpoint)
            started = time.perf_counter()
            changed = [r.ref.id for r in connector.read(obj, [field], cursor) if not r.deleted]
            read_s = time.perf_counter() - started
            read_calls = _delta(connector.stats, before)
            page = 2000 if crm == "salesforce" else SEARCH_PAGE
            page_calls = read_calls.get("query", 0) + read_calls.get("search", 0)
            rows.append(
                {
                    "crm": crm,
                    "object": obj,
                    "writes": len(ids),
                    "written_ok": ok,
                    "write_seconds": round(write_s, 2),
                    "write_records_per_s": round(len(ids) / write_s),
                    "write_calls": sum(write_calls.values()),
                    "min_write_calls": minimum,
                    "write_calls_vs_min": round(sum(write_calls.values()) / minimum, 2),
                    "incremental_records": len(changed),
                    "incremental_exact": sorted(changed) == sorted(ids),
                    "incremental_seconds": round(read_s, 2),
                    "incremental_calls": read_calls,
                    "incremental_page_calls": page_calls,
                    "min_incremental_page_calls": math.ceil(len(ids) / page),
                }
            )
    return rows


def _paced(records: int, tier: int, seconds: float, seed: int) -> dict[str, Any]:
    """Paced full reads of contacts, then paced searches, on a rate-limited sandbox."""
    out: dict[str, Any] = {"tier_per_10s": tier, "bound_per_s": tier / 10}
    with SandboxServer(records=records, seed=seed, rate_limits=True, hubspot_tier=tier) as server:
        hs = sandbox_connectors(server)["hubspot"]
        hs.describe("contacts")  # property types cached; not part of the timed window
        phases = (
            ("list", None, seconds),
            ("search", datetime(2000, 1, 1, tzinfo=UTC), seconds / 2),
        )
        for phase, since, length in phases:
            server.sandbox.calls.reset()
            before = Counter(hs.stats.by_endpoint)
            limited = hs.stats.rate_limited
            records_read = 0
            started = time.perf_counter()
            deadline = started + length
            while time.perf_counter() < deadline:
                for _ in hs.read("contacts", ["email", "lifecyclestage"], since):
                    records_read += 1
                    if time.perf_counter() >= deadline:
                        break
            elapsed = time.perf_counter() - started
            calls = _delta(hs.stats, before)
            total = sum(calls.values())
            statuses = server.sandbox.calls.snapshot()["hubspot"]["statuses"]
            row: dict[str, Any] = {
                "seconds": round(elapsed, 2),
                "calls": calls,
                "records": records_read,
                "calls_per_s": round(total / elapsed, 2),
                "vs_bound": round(total / elapsed / (tier / 10), 3),
                "client_429s": hs.stats.rate_limited - limited,
                "server_429s": int(statuses.get("429", 0)),
            }
            if phase == "search":
                per_s = calls.get("search", 0) / elapsed
                row.update(search_calls_per_s=round(per_s, 2), search_vs_bound=round(per_s / 5, 3))
            out[phase] = row
        close = getattr(hs, "close", None)
        if callable(close):
            close()
    return out


def run(records: int, writes: int, paced_seconds: float, seed: int) -> dict[str, Any]:
    """Every measurement; the figures as one JSON-ready dict."""
    project = load_project(EXAMPLE)
    rules = compile_rules(project)
    fields = {
        obj: read_fields(rules, crm, obj) for crm, objs in NATIVE_KINDS.items() for obj in objs
    }
    proc, ep, startup_s = serve(records, seed)
    try:
        connectors = _unpaced(ep)
        for connector in connectors.values():
            create_alignment(connector, project.fields)
        reads = _full_reads(connectors, fields)
        written = _writes_then_incremental(connectors, writes)
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    paced = [_paced(max(2000, records // 10), tier, paced_seconds, seed) for tier in (100, 190)]
    return {
        "benchmark": "connectors",
        "records": records,
        "server_startup_s": round(startup_s, 2),
        "full_reads": reads,
        "writes_and_incremental": written,
        "rate_limited": paced,
    }


def summary(result: dict[str, Any]) -> str:
    """One line: read and write rates, call efficiency, paced throughput vs bound."""
    reads = result["full_reads"]
    by_crm: dict[str, list[Any]] = {}
    for row in reads:
        by_crm.setdefault(row["crm"], []).append(row)
    parts = []
    for crm, rows in by_crm.items():
        n = sum(r["records"] for r in rows)
        s = sum(r["seconds"] for r in rows)
        worst = max(r["page_calls_vs_min"] for r in rows)
        parts.append(f"{crm} read {n:,} rec at {n / s:,.0f}/s (page calls <= {worst}x min)")
    for row in result["writes_and_incremental"]:
        parts.append(
            f"{row['object']} write {row['writes']} at {row['write_records_per_s']:,}/s "
            f"{row['write_calls']}/{row['min_write_calls']} calls, incr "
            f"{row['incremental_page_calls']}/{row['min_incremental_page_calls']}"
        )
    for p in result["rate_limited"]:
        parts.append(
            f"HS {p['tier_per_10s']}/10s: {p['list']['vs_bound']:.0%} of bound, "
            f"search {p['search']['search_vs_bound']:.0%} of 5/s, 429s "
            f"{p['list']['server_429s'] + p['search']['server_429s']}"
        )
    return "; ".join(parts)


def main() -> None:
    """CLI entry: ``python -m bench.connectors [--records N] [--writes W] [--paced-seconds S]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--writes", type=int, default=4_000)
    parser.add_argument("--paced-seconds", type=float, default=15.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    result = run(args.records, args.writes, args.paced_seconds, args.seed)
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(summary(result))


if __name__ == "__main__":
    main()
