"""``crm-bridge setup``: create the alignment fields (``write:`` of ``fields.yaml``) that are
missing in each CRM — Salesforce custom fields through the Tooling API, HubSpot properties in
the group ``crm_bridge``. Idempotent: a second run has nothing to create."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from crm_bridge.cli import app
from crm_bridge.cli.common import handle_errors, load_project_from, print_json, stderr_console
from crm_bridge.connectors.base import FieldSpec
from crm_bridge.connectors.preflight import (
    Target,
    connection_targets,
    missing_alignment,
    require_credentials,
)
from crm_bridge.connectors.retry import DEFAULT_POLICY
from crm_bridge.errors import CrmError
from crm_bridge.jobs.setup import create_alignment
from crm_bridge.project import Project
from crm_bridge.settings import Settings

Rows = list[tuple[str, str, FieldSpec]]


def _kind(crm: str, spec: FieldSpec) -> str:
    if crm == "salesforce":
        if spec.options:
            return "multi-select picklist" if spec.type == "list" else "picklist"
        return {"string": f"text({spec.length or 255})", "int": "number(18,0)"}.get(
            spec.type, spec.type
        )
    return ("enumeration" if spec.options else spec.type) + " property"


def _run(targets: list[Target], project: Project, dry_run: bool) -> Rows:
    rows: Rows = []
    for target in targets:
        connector = target.connector
        if connector is None:
            assert isinstance(target.error, CrmError)
            raise target.error
        done = (
            missing_alignment(connector, project.fields)
            if dry_run
            else create_alignment(connector, project.fields)
        )
        rows.extend((target.name, obj, spec) for obj, specs in done.items() for spec in specs)
    return rows


def setup_fields(
    project: Project, settings: Settings, server: object = None, *, dry_run: bool = False
) -> list[dict[str, str]]:
    """Create (or with ``dry_run`` only list) the missing alignment fields of every connection;
    returns one dict per field: connection, crm, object, field, type."""
    targets = list(connection_targets(project, settings, server, retry=DEFAULT_POLICY))
    try:
        require_credentials(targets)
        crms = {t.name: t.crm or "" for t in targets}
        return [
            {
                "connection": name,
                "crm": crms[name],
                "object": obj,
                "field": spec.name,
                "type": _kind(crms[name], spec),
                "label": spec.label,
            }
            for name, obj, spec in _run(targets, project, dry_run)
        ]
    finally:
        for target in targets:
            target.close()


def _render(rows: list[dict[str, str]], dry_run: bool, out: Console) -> None:
    if not rows:
        out.print("[green]nothing to create:[/] every alignment field exists.")
        return
    verb = "would create" if dry_run else "created"
    table = Table(title=f"Alignment fields {verb}", title_justify="left")
    for col in ("connection", "object", "field", "type", "label"):
        table.add_column(col)
    for r in rows:
        table.add_row(*(escape(r[k]) for k in ("connection", "object", "field", "type", "label")))
    out.print(table)
    out.print(
        f"{verb} {len(rows)} field(s)"
        + ("; run without --dry-run to create them." if dry_run else ".")
    )


@app.command()
def setup(
    ctx: typer.Context,
    sandbox: bool = typer.Option(
        False, "--sandbox", help="Set up the embedded sandbox in place of the real CRMs."
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Only list the fields that would be created."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the fields as JSON."),
    project: Path | None = typer.Option(None, "--project", "-p", help="Project folder."),
) -> None:
    """Create the missing alignment fields/properties in every connection (idempotent)."""
    with handle_errors():
        settings, loaded = load_project_from(ctx, project)
        if sandbox:
            from crm_bridge.jobs.runner import sandbox_session

            if not as_json:
                stderr_console().print("[dim]starting the embedded sandbox…[/]")
            with sandbox_session(loaded, setup=False) as server:
                rows = setup_fields(loaded, settings, server, dry_run=dry_run)
        else:
            rows = setup_fields(loaded, settings, dry_run=dry_run)
    if as_json:
        print_json({"dry_run": dry_run, "fields": rows})
    else:
        _render(rows, dry_run, Console(highlight=False, width=max(120, Console().width)))
