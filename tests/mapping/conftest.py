"""Shared fixtures: the shipped example mapping files and record builders."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

import crm_bridge
from crm_bridge.config.fields import FieldsFile
from crm_bridge.config.lifecycle import LifecycleFile
from crm_bridge.model import Crm, RecordRef, SourceRecord, Value

EXAMPLE = Path(crm_bridge.__file__).parent / "example" / "mappings"
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def load(name: str) -> object:
    return yaml.safe_load((EXAMPLE / f"{name}.yaml").read_text())


@pytest.fixture(scope="session")
def fields_file() -> FieldsFile:
    return FieldsFile.model_validate(load("fields"))


@pytest.fixture(scope="session")
def lifecycle_file() -> LifecycleFile:
    return LifecycleFile.model_validate(load("lifecycle"))


def source(crm: Crm, object_type: str, record_id: str, **fields: Value) -> SourceRecord:
    return SourceRecord(RecordRef(crm, object_type, record_id), NOW, dict(fields))
