"""Translate vendor exceptions into :mod:`crm_bridge.errors` types.

Covers simple-salesforce (``SalesforceError`` subclasses, ``SalesforceAuthenticationFailed``),
hubspot-api-client (the ``ApiException`` of *every* generated sub-package: they are distinct
classes, so they are recognised by shape: ``status``/``body``/``headers``), urllib3 and requests
transport errors. Messages are redacted: bearer tokens and ``access_token``-like values never
appear in a translated error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import requests
import urllib3.exceptions
from simple_salesforce.exceptions import SalesforceAuthenticationFailed, SalesforceError

from crm_bridge.errors import (
    AuthError,
    ConnectivityError,
    CrmError,
    PermissionDenied,
    QuotaExhausted,
    RateLimited,
    RetriableError,
)

#: Salesforce error codes worth retrying (HTTP 400 but transient).
SF_RETRIABLE_CODES = frozenset({"UNABLE_TO_LOCK_ROW", "QUERY_TIMEOUT", "SERVER_UNAVAILABLE"})
#: Salesforce codes meaning the integration user lacks access.
SF_PERMISSION_CODES = frozenset(
    {
        "INSUFFICIENT_ACCESS",
        "INSUFFICIENT_ACCESS_OR_READONLY",
        "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY",
        "INVALID_FIELD_FOR_INSERT_UPDATE",
        "API_DISABLED_FOR_ORG",
        "FUNCTIONALITY_NOT_ENABLED",
    }
)
CONNECTION_ERROR = "CONNECTION_ERROR"
TIMEOUT = "TIMEOUT"

_SECRET_PATTERNS = (
    re.compile(r"(?i)(bearer\s+)[^\s\"',]+"),
    re.compile(
        r"(?i)((?:access_token|refresh_token|client_secret|password|session_?id|token)"
        r"[\"']?\s*[:=]\s*[\"']?)[^\s\"'&,]+"
    ),
    re.compile(r"00D[A-Za-z0-9]{12,15}![A-Za-z0-9._]+"),
    re.compile(r"pat-[a-z0-9]+-[A-Za-z0-9-]+"),
)


def redact(text: str, limit: int = 500) -> str:
    """``text`` with bearer tokens, session ids and secrets replaced by ``***``, truncated."""
    for pattern in _SECRET_PATTERNS:
        if pattern.groups:
            text = pattern.sub(lambda m: m.group(1) + "***", text)
        else:
            text = pattern.sub("***", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def is_hubspot_api_exception(exc: BaseException) -> bool:
    """True for any generated sub-package's ``ApiException`` (or its subclasses)."""
    return any(
        cls.__name__ == "ApiException" and cls.__module__.startswith("hubspot.")
        for cls in type(exc).__mro__
    )


def translate(exc: BaseException, crm: str, object_type: str | None = None) -> CrmError:
    """The :class:`~crm_bridge.errors.CrmError` for a vendor or transport exception."""
    if isinstance(exc, CrmError):
        return exc
    if isinstance(exc, SalesforceAuthenticationFailed):
        return AuthError(redact(str(exc.message)), crm=crm, code=str(exc.code))
    if isinstance(exc, SalesforceError):
        return _salesforce(exc, crm, object_type)
    if is_hubspot_api_exception(exc):
        return _hubspot(exc, crm, object_type)
    return _transport(exc, crm, object_type)


def _salesforce(exc: SalesforceError, crm: str, object_type: str | None) -> CrmError:
    status = int(exc.status)
    code, message, fields = sf_error_parts(exc.content)
    kw: dict[str, Any] = {"crm": crm, "status": status, "code": code, "object_type": object_type}
    if fields:
        kw["field"] = fields[0]
    message = redact(message or f"HTTP {status}")
    if status == 401:
        return AuthError(message, **kw)
    if code == "REQUEST_LIMIT_EXCEEDED":
        if "concurren" in message.lower():
            return RateLimited(message, retry_after=None, **kw)
        return QuotaExhausted(message, **kw)
    if status == 429:
        return RateLimited(message, retry_after=None, **kw)
    if status >= 500 or code in SF_RETRIABLE_CODES:
        return RetriableError(message, **kw)
    if status == 403 or code in SF_PERMISSION_CODES:
        return PermissionDenied(message, **kw)
    return CrmError(message, **kw)


def sf_error_parts(content: Any) -> tuple[str, str, list[str]]:
    """(errorCode, message, fields) from a Salesforce error body (list, dict or text)."""
    first: Any = content[0] if isinstance(content, list) and content else content
    if isinstance(first, Mapping):
        code = str(first.get("errorCode") or first.get("statusCode") or first.get("error") or "")
        message = str(first.get("message") or first.get("error_description") or "")
        fields = [str(f) for f in first.get("fields") or []]
        return code, message, fields
    return "", str(content or ""), []


def _hubspot(exc: BaseException, crm: str, object_type: str | None) -> CrmError:
    status = int(getattr(exc, "status", 0) or 0)
    headers: Mapping[str, str] = getattr(exc, "headers", None) or {}
    body = _json(getattr(exc, "body", None))
    code = str(body.get("category") or body.get("errorType") or "")
    message = redact(str(body.get("message") or getattr(exc, "reason", "") or f"HTTP {status}"))
    field = None
    errors = body.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], Mapping):
        field = errors[0].get("in")
    kw: dict[str, Any] = {"crm": crm, "status": status, "code": code, "object_type": object_type}
    if field:
        kw["field"] = str(field)
    if status == 0:
        reason = str(getattr(exc, "reason", ""))
        if "ssl" in reason.lower() or "certificate" in reason.lower():
            return ConnectivityError("TLS failure", **{**kw, "code": "TLS_ERROR"})
        return RetriableError("connection failed", **{**kw, "code": CONNECTION_ERROR})
    if status == 401:
        return AuthError(message, **kw)
    if status == 403:
        return PermissionDenied(message, **kw)
    if status == 429:
        policy = str(body.get("policyName") or "")
        kw["code"] = policy or code or "RATE_LIMIT"
        if policy == "DAILY":
            return QuotaExhausted(message, **kw)
        return RateLimited(message, retry_after=hubspot_retry_after(headers), **kw)
    if status == 423:
        return RetriableError(message, retry_after=2.0, **kw)
    if status == 477 or status >= 500:
        return RetriableError(message, retry_after=_retry_after_header(headers), **kw)
    return CrmError(message, **kw)


def hubspot_retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait after a HubSpot 429: ``Retry-After``, else the rolling interval."""
    after = _retry_after_header(headers)
    if after is not None:
        return after
    interval = _header(headers, "X-HubSpot-RateLimit-Interval-Milliseconds")
    remaining = _header(headers, "X-HubSpot-RateLimit-Remaining")
    if interval is not None and (remaining is None or remaining.strip() == "0"):
        try:
            return float(interval) / 1000.0
        except ValueError:
            return None
    return None


def _retry_after_header(headers: Mapping[str, str]) -> float | None:
    value = _header(headers, "Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _header(headers: Mapping[str, str], name: str) -> str | None:
    getter = getattr(headers, "get", None)
    if getter is None:
        return None
    value = getter(name)
    if value is None:
        lowered = name.lower()
        for key in headers:
            if str(key).lower() == lowered:
                return str(headers[key])
        return None
    return str(value)


def _json(raw: Any) -> dict[str, Any]:
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return {"message": raw[:300]}
    return raw if isinstance(raw, dict) else {}


def _transport(exc: BaseException, crm: str, object_type: str | None) -> CrmError:
    kw: dict[str, Any] = {"crm": crm, "object_type": object_type}
    reason: BaseException = exc
    if isinstance(exc, urllib3.exceptions.MaxRetryError) and exc.reason is not None:
        reason = exc.reason
    name = type(reason).__name__
    if isinstance(reason, requests.exceptions.SSLError | urllib3.exceptions.SSLError):
        return ConnectivityError(f"TLS failure: {name}", code="TLS_ERROR", **kw)
    if isinstance(
        reason,
        requests.exceptions.Timeout | urllib3.exceptions.TimeoutError | TimeoutError,
    ):
        return RetriableError(f"timed out ({name})", code=TIMEOUT, **kw)
    if isinstance(
        reason,
        requests.exceptions.ConnectionError
        | urllib3.exceptions.ProtocolError
        | urllib3.exceptions.NewConnectionError
        | urllib3.exceptions.MaxRetryError
        | ConnectionError,
    ):
        return RetriableError(f"connection failed ({name})", code=CONNECTION_ERROR, **kw)
    return CrmError(redact(f"{name}: {reason}"), **kw)
