"""One readable line per failure, with what to do about it (``crm-bridge runs``, logs, alerts)."""

from __future__ import annotations

from crm_bridge.errors import (
    AuthError,
    ConfigError,
    ConnectivityError,
    CredentialMissing,
    CrmBridgeError,
    CrmError,
    LockHeld,
    PermissionDenied,
    QuotaExhausted,
    RateLimited,
    RetriableError,
    StateError,
)


def failure_hint(error: BaseException) -> str:
    """``what happened — what to do`` in one line, never containing a secret."""
    text = " ".join(str(error).split())
    if len(text) > 300:
        text = text[:297] + "..."
    if isinstance(error, CredentialMissing):
        return f"missing credential: {text}"
    if isinstance(error, ConfigError):
        return f"project files are invalid: {text} — fix them, then run 'crm-bridge check'"
    if isinstance(error, AuthError):
        return (
            f"authentication failed ({text}) — check the connection's credentials and that the "
            "integration user is active; 'crm-bridge check' tests every connection"
        )
    if isinstance(error, PermissionDenied):
        return (
            f"permission denied ({text}) — grant the missing scope or field-level access to the "
            "integration user, or run 'crm-bridge setup' to create missing fields"
        )
    if isinstance(error, QuotaExhausted):
        return (
            f"API quota exhausted ({text}) — the run stops until the CRM's daily allocation "
            "resets; lower the connection's budget share or run less often"
        )
    if isinstance(error, RateLimited):
        return (
            f"rate limited beyond the retry deadline ({text}) — another integration may share "
            "the limit; lower the connection's requests budget"
        )
    if isinstance(error, ConnectivityError):
        return f"cannot reach the CRM ({text}) — check network, proxy and TLS settings"
    if isinstance(error, RetriableError):
        return f"the CRM kept failing ({text}) — usually transient; the next run resumes"
    if isinstance(error, LockHeld):
        return f"{text} — another run of this job is in progress; it will be skipped"
    if isinstance(error, StateError):
        return f"state store failed ({text}) — check CRM_BRIDGE_STATE_URL and the database"
    if isinstance(error, CrmError | CrmBridgeError):
        return text
    return f"unexpected {type(error).__name__}: {text} — please report this with the run id"


def record_errors_hint(failed: int, total: int, top_code: str | None) -> str:
    """A line for runs whose records partly failed."""
    share = f"{failed} of {total}" if total else str(failed)
    code = f", mostly {top_code}" if top_code else ""
    return (
        f"{share} records failed{code} — 'crm-bridge runs show RUN_ID' lists each record, "
        "field and CRM error; the rest of each batch was written"
    )
