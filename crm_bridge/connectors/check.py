"""The connection checks of ``crm-bridge check`` (registered on import).

For every real connection (or, with ``check --sandbox``, both CRMs of the embedded sandbox)
one row says whether it authenticated, how many fields it can read and write and how much of
the daily API budget is left; then one row per problem: alignment fields to create (``run
crm-bridge setup``), mapped fields the integration user cannot see, written fields it cannot
update, the API budget. A connection whose secrets are not set is not contacted: its row names
the environment variable to set (``check --credentials`` makes that an error).
"""

from __future__ import annotations

from collections.abc import Iterator

from crm_bridge.cli.project_cmds import CheckResult, check_target, register_check
from crm_bridge.connectors.preflight import (
    ConnectionReport,
    Target,
    connection_targets,
    inspect,
    requirements,
)
from crm_bridge.errors import CredentialMissing
from crm_bridge.project import Project
from crm_bridge.settings import Settings


def results_of(report: ConnectionReport) -> Iterator[CheckResult]:
    """One row for the connection, then one per problem."""
    auth_failed = [p for p in report.problems if p.kind == "connection"]
    yield CheckResult(
        report.name,
        auth_failed[0].message if auth_failed else report.summary(),
        exit_code=auth_failed[0].exit_code if auth_failed else 0,
    )
    for problem in report.problems:
        if problem.kind == "connection":
            continue
        yield CheckResult(
            report.name, problem.message, exit_code=problem.exit_code, warning=problem.warning
        )


def check_target_connection(target: Target, project: Project) -> Iterator[CheckResult]:
    """The rows of one connection (opened or not)."""
    if isinstance(target.error, CredentialMissing):
        names = list(dict.fromkeys([target.error.variable, *target.unset]))
        what = "variable" if len(names) == 1 else "variables"
        yield CheckResult(
            target.name,
            f"not checked: credentials not set; set the environment {what} {', '.join(names)} "
            "(or put them in the project's .env file; `check --credentials` makes this an error)",
            warning=True,
        )
        return
    if target.error is not None:
        where = ", ".join(target.secrets)
        hint = f" (credentials read from {where})" if where else ""
        yield CheckResult(
            target.name, f"cannot connect: {target.error.describe()}{hint}", target.error.exit_code
        )
        return
    assert target.connector is not None and target.crm is not None
    report = inspect(
        target.connector,
        requirements(project, target.crm),
        secrets=target.secrets,
        daily_share=target.daily_share,
    )
    yield from results_of(report)


@register_check
def connections_check(project: Project, settings: Settings) -> Iterator[CheckResult]:
    """Check every connection of ``project`` (or the sandbox ``check --sandbox`` started)."""
    for target in connection_targets(project, settings, check_target().server):
        try:
            yield from check_target_connection(target, project)
        finally:
            target.close()
