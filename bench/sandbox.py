"""Benchmark: sandbox read throughput through the official clients, and server memory.

``python -m bench.sandbox [--records N]`` starts ``crm-bridge sandbox serve`` as a separate
process (so the client does not share its interpreter) with N generated people (default
200,000), latency off and rate limits off, then reads every person record through the
unmodified clients: Salesforce ``query_all_iter`` over Lead and Contact, HubSpot
``basic_api.get_page`` paging (limit 100) over contacts. Reports records/s per CRM (target
>= 5,000), the server's resident memory after loading and after the reads (psutil), its
start-up time and the API calls it counted.

hubspot-api-client spends most of its time turning JSON into models (``dateutil`` parsing
every ``createdAt``/``updatedAt``), so the same HubSpot pages are also read as plain JSON over
the same HTTPS session (``hubspot_raw``): that figure is the server's own throughput, which
shows whether the sandbox or the client is the bottleneck. Prints one JSON object as the last line and writes
it to ``bench/results/sandbox.json``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import psutil  # type: ignore[import-untyped]

from bench.serve import serve
from crm_bridge.sandbox.clients import hubspot_client, salesforce_client, trusting_session

RESULT = Path(__file__).parent / "results" / "sandbox.json"
TARGET_PER_S = 5_000
SF_FIELDS = "Id, FirstName, LastName, Email, Title, Phone, LeadSource, CreatedDate, SystemModstamp"
HS_PROPS = ["email", "firstname", "lastname", "jobtitle", "lifecyclestage", "hs_lead_status"]


def _rss_mb(pid: int) -> float:
    rss: int = psutil.Process(pid).memory_info().rss
    return round(rss / 2**20, 1)


def _salesforce(ep: SimpleNamespace) -> dict[str, Any]:
    sf = salesforce_client(ep)
    counts: dict[str, int] = {}
    started = time.perf_counter()
    for obj in ("Lead", "Contact"):
        counts[obj] = sum(1 for _ in sf.query_all_iter(f"SELECT {SF_FIELDS} FROM {obj}"))
    seconds = time.perf_counter() - started
    total = sum(counts.values())
    return {"records": total, "by_object": counts, "seconds": round(seconds, 2),
            "records_per_s": round(total / seconds)}  # fmt: skip


def _hubspot(ep: SimpleNamespace) -> dict[str, Any]:
    api = hubspot_client(ep).crm.contacts.basic_api
    total, pages, after = 0, 0, None
    started = time.perf_counter()
    while True:
        page = api.get_page(limit=100, after=after, properties=HS_PROPS)
        total += len(page.results)
        pages += 1
        if page.paging is None or page.paging.next is None:
            break
        after = page.paging.next.after
    seconds = time.perf_counter() - started
    return {"records": total, "pages": pages, "seconds": round(seconds, 2),
            "records_per_s": round(total / seconds)}  # fmt: skip


def _hubspot_raw(ep: SimpleNamespace) -> dict[str, Any]:
    session = trusting_session(ep.ca_file)
    url = f"{ep.hubspot_host}/crm/v3/objects/contacts"
    auth = {"Authorization": f"Bearer {ep.hubspot_access_token}"}
    params: dict[str, Any] = {"limit": 100, "properties": ",".join(HS_PROPS)}
    total, pages = 0, 0
    started = time.perf_counter()
    while True:
        page = session.get(url, params=params, headers=auth, timeout=60).json()
        total += len(page["results"])
        pages += 1
        after = ((page.get("paging") or {}).get("next") or {}).get("after")
        if not after:
            break
        params["after"] = after
    seconds = time.perf_counter() - started
    return {"records": total, "pages": pages, "seconds": round(seconds, 2),
            "records_per_s": round(total / seconds)}  # fmt: skip


def run(records: int, seed: int) -> dict[str, Any]:
    """Start the server, read everything through both clients, stop; the figures."""
    proc, ep, startup_s = serve(records, seed)
    try:
        rss_loaded = _rss_mb(proc.pid)
        sf = _salesforce(ep)
        hs = _hubspot(ep)
        hs_raw = _hubspot_raw(ep)
        rss_after = _rss_mb(proc.pid)
        calls = (
            trusting_session(ep.ca_file).get(f"{ep.instance_url}/_sandbox/calls", timeout=60).json()
        )
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    return {
        "benchmark": "sandbox",
        "records": records,
        "startup_s": round(startup_s, 2),
        "salesforce": sf,
        "hubspot": hs,
        "hubspot_raw": hs_raw,
        "target_records_per_s": TARGET_PER_S,
        "salesforce_vs_target": round(sf["records_per_s"] / TARGET_PER_S, 2),
        "hubspot_vs_target": round(hs["records_per_s"] / TARGET_PER_S, 2),
        "hubspot_raw_vs_target": round(hs_raw["records_per_s"] / TARGET_PER_S, 2),
        "server_rss_mb_loaded": rss_loaded,
        "server_rss_mb_after_reads": rss_after,
        "server_rss_kb_per_record": round(rss_after * 1024 / records, 2),
        "api_calls": {
            "salesforce": calls["salesforce"]["total"],
            "hubspot": calls["hubspot"]["total"],
        },
    }


def main() -> None:
    """CLI entry: ``python -m bench.sandbox [--records N] [--seed S]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    result = run(args.records, args.seed)
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(result, separators=(",", ":"))
    RESULT.write_text(text + "\n", encoding="utf-8")
    print(
        f"sandbox {args.records} people: Salesforce {result['salesforce']['records_per_s']}/s, "
        f"HubSpot {result['hubspot']['records_per_s']}/s through the SDK "
        f"({result['hubspot_raw']['records_per_s']}/s as plain JSON), target {TARGET_PER_S}/s; "
        f"server RSS {result['server_rss_mb_after_reads']} MB"
    )
    print(text)


if __name__ == "__main__":
    main()
