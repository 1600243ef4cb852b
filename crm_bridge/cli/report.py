"""``crm-bridge report``: the alignment report as one offline HTML file, or its KPIs as JSON/CSV.

``--sample`` reports on a small built-in data set (no CRM needed). Reports on a sandbox or a
real run go through :func:`collect_inputs`, the seam the sync pipeline connects to.
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, time
from enum import StrEnum
from pathlib import Path

import typer

from crm_bridge.cli import app
from crm_bridge.report.build import build_report
from crm_bridge.report.export import to_csv, to_json
from crm_bridge.report.figures import compute
from crm_bridge.report.html import render_html
from crm_bridge.report.inputs import ReportInputs, since
from crm_bridge.report.sample import sample_inputs

TITLE = "Sales & marketing alignment report"


class InputsNotConnected(RuntimeError):
    """The report cannot collect inputs from the sync pipeline yet."""


class Format(StrEnum):
    """Output formats."""

    html = "html"
    json = "json"
    csv = "csv"


def collect_inputs(project: Path, *, sandbox: bool, now: datetime) -> ReportInputs:
    """Collect the report's inputs from the project's state store (after a sync run), or from a
    sandbox run when ``sandbox`` is true, as of ``now`` (aware UTC).

    Not connected yet: the sync pipeline fills :class:`ReportInputs` here. Until then this
    raises :class:`InputsNotConnected` and ``crm-bridge report`` exits 2.
    """
    where = "a sandbox run" if sandbox else f"the project at {project}"
    raise InputsNotConnected(
        f"reporting on {where} is not connected to the sync pipeline yet; "
        "use --sample to see the report on built-in sample data"
    )


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
    sandbox: bool = typer.Option(False, "--sandbox", help="Report on a sandbox run."),
    project: Path = typer.Option(Path("."), "--project", help="Project folder."),
) -> None:
    """Funnel, speed to lead, SLA, stalls, marketing contribution, committees, partners."""
    start = parse_since(since_text) if since_text else None
    now = datetime.now(UTC)
    if sample:
        inputs, source = sample_inputs(), "built-in sample data"
    else:
        try:
            inputs = collect_inputs(project, sandbox=sandbox, now=now)
        except InputsNotConnected as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
        source = "sandbox" if sandbox else str(project)
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
