"""The mapping layer on the sandbox's generated world: independent title labels, field
mapping of both CRM copies, and identity that never links two different people."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crm_bridge.config.fields import FieldsFile
from crm_bridge.mapping.fields import FieldMapper
from crm_bridge.mapping.identity import link_records, normalise_email
from crm_bridge.mapping.personas import PersonaClassifier, default_personas
from crm_bridge.model import Canonical, RecordRef, SourceRecord
from crm_bridge.sandbox.world import World, generate_world

NOW = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def world() -> World:
    return generate_world(600, seed=11, now=NOW)


def test_titles_against_the_worlds_labels(world: World) -> None:
    classifier = PersonaClassifier(default_personas())
    people = world.people
    function = sum(
        classifier.classify(p.title, p.department).function == p.true_function for p in people
    )
    seniority = sum(classifier.classify(p.title).seniority == p.true_seniority for p in people)
    print(
        f"\nsandbox world: {len(people)} people, function {function / len(people):.1%}, "
        f"seniority {seniority / len(people):.1%}"
    )
    # labelled by another author with their own conventions: a looser bar than titles.csv
    assert function / len(people) >= 0.85
    assert seniority / len(people) >= 0.85


def _sources(world: World) -> tuple[list[SourceRecord], list[SourceRecord], dict[RecordRef, str]]:
    owner: dict[RecordRef, str] = {}
    sf: list[SourceRecord] = []
    hs: list[SourceRecord] = []
    for i, person in enumerate(world.people):
        if person.salesforce is not None:
            f = person.salesforce.fields
            obj = "Lead" if person.salesforce.kind == "lead" else "Contact"
            ref = RecordRef("salesforce", obj, f"{'00Q' if obj == 'Lead' else '003'}{i:012d}")
            sf.append(
                SourceRecord(
                    ref,
                    person.salesforce.modified_at,
                    {
                        "Email": f.email,
                        "FirstName": f.first_name,
                        "LastName": f.last_name,
                        "Title": f.title,
                        "Department": f.department,
                        "Company": f.company_name,
                        "Lead_Score__c": f.lead_score,
                        "Status": person.salesforce.lead_status,
                        "LeadSource": person.lead_source,
                        "Phone": f.phone,
                    },
                )
            )
            owner[ref] = person.duplicate_of or person.id
        if person.hubspot is not None:
            f = person.hubspot.fields
            ref = RecordRef("hubspot", "contacts", str(i))
            hs.append(
                SourceRecord(
                    ref,
                    person.hubspot.modified_at,
                    {
                        "email": f.email,
                        "firstname": f.first_name,
                        "lastname": f.last_name,
                        "jobtitle": f.title,
                        "company": f.company_name,
                        "hubspotscore": f.lead_score,
                        "hs_lead_status": person.hubspot.lead_status,
                        "lifecyclestage": person.hubspot.lifecyclestage,
                        "hs_analytics_source": person.analytics_source,
                        "phone": f.phone,
                    },
                )
            )
            owner[ref] = person.duplicate_of or person.id
    return sf, hs, owner


def test_map_and_link_the_world(world: World, fields_file: FieldsFile) -> None:
    sf_src, hs_src, owner = _sources(world)
    mapper = FieldMapper(fields_file)
    sf: list[Canonical] = []
    hs: list[Canonical] = []
    for src, out in ((sf_src, sf), (hs_src, hs)):
        for record in src:
            mapped = mapper.map(record)
            assert all(i.record == record.ref for i in mapped.issues)
            out.append(mapped.record)
    result = link_records(sf, hs)
    linkable = [
        p
        for p in world.people
        if p.salesforce is not None
        and p.hubspot is not None
        and normalise_email(p.salesforce.fields.email) is not None
        and normalise_email(p.salesforce.fields.email) == normalise_email(p.hubspot.fields.email)
    ]
    assert linkable and len(result.links) >= 0.9 * len(linkable)
    for link in result.links:  # never two different people
        assert owner[link.salesforce] == owner[link.hubspot], link
    for amb in result.ambiguities:
        assert len(amb.candidates) >= 1
