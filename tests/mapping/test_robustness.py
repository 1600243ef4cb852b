"""Property tests: junk of any type in any mapped field of a person never crashes mapping, the
funnel or the persona classifier; every rejected value becomes an issue naming the record, the
field and the value."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from crm_bridge.config.fields import FieldsFile
from crm_bridge.config.lifecycle import LifecycleFile
from crm_bridge.mapping.fields import FieldMapper
from crm_bridge.mapping.lifecycle import Funnel
from crm_bridge.mapping.personas import PersonaClassifier, default_personas

from .conftest import NOW, load, source

MAPPER = FieldMapper(FieldsFile.model_validate(load("fields")))
FUNNEL = Funnel(LifecycleFile.model_validate(load("lifecycle")))
CLASSIFIER = PersonaClassifier(default_personas(), cache_size=50)

junk = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.integers(),
    st.floats(),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.tuples(st.text(max_size=5)),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.binary(max_size=5),
)
OBJECTS = [("salesforce", "Lead"), ("salesforce", "Contact"), ("hubspot", "contacts")]


def _natives(crm: str, object_type: str) -> list[str]:
    return sorted(set(MAPPER.mapper(crm, object_type).fields.values()))  # type: ignore[arg-type]


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(OBJECTS), st.data())
def test_junk_person_never_crashes_and_issues_name_record_field_value(
    obj: tuple[str, str], data: st.DataObject
) -> None:
    crm, object_type = obj
    natives = _natives(crm, object_type)
    fields: dict[str, Any] = data.draw(st.dictionaries(st.sampled_from(natives), junk))
    mapped = MAPPER.map(source(crm, object_type, "rec-1", **fields))  # type: ignore[arg-type]
    names = MAPPER.mapper(crm, object_type).fields  # type: ignore[arg-type]
    for issue in mapped.issues:
        assert issue.record.id == "rec-1" and issue.record.object_type == object_type
        assert names[issue.field] == issue.native_field
        assert issue.value is fields[issue.native_field]
        assert mapped.record.values[issue.field] is None
        text = str(issue)
        assert "rec-1" in text and issue.native_field in text and repr(issue.value) in text
    # the mapped record (junk included) goes through the funnel and the classifier
    record = mapped.record
    decision = FUNNEL.decide(record, NOW, data.draw(st.sampled_from([None, "mql", "recycled"])))
    assert decision.stage is None or decision.stage in FUNNEL.config.all_stages
    trace = FUNNEL.trace(record, NOW)
    assert set(trace.stages) <= set(FUNNEL.order)
    tags = CLASSIFIER.classify(record.get("title"), record.get("department"))
    assert tags.function and tags.seniority and tags.buying_role


@settings(max_examples=40, deadline=None)
@given(junk, st.integers(0, 3650))
def test_stage_entry_time_from_junk_falls_back_to_now(value: Any, days: int) -> None:
    """``entered_from`` holding junk (a string, a number, a date) never crashes the funnel;
    the entry time is a timezone-aware datetime."""
    mapped = MAPPER.map(
        source(
            "hubspot",
            "contacts",
            "h1",
            email="a@b.co",
            hubspotscore="90",
            hs_v2_date_entered_marketingqualifiedlead=value,
        )
    )
    now = NOW + timedelta(days=days)
    decision = FUNNEL.decide(mapped.record, now)
    assert decision.stage == "mql"
    assert isinstance(decision.entered_at, datetime) and decision.entered_at.tzinfo is not None
