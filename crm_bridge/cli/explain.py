"""``crm-bridge explain EMAIL_OR_ID [JOB]``: how one record is mapped and aligned.

Finds the record by email or id, reads its counterparts and runs the job's rules on them as a
dry run (nothing is written), then shows the records in each CRM, the identity link and how it
was made, the mapped fields, the lifecycle stage and why, the persona tags and the rules that
set them, SLA clocks, stall and committee coverage for deals, and the alignment values each CRM
would get next to its current values. ``--json`` prints the same as one JSON object (keys in
:mod:`crm_bridge.jobs.explain_view`). Exit codes: 0 found, 1 no such record, 2 a bad
argument or configuration, 3 a CRM could not be reached.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from crm_bridge.cli import app
from crm_bridge.cli.common import (
    EXIT_CONFIG,
    EXIT_RECORD_ERRORS,
    handle_errors,
    load_project_from,
    print_json,
    stderr_console,
)
from crm_bridge.jobs.explain import Query, RecordNotFound, explain, parse_query
from crm_bridge.jobs.explain_view import explanation_dict
from crm_bridge.jobs.runner import (
    compile_rules,
    open_job_connectors,
    pick_job,
    sandbox_session,
    sync_options,
)
from crm_bridge.model import utcnow
from crm_bridge.project import Project
from crm_bridge.sandbox.server import SandboxServer
from crm_bridge.settings import Settings
from crm_bridge.state.store import open_store


def _run(
    project: Project,
    settings: Settings,
    job_name: str | None,
    query: Query,
    server: SandboxServer | None,
) -> dict[str, Any]:
    job = pick_job(project, job_name)
    rules = compile_rules(project)
    read, write = open_job_connectors(project, settings, job, server)
    with open_store(settings.database_url.get_secret_value()) as store:
        result = explain(
            query,
            connectors=read,
            rules=rules,
            store=store,
            options=sync_options(job, dry_run=True),
            now=utcnow(),
            write_crms=write.keys(),
        )
    return explanation_dict(result, rules)


@app.command("explain")
def explain_command(
    ctx: typer.Context,
    email_or_id: str = typer.Argument(
        ..., metavar="EMAIL_OR_ID", help="An email, a Salesforce id or a HubSpot id."
    ),
    job: str | None = typer.Argument(
        None, help="Job whose rules and connections to use (default: the first)."
    ),
    sandbox: bool = typer.Option(
        False, "--sandbox", help="Look in the embedded sandbox (no CRM account needed)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    project: Path | None = typer.Option(None, "--project", "-p", help="Project folder."),
) -> None:
    """Explain how one record is mapped: link, fields, stage, persona, SLA, values to write."""
    console = stderr_console()
    try:
        query = parse_query(email_or_id)
    except ValueError as exc:
        console.print(f"[bold red]error:[/] {escape(str(exc))}")
        raise typer.Exit(EXIT_CONFIG) from None
    with handle_errors():
        settings, proj = load_project_from(ctx, project)
        try:
            if sandbox:
                with sandbox_session(proj) as server:
                    data = _run(proj, settings, job, query, server)
            else:
                data = _run(proj, settings, job, query, None)
        except RecordNotFound as exc:
            console.print(f"[bold red]error:[/] {escape(str(exc))}")
            raise typer.Exit(EXIT_RECORD_ERRORS) from None
    if as_json:
        print_json(data)
        return
    render(data, Console(highlight=False, width=None if sys.stdout.isatty() else 160))


def _v(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    return str(value)


def render(data: dict[str, Any], out: Console) -> None:
    """The explanation as text: records and link, mapped fields, stage, persona, SLA, deal
    verdicts and the alignment per CRM (current value, value that would be written, why)."""
    records = data["records"]
    out.print(f"[bold]{data['kind']}[/] {escape(data['query']['value'])}")
    for crm in ("salesforce", "hubspot"):
        rec = records.get(crm)
        out.print(f"  {crm:<11} {escape(rec['object_type'] + ' ' + rec['id']) if rec else '—'}")
    own = {rec["ref"] for rec in records.values() if rec}
    others = [m for m in data["matches"] if m not in own]
    if others:
        out.print(f"  also found  {', '.join(others)}")
    link = data["link"]
    identity = data["identity"]
    if link is not None:
        stored = link["stored"]
        extra = f"; stored since {stored['linked_at']} ({stored['method']})" if stored else ""
        out.print(f"  link        {link['method']}: {escape(link['how'])}{escape(extra)}")
    else:
        out.print(f"  link        none: {escape(identity['unlinked_reason'] or '')}")
    for amb in identity["ambiguous"]:
        out.print(
            f"  [yellow]ambiguous[/]   {amb['record']} by {amb['method']} ({escape(amb['key'])}):"
            f" {', '.join(amb['candidates'])}"
        )
    for dup in identity["duplicates"]:
        out.print(f"  [yellow]duplicate[/]   {escape(dup['key'])}: {', '.join(dup['records'])}")
    for conv in identity["conversions"]:
        out.print(f"  converted   lead {conv['lead']} -> contact {conv['contact']}")
    for note in data["notes"]:
        out.print(f"  note        {escape(note)}")
    _fields(data, out)
    _person(data, out)
    _deal(data, out)
    _alignment(data, out)


def _fields(data: dict[str, Any], out: Console) -> None:
    table = Table("field", "value", "salesforce", "hubspot", "transform", title="Mapped fields")
    for row in data["fields"]:
        by_crm = {s["crm"]: s for s in row["sources"]}
        cells = []
        for crm in ("salesforce", "hubspot"):
            src = by_crm.get(crm)
            cells.append(f"{src['field']} = {_v(src['raw'])}" if src else "")
        value = _v(row["value"])
        if "resolution" in row:
            value += f" ({row['resolution']['reason']})"
        table.add_row(row["field"], escape(value), *map(escape, cells), row["transform"])
    out.print(table)
    for issue in data["mapping_issues"]:
        out.print(
            f"[yellow]mapping issue[/] {issue['record']} {issue['native_field']} -> "
            f"{issue['field']}: {escape(issue['why'])} (value {escape(repr(issue['value']))})"
        )


def _person(data: dict[str, Any], out: Console) -> None:
    life, persona, sla = data["lifecycle"], data["persona"], data["sla"]
    if life is not None:
        out.print(f"[bold]Lifecycle[/]  {_v(life['stage'])}  ({escape(life['reason'])})")
        out.print(f"  why         {escape(life['why'])}")
        out.print(
            f"  previous    {_v(life['previous'])}; entered {_v(life['entered_at'])}"
            + (f" (from {life['entered_from']})" if life["entered_from"] else "")
        )
        recycle = [f"{r['id']} (from {', '.join(r['from'])})" for r in life["recycle_rules_met"]]
        out.print(
            f"  rules       recycle: {_v(recycle)}; disqualify: {_v(life['disqualify_rules_met'])}"
        )
    if persona is not None:
        out.print(
            f"[bold]Persona[/]    {escape(_v(persona['title']))} -> "
            f"{escape(_v(persona['normalised_title']))}"
        )
        for tag in ("function", "seniority", "buying_role"):
            out.print(f"  {tag:<12}{persona[tag]}  (rule {_v(persona[tag + '_rule'])})")
        out.print(f"  persona     {_v(persona['persona'])}")
    if sla is not None and sla["enabled"]:
        shown = sla["shown"]
        if shown is None:
            out.print("[bold]SLA[/]        no clock running")
        for clock in sla["clocks"]:
            out.print(
                f"[bold]SLA[/]        {clock['policy']}: {clock['state']}, started "
                f"{clock['started_at']}, due {clock['due_at']}"
                + (f", stopped {clock['stopped_at']}" if clock["stopped_at"] else "")
            )


def _deal(data: dict[str, Any], out: Console) -> None:
    deal = data["opportunity"]
    if deal is None:
        return
    stall = deal["stall"]
    if stall is not None:
        verdict = f"stalled {stall['days_stalled']} days" if stall["stalled"] else "not stalled"
        out.print(f"[bold]Stall[/]      {verdict} ({escape(_v(stall['reason']))})")
    committee = deal["committee"]
    if committee is not None:
        out.print(
            f"[bold]Committee[/]  coverage {committee['coverage_pct']}%, missing "
            f"{_v(committee['missing'])}, decision maker engaged "
            f"{'yes' if committee['decision_maker_engaged'] else 'no'}"
        )
        for member in committee["members"]:
            out.print(f"  {member['person']}: {_v(member['roles'])} ({member['source']})")


def _alignment(data: dict[str, Any], out: Console) -> None:
    for crm, block in data["alignment"].items():
        title = f"Alignment for {block['record']}" + ("" if block["written"] else " (not written)")
        table = Table("field", "current", "would write", "reason", title=title)
        for row in block["fields"]:
            mark = "[bold]" if row["change"] else "[dim]"
            table.add_row(
                row["field"],
                escape(_v(row["current"])),
                mark + escape(_v(row["desired"])) + "[/]",
                escape(row["reason"]),
            )
        out.print(table)
        out.print(f"  {block['changes']} field(s) would change in {crm}")
