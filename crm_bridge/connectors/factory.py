"""Build connectors from connection profiles, or against a running sandbox."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hubspot import HubSpot
from simple_salesforce.api import Salesforce

from crm_bridge.config.connectors import (
    Credentials,
    HubSpotCredentials,
    HubSpotProfile,
    RealProfile,
    SalesforceCredentials,
    SalesforceProfile,
)
from crm_bridge.connectors.base import Connector
from crm_bridge.connectors.calls import Caller
from crm_bridge.connectors.hubspot import HubSpotConnector
from crm_bridge.connectors.hubspot_api import raw_call
from crm_bridge.connectors.ratelimit import (
    hubspot_limiter,
    salesforce_limiter,
    shared_limiter,
)
from crm_bridge.connectors.retry import DEFAULT_POLICY, RetryPolicy, no_urllib3_retries
from crm_bridge.connectors.salesforce import SalesforceConnector
from crm_bridge.connectors.salesforce_auth import SalesforceLogin
from crm_bridge.errors import ConfigError
from crm_bridge.model import Crm


def _secret(value: Any) -> str | None:
    return value.get_secret_value() if value is not None else None


def salesforce_login(creds: SalesforceCredentials, api_version: str = "59.0") -> SalesforceLogin:
    """The :class:`SalesforceLogin` for resolved credentials."""
    return SalesforceLogin(
        domain=creds.domain,
        instance_url=creds.instance_url,
        session_id=_secret(creds.session_id),
        username=creds.username,
        password=_secret(creds.password),
        security_token=_secret(creds.security_token),
        consumer_key=creds.consumer_key,
        consumer_secret=_secret(creds.consumer_secret),
        private_key_file=creds.private_key_file,
        api_version=api_version,
    )


def open_connector(
    name: str,
    profile: RealProfile,
    credentials: Credentials,
    *,
    retry: RetryPolicy = DEFAULT_POLICY,
) -> Connector:
    """A connector for a Salesforce or HubSpot profile (sandbox: use :func:`sandbox_connectors`)."""
    if isinstance(profile, SalesforceProfile) and isinstance(credentials, SalesforceCredentials):
        login = salesforce_login(credentials, profile.api_version)
        limiter = shared_limiter(
            "salesforce",
            profile.instance_url or profile.domain + ":" + (credentials.username or name),
            lambda: salesforce_limiter(
                profile.limits.requests_per_second, profile.limits.daily_api_share
            ),
        )
        return SalesforceConnector(
            login.login(),
            name,
            login=login.login if login.can_refresh else None,
            retry=retry,
            limiter=limiter,
            lookback=profile.lookback,
        )
    if isinstance(profile, HubSpotProfile) and isinstance(credentials, HubSpotCredentials):
        limits = profile.limits
        account = credentials.client_id or name
        limiter = shared_limiter(
            "hubspot",
            account,
            lambda: hubspot_limiter(
                burst_max=limits.burst_per_10s, search_per_s=limits.search_per_second
            ),
        )
        token = _secret(credentials.access_token) or ""
        client = HubSpot(access_token=token, retry=no_urllib3_retries())
        connector = HubSpotConnector(
            client, name, retry=retry, limiter=limiter, lookback=profile.lookback
        )
        if credentials.auth == "oauth":
            refresh = hubspot_oauth_refresher(connector, credentials)
            connector.caller.reauth = refresh
            refresh()
        return connector
    raise ConfigError(f"connection '{name}': no connector for profile kind {profile.kind!r}")


def hubspot_oauth_refresher(
    connector: HubSpotConnector, creds: HubSpotCredentials
) -> Callable[[], None]:
    """A function that trades the refresh token for a new access token (OAuth token endpoint)."""
    tokens_api = connector.apis.client.oauth.tokens_api
    caller = Caller("hubspot", connector.caller.retry)

    def refresh() -> None:
        body = raw_call(
            caller,
            "oauth",
            tokens_api.create,
            grant_type="refresh_token",
            client_id=creds.client_id,
            client_secret=_secret(creds.client_secret),
            refresh_token=_secret(creds.refresh_token),
        )
        connector.caller.stats.by_endpoint["oauth"] += 1
        connector.apis.set_token(str(body["access_token"]))

    return refresh


def sandbox_connectors(
    server: Any,
    *,
    retry: RetryPolicy = DEFAULT_POLICY,
    paced: bool = True,
) -> dict[Crm, Connector]:
    """Both connectors against a running ``SandboxServer`` (trusting its CA).

    An expired Salesforce session is renewed by asking the sandbox for a new session id
    (its stand-in for logging in again).
    """
    from crm_bridge.sandbox.clients import hubspot_client, salesforce_client

    def sf_login() -> Salesforce:
        return salesforce_client(server, session_id=server.sandbox.tokens.issue("salesforce"))

    tier = int(getattr(server.sandbox.config, "hubspot_tier", 100) or 100)
    hs_limiter = hubspot_limiter(burst_max=tier, search_per_s=5.0) if paced else None
    sf = SalesforceConnector(
        salesforce_client(server), "sandbox-salesforce", login=sf_login, retry=retry
    )
    hs = HubSpotConnector(
        hubspot_client(server, retry=no_urllib3_retries()),
        "sandbox-hubspot",
        retry=retry,
        limiter=hs_limiter,
    )
    return {"salesforce": sf, "hubspot": hs}
