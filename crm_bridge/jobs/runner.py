"""Run a job of a project: compile rules, open connectors (real or sandbox), run the pipeline.

This is what ``crm-bridge sync`` and the scheduler call. ``sandbox_session`` starts the embedded
sandbox for a project (its data persists under the project's state folder, so a second run sees
the first one's writes) and creates the alignment fields there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

from crm_bridge.config.connectors import SandboxProfile, resolve_secrets
from crm_bridge.connectors.base import Connector
from crm_bridge.connectors.factory import open_connector, sandbox_connectors
from crm_bridge.errors import ConfigError
from crm_bridge.jobs.align import Rules
from crm_bridge.jobs.schedule import StopToken
from crm_bridge.jobs.setup import ensure_all
from crm_bridge.jobs.stage import AlignStage
from crm_bridge.jobs.summary import RunSummary
from crm_bridge.jobs.sync import KIND_ORDER, Progress, SyncOptions, run_sync
from crm_bridge.mapping.fields import FieldMapper
from crm_bridge.mapping.lifecycle import Funnel
from crm_bridge.mapping.personas import PersonaClassifier, default_personas
from crm_bridge.model import Crm, utcnow
from crm_bridge.project import Job, Project
from crm_bridge.sandbox.core import Sandbox
from crm_bridge.sandbox.server import SandboxServer
from crm_bridge.settings import Settings
from crm_bridge.state.store import StateStore, open_store


def compile_rules(project: Project) -> Rules:
    """The project's mapping files compiled for a run."""
    return Rules.compile(
        FieldMapper(project.fields),
        Funnel(project.lifecycle),
        PersonaClassifier(project.personas or default_personas()),
        project.sla,
        project.alignment,
    )


def sync_options(job: Job, *, dry_run: bool = False, full: bool = False) -> SyncOptions:
    """Pipeline options from a job definition (``--dry-run`` / ``--full`` override)."""
    spec = job.spec
    sizes: dict[Crm, int] = {}
    if spec.batch_size.salesforce:
        sizes["salesforce"] = spec.batch_size.salesforce
    if spec.batch_size.hubspot:
        sizes["hubspot"] = spec.batch_size.hubspot
    return SyncOptions(
        job=job.name,
        objects=tuple(k for k in KIND_ORDER if k in spec.objects),
        dry_run=dry_run or spec.mode == "dry_run",
        full=full,
        conflicts=spec.field_policies,
        default_policy=spec.default_policy,
        lock_ttl=spec.lock_ttl,
        batch_sizes=sizes,
    )


def pick_job(project: Project, name: str | None) -> Job:
    """The job called ``name``, or the only/first job when no name is given."""
    if name is not None:
        if name not in project.jobs:
            known = ", ".join(sorted(project.jobs)) or "none"
            raise ConfigError(f"no job '{name}' in jobs/ (jobs: {known})")
        return project.jobs[name]
    if not project.jobs:
        raise ConfigError("no jobs defined: add a job file under jobs/ (see 'crm-bridge init')")
    return project.jobs[sorted(project.jobs)[0]]


def sandbox_profile(project: Project) -> SandboxProfile:
    """The project's sandbox profile (defaults when the project defines none)."""
    for connection in project.connections.values():
        if isinstance(connection.profile, SandboxProfile):
            return connection.profile
    return SandboxProfile(kind="sandbox")


@contextmanager
def sandbox_session(project: Project, *, setup: bool = True) -> Iterator[SandboxServer]:
    """Start the project's embedded sandbox (persisted in its state folder) for one session."""
    profile = sandbox_profile(project)
    sandbox = Sandbox.create(
        records=profile.records,
        seed=profile.seed,
        data_dir=profile.data_path(project.root),
        rate_limits=profile.rate_limits,
        latency_ms=profile.latency_ms,
    )
    server = SandboxServer(sandbox)
    server.start()
    try:
        if setup:
            ensure_all(sandbox_connectors(server), project.fields)
        yield server
    finally:
        server.stop()


def open_job_connectors(
    project: Project, settings: Settings, job: Job, server: SandboxServer | None
) -> tuple[dict[Crm, Connector], dict[Crm, Connector]]:
    """Connectors to read from and to write to, per CRM, for ``job``."""
    if server is not None:
        both = sandbox_connectors(server)
        read = {crm: c for crm, c in both.items() if _kinds(project, job.spec.source) & {crm}}
        write = {crm: c for crm, c in both.items() if _kinds(project, job.spec.write) & {crm}}
        return read, write
    environ = settings.environ()
    opened: dict[str, Connector] = {}
    read, write = {}, {}
    for names, target in ((job.spec.source, read), (job.spec.write, write)):
        for name in names:
            connection = project.connection(name)
            if isinstance(connection.profile, SandboxProfile):
                raise ConfigError(
                    f"job '{job.name}' names the sandbox connection '{name}': "
                    "use 'crm-bridge sync --sandbox' to run a job against the sandbox"
                )
            if name not in opened:
                creds = resolve_secrets(name, connection.profile, environ, connection.file)
                opened[name] = open_connector(name, connection.profile, creds)
            target[opened[name].crm] = opened[name]
    return read, write


def _kinds(project: Project, names: list[str]) -> set[str]:
    return {project.connection(n).profile.kind for n in names if n in project.connections}


def run_job(
    project: Project,
    settings: Settings,
    job_name: str | None,
    *,
    server: SandboxServer | None = None,
    dry_run: bool = False,
    full: bool = False,
    progress: Progress | None = None,
    stop: StopToken | None = None,
    clock: Callable[[], datetime] = utcnow,
    store: StateStore | None = None,
    observe: Callable[[AlignStage], None] | None = None,
) -> RunSummary:
    """Run one job end to end and return its summary."""
    job = pick_job(project, job_name)
    rules = compile_rules(project)
    read, write = open_job_connectors(project, settings, job, server)
    own_store = store is None
    store = store or open_store(settings.database_url.get_secret_value())
    # a freshly seeded sandbox is new data: cursors kept from an earlier one would skip it
    sandbox = server.sandbox if server is not None else None
    fresh = sandbox is not None and sandbox.freshly_seeded
    try:
        summary = run_sync(
            store=store,
            connectors=read,
            rules=rules,
            options=sync_options(job, dry_run=dry_run, full=full or fresh),
            clock=clock,
            stop=stop,
            progress=progress,
            write_targets=write,
            observe=observe,
        )
        if (
            sandbox is not None
            and fresh
            and not dry_run
            and summary.status in ("succeeded", "partial")
        ):
            sandbox.freshly_seeded = False
            sandbox.dirty = True
        return summary
    finally:
        if own_store:
            store.close()
