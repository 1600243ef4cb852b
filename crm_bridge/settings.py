"""Process settings (pydantic-settings): environment, ``.env`` in the project folder, CLI.

Precedence, highest first: values passed by the CLI (``--project``, ``--log-format``), then
``CRM_BRIDGE_*`` environment variables (nested with ``__``), then the project's ``.env`` file,
then defaults. The project folder itself comes from ``--project``, else ``CRM_BRIDGE_PROJECT``,
else the current folder (it must be known before its ``.env`` can be read).

Secrets (``state_url`` may carry a database password) are :class:`~pydantic.SecretStr`:
``repr`` and ``str`` of :class:`Settings` never show them. Connection credentials are not
settings fields: they are read by :func:`crm_bridge.config.connectors.resolve_secrets` from the
variables the profiles name, with the project's ``.env`` merged in by :meth:`Settings.environ`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from dotenv import dotenv_values
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from crm_bridge.errors import ConfigError, ConfigIssue

STATE_DIR = ".crm-bridge"


class Settings(BaseSettings):
    """Typed settings of one crm-bridge process."""

    model_config = SettingsConfigDict(
        env_prefix="CRM_BRIDGE_",
        env_nested_delimiter="__",
        extra="ignore",
        frozen=True,
    )

    project: Path = Field(default_factory=Path.cwd)
    state_url: SecretStr | None = None
    log_format: Literal["text", "json"] = "text"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @property
    def state_dir(self) -> Path:
        """``<project>/.crm-bridge``: the state database, sandbox data, locks."""
        return self.project / STATE_DIR

    @property
    def database_url(self) -> SecretStr:
        """``state_url`` or ``sqlite:///<project>/.crm-bridge/state.db``."""
        if self.state_url is not None:
            return self.state_url
        return SecretStr(f"sqlite:///{(self.state_dir / 'state.db').resolve()}")

    def environ(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """The project's ``.env`` values overlaid by the real environment (which wins)."""
        merged: dict[str, str] = {k: v for k, v in _dotenv(self.project).items() if v is not None}
        merged.update(os.environ if base is None else base)
        return merged


def _dotenv(project: Path) -> dict[str, str | None]:
    path = project / ".env"
    return dict(dotenv_values(path)) if path.is_file() else {}


def load_settings(
    project: Path | None = None,
    environ: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Settings for ``project`` (else ``CRM_BRIDGE_PROJECT``, else cwd).

    ``environ`` replaces ``os.environ`` (for tests); ``overrides`` are CLI values and win over
    everything. Raises :class:`ConfigError` (exit code 2) for invalid values.
    """
    env = dict(os.environ if environ is None else environ)
    folder = project or Path(env.get("CRM_BRIDGE_PROJECT") or Path.cwd())
    values: dict[str, Any] = {}
    dotenv = _dotenv(folder)
    for source in (dotenv, env):
        for key, value in source.items():
            if value is None or not key.upper().startswith("CRM_BRIDGE_"):
                continue
            name = key[len("CRM_BRIDGE_") :].lower()
            if name in Settings.model_fields and name != "project":
                values[name] = value
    values.update({k: v for k, v in overrides.items() if v is not None})
    values["project"] = folder
    try:
        return Settings.model_validate(values)
    except ValidationError as exc:
        issues = [
            ConfigIssue(
                "settings",
                None,
                "CRM_BRIDGE_" + ".".join(str(p) for p in e["loc"]).upper(),
                str(e["msg"]).removeprefix("Value error, ") + f", found {e.get('input')!r}"
                if "state_url" not in str(e["loc"])
                else str(e["msg"]),
            )
            for e in exc.errors(include_url=False)
        ]
        raise ConfigError(issues) from None
