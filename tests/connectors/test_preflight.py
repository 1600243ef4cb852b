"""Pre-flight of connections (what ``check`` and ``setup`` run) against the HTTPS sandbox."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from hubspot import HubSpot

import crm_bridge
from crm_bridge.config.connectors import HubSpotProfile, SalesforceProfile
from crm_bridge.connectors.hubspot import HubSpotConnector
from crm_bridge.connectors.preflight import (
    inspect,
    missing_alignment,
    requirements,
    secret_variables,
)
from crm_bridge.connectors.retry import RetryPolicy
from crm_bridge.jobs.setup import create_alignment
from crm_bridge.project import Project, load_project
from crm_bridge.sandbox.clients import hubspot_client
from crm_bridge.sandbox.server import SandboxServer
from tests.connectors.support import OPEN, FakeTime, connectors

EXAMPLE = Path(crm_bridge.__file__).parent / "example"


@pytest.fixture(scope="module")
def project() -> Project:
    return load_project(EXAMPLE)


def test_requirements_of_the_example_project(project: Project) -> None:
    lead = requirements(project, "salesforce")["Lead"]
    persona = lead["crmb_persona__c"]
    assert persona.write and persona.alignment and "fields.yaml write.persona" in persona.sources
    assert lead["email"].write is False and lead["email"].alignment is False
    assert lead["firstname"].write  # sync: true -> written to the other CRM
    assert lead["systemmodstamp"].sources == ["crm-bridge"]
    contacts = requirements(project, "hubspot")["contacts"]
    assert contacts["lifecyclestage"].write and not contacts["lifecyclestage"].alignment
    assert "lifecycle.yaml crm_values" in contacts["lifecyclestage"].sources


def test_missing_alignment_fields_before_setup_and_none_after(
    sandbox: SandboxServer, project: Project
) -> None:
    sf, hs = connectors(sandbox)
    before = {c.crm: inspect(c, requirements(project, c.crm)) for c in (sf, hs)}
    for report in before.values():
        assert report.authenticated
        kinds = {(p.kind, p.object_type) for p in report.problems}
        assert ("missing_alignment", "Lead" if report.crm == "salesforce" else "contacts") in kinds
    planned = {c.crm: missing_alignment(c, project.fields) for c in (sf, hs)}
    created = {c.crm: create_alignment(c, project.fields) for c in (sf, hs)}
    assert created == planned and created["salesforce"]["Opportunity"]
    assert [create_alignment(c, project.fields) for c in (sf, hs)] == [{}, {}]
    for c in (sf, hs):
        report = inspect(c, requirements(project, c.crm))
        assert not [p for p in report.problems if p.kind == "missing_alignment"]
        assert report.ok, report.problems
    assert before["salesforce"].budget_max and before["salesforce"].budget_remaining


def test_salesforce_field_without_edit_access_is_named(
    sandbox: SandboxServer, project: Project
) -> None:
    sf, _ = connectors(sandbox)
    create_alignment(sf, project.fields)
    schema = sandbox.sandbox.salesforce.schemas["Lead"]
    persona = schema.fields["CRMB_Persona__c"]
    schema.add(replace(persona, updateable=False))  # field-level security: Read, not Edit
    fresh, _ = connectors(sandbox)
    report = inspect(fresh, requirements(project, "salesforce"))
    (problem,) = [p for p in report.problems if p.kind == "not_updateable"]
    assert problem.object_type == "Lead" and problem.fields == ("CRMB_Persona__c",)
    assert "Lead: CRMB_Persona__c is not updateable" in problem.message
    assert problem.exit_code == 2 and not report.ok


def test_salesforce_field_hidden_by_field_level_security_is_missing(
    sandbox: SandboxServer, project: Project
) -> None:
    sf, _ = connectors(sandbox)
    create_alignment(sf, project.fields)
    schema = sandbox.sandbox.salesforce.schemas["Contact"]
    del schema.fields["Title"]  # describe omits fields the user may not read
    del schema._lower["title"]
    fresh, _ = connectors(sandbox)
    report = inspect(fresh, requirements(project, "salesforce"))
    (problem,) = [p for p in report.problems if p.object_type == "Contact"]
    assert (problem.kind, problem.fields) == ("missing_mapped", ("Title",))
    assert "field-level security" in problem.message and "person.title" in problem.message


def test_hubspot_read_only_property_is_named(sandbox: SandboxServer, project: Project) -> None:
    _, hs = connectors(sandbox)
    create_alignment(hs, project.fields)
    store = sandbox.sandbox.hubspot
    prop = store.props["contacts"]["crmb_persona"]
    store.props["contacts"]["crmb_persona"] = replace(prop, read_only=True)
    report = inspect(hs, requirements(project, "hubspot"))
    locked = [p for p in report.problems if p.kind == "not_updateable"]
    assert [(p.object_type, p.fields) for p in locked] == [("contacts", ("crmb_persona",))]
    assert "read-only" in locked[0].message


def test_bad_hubspot_token_names_the_variables(sandbox: SandboxServer, project: Project) -> None:
    sandbox.sandbox.config.rate_limits = False
    client: HubSpot = hubspot_client(sandbox, access_token="pat-wrong")
    time = FakeTime()
    hs = HubSpotConnector(client, "hubspot", retry=RetryPolicy(sleep=time.sleep, clock=time.clock))
    OPEN.append(hs)
    profile = HubSpotProfile(kind="hubspot")
    report = inspect(
        hs, requirements(project, "hubspot"), secrets=secret_variables("hubspot", profile)
    )
    assert not report.authenticated and not report.ok
    (problem,) = report.problems
    assert problem.kind == "connection" and problem.exit_code == 3
    assert "CRM_BRIDGE_HUBSPOT__ACCESS_TOKEN" in problem.message
    assert "pat-wrong" not in problem.message


def test_budget_share_used_up_is_a_problem(sandbox: SandboxServer, project: Project) -> None:
    sf, _ = connectors(sandbox)
    usage, clock = sandbox.sandbox.salesforce.api, sandbox.sandbox.clock
    usage.daily_max = 100
    for _ in range(60):
        usage.take(clock(), False)
    report = inspect(sf, requirements(project, "salesforce"), daily_share=0.5)
    (budget,) = [p for p in report.problems if p.kind == "budget"]
    assert report.budget_max == 100 and report.budget_remaining is not None
    assert report.budget_remaining < 50 and "daily_api_share" in budget.message
    assert not [
        p for p in inspect(sf, requirements(project, "salesforce")).problems if p.kind == "budget"
    ]


def test_secret_variables_per_auth_method() -> None:
    assert secret_variables("salesforce", SalesforceProfile(kind="salesforce")) == (
        "CRM_BRIDGE_SALESFORCE__USERNAME",
        "CRM_BRIDGE_SALESFORCE__PASSWORD",
        "CRM_BRIDGE_SALESFORCE__SECURITY_TOKEN",
    )
    jwt = SalesforceProfile(
        kind="salesforce", auth="jwt", username="int@acme.com", private_key_file="k.pem"
    )
    assert secret_variables("sf-prod", jwt) == ("CRM_BRIDGE_SF_PROD__CONSUMER_KEY",)
    oauth = HubSpotProfile(kind="hubspot", auth="oauth", refresh_token_env="HS_REFRESH")
    assert secret_variables("hubspot", oauth) == (
        "CRM_BRIDGE_HUBSPOT__CLIENT_ID",
        "CRM_BRIDGE_HUBSPOT__CLIENT_SECRET",
        "HS_REFRESH",
    )
