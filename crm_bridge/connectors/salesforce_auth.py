"""Salesforce authentication: the four ways a connection profile can log in.

Each :class:`SalesforceLogin` variant builds a logged-in ``simple_salesforce.Salesforce``;
:meth:`SalesforceLogin.can_refresh` says whether calling it again yields a fresh session (every
variant except a fixed session id).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests
from simple_salesforce.api import Salesforce

from crm_bridge.connectors.errors import translate


@dataclass(frozen=True)
class SalesforceLogin:
    """Credentials for one org. Exactly one method's fields are set (see :meth:`method`)."""

    domain: str = "login"
    instance_url: str | None = None
    session_id: str | None = None
    username: str | None = None
    password: str | None = None
    security_token: str | None = None
    consumer_key: str | None = None
    consumer_secret: str | None = None
    private_key_file: str | None = None
    api_version: str = "59.0"

    def method(self) -> str:
        """``session``, ``jwt``, ``client_credentials`` or ``password``."""
        if self.session_id:
            return "session"
        if self.private_key_file and self.consumer_key and self.username:
            return "jwt"
        if self.consumer_key and self.consumer_secret and not self.username:
            return "client_credentials"
        return "password"

    @property
    def can_refresh(self) -> bool:
        """A fixed session id cannot be renewed; every other method logs in again."""
        return self.method() != "session"

    def __repr__(self) -> str:
        return f"SalesforceLogin(method={self.method()!r}, domain={self.domain!r})"

    def login(self, session: requests.Session | None = None) -> Salesforce:
        """A logged-in client (vendor errors translated, secrets never in messages)."""
        kind = self.method()
        common: dict[str, Any] = {"version": self.api_version, "session": session}
        try:
            if kind == "session":
                return Salesforce(
                    session_id=self.session_id, instance_url=self.instance_url, **common
                )
            if kind == "jwt":
                return Salesforce(
                    username=self.username,
                    consumer_key=self.consumer_key,
                    privatekey_file=self.private_key_file,
                    domain=self.domain,
                    **common,
                )
            if kind == "client_credentials":
                return Salesforce(
                    consumer_key=self.consumer_key,
                    consumer_secret=self.consumer_secret,
                    domain=self.domain,
                    **common,
                )
            return Salesforce(
                username=self.username,
                password=self.password,
                security_token=self.security_token or "",
                domain=self.domain,
                **common,
            )
        except Exception as exc:
            raise translate(exc, "salesforce") from exc
