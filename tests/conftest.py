"""Shared pytest fixtures: the HTTPS sandbox (see ``crm_bridge.sandbox.testing``)."""

from crm_bridge.sandbox.testing import (  # noqa: F401  (fixtures)
    sandbox,
    sandbox_hubspot,
    sandbox_salesforce,
    sandbox_server,
)
