"""Rich rendering for runs: progress bars, run summaries, planned-change tables, run lists."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from crm_bridge.jobs.planfile import render_value
from crm_bridge.jobs.summary import RunSummary
from crm_bridge.jobs.sync import Progress as PipelineProgress
from crm_bridge.model import FieldChange
from crm_bridge.state.rows import RunInfo


class RichProgress(PipelineProgress):
    """Pipeline progress as rich bars on stderr (one bar per stage)."""

    def __init__(self, console: Console) -> None:
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description:<28}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self._task: TaskID | None = None

    def __enter__(self) -> RichProgress:
        self._progress.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._finish()
        self._progress.stop()

    def _finish(self) -> None:
        if self._task is not None:
            task = self._progress.tasks[-1]
            self._progress.update(self._task, total=task.completed)

    def stage(self, name: str, total: int | None = None) -> None:
        self._finish()
        self._task = self._progress.add_task(name, total=total)

    def advance(self, n: int = 1) -> None:
        if self._task is not None:
            self._progress.advance(self._task, n)


def summary_table(summary: RunSummary) -> Table:
    """Counts per CRM object for one run."""
    table = Table(title=f"run {summary.run_id} — {summary.job} ({summary.status})")
    for col in ("CRM", "object", "read", "changed", "written", "failed"):
        table.add_column(col, justify="right" if col not in ("CRM", "object") else "left")
    for (crm, obj), c in sorted(summary.counts.items()):
        table.add_row(crm, obj, str(c.read), str(c.changed), str(c.written), str(c.failed))
    return table


def findings_lines(summary: RunSummary) -> list[str]:
    """The one-line findings under the table."""
    calls = ", ".join(f"{crm} {n}" for crm, n in sorted(summary.api_calls.items())) or "n/a"
    lines = [
        f"fields written: {summary.fields_written}"
        + (f" (dry run: {len(summary.planned)} planned)" if summary.dry_run else ""),
        f"API calls: {calls}",
        f"SLA breaches: {summary.sla_breaches}, at risk: {summary.sla_at_risk}, "
        f"stalled deals: {summary.stalled_deals}",
        f"links created: {summary.links_created}, ambiguous matches: {summary.ambiguous_matches}",
    ]
    if summary.problems:
        lines.append(f"record errors: {len(summary.problems)} (see 'crm-bridge runs show')")
    return lines


def changes_table(
    changes: Sequence[FieldChange], limit: int = 50, more: str = "export all with --export FILE.csv"
) -> Table:
    """Planned changes: record, field, before, after, reason (first ``limit`` rows)."""
    title = f"planned changes ({len(changes)})"
    if len(changes) > limit:
        title += f", first {limit} shown — {more}"
    table = Table(title=title)
    for col in ("record", "field", "before", "after", "reason"):
        table.add_column(col, overflow="fold")
    for change in changes[:limit]:
        table.add_row(
            str(change.ref),
            change.field,
            render_value(change.before),
            render_value(change.after),
            change.reason,
        )
    return table


def runs_table(runs: Iterable[RunInfo]) -> Table:
    """Run history: id, job, mode, status, start, duration, fields written, failed, API calls."""
    table = Table(title="runs (newest first)")
    table.add_column("run", no_wrap=True)
    table.add_column("job", overflow="fold")
    table.add_column("mode")
    table.add_column("status")
    table.add_column("started UTC", no_wrap=True)
    table.add_column("took", justify="right")
    table.add_column("written", justify="right")
    table.add_column("failed", justify="right")
    table.add_column("calls", justify="right")
    notes: list[str] = []
    for run in runs:
        stats = run.stats or {}
        duration = ""
        if run.finished_at is not None:
            duration = f"{(run.finished_at - run.started_at).total_seconds():.0f}s"
        records = stats.get("records", {})
        failed = 0
        if isinstance(records, dict):
            failed = sum(int(c.get("failed", 0)) for o in records.values() for c in o.values())
        calls = stats.get("api_calls", {})
        total_calls = sum(calls.values()) if isinstance(calls, dict) else 0
        table.add_row(
            run.run_id,
            run.job,
            run.mode,
            run.status,
            f"{run.started_at:%m-%d %H:%M}",
            duration,
            str(stats.get("fields_written", "")),
            str(failed),
            str(total_calls),
        )
        if run.error:
            notes.append(f"{run.run_id}: {run.error}")
    if notes:
        table.caption = "\n".join(notes[:10])
    return table
