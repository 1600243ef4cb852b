"""``crm-bridge report``: the alignment report as one offline HTML file, or its KPIs as JSON/CSV.

``--sandbox`` starts the embedded sandbox (as ``crm-bridge sync --sandbox`` does) and reports
on a full dry run of the job against it; without it the report reads the job's real
connections the same way. The dry run computes the alignment exactly as a sync would and
writes nothing to the CRMs. ``--sample`` reports on a small built-in data set (no CRM needed).
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, time
from enum import StrEnum
from pathlib import Path

import typer

from crm_bridge.cli import app
from crm_bridge.cli.common import handle_errors, load_project_from, stderr_console
from crm_bridge.jobs.runner import pick_job, sandbox_session
from crm_bridge.project import Project
from crm_bridge.report.build import build_report
from crm_bridge.report.export import to_csv, to_json
from crm_bridge.report.figures import compute
from crm_bridge.report.html import render_html
from crm_bridge.report.inputs import ReportInputs, since
from crm_bridge.report.run import Collected, collect_from_job
from crm_bridge.report.sample import sample_inputs
from crm_bridge.settings import Settings

TITLE = "Sales & marketing alignment report"


class Format(StrEnum):
    """Output formats."""

    html = "html"
    json = "json"
    csv = "csv"


def collect_inputs(
    project: Project, settings: Settings, *, sandbox: bool, job: str | None = None
) -> tuple[ReportInputs, str]:
    """The report's inputs from a full dry run of ``job`` (default: the first job) and a label
    of where they came from. With ``sandbox`` the run goes to the embedded sandbox (started
    and stopped here), else to the job's connections."""
    chosen = pick_job(project, job)  # an unknown job fails before anything starts
    collected: Collected
    if sandbox:
        stderr_console().print(
            "[dim]starting the embedded sandbox (Salesforce + HubSpot emulator)…[/]"
        )
        with sandbox_session(project) as server:
            collected = collect_from_job(project, settings, chosen.name, server=server)
        where = "sandbox"
    else:
        collected = collect_from_job(project, settings, chosen.name)
        where = ", ".join(chosen.spec.source)
    inputs = collected.inputs
    label = (
        f"{where} · job {collected.job} · full dry run · "
        f"{len(inputs.leads)} people, {len(inputs.deals)} deals"
    )
    return inputs, label


def parse_since(text: str) -> datetime:
    """``YYYY-MM-DD`` (midnight UTC) or an ISO datetime (naive = UTC) as aware UTC."""
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(), tzinfo=UTC)
        value = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date (YYYY-MM-DD)") from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _write(text: str, output: Path | None) -> None:
    if output is None or str(output) == "-":
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        typer.echo(f"error: cannot write {output}: {exc.strerror}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"wrote {output}", err=True)


@app.command("report")
def report(
    ctx: typer.Context,
    output: Path | None = typer.Option(
        None,
        "-o",
        "--output",
        help="File to write ('-' = stdout). Default: report.html for "
        "html, stdout for json and csv.",
    ),
    fmt: Format = typer.Option(Format.html, "--format", help="html, json or csv."),
    since_text: str | None = typer.Option(
        None, "--since", metavar="DATE", help="Only the period from DATE (YYYY-MM-DD, UTC) on."
    ),
    sample: bool = typer.Option(False, "--sample", help="Use the built-in sample data set."),
    sandbox: bool = typer.Option(
        False, "--sandbox", help="Report on the embedded sandbox (no CRM account needed)."
    ),
    job: str | None = typer.Option(
        None, "--job", help="Job whose connections and objects to report on (default: the first)."
    ),
    project: Path | None = typer.Option(None, "--project", "-p", help="Project folder."),
) -> None:
    """Funnel, speed to lead, SLA, stalls, marketing contribution, committees, partners.

    Reads every record of the job (a full dry run: nothing is written to the CRMs).
    """
    start = parse_since(since_text) if since_text else None
    now = datetime.now(UTC)
    if sample:
        inputs, source = sample_inputs(), "built-in sample data"
    else:
        with handle_errors():
            settings, proj = load_project_from(ctx, project)
            inputs, source = collect_inputs(proj, settings, sandbox=sandbox, job=job)
    if start is not None:
        inputs = since(inputs, start)
    if fmt is Format.html:
        doc = build_report(inputs, title=TITLE, source=source, generated_at=now)
        _write(render_html(doc), output or Path("report.html"))
        return
    figures = compute(inputs)
    if fmt is Format.json:
        text = to_json(
            figures,
            title=TITLE,
            source=source,
            generated_at=now,
            period_start=inputs.period_start,
            period_end=inputs.period_end,
        )
    else:
        text = to_csv(figures)
    _write(text, output)
