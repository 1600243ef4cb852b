"""Benchmark: one full sync of both CRMs, then a rerun with no changes.

``python -m bench.sync [--records N]`` starts ``crm-bridge sandbox serve`` as a separate process
(N generated people per CRM, default 20,000; accounts and deals scale with it; rate limits and
latency off), creates the alignment fields, then runs the example job (``hourly-alignment``)
through the real connectors and the real state store (SQLite in a temp folder), twice:

1. a full first sync: records read, fields written, records/s, API calls by endpoint, and the
   ratio of calls to the minimum the page and batch sizes allow (target <= 1.05);
2. a rerun with nothing changed: fields written (target 0) and its calls. Both runs use the
   same clock instant, so SLA clocks crossing a threshold in between do not count as changes.

Peak RSS of the benchmark process (the sync, not the server) is reported with the KB it takes
per record read. Prints one JSON object as the last line and writes it to
``bench/results/sync.json``.

The minimum calls: for every stream read, ``ceil(records / max page size)`` (Salesforce query
2,000; HubSpot list and batch reads 100); for every object type written,
``ceil(records written / max batch)`` (Salesforce 200, HubSpot 100); for the deals read, their
contact roles (Salesforce query) or deal-contact associations (HubSpot batch read of 100). Set-up calls (describe,
properties, pipelines, owners) are counted and shown apart.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import shutil
import tempfile
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from bench.serve import serve
from crm_bridge.connectors.base import Connector
from crm_bridge.connectors.hubspot import HubSpotConnector
from crm_bridge.connectors.ratelimit import hubspot_limiter
from crm_bridge.connectors.retry import no_urllib3_retries
from crm_bridge.connectors.salesforce import SalesforceConnector
from crm_bridge.jobs.runner import compile_rules, pick_job, sync_options
from crm_bridge.jobs.setup import ensure_all
from crm_bridge.jobs.summary import RunSummary
from crm_bridge.jobs.sync import run_sync
from crm_bridge.model import Crm, utcnow
from crm_bridge.project import Project, load_project
from crm_bridge.sandbox.clients import hubspot_client, salesforce_client, trusting_session
from crm_bridge.state.store import StateStore, open_store

RESULT = Path(__file__).parent / "results" / "sync.json"
EXAMPLE = Path(__file__).resolve().parents[1] / "crm_bridge" / "example"
JOB = "hourly-alignment"
PAGE = {"salesforce": 2000, "hubspot": 100}
BATCH = {"salesforce": 200, "hubspot": 100}
SETUP_WORDS = ("describe", "properties", "pipelines", "owners", "tooling", "limits", "schema")


def _connectors(ep: SimpleNamespace) -> dict[Crm, Connector]:
    """Both connectors against the served sandbox, paced as for a real HubSpot account."""
    sf = SalesforceConnector(salesforce_client(ep), "salesforce")
    hs = HubSpotConnector(
        hubspot_client(ep, retry=no_urllib3_retries()),
        "hubspot",
        limiter=hubspot_limiter(burst_max=190, search_per_s=5.0),
    )
    return {"salesforce": sf, "hubspot": hs}


def _server_calls(ep: SimpleNamespace) -> dict[str, Any]:
    got: dict[str, Any] = (
        trusting_session(ep.ca_file).get(f"{ep.instance_url}/_sandbox/calls", timeout=60).json()
    )
    return got


def _delta(after: dict[str, Any], before: dict[str, Any]) -> dict[str, Counter[str]]:
    out: dict[str, Counter[str]] = {}
    for crm in ("salesforce", "hubspot"):
        c: Counter[str] = Counter(after[crm]["endpoints"])
        c.subtract(before[crm]["endpoints"])
        out[crm] = +c
    return out


def _is_setup(endpoint: str) -> bool:
    return any(word in endpoint.lower() for word in SETUP_WORDS)


def _minimum(summary: RunSummary) -> dict[str, int]:
    """Fewest calls the page and batch sizes allow for what this run read and wrote."""
    out = {"salesforce": 0, "hubspot": 0}
    for (crm, object_type), counts in summary.counts.items():
        out[crm] += math.ceil(counts.read / PAGE[crm]) + math.ceil(counts.written / BATCH[crm])
        if object_type in ("Opportunity", "deals"):  # contact roles / deal-contact associations
            out[crm] += math.ceil(counts.read / PAGE[crm])
    return out


def _project(root: Path, records: int) -> Project:
    shutil.copytree(EXAMPLE, root, dirs_exist_ok=True)
    profile = root / "connectors" / "sandbox.yaml"
    text = profile.read_text(encoding="utf-8").replace("records: 2000", f"records: {records}")
    profile.write_text(text, encoding="utf-8")
    return load_project(root)


def _run(
    project: Project,
    store: StateStore,
    connectors: dict[Crm, Connector],
    ep: SimpleNamespace,
    now: datetime,
) -> tuple[RunSummary, float, dict[str, Counter[str]]]:
    before = _server_calls(ep)
    job = pick_job(project, JOB)
    started = time.perf_counter()
    summary = run_sync(
        store=store,
        connectors=connectors,
        rules=compile_rules(project),
        options=sync_options(job),
        clock=lambda: now,
    )
    seconds = time.perf_counter() - started
    return summary, seconds, _delta(_server_calls(ep), before)


def _figures(summary: RunSummary, seconds: float, calls: dict[str, Counter[str]]) -> dict[str, Any]:
    read = sum(c.read for c in summary.counts.values())
    data = {crm: sum(n for e, n in c.items() if not _is_setup(e)) for crm, c in calls.items()}
    setup = {crm: sum(n for e, n in c.items() if _is_setup(e)) for crm, c in calls.items()}
    minimum = _minimum(summary)
    total_min = sum(minimum.values())
    return {
        "seconds": round(seconds, 1),
        "records_read": read,
        "records_per_s": round(read / seconds) if seconds else None,
        "fields_written": summary.fields_written,
        "record_errors": len(summary.problems),
        "calls": {crm: dict(sorted(c.items())) for crm, c in calls.items()},
        "data_calls": data,
        "setup_calls": setup,
        "minimum_calls": minimum,
        "calls_vs_minimum": round(sum(data.values()) / total_min, 3) if total_min else None,
        "read_by_object": {f"{crm} {obj}": c.read for (crm, obj), c in summary.counts.items()},
    }


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run(records: int, seed: int) -> dict[str, Any]:
    """Serve, set up fields, sync twice; the figures."""
    proc, ep, _ = serve(records, seed)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            project = _project(Path(tmp) / "project", records)
            store = open_store(f"sqlite:///{Path(tmp) / 'state.db'}")
            connectors = _connectors(ep)
            ensure_all(connectors, project.fields)
            rss_before = _peak_rss_mb()
            # both runs see the same instant: SLA clocks crossing a threshold between the two
            # runs would be a real change (and a write), not what the rerun measures
            now = utcnow()
            first, s1, c1 = _run(project, store, connectors, ep, now)
            rss_first = _peak_rss_mb()
            second, s2, c2 = _run(project, store, connectors, ep, now)
            store.close()
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    one = _figures(first, s1, c1)
    two = _figures(second, s2, c2)
    return {
        "benchmark": "sync",
        "records": records,
        "first_sync": one,
        "rerun_no_changes": two,
        "calls_vs_minimum": one["calls_vs_minimum"],
        "target_calls_vs_minimum": 1.05,
        "rerun_fields_written": two["fields_written"],
        "records_per_s": one["records_per_s"],
        "peak_rss_mb_before_sync": rss_before,
        "peak_rss_mb": rss_first,
        "rss_kb_per_record": round(
            (rss_first - rss_before) * 1024 / max(1, one["records_read"]), 2
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    result = run(args.records, args.seed)
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    one = result["first_sync"]
    print(
        f"sync {args.records} people/CRM: {one['records_read']} records read at "
        f"{one['records_per_s']}/s, {one['fields_written']} fields written, calls "
        f"{result['calls_vs_minimum']}x the minimum, rerun wrote {result['rerun_fields_written']}, "
        f"peak RSS {result['peak_rss_mb']} MB ({result['rss_kb_per_record']} KB/record)"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
