"""``crm-bridge sync``: run a job once (against the CRMs, or the embedded sandbox)."""

from __future__ import annotations

import logging
from pathlib import Path

import typer

from crm_bridge.cli import app
from crm_bridge.cli.common import (
    EXIT_OK,
    EXIT_RECORD_ERRORS,
    handle_errors,
    load_project_from,
    print_json,
    stderr_console,
)
from crm_bridge.cli.logs import configure_logging
from crm_bridge.cli.render import RichProgress, changes_table, findings_lines, summary_table
from crm_bridge.jobs.hints import record_errors_hint
from crm_bridge.jobs.planfile import applied_changes, export_changes
from crm_bridge.jobs.runner import run_job, sandbox_session
from crm_bridge.jobs.schedule import StopToken, install_signal_handlers
from crm_bridge.jobs.summary import RunSummary
from crm_bridge.sandbox.server import SandboxServer
from crm_bridge.state.store import open_store

log = logging.getLogger("crm_bridge.sync")


@app.command()
def sync(
    ctx: typer.Context,
    job: str | None = typer.Argument(
        None, help="Job name (file stem in jobs/); default: the first."
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Plan and show the changes; write nothing."
    ),
    full: bool = typer.Option(
        False, "--full", help="Read every record, not only changes since the last run."
    ),
    sandbox: bool = typer.Option(
        False, "--sandbox", help="Run against the embedded sandbox (no CRM account needed)."
    ),
    as_json: bool = typer.Option(
        False, "--json", help="Print one JSON object with the run's outcome."
    ),
    export: Path | None = typer.Option(
        None, "--export", help="Write the planned/applied changes to FILE (.csv or .json)."
    ),
    log_format: str = typer.Option("text", "--log-format", help="text or json (for log shippers)."),
    project: Path | None = typer.Option(None, "--project", "-p", help="Project folder."),
) -> None:
    """Run a job once: read changes, align, write only the difference to both CRMs."""
    console = stderr_console()
    with handle_errors():
        settings, proj = load_project_from(ctx, project)
        configure_logging(log_format, settings.log_level)
        stop = StopToken()
        install_signal_handlers(stop)
        progress = None if as_json or log_format == "json" else RichProgress(console)

        def once(server: SandboxServer | None) -> RunSummary:
            if progress is None:
                return run_job(
                    proj, settings, job, server=server, dry_run=dry_run, full=full, stop=stop
                )
            with progress:
                return run_job(
                    proj,
                    settings,
                    job,
                    server=server,
                    dry_run=dry_run,
                    full=full,
                    stop=stop,
                    progress=progress,
                )

        if sandbox:
            if not as_json:
                console.print(
                    "[dim]starting the embedded sandbox (Salesforce + HubSpot emulator)…[/]"
                )
            with sandbox_session(proj) as server:
                summary = once(server)
        else:
            summary = once(None)
        log.info("run finished", extra={"run": summary.as_dict()})
    if export is not None:
        if summary.dry_run:
            n = export_changes(summary.planned, export)
            console.print(f"wrote {n} planned changes to {export}")
        else:
            with handle_errors(), open_store(settings.database_url.get_secret_value()) as store:
                n = export_changes(applied_changes(store, summary.run_id), export)
            console.print(f"wrote {n} applied changes to {export}")
    if as_json:
        print_json(summary.as_dict())
    else:
        out = stderr_console()
        out.print(summary_table(summary))
        for line in findings_lines(summary):
            out.print(line)
        if summary.dry_run:
            out.print(changes_table(summary.planned))
        if summary.problems:
            codes = [p.code for p in summary.problems]
            top = max(set(codes), key=codes.count)
            total = sum(c.read for c in summary.counts.values())
            out.print(f"[yellow]{record_errors_hint(len(summary.problems), total, top)}[/]")
    raise typer.Exit(EXIT_RECORD_ERRORS if summary.problems else EXIT_OK)
