"""Helpers for the end-to-end tests: a small sandbox with the alignment fields, a temp copy of
the example project, runs of the real pipeline, read-back through the official clients, and
hooks on the in-process sandbox (field writes that reached it; SIGKILL of a client process
while a write is applied)."""

from __future__ import annotations

import os
import random
import select
import shutil
import signal
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from hubspot import HubSpot
from simple_salesforce.api import Salesforce

from crm_bridge.connectors.base import Connector
from crm_bridge.connectors.factory import sandbox_connectors
from crm_bridge.connectors.hubspot import HubSpotConnector
from crm_bridge.connectors.retry import RetryPolicy, no_urllib3_retries
from crm_bridge.connectors.salesforce import SalesforceConnector
from crm_bridge.jobs.planfile import render_value
from crm_bridge.jobs.runner import compile_rules, pick_job, sandbox_profile, sync_options
from crm_bridge.jobs.setup import ensure_all
from crm_bridge.jobs.summary import RunSummary
from crm_bridge.jobs.sync import run_sync
from crm_bridge.jobs.write import WriteTarget
from crm_bridge.model import Crm, utcnow
from crm_bridge.project import Project, load_project
from crm_bridge.sandbox.calls import endpoint_key
from crm_bridge.sandbox.clients import Endpoint, hubspot_client, salesforce_client
from crm_bridge.sandbox.core import STATE_FILE, Sandbox
from crm_bridge.sandbox.server import SandboxServer
from crm_bridge.state.store import StateStore

EXAMPLE = Path(__file__).resolve().parents[2] / "crm_bridge" / "example"
RECORDS = 150
SEED = 7
JOB = "hourly-alignment"
#: write batch size of the job in the test project: small, so a run makes a dozen write calls
#: and a crash test can stop it with batches done before and batches still to send
BATCH = 25
#: connection names of the sandbox connectors (cursors are kept per connection name)
SF_NAME, HS_NAME = "sandbox-salesforce", "sandbox-hubspot"

# Alignment fields per CRM object (from the example mappings/fields.yaml ``write`` section).
SF_PERSON = [
    "CRMB_Lifecycle_Stage__c",
    "CRMB_Stage_Entered_At__c",
    "CRMB_Function__c",
    "CRMB_Seniority__c",
    "CRMB_Persona__c",
    "CRMB_Buying_Role__c",
    "CRMB_Persona_Rule__c",
    "CRMB_SLA_Status__c",
    "CRMB_SLA_Due__c",
    "CRMB_SLA_Breached_At__c",
    "CRMB_HubSpot_Id__c",
]
SF_DEAL = [
    "CRMB_Stalled__c",
    "CRMB_Stall_Reason__c",
    "CRMB_Days_Stalled__c",
    "CRMB_Marketing_Assist__c",
    "CRMB_Committee_Coverage__c",
    "CRMB_Missing_Roles__c",
    "CRMB_Stallers_Count__c",
    "CRMB_Decision_Maker_Engaged__c",
    "CRMB_HubSpot_Id__c",
]
HS_PERSON = [
    "crmb_lifecycle_stage",
    "crmb_stage_entered_at",
    "crmb_function",
    "crmb_seniority",
    "crmb_persona",
    "crmb_buying_role",
    "crmb_persona_rule",
    "crmb_sla_status",
    "crmb_sla_due",
    "crmb_sla_breached_at",
    "crmb_salesforce_id",
]
HS_DEAL = [
    "crmb_stalled",
    "crmb_stall_reason",
    "crmb_days_stalled",
    "crmb_marketing_assist",
    "crmb_committee_coverage",
    "crmb_missing_roles",
    "crmb_stallers_count",
    "crmb_decision_maker_engaged",
    "crmb_salesforce_id",
]
#: fields read back per object: the alignment fields plus the two-way synced person fields
SF_FIELDS: dict[str, list[str]] = {
    "Lead": ["Title", "FirstName", "LastName", "Phone", *SF_PERSON],
    "Contact": ["Title", "FirstName", "LastName", "Phone", *SF_PERSON],
    "Opportunity": SF_DEAL,
    "Account": ["CRMB_HubSpot_Id__c"],
}
HS_FIELDS: dict[str, list[str]] = {
    "contacts": ["jobtitle", "firstname", "lastname", "phone", "lifecyclestage", *HS_PERSON],
    "deals": HS_DEAL,
    "companies": ["crmb_salesforce_id"],
}

Key = tuple[str, str, str]
Snapshot = dict[Key, dict[str, Any]]


def no_sleep_policy() -> RetryPolicy:
    """The retry policy with a no-op sleep (tests never sleep) and a fixed jitter stream."""
    return RetryPolicy(sleep=lambda _s: None, rng=random.Random(0), max_attempts=10)


def make_project(root: Path, records: int = RECORDS, seed: int = SEED) -> Project:
    """A copy of the example project in ``root``: a small sandbox profile with limits off, and
    the job writing in batches of `BATCH`."""
    shutil.copytree(EXAMPLE, root, dirs_exist_ok=True)
    _edit_yaml(root / "connectors" / "sandbox.yaml", records=records, seed=seed, rate_limits=False)
    _edit_yaml(root / "jobs" / f"{JOB}.yaml", batch_size={"salesforce": BATCH, "hubspot": BATCH})
    return load_project(root)


def _edit_yaml(path: Path, **values: Any) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(values)
    path.write_text(yaml.safe_dump(data), encoding="utf-8")


def seeded_state(project: Project, data_dir: Path) -> Path:
    """A saved sandbox state (small, seeded, alignment fields created) in ``data_dir``.

    Loading it (``Sandbox.create(data_dir=...)``) is much faster than creating the fields
    again, and gives identical sandboxes for comparisons.
    """
    profile = sandbox_profile(project)
    sandbox = Sandbox.create(
        records=profile.records, seed=profile.seed, rate_limits=False, data_dir=data_dir
    )
    with SandboxServer(sandbox) as server:
        opened = sandbox_connectors(server, retry=no_sleep_policy(), paced=False)
        try:
            ensure_all(opened, project.fields)
        finally:
            close_all(opened)
    return data_dir / STATE_FILE


def clone_state(state_file: Path, data_dir: Path) -> Sandbox:
    """A new sandbox loaded from a copy of ``state_file`` (rate limits off)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(state_file, data_dir / STATE_FILE)
    return Sandbox.create(data_dir=data_dir, rate_limits=False)


def connectors_for(server: Endpoint, retry: RetryPolicy | None = None) -> dict[Crm, Connector]:
    """Both connectors for a sandbox: a `SandboxServer` in this process (expired Salesforce
    sessions renewed), or only its endpoint (a sandbox served by another process)."""
    policy = retry or no_sleep_policy()
    if isinstance(server, SandboxServer):
        return sandbox_connectors(server, retry=policy, paced=False)
    sf = SalesforceConnector(salesforce_client(server), SF_NAME, retry=policy)
    hs = HubSpotConnector(hubspot_client(server, retry=no_urllib3_retries()), HS_NAME, retry=policy)
    return {"salesforce": sf, "hubspot": hs}


def close_all(connectors: Mapping[Crm, Any]) -> None:
    """Close the connectors' HTTP sessions."""
    for connector in connectors.values():
        connector.close()


def sync(
    project: Project,
    server: Endpoint,
    store: StateStore,
    *,
    retry: RetryPolicy | None = None,
    clock: Callable[[], datetime] = utcnow,
    dry_run: bool = False,
    wrap: Callable[[Crm, WriteTarget], WriteTarget] | None = None,
) -> RunSummary:
    """One run of the example job through the real connectors against ``server``.

    ``wrap`` may replace each CRM's write target (to fail or die inside the write stage).
    """
    job = pick_job(project, JOB)
    options = sync_options(job, dry_run=dry_run)
    connectors = connectors_for(server, retry)
    targets = None
    if wrap is not None:
        targets = {crm: wrap(crm, c) for crm, c in connectors.items()}
    try:
        return run_sync(
            store=store,
            connectors=connectors,
            rules=compile_rules(project),
            options=options,
            clock=clock,
            write_targets=targets,
        )
    finally:
        close_all(connectors)


def _sf_rows(sf: Salesforce, object_type: str, fields: list[str]) -> Iterator[dict[str, Any]]:
    soql = f"SELECT Id, {', '.join(fields)} FROM {object_type}"
    result = sf.query_all(soql)
    yield from result["records"]


def _hs_rows(hs: HubSpot, object_type: str, fields: list[str]) -> Iterator[dict[str, Any]]:
    api = hs.crm.objects.basic_api
    after: str | None = None
    while True:
        page = api.get_page(object_type, limit=100, after=after, properties=fields)
        for obj in page.results:
            yield {"Id": obj.id, **obj.properties}
        if page.paging is None or page.paging.next is None:
            return
        after = page.paging.next.after


def _norm(value: Any) -> Any:
    """Values compared as text ('' and None both mean empty)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def snapshot(server: Endpoint) -> Snapshot:
    """Every record's alignment (and two-way synced) fields in both CRMs, read through the
    official clients."""
    out: Snapshot = {}
    sf = salesforce_client(server)
    try:
        for object_type, fields in SF_FIELDS.items():
            for row in _sf_rows(sf, object_type, fields):
                key = ("salesforce", object_type, str(row["Id"]))
                out[key] = {f: _norm(row.get(f)) for f in fields}
    finally:
        sf.session.close()
    hs = hubspot_client(server)
    for object_type, fields in HS_FIELDS.items():
        for row in _hs_rows(hs, object_type, fields):
            key = ("hubspot", object_type, str(row["Id"]))
            out[key] = {f: _norm(row.get(f)) for f in fields}
    return out


def same_across(a: Any, b: Any) -> bool:
    """One value as Salesforce and HubSpot show it (datetimes and numbers format differently)."""
    if a is None or b is None:
        return a is b
    try:
        return datetime.fromisoformat(a) == datetime.fromisoformat(b)
    except ValueError:
        pass
    try:
        return float(a) == float(b)
    except ValueError:
        return bool(a == b)


def snapshot_diff(a: Snapshot, b: Snapshot) -> dict[tuple[Key, str], tuple[Any, Any]]:
    """``(record, field) -> (value in a, value in b)`` wherever the snapshots differ."""
    out: dict[tuple[Key, str], tuple[Any, Any]] = {}
    for key in sorted(set(a) | set(b)):
        left, right = a.get(key, {}), b.get(key, {})
        for name in sorted(set(left) | set(right)):
            if left.get(name) != right.get(name):
                out[(key, name)] = (left.get(name), right.get(name))
    return out


def write_calls(server: SandboxServer) -> dict[str, int]:
    """Calls to write endpoints per endpoint key (both CRMs), from the sandbox's counters."""
    snap = server.sandbox.calls.snapshot()
    out: dict[str, int] = {}
    for crm in ("salesforce", "hubspot"):
        for key, n in snap[crm]["endpoints"].items():
            if is_write_endpoint(key):
                out[key] = out.get(key, 0) + n
    return out


def is_write_endpoint(key: str) -> bool:
    """True for endpoints that change data (search and batch reads are POSTs that do not)."""
    method, _, path = key.partition(" ")
    if method in ("PATCH", "PUT", "DELETE"):
        return True
    if method != "POST":
        return False
    return not (path.endswith("/search") or path.endswith("/batch/read"))


_SF_ENVELOPE = frozenset({"attributes", "id", "Id"})  # in a composite record, not fields


@dataclass(slots=True)
class FieldWrites:
    """Every (record, field) the sandbox stores were asked to update, counted.

    Installed on a `Sandbox` by wrapping its stores' ``update`` (so it counts what reached the
    CRM, whoever sent it: this process or another one).
    """

    counts: Counter[tuple[str, str, str, str]] = field(default_factory=Counter)

    @classmethod
    def install(cls, sandbox: Sandbox) -> FieldWrites:
        log = cls()
        sf_store, hs_store = sandbox.salesforce, sandbox.hubspot
        sf_update, hs_update = sf_store.update, hs_store.update

        def sf(sobject: str, record_id: str, values: Any, **kw: Any) -> None:
            sf_update(sobject, record_id, values, **kw)
            for name in values:
                if name not in _SF_ENVELOPE:
                    log.counts[("salesforce", sobject, str(record_id), name)] += 1

        def hs(obj: str, rec: Any, values: Mapping[str, Any]) -> Any:
            out = hs_update(obj, rec, values)
            for name in values:
                log.counts[("hubspot", obj, str(rec.id), name)] += 1
            return out

        sf_store.update = sf  # type: ignore[method-assign]
        hs_store.update = hs  # type: ignore[method-assign]
        return log


class KillOnWrite:
    """SIGKILL a process once the sandbox has applied its ``nth`` write call to ``crm``.

    Hooked into the sandbox's call counter, which counts a call when the CRM has handled it and
    before the response is sent: the write has landed, the killed client never learns it.
    The hook waits until the process is gone before the response goes out.
    """

    def __init__(self, sandbox: Sandbox, crm: str, nth: int) -> None:
        self.crm, self.nth = crm, nth
        self.pid: int | None = None
        self.seen = 0
        self.fired = threading.Event()
        calls = sandbox.calls
        record = calls.record

        def hook(crm_: str, method: str, path: str, status: int) -> None:
            record(crm_, method, path, status)
            if crm_ != self.crm or status >= 300:
                return
            if not is_write_endpoint(endpoint_key(method, path)):
                return
            self.seen += 1
            if self.seen == self.nth and self.pid is not None:
                self._kill(self.pid)

        calls.record = hook  # type: ignore[method-assign,assignment]

    def _kill(self, pid: int) -> None:
        fd = os.pidfd_open(pid)
        try:
            os.kill(pid, signal.SIGKILL)
            select.select([fd], [], [], 30)  # readable once the process has exited
        finally:
            os.close(fd)
        self.fired.set()


@dataclass(frozen=True, slots=True)
class Linked:
    """A Salesforce person and its HubSpot contact, linked by the run."""

    sf_type: str
    sf_id: str
    hs_id: str


def linked_people(snap: Snapshot) -> list[Linked]:
    """Linked pairs (Salesforce Contact/Lead ↔ HubSpot contact), from the cross-CRM id fields."""
    pairs = []
    for (crm, object_type, record_id), values in sorted(snap.items()):
        if crm == "salesforce" and object_type in ("Contact", "Lead"):
            hs_id = values.get("CRMB_HubSpot_Id__c")
            back = snap.get(("hubspot", "contacts", str(hs_id)), {})
            if hs_id and back.get("crmb_salesforce_id") == record_id:
                pairs.append(Linked(object_type, record_id, str(hs_id)))
    return pairs


def audit_keys(store: StateStore, *run_ids: str) -> Counter[tuple[str, str, str, str, str]]:
    """``(crm, object, id, field, after)`` of every audit entry of the runs, counted."""
    out: Counter[tuple[str, str, str, str, str]] = Counter()
    for run_id in run_ids:
        for entry in store.iter_audit(run_id):
            ref = entry.ref
            out[(ref.crm, ref.object_type, ref.id, entry.field, render_value(entry.after))] += 1
    return out
