"""``crm-bridge schedule``: run the project's jobs on their schedules (or once, for cron)."""

from __future__ import annotations

import logging
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path

import typer

from crm_bridge.cli import app
from crm_bridge.cli.common import (
    EXIT_OK,
    EXIT_RECORD_ERRORS,
    handle_errors,
    load_project_from,
    stderr_console,
)
from crm_bridge.cli.logs import configure_logging
from crm_bridge.errors import ConfigError, CrmBridgeError
from crm_bridge.jobs.hints import failure_hint
from crm_bridge.jobs.notify import NotifyTargets, notify_failure
from crm_bridge.jobs.runner import run_job, sandbox_session
from crm_bridge.jobs.schedule import Scheduler, StopToken, build_trigger, install_signal_handlers
from crm_bridge.model import utcnow
from crm_bridge.state.store import open_store

log = logging.getLogger("crm_bridge.schedule")


@app.command()
def schedule(
    ctx: typer.Context,
    once: bool = typer.Option(
        False,
        "--once",
        help="Run every due job once and exit (cron, systemd timers, Kubernetes CronJobs).",
    ),
    sandbox: bool = typer.Option(
        False, "--sandbox", help="Run the jobs against the embedded sandbox."
    ),
    log_format: str = typer.Option("text", "--log-format", help="text or json."),
    webhook: str | None = typer.Option(
        None,
        "--alert-webhook",
        envvar="CRM_BRIDGE_ALERT_WEBHOOK",
        help="POST a JSON alert here when a run fails.",
    ),
    alert_email: str | None = typer.Option(
        None,
        "--alert-email",
        envvar="CRM_BRIDGE_ALERT_EMAIL",
        help="Email an alert to this address when a run fails (needs --smtp-host).",
    ),
    smtp_host: str | None = typer.Option(
        None, "--smtp-host", envvar="CRM_BRIDGE_SMTP_HOST", help="SMTP server for --alert-email."
    ),
    smtp_port: int = typer.Option(25, "--smtp-port", envvar="CRM_BRIDGE_SMTP_PORT"),
    project: Path | None = typer.Option(None, "--project", "-p", help="Project folder."),
) -> None:
    """Run the jobs in jobs/*.yaml on their schedules; SIGTERM stops after the current batch."""
    console = stderr_console()
    with handle_errors():
        settings, proj = load_project_from(ctx, project)
        configure_logging(log_format, settings.log_level)
        triggers = {}
        for name, job in proj.jobs.items():
            spec = job.spec
            if spec.schedule is None and spec.every is None:
                continue
            triggers[name] = build_trigger(
                cron=spec.schedule, every=spec.every, timezone=spec.timezone, anchor=utcnow()
            )
        if not triggers:
            raise ConfigError("no job has a schedule: add 'schedule:' or 'every:' to a job")
        stop = StopToken()
        install_signal_handlers(stop)
        failures = 0
        targets = NotifyTargets(
            webhook_url=webhook, email_to=alert_email, smtp_host=smtp_host, smtp_port=smtp_port
        )
        alerting = bool(webhook or (alert_email and smtp_host))
        with ExitStack() as stack:
            store = stack.enter_context(open_store(settings.database_url.get_secret_value()))
            server = stack.enter_context(sandbox_session(proj)) if sandbox else None

            def last_run(name: str) -> datetime | None:
                runs = store.list_runs(limit=1, job=name)
                return runs[0].started_at if runs else None

            def run(name: str, token: StopToken) -> str:
                nonlocal failures
                try:
                    summary = run_job(proj, settings, name, server=server, stop=token, store=store)
                except CrmBridgeError as exc:
                    failures += 1
                    hint = failure_hint(exc)
                    console.print(f"[red]{name}: {hint}[/]")
                    log.error("job failed", extra={"job": name, "hint": hint})
                    if alerting:
                        notify_failure(targets, job=name, run_id="-", status="failed", hint=hint)
                    raise
                line = (
                    f"{name}: run {summary.run_id} {summary.status}, "
                    f"{summary.fields_written} fields written, {len(summary.problems)} record errors"
                )
                console.print(line)
                if summary.problems and alerting:
                    first = summary.problems[0]
                    hint = (
                        f"{len(summary.problems)} record errors, e.g. {first.ref} {first.field}: "
                        f"{first.code} — see 'crm-bridge runs show {summary.run_id}'"
                    )
                    notify_failure(
                        targets, job=name, run_id=summary.run_id, status=summary.status, hint=hint
                    )
                log.info("job finished", extra={"job": name, "run": summary.as_dict()})
                return line

            scheduler = Scheduler(triggers, run, last_run=last_run, stop=stop)
            if once:
                ran = scheduler.run_once()
                if not ran:
                    console.print("no job is due")
            else:
                console.print(f"scheduling {', '.join(sorted(triggers))}; Ctrl-C or SIGTERM stops")
                scheduler.run_forever()
    raise typer.Exit(EXIT_RECORD_ERRORS if failures else EXIT_OK)
