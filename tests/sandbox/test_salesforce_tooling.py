"""Tooling API custom fields and OAuth login through simple_salesforce."""

# ruff: noqa: F811
from __future__ import annotations

from typing import Any

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from crm_bridge.sandbox.server import SandboxServer
from tests.sandbox.salesforce_env import (  # noqa: F401
    Env,
    sf,
    sf_login,
    sf_server,
    sfenv,
)

TOOLING_QUERY = "query/?q=SELECT+Id,DeveloperName+FROM+CustomField+WHERE+TableEnumOrId='Lead'"


def create_field(sf: Salesforce, full_name: str, metadata: dict[str, Any]) -> Any:
    return sf.toolingexecute(
        "sobjects/CustomField", method="POST", data={"FullName": full_name, "Metadata": metadata}
    )


def test_custom_field_is_describable_queryable_writable(sf: Salesforce) -> None:
    before = {r["DeveloperName"] for r in sf.toolingexecute(TOOLING_QUERY)["records"]}
    assert "CRMB_Persona" not in before
    created = create_field(
        sf, "Lead.CRMB_Persona__c", {"label": "Persona", "type": "Text", "length": 80}
    )
    assert created["success"] is True and created["id"].startswith("00N")
    after = {r["DeveloperName"] for r in sf.toolingexecute(TOOLING_QUERY)["records"]}
    assert "CRMB_Persona" in after
    field = {f["name"]: f for f in sf.Lead.describe()["fields"]}["CRMB_Persona__c"]
    assert field["custom"] is True and field["length"] == 80 and field["updateable"] is True
    lead = sf.Lead.create(
        {"LastName": "Tool", "Company": "T", "CRMB_Persona__c": "Economic buyer"}
    )["id"]
    sf.Lead.update(lead, {"CRMB_Persona__c": "Champion"})
    rows = sf.query("SELECT CRMB_Persona__c FROM Lead WHERE CRMB_Persona__c = 'champion'")
    assert [r["CRMB_Persona__c"] for r in rows["records"]] == ["Champion"]


def test_custom_field_types(sf: Salesforce) -> None:
    create_field(
        sf,
        "Contact.CRMB_Breached__c",
        {"label": "Breached", "type": "Checkbox", "defaultValue": "false"},
    )
    create_field(sf, "Contact.CRMB_Due__c", {"label": "Due", "type": "DateTime"})
    create_field(
        sf,
        "Contact.CRMB_Stage__c",
        {
            "label": "Stage",
            "type": "Picklist",
            "valueSet": {
                "restricted": True,
                "valueSetDefinition": {
                    "value": [
                        {"fullName": "mql", "default": False},
                        {"fullName": "sql", "default": False},
                    ]
                },
            },
        },
    )
    contact = sf.Contact.create(
        {"LastName": "Types", "CRMB_Due__c": "2024-03-01T09:00:00+01:00", "CRMB_Stage__c": "mql"}
    )["id"]
    got = sf.Contact.get(contact)
    assert got["CRMB_Breached__c"] is False
    assert got["CRMB_Due__c"] == "2024-03-01T08:00:00.000+0000"
    with pytest.raises(SalesforceMalformedRequest) as info:
        sf.Contact.update(contact, {"CRMB_Stage__c": "customer"})
    assert info.value.content[0]["errorCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    assert (
        sf.query(
            "SELECT COUNT() FROM Contact WHERE CRMB_Due__c > 2024-03-01T07:59:59Z "
            "AND CRMB_Breached__c = false"
        )["totalSize"]
        >= 1
    )


def test_duplicate_custom_field_rejected(sf: Salesforce) -> None:
    create_field(sf, "Lead.CRMB_SLA_Status__c", {"label": "SLA", "type": "Text", "length": 40})
    with pytest.raises(SalesforceMalformedRequest) as info:
        create_field(sf, "Lead.CRMB_SLA_Status__c", {"label": "SLA", "type": "Text", "length": 40})
    assert info.value.content[0]["errorCode"] == "DUPLICATE_DEVELOPER_NAME"


def test_oauth_login_with_consumer_key_and_secret(
    sf_server: SandboxServer, sfenv: Env, sf_login: requests.Session
) -> None:
    client = Salesforce(
        username="admin@example.com",
        password="pw",
        consumer_key="key",
        consumer_secret="secret",
        session=sf_login,
    )
    assert client.sf_instance == f"127.0.0.1:{sf_server.port}"
    assert client.query("SELECT COUNT() FROM User")["totalSize"] >= 1


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"grant_type": "password", "client_id": "k", "username": "u"}, "invalid_grant"),
        ({"grant_type": "magic", "client_id": "k"}, "unsupported_grant_type"),
        (
            {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": "x.y"},
            "invalid_grant",
        ),
    ],
)
def test_oauth_failures(
    sf_server: SandboxServer,
    sfenv: Env,
    sf_login: requests.Session,
    form: dict[str, str],
    error: str,
) -> None:
    response = sf_login.post(f"{sf_server.instance_url}/services/oauth2/token", data=form)
    assert response.status_code == 400
    assert response.json()["error"] == error


def test_oauth_grants_issue_tokens(
    sf_server: SandboxServer, sfenv: Env, sf_login: requests.Session
) -> None:
    url = f"{sf_server.instance_url}/services/oauth2/token"
    jwt = "e30.eyJpc3MiOiJrZXkiLCJzdWIiOiJ1QGV4LmNvbSJ9.c2ln"
    for form in (
        {"grant_type": "client_credentials", "client_id": "k", "client_secret": "s"},
        {"grant_type": "refresh_token", "client_id": "k", "refresh_token": "r"},
        {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": jwt},
    ):
        body = sf_login.post(url, data=form).json()
        assert set(body) >= {
            "access_token",
            "instance_url",
            "token_type",
            "issued_at",
            "id",
            "signature",
        }
        assert sf_server.sandbox.tokens.valid("salesforce", body["access_token"])


def test_logged_in_client_refreshes_an_expired_session(
    sf_server: SandboxServer, sfenv: Env, sf_login: requests.Session
) -> None:
    client = Salesforce(
        username="admin@example.com",
        password="pw",
        consumer_key="key",
        consumer_secret="secret",
        session=sf_login,
    )
    first = client.session_id
    sfenv.tokens.expire("salesforce")
    assert client.query("SELECT COUNT() FROM Lead")["totalSize"] >= 0
    assert client.session_id != first
    assert sfenv.tokens.valid("salesforce", client.session_id)
    client.session.close()
