"""``explain`` on the sandbox: finding a record by email or id, its link and how it was made,
stage and persona with their reasons, converted leads, duplicates, stored links, deals, and
that nothing is written."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crm_bridge.connectors.base import Connector
from crm_bridge.connectors.factory import sandbox_connectors
from crm_bridge.jobs.align import Rules
from crm_bridge.jobs.explain import (
    Explanation,
    Query,
    RecordNotFound,
    explain,
    parse_query,
)
from crm_bridge.jobs.explain_view import explanation_dict
from crm_bridge.jobs.runner import compile_rules, pick_job, sync_options
from crm_bridge.jobs.setup import ensure_all
from crm_bridge.model import Crm, RecordRef
from crm_bridge.model import Person as CanonicalPerson
from crm_bridge.project import Project, load_project
from crm_bridge.sandbox.server import SandboxServer
from crm_bridge.sandbox.world import Person
from crm_bridge.state.store import StateStore, open_store

EXAMPLE = Path(__file__).resolve().parents[2] / "crm_bridge" / "example"
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def project() -> Project:
    return load_project(EXAMPLE)


@dataclass
class Ctx:
    server: SandboxServer
    connectors: dict[Crm, Connector]
    rules: Rules
    store: StateStore
    project: Project

    def run(self, text: str) -> Explanation:
        options = sync_options(pick_job(self.project, "hourly-alignment"), dry_run=True)
        return explain(
            parse_query(text),
            connectors=self.connectors,
            rules=self.rules,
            store=self.store,
            options=options,
            now=NOW,
            write_crms=("salesforce", "hubspot"),
        )

    def people(self) -> list[Person]:
        return list(self.server.sandbox.world.people)


@pytest.fixture
def ctx(sandbox: SandboxServer, project: Project, tmp_path: Path) -> Iterator[Ctx]:
    connectors = sandbox_connectors(sandbox, paced=False)
    ensure_all(connectors, project.fields)
    sandbox.sandbox.calls.reset()
    store = open_store(f"sqlite:///{tmp_path / 'state.db'}")
    yield Ctx(sandbox, connectors, compile_rules(project), store, project)
    store.close()


def _email_counts(people: list[Person]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for p in people:
        for copy in (p.salesforce, p.hubspot):
            if copy is not None and copy.fields.email:
                counts[copy.fields.email.strip().lower()] += 1
    return counts


def _in_both(people: list[Person]) -> Person:
    """A contact in both CRMs with one email shared by nobody else."""
    counts = _email_counts(people)
    for p in people:
        sf, hs = p.salesforce, p.hubspot
        if sf is None or hs is None or sf.kind != "contact" or p.duplicate_of:
            continue
        email = (sf.fields.email or "").strip().lower()
        if email and email == (hs.fields.email or "").strip().lower() and counts[email] == 2:
            return p
    raise AssertionError("no person in both CRMs")


def test_parse_query() -> None:
    assert parse_query("  Ann@Acme.COM ") == Query("email", "ann@acme.com")
    assert parse_query("1000009") == Query("hubspot_id", "1000009")
    assert parse_query("0038d000000000JAAQ").kind == "salesforce_id"
    assert parse_query("0038d000000000J").kind == "salesforce_id"
    for bad in ("not an email", "ann@", "0058d0000000006AAA", "abc"):
        with pytest.raises(ValueError):
            parse_query(bad)


def test_person_by_email_link_stage_persona_and_no_writes(ctx: Ctx) -> None:
    person = _in_both(ctx.people())
    assert person.salesforce is not None
    exp = ctx.run(person.salesforce.fields.email.upper())  # type: ignore[union-attr]
    data = explanation_dict(exp, ctx.rules)
    assert data["kind"] == "person"
    sf, hs = data["records"]["salesforce"], data["records"]["hubspot"]
    assert sf["object_type"] == "Contact" and hs["object_type"] == "contacts"
    assert data["link"]["method"] == "email" and data["link"]["stored"] is None
    assert data["link"]["salesforce"] == sf["ref"] and data["link"]["hubspot"] == hs["ref"]
    # the stage is the furthest whose condition holds (no previous stage yet)
    life = data["lifecycle"]
    assert life["conditions_met"] and life["stage"] == life["conditions_met"][-1]
    assert life["reason"] == f"stage:{life['stage']}" and life["previous"] is None
    # persona tags are the classifier's for the merged title and department
    merged = exp.entity.merged
    tags = ctx.rules.personas.classify(merged.get("title"), merged.get("department"))
    persona = data["persona"]
    assert (persona["function"], persona["seniority"]) == (tags.function, tags.seniority)
    assert persona["function_rule"] == tags.function_rule and persona["rule"] == (tags.rule or None)
    assert persona["title"] == merged.get("title")
    # both CRMs would get the stage; nothing was written
    for crm, field in (
        ("salesforce", "CRMB_Lifecycle_Stage__c"),
        ("hubspot", "crmb_lifecycle_stage"),
    ):
        rows = {r["field"]: r for r in data["alignment"][crm]["fields"]}
        assert rows[field]["desired"] == life["stage"] and rows[field]["current"] is None
        assert rows[field]["change"] is True and data["alignment"][crm]["changes"] > 0
    calls = ctx.server.sandbox.calls.snapshot()
    sf_calls = calls["salesforce"]["endpoints"]
    hs_calls = calls["hubspot"]["endpoints"]
    assert sf_calls and all(k.startswith("GET ") for k in sf_calls), sf_calls
    assert hs_calls and all(
        k.startswith("GET ") or k.endswith(("/search", "/batch/read")) for k in hs_calls
    ), hs_calls


def test_by_salesforce_and_hubspot_id(ctx: Ctx) -> None:
    person = _in_both(ctx.people())
    first = ctx.run(person.salesforce.fields.email)  # type: ignore[union-attr]
    sf_ref, hs_ref = first.entity.ref("salesforce"), first.entity.ref("hubspot")
    assert sf_ref is not None and hs_ref is not None
    for text in (sf_ref.id, sf_ref.id[:15], hs_ref.id):
        exp = ctx.run(text)
        assert (exp.entity.ref("salesforce"), exp.entity.ref("hubspot")) == (sf_ref, hs_ref)
        assert exp.identity.links[0].method == "email"


def test_unknown_record_raises(ctx: Ctx) -> None:
    with pytest.raises(RecordNotFound, match=r"no record with the email nobody@example\.org"):
        ctx.run("nobody@example.org")
    with pytest.raises(RecordNotFound, match="no HubSpot contact, company or deal"):
        ctx.run("999999999")
    with pytest.raises(RecordNotFound, match="no Salesforce Lead"):
        ctx.run("00Q000000000000AAA")


def test_converted_lead_is_explained_through_its_contact(ctx: Ctx) -> None:
    people = ctx.people()
    counts = _email_counts(people)
    person = next(
        p
        for p in people
        if p.salesforce is not None
        and p.salesforce.converted_at is not None
        and counts[(p.salesforce.fields.email or "").lower()] == 1 + (p.hubspot is not None)
    )
    # find the lead's id through the email, then explain the lead by its id
    by_email = ctx.run(person.salesforce.fields.email)  # type: ignore[union-attr]
    lead = next(r for r in by_email.matches if r.object_type == "Lead")
    exp = ctx.run(lead.id)
    contact = exp.entity.ref("salesforce")
    assert contact is not None and contact.object_type == "Contact"
    assert [(c.lead, c.contact) for c in exp.identity.conversions] == [(lead, contact)]
    assert any("converted lead" in note for note in exp.notes)
    assert all(d.ref != lead for d in exp.desired)  # a converted lead is never written


def test_duplicates_in_one_crm_are_reported(ctx: Ctx) -> None:
    people = ctx.people()
    dup = next(p for p in people if p.duplicate_of)
    copy = dup.salesforce or dup.hubspot
    assert copy is not None and copy.fields.email
    exp = ctx.run(copy.fields.email)
    assert len(exp.matches) >= 2
    data = explanation_dict(exp, ctx.rules)
    key = copy.fields.email.strip().lower()
    assert any(d["key"] == key and len(d["records"]) >= 2 for d in data["identity"]["duplicates"])


def test_stored_link_is_shown_with_how_it_was_made(ctx: Ctx) -> None:
    person = _in_both(ctx.people())
    first = ctx.run(person.salesforce.fields.email)  # type: ignore[union-attr]
    sf_ref, hs_ref = first.entity.ref("salesforce"), first.entity.ref("hubspot")
    assert sf_ref is not None and hs_ref is not None
    ctx.store.link(sf_ref, hs_ref, method="email", at=NOW)
    data = explanation_dict(ctx.run(hs_ref.id), ctx.rules)
    assert data["link"]["method"] == "stored"
    assert data["link"]["stored"]["method"] == "email"
    assert data["link"]["stored"]["linked_at"] == NOW.isoformat()


def test_stored_link_to_a_record_with_another_email_is_followed(ctx: Ctx) -> None:
    people = ctx.people()
    a = _in_both(people)
    b = _in_both([p for p in people if p.id != a.id])
    exp_a = ctx.run(a.salesforce.fields.email)  # type: ignore[union-attr]
    exp_b = ctx.run(b.salesforce.fields.email)  # type: ignore[union-attr]
    sf_a, hs_b = exp_a.entity.ref("salesforce"), exp_b.entity.ref("hubspot")
    assert sf_a is not None and hs_b is not None
    ctx.store.link(sf_a, hs_b, method="written_id", at=NOW)
    exp = ctx.run(sf_a.id)
    assert exp.entity.ref("hubspot") == hs_b  # the stored link wins over the email
    assert RecordRef("hubspot", "contacts", hs_b.id) in exp.read


def test_opportunity_stall_and_committee(ctx: Ctx) -> None:
    deals = list(ctx.connectors["salesforce"].read("Opportunity", ["Name", "IsClosed"], None))
    open_deal = next(d for d in deals if d.fields.get("IsClosed") is False)
    data = explanation_dict(ctx.run(open_deal.ref.id), ctx.rules)
    assert data["kind"] == "opportunity" and data["lifecycle"] is None
    deal = data["opportunity"]
    assert deal["stall"] is not None and isinstance(deal["stall"]["stalled"], bool)
    committee = deal["committee"]
    assert 0 <= committee["coverage_pct"] <= 100
    assert set(committee["missing"]) <= set(committee["required"])
    rows = {r["canonical"]: r for r in data["alignment"]["salesforce"]["fields"]}
    assert rows["committee_coverage"]["desired"] == committee["coverage_pct"]
    assert rows["stalled"]["desired"] is deal["stall"]["stalled"]


def test_funnel_trace_lists_conditions_and_rules(project: Project) -> None:
    funnel = compile_rules(project).funnel
    ref = RecordRef("salesforce", "Lead", "00Q000000000001AAA")
    nurture = CanonicalPerson(
        ref, NOW, {"email": "a@b.co", "company": "B", "lead_status": "nurture"}
    )
    trace = funnel.trace(nurture, NOW)
    assert trace.stages == ("subscriber", "lead")
    assert trace.recycle == ("nurture",) and trace.recycle_from["nurture"] == ("mql", "sal", "sql")
    assert trace.disqualify == ()
    assert trace.entered_from == {"mql": "mql_date", "sql": "sql_date"}
    # the decision is unchanged by tracing: from mql the recycle rule applies
    assert funnel.decide(nurture, NOW, "mql").reason == "recycle:nurture"
    out = CanonicalPerson(ref, NOW, {"email": "a@b.co", "lead_status": "unqualified"})
    assert funnel.trace(out, NOW).disqualify == ("unqualified",)
