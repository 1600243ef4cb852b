"""HubSpot-shaped errors raised inside the emulator and rendered as the real error JSON."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any


def correlation_id() -> str:
    """A fresh correlation id, as HubSpot puts in every response."""
    return str(uuid.uuid4())


@dataclass
class HubSpotError(Exception):
    """An API error with HubSpot's status, category and optional per-field details."""

    status: int
    category: str
    message: str
    errors: list[dict[str, Any]] = field(default_factory=list)
    context: dict[str, Any] = field(default_factory=dict)
    sub_category: str | None = None

    def __str__(self) -> str:
        return f"{self.status} {self.category}: {self.message}"

    def body(self, corr: str) -> dict[str, Any]:
        """The JSON body HubSpot returns for this error."""
        out: dict[str, Any] = {
            "status": "error",
            "message": self.message,
            "correlationId": corr,
            "category": self.category,
        }
        if self.sub_category:
            out["subCategory"] = self.sub_category
        if self.errors:
            out["errors"] = self.errors
        if self.context:
            out["context"] = self.context
        return out

    def standard(self, ids: list[str] | None = None) -> dict[str, Any]:
        """This error as a batch `StandardError` entry (all fields the SDK requires)."""
        ctx: dict[str, list[str]] = {
            k: [str(x) for x in v] if isinstance(v, list) else [str(v)]
            for k, v in self.context.items()
        }
        if ids is not None:
            ctx["ids"] = ids
        return {
            "status": "error",
            "category": self.category,
            "message": self.message,
            "errors": [
                {"message": e.get("message", ""), "code": e.get("code"), "in": e.get("in")}
                for e in self.errors
            ],
            "context": ctx,
            "links": {},
        }


def validation(message: str, *, code: str | None = None, name: str | None = None) -> HubSpotError:
    """A 400 VALIDATION_ERROR, optionally with one field-level error."""
    errors = [{"message": message, "code": code, "in": name}] if code else []
    return HubSpotError(400, "VALIDATION_ERROR", message, errors)


def not_found(message: str, ids: list[str] | None = None) -> HubSpotError:
    """A 404 OBJECT_NOT_FOUND."""
    return HubSpotError(404, "OBJECT_NOT_FOUND", message, context={"ids": ids} if ids else {})


def conflict(message: str) -> HubSpotError:
    """A 409 CONFLICT (duplicate unique property value)."""
    return HubSpotError(409, "CONFLICT", message)
