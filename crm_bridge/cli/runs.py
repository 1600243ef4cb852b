"""``crm-bridge runs`` (history, one run's details) and ``crm-bridge revert RUN_ID``."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from crm_bridge.cli import app
from crm_bridge.cli.common import (
    EXIT_CONFIG,
    EXIT_OK,
    EXIT_RECORD_ERRORS,
    handle_errors,
    load_project_from,
    load_settings_from,
    print_json,
    stderr_console,
)
from crm_bridge.cli.render import changes_table, runs_table
from crm_bridge.connectors.factory import sandbox_connectors
from crm_bridge.jobs.revert import revert_run
from crm_bridge.jobs.runner import open_job_connectors, pick_job, sandbox_session
from crm_bridge.model import utcnow
from crm_bridge.state.rows import RunInfo
from crm_bridge.state.store import open_store

runs_app = typer.Typer(help="Run history: status, duration, counts, API calls, errors.")
app.add_typer(runs_app, name="runs")


def _run_json(run: RunInfo) -> dict[str, object]:
    return {
        "run_id": run.run_id,
        "job": run.job,
        "mode": run.mode,
        "status": run.status,
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "error": run.error,
        "stats": run.stats,
    }


@runs_app.callback(invoke_without_command=True)
def runs(
    ctx: typer.Context,
    job: str | None = typer.Option(None, "--job", help="Only runs of this job."),
    limit: int = typer.Option(20, "--limit", "-n", help="How many runs, newest first."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    project: Path | None = typer.Option(None, "--project", "-p", help="Project folder."),
) -> None:
    """List recent runs, newest first."""
    if ctx.invoked_subcommand is not None:
        return
    with handle_errors():
        settings = load_settings_from(ctx, project)
        with open_store(settings.database_url.get_secret_value()) as store:
            found = store.list_runs(limit=limit, job=job)
    if as_json:
        print_json([_run_json(r) for r in found])
        return
    if not found:
        stderr_console().print("no runs yet: 'crm-bridge sync --sandbox' makes one")
        return
    stderr_console().print(runs_table(found))


@runs_app.command("show")
def show(
    ctx: typer.Context,
    run_id: str = typer.Argument(..., help="Run id (from 'crm-bridge runs')."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    project: Path | None = typer.Option(None, "--project", "-p", help="Project folder."),
) -> None:
    """One run: its counts, API calls, findings and every record error."""
    with handle_errors():
        settings = load_settings_from(ctx, project)
        with open_store(settings.database_url.get_secret_value()) as store:
            run = store.get_run(run_id)
            errors = list(store.record_errors(run_id)) if run else []
    if run is None:
        stderr_console().print(f"[red]error:[/] no run {run_id!r}: 'crm-bridge runs' lists them")
        raise typer.Exit(EXIT_CONFIG)
    if as_json:
        data = _run_json(run)
        data["record_errors"] = [
            {"record": str(e.ref), "field": e.field, "code": e.code, "message": e.message}
            for e in errors
        ]
        print_json(data)
        return
    out = stderr_console()
    out.print(runs_table([run]))
    if errors:
        table = Table(title=f"record errors ({len(errors)})")
        for col in ("record", "field", "code", "message"):
            table.add_column(col, overflow="fold")
        for e in errors[:200]:
            table.add_row(str(e.ref), e.field, e.code, e.message)
        out.print(table)


@app.command()
def revert(
    ctx: typer.Context,
    run_id: str = typer.Argument(..., help="The run whose writes to undo."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would be restored."),
    sandbox: bool = typer.Option(False, "--sandbox", help="The run was against the sandbox."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    project: Path | None = typer.Option(None, "--project", "-p", help="Project folder."),
) -> None:
    """Write back the values a run replaced (fields changed since are skipped and listed)."""
    with handle_errors():
        settings, proj = load_project_from(ctx, project)
        with open_store(settings.database_url.get_secret_value()) as store:
            run = store.get_run(run_id)
            job = pick_job(proj, run.job if run and run.job in proj.jobs else None)
            if sandbox:
                with sandbox_session(proj, setup=False) as server:
                    targets = sandbox_connectors(server)
                    result = revert_run(
                        store=store, run_id=run_id, targets=targets, clock=utcnow, dry_run=dry_run
                    )
            else:
                _, targets = open_job_connectors(proj, settings, job, None)
                result = revert_run(
                    store=store, run_id=run_id, targets=targets, clock=utcnow, dry_run=dry_run
                )
    summary = result.summary
    if as_json:
        print_json(
            {
                **summary.as_dict(),
                "reverted_run": run_id,
                "restored": len(result.changes),
                "changes": [
                    {"record": str(c.ref), "field": c.field, "after": str(c.after)}
                    for c in result.changes
                ],
                "skipped": [
                    {"record": str(s.ref), "field": s.field, "why": s.why} for s in result.skipped
                ],
            }
        )
    else:
        out = stderr_console()
        verb = "would restore" if dry_run else "restored"
        out.print(
            f"revert of {run_id} ({summary.run_id}): {verb} {len(result.changes)} fields, "
            f"skipped {len(result.skipped)}"
        )
        if dry_run:
            out.print(changes_table(result.changes, more="--json lists them all"))
        for s in result.skipped[:50]:
            out.print(f"  skipped {s.ref} {s.field}: {s.why}")
    raise typer.Exit(EXIT_RECORD_ERRORS if summary.problems else EXIT_OK)
