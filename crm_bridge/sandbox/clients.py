"""The official clients pointed at a running sandbox, trusting its CA.

``REQUESTS_CA_BUNDLE`` / ``CURL_CA_BUNDLE`` override ``requests.Session.verify`` when
``trust_env`` is on, so the Salesforce session turns ``trust_env`` off and sets ``verify`` to
the sandbox CA (this also ignores proxy variables, right for 127.0.0.1). The HubSpot client
uses urllib3 and takes the CA through ``ssl_ca_cert``.
"""

from __future__ import annotations

from typing import Any, Protocol

import requests
from hubspot import HubSpot
from simple_salesforce.api import Salesforce


class Endpoint(Protocol):
    """What the client factories read (a `SandboxServer` or `SandboxEndpoint`)."""

    @property
    def instance_url(self) -> str: ...
    @property
    def hubspot_host(self) -> str: ...
    @property
    def ca_file(self) -> str: ...
    @property
    def salesforce_session_id(self) -> str: ...
    @property
    def hubspot_access_token(self) -> str: ...


def trusting_session(ca_file: str) -> requests.Session:
    """A requests session that verifies TLS with ``ca_file`` whatever the environment says."""
    session = requests.Session()
    session.trust_env = False
    session.verify = ca_file
    return session


def salesforce_client(server: Endpoint, **kw: Any) -> Salesforce:
    """``simple_salesforce.Salesforce`` for the sandbox (session id login; ``kw`` passed on,
    e.g. ``session_id=`` to use another token)."""
    kw.setdefault("session_id", server.salesforce_session_id)
    kw.setdefault("session", trusting_session(server.ca_file))
    return Salesforce(instance_url=server.instance_url, **kw)


def hubspot_client(server: Endpoint, **kw: Any) -> HubSpot:
    """``hubspot.HubSpot`` for the sandbox (``kw`` passed on, e.g. ``retry=``,
    ``access_token=``)."""
    kw.setdefault("access_token", server.hubspot_access_token)
    kw.setdefault("host", server.hubspot_host)
    kw.setdefault("base_url", server.hubspot_host)
    kw.setdefault("ssl_ca_cert", server.ca_file)
    return HubSpot(**kw)
