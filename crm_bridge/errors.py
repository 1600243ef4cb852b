"""The crm-bridge exception tree.

Every error crm-bridge raises on purpose is a :class:`CrmBridgeError`. Vendor exceptions
(simple-salesforce, hubspot-api-client, requests, urllib3) never cross a connector: they are
translated into one of the classes below, carrying the CRM's status, error code and message.

::

    CrmBridgeError                      exit code
    ├── ConfigError                     2   a project file or setting is wrong (all problems listed)
    │   └── CredentialMissing           2   an environment variable holding a secret is not set
    ├── StateError                      1   the state store failed (database, migration)
    │   └── LockHeld                    1   another run of the same job holds the lock
    └── CrmError                        1   a CRM answered with an error
        ├── ConnectivityError           3   the CRM could not be reached (DNS, TLS, refused)
        ├── AuthError                   3   credentials rejected or session expired beyond refresh
        ├── PermissionDenied            3   missing scope, field-level security, read-only field
        ├── RetriableError              -   transient: 5xx, timeouts, UNABLE_TO_LOCK_ROW
        │   └── RateLimited             -   429 / REQUEST_LIMIT_EXCEEDED, with retry_after
        ├── QuotaExhausted              1   the daily API allocation is used up (not retried)
        └── RecordError                 1   one record was rejected (validation, duplicate, ...)

``RetriableError`` and ``RateLimited`` are retried by the single retry policy in
``crm_bridge.connectors.retry``; they only surface when its deadline is exhausted.
"""

from __future__ import annotations

from dataclasses import dataclass


class CrmBridgeError(Exception):
    """Base class of every error crm-bridge raises on purpose."""

    exit_code: int = 1


@dataclass(frozen=True)
class ConfigIssue:
    """One problem found in a project file or setting.

    ``file`` and ``line`` locate it (line is 1-based, ``None`` when not known), ``key`` is the
    dotted path inside the file (``stages[2].when.op``), ``message`` says what was expected and
    what was found.
    """

    file: str
    line: int | None
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        key = f" {self.key}:" if self.key else ""
        return f"{where}:{key} {self.message}"


class ConfigError(CrmBridgeError):
    """One or more configuration problems; ``issues`` lists all of them, not only the first."""

    exit_code = 2

    def __init__(self, issues: list[ConfigIssue] | str) -> None:
        if isinstance(issues, str):
            issues = [ConfigIssue(file="", line=None, key="", message=issues)]
        self.issues: list[ConfigIssue] = issues
        super().__init__("\n".join(str(i).lstrip(": ") for i in issues))


class CredentialMissing(ConfigError):
    """A secret named by a connection profile is not set in the environment."""

    def __init__(self, variable: str, connection: str, purpose: str, file: str = "") -> None:
        self.variable = variable
        self.connection = connection
        msg = (
            f"connection '{connection}' needs {purpose}: "
            f"set the environment variable {variable} (or put it in the project's .env file)"
        )
        super().__init__([ConfigIssue(file=file, line=None, key=connection, message=msg)])


class StateError(CrmBridgeError):
    """The state store (SQLite or PostgreSQL) failed."""


class LockHeld(StateError):
    """Another run of the same job is in progress (or its lock has not yet expired)."""


class CrmError(CrmBridgeError):
    """A CRM answered with an error.

    Attributes name the CRM (``salesforce`` / ``hubspot``), the HTTP ``status``, the CRM's own
    error ``code`` (``INVALID_FIELD``, ``VALIDATION_ERROR``, ...), its ``message``, and, where the
    error concerns one record, its ``record_id``, ``object_type`` and ``field``.
    """

    def __init__(
        self,
        message: str,
        *,
        crm: str = "",
        status: int | None = None,
        code: str = "",
        record_id: str | None = None,
        object_type: str | None = None,
        field: str | None = None,
    ) -> None:
        self.crm = crm
        self.status = status
        self.code = code
        self.message = message
        self.record_id = record_id
        self.object_type = object_type
        self.field = field
        super().__init__(self.describe())

    def describe(self) -> str:
        """One line: CRM, object, record, field, code and message."""
        parts: list[str] = []
        if self.crm:
            parts.append(self.crm)
        if self.object_type:
            parts.append(self.object_type)
        if self.record_id:
            parts.append(f"record {self.record_id}")
        if self.field:
            parts.append(f"field {self.field}")
        head = " ".join(parts)
        code = f"{self.code}" if self.code else ""
        if self.status is not None:
            code = f"{code} (HTTP {self.status})" if code else f"HTTP {self.status}"
        bits = [b for b in (head, code, self.message) if b]
        return ": ".join(bits)


class ConnectivityError(CrmError):
    """The CRM could not be reached at all (DNS, TLS, connection refused)."""

    exit_code = 3


class AuthError(CrmError):
    """Credentials were rejected, or an expired session could not be refreshed."""

    exit_code = 3


class PermissionDenied(CrmError):
    """The integration user lacks a scope, object permission or field-level access."""

    exit_code = 3


class RetriableError(CrmError):
    """A transient failure worth retrying: 5xx, timeout, lock contention."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: object) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kw)  # type: ignore[arg-type]


class RateLimited(RetriableError):
    """The CRM's rate limit was hit (HTTP 429 or Salesforce concurrency limits)."""


class QuotaExhausted(CrmError):
    """The daily API allocation is used up; retrying before it resets is pointless."""


class RecordError(CrmError):
    """One record was rejected by the CRM; the rest of its batch goes on."""
