"""Session fixtures for the end-to-end tests.

The seeded sandbox (150 people, alignment fields created) is built once per session and saved;
each test serves its own clone of it. The first run of the example job is also made once
(``first_run``): tests that start after it clone its saved sandbox and state database.
Every run uses one fixed clock, so runs on identical clones compute identical values.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from crm_bridge.jobs.summary import RunSummary
from crm_bridge.model import utcnow
from crm_bridge.project import Project
from crm_bridge.sandbox.core import STATE_FILE
from crm_bridge.sandbox.server import SandboxServer
from crm_bridge.state.store import StateStore, open_store
from tests.e2e.support import (
    FieldWrites,
    Snapshot,
    audit_keys,
    clone_state,
    make_project,
    seeded_state,
    snapshot,
    sync,
    write_calls,
)


@dataclass(frozen=True)
class E2E:
    """The session's project copy, seeded sandbox state and fixed clock."""

    root: Path
    project: Project
    state_file: Path
    now: datetime

    def clock(self) -> datetime:
        return self.now

    @contextmanager
    def serve(self, name: str, state_file: Path | None = None) -> Iterator[SandboxServer]:
        """A server on a fresh clone of ``state_file`` (default: the seeded state)."""
        sandbox = clone_state(state_file or self.state_file, self.root / "sandboxes" / name)
        with SandboxServer(sandbox) as server:
            yield server

    def store(self, name: str, copy_of: Path | None = None) -> StateStore:
        """A state store in its own file (a copy of ``copy_of`` when given)."""
        path = self.root / "stores" / f"{name}.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        if copy_of is not None:
            shutil.copy(copy_of, path)
        return open_store(f"sqlite:///{path}")


@dataclass(frozen=True)
class FirstRun:
    """The first run of the job on the seeded sandbox, and what it left behind."""

    summary: RunSummary
    before: Snapshot
    after: Snapshot
    calls: dict[str, int]
    field_writes: Counter[tuple[str, str, str, str]]
    audit: Counter[tuple[str, str, str, str, str]]
    state_file: Path  # the sandbox after the run
    db_file: Path  # the state store after the run


@pytest.fixture(scope="session")
def e2e(tmp_path_factory: pytest.TempPathFactory) -> E2E:
    root = tmp_path_factory.mktemp("e2e")
    project = make_project(root / "project")
    state_file = seeded_state(project, root / "seeded")
    return E2E(root, project, state_file, utcnow().replace(microsecond=0))


@pytest.fixture(scope="session")
def first_run(e2e: E2E) -> FirstRun:
    with e2e.serve("first-run") as server:
        writes = FieldWrites.install(server.sandbox)
        before = snapshot(server)
        with e2e.store("first-run") as store:
            summary = sync(e2e.project, server, store, clock=e2e.clock)
            audit = audit_keys(store, summary.run_id)
        after = snapshot(server)
        calls = write_calls(server)
    return FirstRun(
        summary,
        before,
        after,
        calls,
        writes.counts,
        audit,
        state_file=e2e.root / "sandboxes" / "first-run" / STATE_FILE,
        db_file=e2e.root / "stores" / "first-run.db",
    )
