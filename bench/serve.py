"""Start ``crm-bridge sandbox serve`` in its own process for a benchmark (so the server does not
share the benchmark's interpreter or memory) and describe its endpoints."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from types import SimpleNamespace


def serve(
    records: int, seed: int, *, rate_limits: bool = False
) -> tuple[subprocess.Popen[str], SimpleNamespace, float]:
    """The server process, its endpoints (what ``crm_bridge.sandbox.clients`` expects) and
    the seconds it took to start; latency off."""
    cmd = [
        sys.executable, "-c", "from crm_bridge.cli import main; main()", "sandbox", "serve",
        "--port", "0", "--records", str(records), "--seed", str(seed),
        "--rate-limits", "on" if rate_limits else "off", "--latency-ms", "0", "--json",
    ]  # fmt: skip
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        proc.wait(timeout=30)
        raise SystemExit(f"sandbox serve exited with {proc.returncode} before printing endpoints")
    info = json.loads(line)
    endpoints = SimpleNamespace(
        instance_url=info["salesforce"]["instance_url"],
        salesforce_session_id=info["salesforce"]["session_id"],
        hubspot_host=info["hubspot"]["host"],
        hubspot_access_token=info["hubspot"]["access_token"],
        ca_file=info["ca_file"],
    )
    return proc, endpoints, time.perf_counter() - started
