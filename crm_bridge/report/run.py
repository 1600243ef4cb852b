"""Collect a report from a run of a job: a full dry run with the report's observer.

The report reads every record of the job (``full``) so it covers all of them, not only the
records changed since the last sync, and it is a **dry run**: alignment is computed exactly as
in a real run (the same code, the same stored SLA clocks and links), but nothing is written to
the CRMs — the report never changes data, neither on the real connections nor in the sandbox.
The run is recorded in the state store like any dry run (``crm-bridge runs`` lists it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from crm_bridge.connectors.base import Connector
from crm_bridge.errors import StateError
from crm_bridge.jobs.runner import compile_rules, open_job_connectors, pick_job, sync_options
from crm_bridge.jobs.summary import RunSummary
from crm_bridge.jobs.sync import Progress, run_sync
from crm_bridge.model import Crm, utcnow
from crm_bridge.project import Project
from crm_bridge.report.collect import Definitions, ReportCollector, collect
from crm_bridge.report.inputs import ReportInputs
from crm_bridge.report.owners import read_owners
from crm_bridge.sandbox.server import SandboxServer
from crm_bridge.settings import Settings
from crm_bridge.state.store import StateStore, open_store


@dataclass(frozen=True, slots=True)
class Collected:
    """The report's inputs and the dry run they came from."""

    inputs: ReportInputs
    summary: RunSummary
    job: str


def _close(connectors: Mapping[Crm, Connector]) -> None:
    for connector in connectors.values():
        close = getattr(connector, "close", None)
        if callable(close):
            close()


def collect_from_job(
    project: Project,
    settings: Settings,
    job_name: str | None = None,
    *,
    server: SandboxServer | None = None,
    clock: Callable[[], datetime] = utcnow,
    store: StateStore | None = None,
    progress: Progress | None = None,
    definitions: Definitions | None = None,
) -> Collected:
    """Run ``job_name`` (default: the first job) as a full dry run and collect its report.

    With ``server`` the job runs against that sandbox, else against the job's connections
    (credentials from the environment: :class:`~crm_bridge.errors.CredentialMissing` when
    one is not set).
    """
    job = pick_job(project, job_name)
    rules = compile_rules(project)
    read, _write = open_job_connectors(project, settings, job, server)
    collector = ReportCollector()
    own_store = store is None
    store = store or open_store(settings.database_url.get_secret_value())
    try:
        summary = run_sync(
            store=store,
            connectors=read,
            rules=rules,
            options=sync_options(job, dry_run=True, full=True),
            clock=clock,
            progress=progress,
            write_targets={},  # a report never writes
            observe=collector,
        )
        if collector.stage is None:
            raise StateError(f"the run of job '{job.name}' ended before alignment")
        owners = read_owners(read.values())
    finally:
        if own_store:
            store.close()
        _close(read)
    return Collected(collect(collector.stage, owners, definitions), summary, job.name)
