"""What every command shares: the project folder, settings, error rendering, JSON output.

The root callback stores ``--project`` in :class:`CliState` on the typer context; commands call
:func:`load_settings_from` / :func:`load_project_from`. Any :class:`CrmBridgeError` raised inside
:func:`handle_errors` (or reaching :func:`run_app`) is printed as a clean message on stderr and
the process exits with the error's exit code — never a traceback for an expected error.

Exit codes: 0 ok, 1 the run had record errors, 2 configuration or usage error, 3 authentication
or connectivity.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape

from crm_bridge.errors import ConfigError, CredentialMissing, CrmBridgeError
from crm_bridge.project import Project, load_project
from crm_bridge.settings import Settings, load_settings

EXIT_OK = 0
EXIT_RECORD_ERRORS = 1
EXIT_CONFIG = 2
EXIT_AUTH = 3


@dataclass
class CliState:
    """Global options given before the command (``crm-bridge --project DIR check``)."""

    project: Path | None = None


def state(ctx: typer.Context) -> CliState:
    """The :class:`CliState` of this invocation (created on first use)."""
    root = ctx.find_root()
    if not isinstance(root.obj, CliState):
        root.obj = CliState()
    return root.obj


def stderr_console() -> Console:
    """A console on stderr (messages, progress); stdout stays for results."""
    # piped output (logs, CI) gets a wide page instead of the 80-column default
    width = None if sys.stderr.isatty() else 160
    return Console(stderr=True, highlight=False, soft_wrap=True, width=width)


def load_settings_from(ctx: typer.Context, project: Path | None = None) -> Settings:
    """Settings for the project named by the command's own option, else the global one."""
    return load_settings(project or state(ctx).project)


def load_project_from(ctx: typer.Context, project: Path | None = None) -> tuple[Settings, Project]:
    """Settings and the validated project (raises :class:`ConfigError` with every issue)."""
    settings = load_settings_from(ctx, project)
    return settings, load_project(settings.project)


def render_error(exc: CrmBridgeError, console: Console | None = None) -> None:
    """Print ``exc`` for a person: every config issue on its own line, no traceback."""
    out = console or stderr_console()
    if isinstance(exc, CredentialMissing):
        out.print(f"[bold red]error:[/] {escape(str(exc))}")
        return
    if isinstance(exc, ConfigError):
        n = len(exc.issues)
        head = "1 problem" if n == 1 else f"{n} problems"
        out.print(f"[bold red]error:[/] {head} in the project configuration:")
        for issue in exc.issues:
            out.print(f"  {escape(str(issue).lstrip(': '))}")
        return
    out.print(f"[bold red]error:[/] {escape(type(exc).__name__)}: {escape(str(exc))}")


@contextmanager
def handle_errors() -> Iterator[None]:
    """Turn a :class:`CrmBridgeError` into a message on stderr and its exit code."""
    try:
        yield
    except CrmBridgeError as exc:
        render_error(exc)
        raise typer.Exit(exc.exit_code) from None


def print_json(data: Any) -> None:
    """One JSON document on stdout (dates and paths as strings)."""
    sys.stdout.write(json.dumps(data, default=str, indent=2, sort_keys=False) + "\n")


def run_app(app: typer.Typer) -> None:
    """Run ``app`` so that no expected error ever shows a traceback.

    Usage errors are handled by click itself (exit code 2); a :class:`CrmBridgeError` that a
    command did not handle is rendered here and exits with its code.
    """
    try:
        app()
    except CrmBridgeError as exc:
        render_error(exc)
        sys.exit(exc.exit_code)
