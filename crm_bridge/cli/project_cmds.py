"""``crm-bridge init DIR`` and ``crm-bridge check``.

``check`` validates every project file; then it runs the checks registered with
:func:`register_check` (the connectors package adds connectivity, permission and missing-field
checks there), so the command grows without this module changing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from importlib import import_module
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

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
    """The outcome of one extra check: ``exit_code`` 0 when it passed (else 1, 2 or 3).

    ``warning`` marks a result that passed but deserves attention (e.g. a connection that
    was not checked because its credentials are not set).
    """

    name: str
    detail: str
    exit_code: int = 0
    warning: bool = False


@dataclass(frozen=True)
class CheckTarget:
    """What registered checks talk to: the running embedded sandbox (``server``, from
    ``check --sandbox``), else the project's real connections."""

    server: Any = None


_TARGET: ContextVar[CheckTarget | None] = ContextVar("crm_bridge_check_target", default=None)


def check_target() -> CheckTarget:
    """The target of the ``check`` being run (registered checks read it)."""
    return _TARGET.get() or CheckTarget()


ProjectCheck = Callable[[Project, Settings], Iterable[CheckResult]]
_CHECKS: list[ProjectCheck] = []


def register_check(check: ProjectCheck) -> ProjectCheck:
    """Add ``check`` to ``crm-bridge check`` (usable as a decorator)."""
    if check not in _CHECKS:
        _CHECKS.append(check)
    return check


def check_connections(
    project: Project, settings: Settings, target: CheckTarget | None = None
) -> Iterator[CheckResult]:
    """Run every registered check (after importing :data:`CHECK_PLUGINS` that exist) against
    ``target`` (default: the real connections)."""
    for name in CHECK_PLUGINS:
        try:
            import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    token = _TARGET.set(target or CheckTarget())
    try:
        for check in list(_CHECKS):
            yield from check(project, settings)
    finally:
        _TARGET.reset(token)


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
        "checks": [
            {"name": r.name, "ok": r.exit_code == 0, "warning": r.warning, "detail": r.detail}
            for r in results
        ],
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
    if results:
        checks = Table(title="Checks", title_justify="left")
        for col in ("check", "result", "detail"):
            checks.add_column(col, overflow="fold")
        for r in results:
            mark = (
                "[bold red]FAILED[/]"
                if r.exit_code
                else ("[yellow]warning[/]" if r.warning else "[green]ok[/]")
            )
            checks.add_row(escape(r.name), mark, escape(r.detail))
        out.print(checks)


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
    sandbox: bool = typer.Option(
        False,
        "--sandbox",
        help="Check the embedded sandbox in place of the real connections (no CRM account needed).",
    ),
    offline: bool = typer.Option(
        False, "--offline", help="Only validate the project files; connect to nothing."
    ),
) -> None:
    """Validate the project files, then connect: log-in, field permissions, missing alignment
    fields, API budget per connection. Exit 2 on problems (3: cannot connect)."""
    try:
        settings, loaded = load_project_from(ctx, project)
        if credentials and not sandbox:
            check_credentials(loaded, settings)
    except ConfigError as exc:
        if as_json:
            print_json({"ok": False, "issues": [str(i).lstrip(": ") for i in exc.issues]})
        with handle_errors():
            raise
        raise  # pragma: no cover - handle_errors always exits
    with handle_errors():
        if offline:
            results: list[CheckResult] = []
        elif sandbox:
            from crm_bridge.jobs.runner import sandbox_session

            if not as_json:
                stderr_console().print("[dim]starting the embedded sandbox…[/]")
            with sandbox_session(loaded, setup=False) as server:
                results = list(check_connections(loaded, settings, CheckTarget(server=server)))
        else:
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
