"""The ``crm-bridge`` command line (typer + rich). Thin: parse, call the library, render.

Each command group lives in its own module of this package and is registered below.
"""

from __future__ import annotations

from pathlib import Path

import typer

from crm_bridge import __version__

app = typer.Typer(
    name="crm-bridge",
    help="Align sales and marketing in Salesforce and HubSpot: shared stages, personas, SLAs.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"crm-bridge {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
    project: Path | None = typer.Option(
        None,
        "--project",
        "-p",
        envvar="CRM_BRIDGE_PROJECT",
        help="Project folder (default: CRM_BRIDGE_PROJECT, else the current folder).",
    ),
) -> None:
    """crm-bridge keeps both CRMs on one set of facts."""
    from crm_bridge.cli.common import state

    state(ctx).project = project


def main() -> None:
    """Console-script entry point (expected errors print a message, never a traceback)."""
    from crm_bridge.cli.common import run_app

    run_app(app)


from crm_bridge.cli import explain as _explain  # noqa: E402, F401  (registers "explain")
from crm_bridge.cli import personas as _personas  # noqa: E402, F401  (registers "personas")
from crm_bridge.cli import project_cmds as _project_cmds  # noqa: E402, F401  (init, check)
from crm_bridge.cli import report as _report  # noqa: E402, F401  (registers "report")
from crm_bridge.cli import runs as _runs  # noqa: E402, F401  (registers "runs", "revert")
from crm_bridge.cli import sandbox as _sandbox  # noqa: E402, F401  (registers "sandbox")
from crm_bridge.cli import schedule as _schedule  # noqa: E402, F401  (registers "schedule")
from crm_bridge.cli import setup as _setup  # noqa: E402, F401  (registers "setup")
from crm_bridge.cli import sync as _sync  # noqa: E402, F401  (registers "sync")
