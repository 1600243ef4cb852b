"""Connection profiles: one file in ``connectors/`` per connection.

``kind`` is ``salesforce``, ``hubspot`` or ``sandbox``. The profile's name is its ``name:`` key,
else the file stem (``connectors/salesforce.yaml`` → ``salesforce``).

Secrets never appear in these files. Each secret is read from an environment variable; a
profile may name the variable with ``<field>_env`` (``password_env: MY_SF_PASSWORD``) and
otherwise the default ``CRM_BRIDGE_<CONNECTION>__<FIELD>`` is used
(``CRM_BRIDGE_SALESFORCE__PASSWORD``). Writing a secret itself (``password: hunter2``) is a
configuration error. :func:`resolve_secrets` reads the variables and returns typed credentials
with :class:`~pydantic.SecretStr` values, raising :class:`CredentialMissing` naming the variable.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal, TypeAlias

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    SecretStr,
    Tag,
    TypeAdapter,
    field_validator,
    model_validator,
)

from crm_bridge.conditions import parse_duration
from crm_bridge.errors import CredentialMissing

SALESFORCE_MAX_BATCH = 200
HUBSPOT_MAX_BATCH = 100
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _reject_literal(value: object) -> None:
    if value is not None:
        raise ValueError(
            "secrets must not be written in project files: remove this value and set the "
            "environment variable instead (or name another one with <key>_env)"
        )


Forbidden = Annotated[object, AfterValidator(_reject_literal)]


def _env_name(value: str | None) -> str | None:
    if value is not None and not _ENV_NAME.match(value):
        raise ValueError(f"expected an environment variable name (A-Z, 0-9, _), found {value!r}")
    return value


EnvName = Annotated[str | None, AfterValidator(_env_name)]


def _duration(value: Any) -> timedelta:
    if isinstance(value, timedelta):
        return value
    return parse_duration(str(value))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Profile(_Strict):
    name: str | None = None
    description: str = ""

    @field_validator("lookback", mode="before", check_fields=False)
    @classmethod
    def _lookback(cls, value: Any) -> timedelta:
        return _duration(value)


class SalesforceLimits(_Strict):
    """How much of the org's API allowance crm-bridge may use."""

    daily_api_share: float = Field(0.5, gt=0, le=1)
    requests_per_second: float = Field(10.0, gt=0, le=100)


class SalesforceProfile(_Profile):
    """A Salesforce org. ``auth`` picks which credentials are read from the environment."""

    kind: Literal["salesforce"]
    auth: Literal["password", "client_credentials", "jwt", "session"] = "password"
    domain: str = Field("login", pattern=r"^[A-Za-z0-9.-]+$")
    instance_url: str | None = Field(None, pattern=r"^https://\S+$")
    api_version: str = Field("59.0", pattern=r"^\d{2,3}\.0$")
    username: str | None = None
    consumer_key: str | None = None
    private_key_file: str | None = None
    username_env: EnvName = None
    consumer_key_env: EnvName = None
    password_env: EnvName = None
    security_token_env: EnvName = None
    consumer_secret_env: EnvName = None
    session_id_env: EnvName = None
    password: Forbidden = Field(None, exclude=True)
    security_token: Forbidden = Field(None, exclude=True)
    consumer_secret: Forbidden = Field(None, exclude=True)
    session_id: Forbidden = Field(None, exclude=True)
    private_key: Forbidden = Field(None, exclude=True)
    limits: SalesforceLimits = Field(default_factory=SalesforceLimits)
    lookback: timedelta = timedelta(minutes=2)
    batch_size: int = Field(SALESFORCE_MAX_BATCH, ge=1, le=SALESFORCE_MAX_BATCH)
    timeout_seconds: float = Field(30.0, gt=0, le=600)

    @model_validator(mode="after")
    def _session_needs_instance(self) -> SalesforceProfile:
        if self.auth == "session" and not self.instance_url:
            raise ValueError(
                "auth: session needs instance_url (https://<my-domain>.my.salesforce.com)"
            )
        return self


class HubSpotLimits(_Strict):
    """Rate-limit budget of the HubSpot account (per private app / OAuth app)."""

    burst_per_10s: Literal[100, 190] = 100
    daily: int = Field(250_000, ge=1)
    search_per_second: float = Field(4.0, gt=0, lt=5)


class HubSpotProfile(_Profile):
    """A HubSpot account, through a private app token or an OAuth app."""

    kind: Literal["hubspot"]
    auth: Literal["private_app", "oauth"] = "private_app"
    client_id: str | None = None
    access_token_env: EnvName = None
    client_id_env: EnvName = None
    client_secret_env: EnvName = None
    refresh_token_env: EnvName = None
    access_token: Forbidden = Field(None, exclude=True)
    client_secret: Forbidden = Field(None, exclude=True)
    refresh_token: Forbidden = Field(None, exclude=True)
    limits: HubSpotLimits = Field(default_factory=HubSpotLimits)
    lookback: timedelta = timedelta(minutes=2)
    batch_size: int = Field(HUBSPOT_MAX_BATCH, ge=1, le=HUBSPOT_MAX_BATCH)
    timeout_seconds: float = Field(30.0, gt=0, le=600)


class SandboxProfile(_Profile):
    """The embedded emulator of both CRMs (no accounts, no network beyond localhost)."""

    kind: Literal["sandbox"]
    records: int = Field(2000, ge=0, le=10_000_000)
    seed: int = 42
    latency_ms: int = Field(0, ge=0, le=60_000)
    rate_limits: bool = True
    data_dir: str | None = None

    def data_path(self, project: Path) -> Path:
        """``data_dir`` (relative to the project), else ``<project>/.crm-bridge/sandbox``."""
        if self.data_dir:
            path = Path(self.data_dir).expanduser()
            return path if path.is_absolute() else project / path
        return project / ".crm-bridge" / "sandbox"


def _profile_kind(value: Any) -> str | None:
    if isinstance(value, BaseModel):
        return str(getattr(value, "kind", ""))
    if isinstance(value, dict):
        kind = value.get("kind")
        return kind if kind in ("salesforce", "hubspot", "sandbox") else "unknown"
    return None


class _UnknownKind(_Strict):
    kind: Literal["salesforce", "hubspot", "sandbox"]


ConnectionProfile: TypeAlias = Annotated[
    Annotated[SalesforceProfile, Tag("salesforce")]
    | Annotated[HubSpotProfile, Tag("hubspot")]
    | Annotated[SandboxProfile, Tag("sandbox")]
    | Annotated[_UnknownKind, Tag("unknown")],
    Discriminator(
        _profile_kind,
        custom_error_type="profile",
        custom_error_message="expected a mapping with kind: salesforce, hubspot or sandbox",
    ),
]


PROFILE_ADAPTER: TypeAdapter[Any] = TypeAdapter(ConnectionProfile)
"""Validates the contents of one ``connectors/*.yaml`` file."""

RealProfile: TypeAlias = SalesforceProfile | HubSpotProfile | SandboxProfile


def env_var(connection: str, key: str, override: str | None = None) -> str:
    """The environment variable holding ``key`` of ``connection`` (override wins)."""
    if override:
        return override
    conn = re.sub(r"[^A-Za-z0-9]", "_", connection).upper()
    return f"CRM_BRIDGE_{conn}__{key.upper()}"


@dataclass(frozen=True)
class SalesforceCredentials:
    """Everything needed to open a Salesforce session; secrets are :class:`SecretStr`."""

    auth: str
    domain: str
    instance_url: str | None
    username: str | None = None
    password: SecretStr | None = None
    security_token: SecretStr | None = None
    consumer_key: str | None = None
    consumer_secret: SecretStr | None = None
    private_key_file: str | None = None
    session_id: SecretStr | None = None


@dataclass(frozen=True)
class HubSpotCredentials:
    """A private-app token, or OAuth client credentials plus refresh token."""

    auth: str
    access_token: SecretStr | None = None
    client_id: str | None = None
    client_secret: SecretStr | None = None
    refresh_token: SecretStr | None = None


@dataclass(frozen=True)
class NoCredentials:
    """The sandbox needs none."""


Credentials: TypeAlias = SalesforceCredentials | HubSpotCredentials | NoCredentials


class _Env:
    def __init__(self, name: str, environ: Mapping[str, str], file: str) -> None:
        self.name, self.environ, self.file = name, environ, file

    def get(self, key: str, override: str | None, purpose: str) -> str:
        var = env_var(self.name, key, override)
        value = self.environ.get(var, "")
        if not value:
            raise CredentialMissing(var, self.name, purpose, self.file)
        return value

    def secret(self, key: str, override: str | None, purpose: str) -> SecretStr:
        return SecretStr(self.get(key, override, purpose))


def resolve_secrets(
    name: str, profile: RealProfile, environ: Mapping[str, str], file: str = ""
) -> Credentials:
    """Read the credentials of connection ``name`` from ``environ``.

    Raises :class:`CredentialMissing` naming the first variable that is not set.
    """
    env = _Env(name, environ, file)
    if isinstance(profile, SandboxProfile):
        return NoCredentials()
    if isinstance(profile, HubSpotProfile):
        if profile.auth == "private_app":
            token = env.secret("access_token", profile.access_token_env, "a private app token")
            return HubSpotCredentials(auth="private_app", access_token=token)
        return HubSpotCredentials(
            auth="oauth",
            client_id=profile.client_id
            or env.get("client_id", profile.client_id_env, "the OAuth client id"),
            client_secret=env.secret(
                "client_secret", profile.client_secret_env, "the OAuth client secret"
            ),
            refresh_token=env.secret(
                "refresh_token", profile.refresh_token_env, "an OAuth refresh token"
            ),
        )
    p = profile

    def user() -> str:
        return p.username or env.get("username", p.username_env, "the integration user's name")

    def key() -> str:
        return p.consumer_key or env.get(
            "consumer_key", p.consumer_key_env, "the connected app's consumer key"
        )

    if p.auth == "password":
        return SalesforceCredentials(
            auth=p.auth,
            domain=p.domain,
            instance_url=p.instance_url,
            username=user(),
            password=env.secret("password", p.password_env, "the integration user's password"),
            security_token=env.secret(
                "security_token", p.security_token_env, "the user's security token"
            ),
        )
    if p.auth == "client_credentials":
        return SalesforceCredentials(
            auth=p.auth,
            domain=p.domain,
            instance_url=p.instance_url,
            consumer_key=key(),
            consumer_secret=env.secret(
                "consumer_secret", p.consumer_secret_env, "the connected app's consumer secret"
            ),
        )
    if p.auth == "jwt":
        key_file = p.private_key_file or env.get(
            "private_key_file", None, "the path of the JWT private key file"
        )
        return SalesforceCredentials(
            auth=p.auth,
            domain=p.domain,
            instance_url=p.instance_url,
            username=user(),
            consumer_key=key(),
            private_key_file=key_file,
        )
    return SalesforceCredentials(
        auth=p.auth,
        domain=p.domain,
        instance_url=p.instance_url,
        session_id=env.secret("session_id", p.session_id_env, "a session id"),
    )
