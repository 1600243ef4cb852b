"""``crm-bridge personas classify FILE.csv``: try the persona rules on an export.

Prints, per row, the title and its function, seniority, persona, buying role and the rules
that produced them (``--json``: one JSON object per line with keys ``title``, ``function``,
``seniority``, ``persona``, ``buying_role``, ``rule``). Rules come from the project's
``mappings/personas.yaml`` (the shipped rules when the project has none), loaded with the
project loader: a configuration problem is reported like everywhere else
(``FILE:LINE: key: expected …, found …``, exit code 2).
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from crm_bridge.cli import app
from crm_bridge.cli.common import handle_errors, load_project_from
from crm_bridge.mapping.personas import PersonaClassifier, PersonaTags, default_personas

personas_app = typer.Typer(
    help="Persona and buying-role tags from job titles.", no_args_is_help=True
)
app.add_typer(personas_app, name="personas")


def _rows(path: Path, column: str, department: str | None) -> Iterator[tuple[str, str | None]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        names = {name.casefold(): name for name in reader.fieldnames or []}
        title_key = names.get(column.casefold())
        if title_key is None:
            typer.echo(
                f"error: {path} has no column {column!r} (columns: {', '.join(names.values())})",
                err=True,
            )
            raise typer.Exit(2)
        dept_key = names.get(department.casefold()) if department else None
        for row in reader:
            yield row.get(title_key) or "", (row.get(dept_key) if dept_key else None)


def _record(title: str, tags: PersonaTags) -> dict[str, str | None]:
    return {
        "title": title,
        "function": tags.function,
        "seniority": tags.seniority,
        "persona": tags.persona,
        "buying_role": tags.buying_role,
        "rule": tags.rule,
    }


@personas_app.command("classify")
def classify(
    ctx: typer.Context,
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV export with titles."),
    column: str = typer.Option("title", "--column", help="Column holding the job title."),
    department: str | None = typer.Option(
        None, "--department-column", help="Column holding the department (optional)."
    ),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per line."),
    project: Path | None = typer.Option(None, "--project", "-p", help="Project folder."),
) -> None:
    """Classify every row's title with the project's persona rules."""
    with handle_errors():
        _, proj = load_project_from(ctx, project)
    classifier = PersonaClassifier(proj.personas or default_personas())
    rows = _rows(file, column, department)
    if as_json:
        for title, dept in rows:
            typer.echo(json.dumps(_record(title, classifier.classify(title, dept))))
        return
    table = Table("title", "function", "seniority", "persona", "buying role", "rule")
    for title, dept in rows:
        record = _record(title, classifier.classify(title, dept))
        table.add_row(*(str(v) if v is not None else "" for v in record.values()))
    Console(width=None if sys.stdout.isatty() else 160).print(table)
