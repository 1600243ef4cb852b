"""Optional alerts when a run fails: a JSON webhook (Slack-compatible ``text``) or an email.

Configured by settings (``CRM_BRIDGE_NOTIFY__WEBHOOK_URL``, ``CRM_BRIDGE_NOTIFY__EMAIL_TO``,
``CRM_BRIDGE_NOTIFY__SMTP_HOST`` ...). A failing alert is logged and never fails the run.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import httpx

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class NotifyTargets:
    """Where alerts go; all optional."""

    webhook_url: str | None = None
    email_to: str | None = None
    email_from: str = "crm-bridge@localhost"
    smtp_host: str | None = None
    smtp_port: int = 25


def notify_failure(
    targets: NotifyTargets,
    *,
    job: str,
    run_id: str,
    status: str,
    hint: str,
    transport: httpx.BaseTransport | None = None,
) -> list[str]:
    """Send the alert to every configured target; returns the targets that were reached."""
    text = f"crm-bridge job '{job}' run {run_id} {status}: {hint}"
    payload: dict[str, Any] = {
        "text": text,
        "job": job,
        "run_id": run_id,
        "status": status,
        "hint": hint,
    }
    reached: list[str] = []
    if targets.webhook_url:
        try:
            with httpx.Client(timeout=10.0, transport=transport) as client:
                client.post(targets.webhook_url, json=payload).raise_for_status()
            reached.append("webhook")
        except httpx.HTTPError as exc:
            log.warning("failure alert to webhook not delivered: %s", type(exc).__name__)
    if targets.email_to and targets.smtp_host:
        msg = EmailMessage()
        msg["Subject"] = f"[crm-bridge] {job} {status}"
        msg["From"] = targets.email_from
        msg["To"] = targets.email_to
        msg.set_content(text)
        try:
            with smtplib.SMTP(targets.smtp_host, targets.smtp_port, timeout=10) as smtp:
                smtp.send_message(msg)
            reached.append("email")
        except OSError as exc:
            log.warning("failure alert by email not delivered: %s", type(exc).__name__)
    return reached
