"""Fixtures: the sandbox's route-level test servers (shared with tests/sandbox)."""

from tests.sandbox.hubspot_env import hs_env, hs_server
from tests.sandbox.salesforce_env import sf_server, sfenv

__all__ = ["hs_env", "hs_server", "sf_server", "sfenv"]
