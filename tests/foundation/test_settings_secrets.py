"""Settings precedence, the state URL default, and secrets never shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from crm_bridge.cli.common import render_error
from crm_bridge.config.connectors import (
    HubSpotCredentials,
    HubSpotProfile,
    SalesforceCredentials,
    SalesforceProfile,
    SandboxProfile,
    env_var,
    resolve_secrets,
)
from crm_bridge.errors import ConfigError, CredentialMissing
from crm_bridge.settings import load_settings


def test_defaults(tmp_path: Path) -> None:
    s = load_settings(tmp_path, environ={})
    assert s.project == tmp_path
    assert s.log_format == "text"
    assert (
        s.database_url.get_secret_value() == f"sqlite:///{tmp_path.resolve()}/.crm-bridge/state.db"
    )


def test_precedence_cli_over_env_over_dotenv(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "CRM_BRIDGE_LOG_FORMAT=json\nCRM_BRIDGE_LOG_LEVEL=debug\n", encoding="utf-8"
    )
    from_dotenv = load_settings(tmp_path, environ={})
    assert (from_dotenv.log_format, from_dotenv.log_level) == ("json", "DEBUG")
    from_env = load_settings(tmp_path, environ={"CRM_BRIDGE_LOG_LEVEL": "warning"})
    assert (from_env.log_format, from_env.log_level) == ("json", "WARNING")
    from_cli = load_settings(tmp_path, environ={"CRM_BRIDGE_LOG_FORMAT": "json"}, log_format="text")
    assert from_cli.log_format == "text"


def test_project_from_env_when_not_given(tmp_path: Path) -> None:
    s = load_settings(None, environ={"CRM_BRIDGE_PROJECT": str(tmp_path)})
    assert s.project == tmp_path


def test_invalid_setting_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(tmp_path, environ={"CRM_BRIDGE_LOG_FORMAT": "xml"})
    assert info.value.exit_code == 2
    assert "CRM_BRIDGE_LOG_FORMAT" in str(info.value)


def test_state_url_password_never_in_repr_or_str(tmp_path: Path) -> None:
    url = "postgresql+psycopg://crm:s3cr3t-pw@localhost/crm"
    s = load_settings(tmp_path, environ={"CRM_BRIDGE_STATE_URL": url})
    assert s.database_url.get_secret_value() == url
    assert "s3cr3t-pw" not in repr(s)
    assert "s3cr3t-pw" not in str(s)


def test_environ_merges_dotenv_under_real_environment(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("A_VAR=from-file\nB_VAR=file\n", encoding="utf-8")
    s = load_settings(tmp_path, environ={})
    merged = s.environ({"B_VAR": "real"})
    assert merged["A_VAR"] == "from-file"
    assert merged["B_VAR"] == "real"


def test_default_variable_names() -> None:
    assert env_var("salesforce", "password") == "CRM_BRIDGE_SALESFORCE__PASSWORD"
    assert env_var("hubspot-eu", "access_token") == "CRM_BRIDGE_HUBSPOT_EU__ACCESS_TOKEN"
    assert env_var("x", "password", "MY_VAR") == "MY_VAR"


def test_resolve_salesforce_password_credentials_are_secret() -> None:
    profile = SalesforceProfile(kind="salesforce")
    environ = {
        "CRM_BRIDGE_SF__USERNAME": "int@example.com",
        "CRM_BRIDGE_SF__PASSWORD": "pw-9f8e",
        "CRM_BRIDGE_SF__SECURITY_TOKEN": "tok-1a2b",
    }
    creds = resolve_secrets("sf", profile, environ)
    assert isinstance(creds, SalesforceCredentials)
    assert creds.username == "int@example.com"
    assert isinstance(creds.password, SecretStr)
    assert creds.password.get_secret_value() == "pw-9f8e"
    assert "pw-9f8e" not in repr(creds)
    assert "tok-1a2b" not in repr(creds)


def test_resolve_hubspot_oauth_uses_overridden_names() -> None:
    profile = HubSpotProfile(
        kind="hubspot", auth="oauth", client_id="cid", refresh_token_env="MY_REFRESH"
    )
    environ = {"CRM_BRIDGE_HS__CLIENT_SECRET": "cs", "MY_REFRESH": "rt"}
    creds = resolve_secrets("hs", profile, environ)
    assert isinstance(creds, HubSpotCredentials)
    assert creds.refresh_token is not None
    assert creds.refresh_token.get_secret_value() == "rt"
    assert creds.client_id == "cid"


def test_missing_credential_names_variable_not_value(capsys: pytest.CaptureFixture[str]) -> None:
    profile = SalesforceProfile(kind="salesforce", auth="client_credentials", consumer_key="ck")
    with pytest.raises(CredentialMissing) as info:
        resolve_secrets("salesforce", profile, {}, "connectors/salesforce.yaml")
    assert info.value.variable == "CRM_BRIDGE_SALESFORCE__CONSUMER_SECRET"
    assert info.value.exit_code == 2
    render_error(info.value)
    err = capsys.readouterr().err
    assert "CRM_BRIDGE_SALESFORCE__CONSUMER_SECRET" in err
    assert "Traceback" not in err


def test_sandbox_needs_no_credentials() -> None:
    creds = resolve_secrets("sandbox", SandboxProfile(kind="sandbox"), {})
    assert type(creds).__name__ == "NoCredentials"


def test_session_auth_needs_instance_url() -> None:
    with pytest.raises(ValueError, match="instance_url"):
        SalesforceProfile(kind="salesforce", auth="session")


def test_sandbox_data_dir_defaults_under_project_state(tmp_path: Path) -> None:
    assert SandboxProfile(kind="sandbox").data_path(tmp_path) == (
        tmp_path / ".crm-bridge" / "sandbox"
    )
    assert SandboxProfile(kind="sandbox", data_dir="data/sb").data_path(tmp_path) == (
        tmp_path / "data" / "sb"
    )
