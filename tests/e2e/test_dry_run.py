"""A dry run writes nothing, and the changes it plans (exported as JSON) are exactly the
changes the real run then makes."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from crm_bridge.jobs.planfile import export_changes
from tests.e2e.conftest import E2E, FirstRun
from tests.e2e.support import FieldWrites, audit_keys, snapshot, sync, write_calls


def plan_rows(path: Path) -> Counter[tuple[str, str, str, str, str]]:
    rows = json.loads(path.read_text(encoding="utf-8"))
    return Counter((r["crm"], r["object"], r["id"], r["field"], r["after"]) for r in rows)


def test_dry_run_plans_exactly_what_the_real_run_writes(
    e2e: E2E, first_run: FirstRun, tmp_path: Path
) -> None:
    with e2e.serve("dry-run") as server:
        writes = FieldWrites.install(server.sandbox)
        with e2e.store("dry-run") as store:
            dry = sync(e2e.project, server, store, clock=e2e.clock, dry_run=True)
            assert write_calls(server) == {} and not writes.counts
            assert snapshot(server) == first_run.before
            exported = export_changes(dry.planned, tmp_path / "plan.json")
            real = sync(e2e.project, server, store, clock=e2e.clock)
            applied = audit_keys(store, real.run_id)
    assert dry.dry_run and dry.fields_written == 0 and dry.status == "succeeded"
    assert exported == len(dry.planned) == dry.as_dict()["planned_changes"] > 0
    plan = plan_rows(tmp_path / "plan.json")
    assert plan == applied
    assert real.fields_written == exported == sum(writes.counts.values())
    assert applied == first_run.audit  # and the same as a run without a dry run before it
