"""Personas: labelled-title accuracy, normalisation, rule ids, contact roles, robustness."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from crm_bridge.config.personas import PersonasFile
from crm_bridge.mapping.personas import PersonaClassifier, default_personas
from crm_bridge.mapping.titles import normalise_title

TITLES = Path(__file__).parent / "data" / "titles.csv"


@pytest.fixture(scope="module")
def classifier() -> PersonaClassifier:
    return PersonaClassifier(default_personas())


def test_labelled_titles_accuracy(classifier: PersonaClassifier) -> None:
    rows = list(csv.DictReader(TITLES.open(encoding="utf-8")))
    assert len(rows) >= 400
    function_ok = sum(classifier.classify(r["title"]).function == r["function"] for r in rows)
    seniority_ok = sum(classifier.classify(r["title"]).seniority == r["seniority"] for r in rows)
    function_acc, seniority_acc = function_ok / len(rows), seniority_ok / len(rows)
    print(
        f"\n{len(rows)} titles: function accuracy {function_acc:.1%}, "
        f"seniority accuracy {seniority_acc:.1%}"
    )
    assert function_acc >= 0.90
    assert seniority_acc >= 0.95


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Sr. VP, Sales & Mktg", "senior vice president sales and marketing"),
        ("CFO", "chief financial officer"),
        ("Dir. of IT", "director of it"),
        ("Geschäftsführer", "managing director"),
        ("Gerente de Ventas", "sales manager"),
        ("Directeur Général", "chief executive officer"),
        ("Leiter IT", "head it"),
        (None, ""),
        (42, ""),
    ],
)
def test_normalisation(raw: Any, expected: str) -> None:
    assert normalise_title(raw) == expected


def test_tags_carry_rule_ids(classifier: PersonaClassifier) -> None:
    tags = classifier.classify("VP Finance")
    assert (tags.function, tags.seniority) == ("finance", "vp")
    assert (tags.function_rule, tags.seniority_rule) == ("finance", "vice_president")
    assert tags.persona == "economic_buyer_finance" and tags.buying_role == "decision_maker"
    assert tags.buying_role_rule == "persona:economic_buyer_finance"
    assert "function:finance" in tags.rule
    ceo = classifier.classify("CEO")
    assert (ceo.function, ceo.seniority) == ("general_management", "c_level")
    assert classifier.classify("Head of Marketing").seniority == "director"


def test_department_fallback_and_unknown(classifier: PersonaClassifier) -> None:
    tags = classifier.classify("Senior Manager", department="Procurement")
    assert tags.function == "procurement" and tags.function_rule == "procurement@department"
    junk = classifier.classify("-")
    assert (junk.function, junk.seniority, junk.buying_role, junk.persona) == (
        "unknown",
        "unknown",
        "unknown",
        None,
    )


def test_contact_roles_override(classifier: PersonaClassifier) -> None:
    tags = classifier.classify("Software Engineer")
    assert tags.buying_role == "user"
    sf = classifier.with_contact_roles(tags, "salesforce", ["Other", "economic buyer"])
    assert (sf.buying_role, sf.buying_role_rule) == (
        "decision_maker",
        "contact_role:economic buyer",
    )
    hs = classifier.with_contact_roles(tags, "hubspot", ["Gatekeeper"])
    assert hs.buying_role == "staller"
    assert classifier.with_contact_roles(tags, "hubspot", [None, "??"]) == tags
    assert classifier.role_for_label("hubspot", "Blocker") == "blocker"
    assert classifier.role_for_label("salesforce", "champion") == "champion"


def test_cache_returns_same_object(classifier: PersonaClassifier) -> None:
    assert classifier.classify("VP Sales") is classifier.classify("VP Sales")


def test_schema_validation() -> None:
    rule = {"id": "a", "keywords": ["x"], "function": "finance"}
    with pytest.raises(ValidationError, match="rule id 'a' is used twice"):
        PersonasFile.model_validate({"rules": [rule, rule]})
    with pytest.raises(ValidationError, match="function"):
        PersonasFile.model_validate({"rules": [{**rule, "function": "accounting"}]})
    with pytest.raises(ValidationError, match="seniority"):
        PersonasFile.model_validate({"rules": [{**rule, "seniority": "boss"}]})
    with pytest.raises(ValidationError, match="buying_role"):
        PersonasFile.model_validate({"rules": [{**rule, "buying_role": "friend"}]})
    with pytest.raises(ValidationError, match="not a valid regular expression"):
        PersonasFile.model_validate({"rules": [{**rule, "regex": "("}]})
    with pytest.raises(ValidationError, match="give keywords or a regex"):
        PersonasFile.model_validate({"rules": [{"id": "b", "function": "it"}]})


SMALL_CACHE = PersonaClassifier(default_personas(), cache_size=10)  # evicts while testing


@settings(deadline=None)
@given(
    st.one_of(st.none(), st.text(), st.integers(), st.floats(), st.binary(), st.lists(st.text())),
    st.one_of(st.none(), st.text()),
)
def test_classifier_never_crashes(title: Any, department: Any) -> None:
    tags = SMALL_CACHE.classify(title, department)
    assert tags.function and tags.seniority and tags.buying_role
