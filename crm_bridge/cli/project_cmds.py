"""``crm-bridge init DIR`` and ``crm-bridge check``.

``check`` validates every project file; then it runs the checks registered with
:func:`register_check` (the connectors package adds connectivity, permission and missing-field
checks there), so the command grows without this module changing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from importlib import import_module
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from crm_bridge.cli import app
from crm_bridge.cli.common import (
    handle_errors,
    load_project_from,
    print_json,
    stderr_console,
)
from crm_bridge.config.connectors import HubSpotProfile, SalesforceProfile, resolve_secrets
from crm_bridge.errors import ConfigError, ConfigIssue, CredentialMissing
from crm_bridge.project import Project
from crm_bridge.settings import Settings

EXAMPLE_FOLDERS = ("connectors", "mappings", "jobs")
GITIGNORE = "# crm-bridge state (database, sandbox data) and local secrets\n.crm-bridge/\n.env\n"
#: Modules imported by ``check`` so that they can register their checks (absent ones are skipped).
CHECK_PLUGINS = ("crm_bridge.connectors.check",)


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one extra check: ``exit_code`` 0 when it passed (else 1, 2 or 3)."""

    name: str
    detail: str
    exit_code: int = 0


ProjectCheck = Callable[[Project, Settings], Iterable[CheckResult]]
_CHECKS: list[ProjectCheck] = []


def register_check(check: ProjectCheck) -> ProjectCheck:
    """Add ``check`` to ``crm-bridge check`` (usable as a decorator)."""
    if check not in _CHECKS:
        _CHECKS.append(check)
    return check


def check_connections(project: Project, settings: Settings) -> Iterator[CheckResult]:
    """Run every registered check (after importing :data:`CHECK_PLUGINS` that exist)."""
    for name in CHECK_PLUGINS:
        try:
            import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    for check in list(_CHECKS):
        yield from check(project, settings)


def check_credentials(project: Project, settings: Settings) -> None:
    """Resolve the secrets of every connection a job reads or writes; one error lists all gaps."""
    environ = settings.environ()
    used = {n for job in project.jobs.values() for n in (*job.spec.source, *job.spec.write)}
    issues: list[ConfigIssue] = []
    for name in sorted(used):
        conn = project.connections[name]
        try:
            resolve_secrets(name, conn.profile, environ, conn.file)
        except CredentialMissing as exc:
            key = next(
                (
                    k
                    for k, v in conn.profile.model_dump().items()
                    if k.endswith("_env") and v == exc.variable
                ),
                "auth",
            )
            message = exc.issues[0].message
            issues.append(ConfigIssue(conn.file, conn.line_of(key), key, message))
    if issues:
        raise ConfigError(issues)


def _example_files(root: Traversable, prefix: str = "") -> Iterator[tuple[str, Traversable]]:
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.name.startswith((".", "__")):
            continue
        rel = f"{prefix}{entry.name}"
        if entry.is_dir():
            yield from _example_files(entry, rel + "/")
        elif entry.name.endswith((".yaml", ".yml", ".csv", ".md")):
            yield rel, entry


@app.command()
def init(
    directory: Path = typer.Argument(..., help="Folder to create the project in."),
    force: bool = typer.Option(False, "--force", help="Overwrite files that already exist."),
) -> None:
    """Write a complete, commented example project (it syncs the sandbox out of the box)."""
    example = files("crm_bridge") / "example"
    planned: list[tuple[Path, Traversable]] = []
    for folder in EXAMPLE_FOLDERS:
        for rel, source in _example_files(example / folder, f"{folder}/"):
            planned.append((directory / rel, source))
    existing = [p for p, _ in planned if p.exists()]
    if existing and not force:
        issues = [
            ConfigIssue(str(p), None, "", "already exists (use --force to overwrite)")
            for p in existing
        ]
        with handle_errors():
            raise ConfigError(issues)
    for target, source in planned:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source.read_bytes())
    gitignore = directory / ".gitignore"
    if not gitignore.exists():
        gitignore.write_text(GITIGNORE, encoding="utf-8")
    out = stderr_console()
    out.print(f"Created a crm-bridge project in [bold]{escape(str(directory))}[/]:")
    for folder in EXAMPLE_FOLDERS:
        names = sorted(p.name for p, _ in planned if p.parent.name == folder)
        out.print(f"  {folder}/  {', '.join(names)}")
    out.print(
        "Next: [bold]crm-bridge --project "
        f"{escape(str(directory))} check[/], then try the sandbox: "
        "[bold]crm-bridge sync --sandbox[/]"
    )


def _auth(profile: object) -> str:
    if isinstance(profile, SalesforceProfile | HubSpotProfile):
        return profile.auth
    return "-"


def _summary_json(project: Project, results: list[CheckResult]) -> dict[str, object]:
    return {
        "ok": all(r.exit_code == 0 for r in results),
        "project": str(project.root),
        "connections": [
            {"name": c.name, "kind": c.profile.kind, "auth": _auth(c.profile), "file": c.file}
            for c in project.connections.values()
        ],
        "mapping_files": list(project.mapping_files),
        "jobs": [
            {
                "name": j.name,
                "schedule": j.spec.schedule or (f"every {j.spec.every}" if j.spec.every else None),
                "timezone": j.spec.timezone,
                "source": j.spec.source,
                "write": j.spec.write,
                "objects": j.spec.objects,
                "mode": j.spec.mode,
            }
            for j in project.jobs.values()
        ],
        "warnings": [str(w) for w in project.warnings],
        "checks": [{"name": r.name, "ok": r.exit_code == 0, "detail": r.detail} for r in results],
    }


def _render(project: Project, results: list[CheckResult], out: Console) -> None:
    table = Table(title="Connections", title_justify="left")
    for col in ("name", "kind", "auth", "file"):
        table.add_column(col)
    for c in project.connections.values():
        table.add_row(c.name, c.profile.kind, _auth(c.profile), c.file)
    out.print(table)
    lifecycle = " → ".join(project.lifecycle.stage_names)
    out.print(f"Mappings: {', '.join(project.mapping_files)}")
    out.print(f"  lifecycle: {escape(lifecycle)}")
    fields = project.fields
    counts = ", ".join(
        f"{kind} {len(fields.fields_of(kind))}" for kind in ("person", "account", "opportunity")
    )
    out.print(f"  fields: {counts}; write {len(fields.write)}")
    jobs = Table(title="Jobs", title_justify="left")
    for col in ("name", "when", "source → write", "objects", "mode"):
        jobs.add_column(col)
    for j in project.jobs.values():
        spec = j.spec
        when = (
            f"{spec.schedule} ({spec.timezone})"
            if spec.schedule
            else (f"every {spec.every}" if spec.every else "by hand")
        )
        flow = f"{', '.join(spec.source)} → {', '.join(spec.write) or '-'}"
        jobs.add_row(j.name, when, flow, ", ".join(spec.objects), spec.mode)
    out.print(jobs)
    for w in project.warnings:
        out.print(f"[yellow]warning:[/] {escape(str(w))}")
    for r in results:
        mark = "[green]ok[/]" if r.exit_code == 0 else "[bold red]FAILED[/]"
        out.print(f"{mark} {escape(r.name)}: {escape(r.detail)}")


@app.command()
def check(
    ctx: typer.Context,
    project: Path | None = typer.Option(
        None, "--project", "-p", help="Project folder (overrides the global --project)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    credentials: bool = typer.Option(
        False,
        "--credentials",
        help="Also check that the environment variables holding the secrets of every "
        "connection a job uses are set.",
    ),
) -> None:
    """Validate the project files (and run registered connection checks); exit 2 on problems."""
    try:
        settings, loaded = load_project_from(ctx, project)
        if credentials:
            check_credentials(loaded, settings)
    except ConfigError as exc:
        if as_json:
            print_json({"ok": False, "issues": [str(i).lstrip(": ") for i in exc.issues]})
        with handle_errors():
            raise
        raise  # pragma: no cover - handle_errors always exits
    with handle_errors():
        results = list(check_connections(loaded, settings))
    if as_json:
        print_json(_summary_json(loaded, results))
    else:
        _render(loaded, results, Console(highlight=False, width=max(120, Console().width)))
        Console(stderr=True).print(
            "[green]Project is valid.[/]"
            if all(r.exit_code == 0 for r in results)
            else "[red]Some checks failed.[/]"
        )
    failed = [r.exit_code for r in results if r.exit_code]
    if failed:
        raise typer.Exit(max(failed))
