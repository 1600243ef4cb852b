"""crm-bridge: one set of facts for sales and marketing, kept in Salesforce and HubSpot."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("crm-bridge")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

__all__ = ["__version__"]
