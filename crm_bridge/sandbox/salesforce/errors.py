"""Salesforce-shaped API errors raised inside the emulator and rendered by the routes."""

from __future__ import annotations

from typing import Any


class SfApiError(Exception):
    """An error the API reports as ``[{"message", "errorCode", "fields"}]`` with an HTTP status."""

    def __init__(
        self, status: int, code: str, message: str, fields: list[str] | None = None
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.fields = list(fields or [])

    def body(self) -> list[dict[str, Any]]:
        """The top-level error body (uses ``errorCode``)."""
        return [{"message": self.message, "errorCode": self.code, "fields": self.fields}]

    def record_error(self) -> dict[str, Any]:
        """The per-record error shape used by sObject Collections (uses ``statusCode``)."""
        return {"statusCode": self.code, "message": self.message, "fields": self.fields}


def bad_request(code: str, message: str, fields: list[str] | None = None) -> SfApiError:
    """A 400 error with the given code."""
    return SfApiError(400, code, message, fields)


def not_found(message: str = "The requested resource does not exist") -> SfApiError:
    """A 404 NOT_FOUND error."""
    return SfApiError(404, "NOT_FOUND", message)


def invalid_type(name: str) -> SfApiError:
    """The real INVALID_TYPE error for an unknown sObject name."""
    return bad_request(
        "INVALID_TYPE",
        f"sObject type '{name}' is not supported. If you are attempting to use a custom "
        "object, be sure to append the '__c' after the entity name. Please reference your "
        "WSDL or the describe call for the appropriate names.",
    )


def no_such_column(field: str, entity: str) -> str:
    """The message Salesforce uses for an unknown column."""
    return (
        f"No such column '{field}' on entity '{entity}'. If you are attempting to use a custom "
        "field, be sure to append the '__c' after the custom field name. Please reference your "
        "WSDL or the describe call for the appropriate names."
    )
