"""Field mapping: CRM records into canonical records and alignment values back into CRM fields.

:class:`FieldMapper` compiles a :class:`~crm_bridge.config.fields.FieldsFile` once into one
:class:`RecordMapper` per (CRM, native object type). Mapping a record never raises on data: a
value a transform rejects becomes a :class:`MappingIssue` (record, field, value, why) and the
canonical field is left ``None``. The reverse direction formats values the way each CRM
expects: HubSpot takes strings (``"true"``, ISO datetimes, ``YYYY-MM-DD`` dates, ``""`` to
clear), Salesforce takes native JSON (booleans, numbers, ``2024-01-31T10:00:00.000+0000``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

from crm_bridge.config.fields import FieldMap, FieldsFile, PicklistValue
from crm_bridge.mapping.transforms import TYPE_STEPS, Transform, TransformError, build, step_name
from crm_bridge.model import (
    NATIVE_KINDS,
    Account,
    Canonical,
    Crm,
    ObjectKind,
    Opportunity,
    Person,
    RecordRef,
    RecordUpdate,
    SourceRecord,
    Value,
)

_CLASSES: dict[ObjectKind, type[Canonical]] = {
    "person": Person,
    "account": Account,
    "opportunity": Opportunity,
}


@dataclass(frozen=True, slots=True)
class MappingIssue:
    """A value that could not be mapped: which record, which field, the value and why."""

    record: RecordRef
    field: str
    native_field: str
    value: Value
    why: str

    def __str__(self) -> str:
        return (
            f"{self.record} {self.native_field} -> {self.field}: {self.why} (value {self.value!r})"
        )


@dataclass(frozen=True, slots=True)
class Mapped:
    """A canonical record and the issues found while mapping it."""

    record: Canonical
    issues: tuple[MappingIssue, ...] = ()


def _picklist_reader(values: Mapping[str, PicklistValue], crm: Crm) -> Transform:
    table: dict[str, str] = {}
    for canonical, spec in values.items():
        for native in getattr(spec, crm):
            table[native.casefold()] = canonical

    def read(value: Value) -> Value:
        if isinstance(value, str):
            return table.get(value.casefold(), value)
        if isinstance(value, tuple):
            return tuple(table.get(v.casefold(), v) for v in value)
        return value

    return read


def _picklist_writer(values: Mapping[str, PicklistValue], crm: Crm) -> Transform:
    table: dict[str, str] = {}
    for canonical, spec in values.items():
        natives = getattr(spec, crm)
        if natives:
            table[canonical] = natives[0]

    def write(value: Value) -> Value:
        if isinstance(value, str):
            return table.get(value, value)
        if isinstance(value, tuple):
            return tuple(table.get(v, v) for v in value)
        return value

    return write


def _read_step(spec: FieldMap, config: FieldsFile, crm: Crm) -> Transform | None:
    steps = [build(spec.transform)] if spec.transform else []
    if spec.picklist is not None:
        steps.append(_picklist_reader(config.picklists[spec.picklist], crm))
    if spec.type is not None:
        steps.append(TYPE_STEPS[spec.type])
    if not steps:
        return None
    if len(steps) == 1:
        return steps[0]
    chain = tuple(steps)

    def run(value: Value) -> Value:
        for step in chain:
            value = step(value)
        return value

    return run


class RecordMapper:
    """Maps the records of one native object type of one CRM into canonical records."""

    def __init__(self, config: FieldsFile, crm: Crm, object_type: str) -> None:
        self.crm = crm
        self.object_type = object_type
        self.kind: ObjectKind = NATIVE_KINDS[crm][object_type]
        self._cls = _CLASSES[self.kind]
        plan: list[tuple[str, str, Transform | None]] = []
        for name, spec in config.fields_of(self.kind).items():
            native = spec.native(crm, object_type)
            if native is not None:
                plan.append((name, native, _read_step(spec, config, crm)))
        self.fields: dict[str, str] = {name: native for name, native, _ in plan}
        fills_none = {
            name
            for name, spec in config.fields_of(self.kind).items()
            if any(step_name(t)[0] == "default" for t in spec.transform)
        }
        # fields copied as they are, and fields with steps (``fills`` run even on None)
        self._direct = tuple((name, native) for name, native, step in plan if step is None)
        self._steps = tuple(
            (name, native, step, name in fills_none)
            for name, native, step in plan
            if step is not None
        )

    def map(self, source: SourceRecord) -> Mapped:
        """The canonical record of ``source`` plus any per-field issues (never raises on data)."""
        raw = source.fields
        get = raw.get
        values: dict[str, Value] = {name: get(native) for name, native in self._direct}
        issues: list[MappingIssue] | None = None
        for name, native, step, fills in self._steps:
            value = get(native)
            if value is None and not fills:
                values[name] = None
                continue
            try:
                values[name] = step(value)
            except (TransformError, ValueError, TypeError, OverflowError) as exc:
                values[name] = None
                if issues is None:
                    issues = []
                issues.append(MappingIssue(source.ref, name, native, value, str(exc)))
        record = self._cls(source.ref, source.modified_at, values, source)
        if issues is None:
            return Mapped(record)
        return Mapped(record, tuple(issues))


def format_value(crm: Crm, value: Value) -> Value:
    """A canonical value in the form ``crm`` accepts on write."""
    if crm == "hubspot":
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, datetime):
            moment = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
            return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, tuple):
            return ";".join(value)
        return str(value)
    if isinstance(value, datetime):
        moment = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return ";".join(value)
    return value


class FieldMapper:
    """A compiled ``fields.yaml``: mappers per (CRM, object type) and the write direction."""

    def __init__(self, config: FieldsFile) -> None:
        self.config = config
        self._mappers = {
            (crm, obj): RecordMapper(config, crm, obj)
            for crm, objects in NATIVE_KINDS.items()
            for obj in objects
        }
        self._writers = {
            (crm, name): _picklist_writer(values, crm)
            for name, values in config.picklists.items()
            for crm in NATIVE_KINDS
        }

    def mapper(self, crm: Crm, object_type: str) -> RecordMapper:
        """The mapper of one native object type; ``KeyError`` for an unknown type."""
        return self._mappers[(crm, object_type)]

    def map(self, source: SourceRecord) -> Mapped:
        """Map one source record with the mapper of its CRM and object type."""
        return self._mappers[(source.ref.crm, source.ref.object_type)].map(source)

    def to_native(
        self, crm: Crm, object_type: str, values: Mapping[str, Value]
    ) -> dict[str, Value]:
        """Canonical values of mapped fields as native fields of ``object_type`` in ``crm``
        (picklists translated, values formatted); fields not mapped there are left out."""
        kind = NATIVE_KINDS[crm][object_type]
        result: dict[str, Value] = {}
        for name, spec in self.config.fields_of(kind).items():
            native = spec.native(crm, object_type)
            if native is None or name not in values:
                continue
            value = values[name]
            if spec.picklist is not None:
                value = self._writers[(crm, spec.picklist)](value)
            result[native] = format_value(crm, value)
        return result

    def write_fields(self, crm: Crm, object_type: str) -> dict[str, str]:
        """Alignment field name -> native field name for one native object type."""
        kind = NATIVE_KINDS[crm][object_type]
        result: dict[str, str] = {}
        for name, spec in self.config.write.items():
            native = spec.salesforce if crm == "salesforce" else spec.hubspot
            if native is not None and kind in spec.objects:
                result[name] = native
        return result

    def alignment_update(self, ref: RecordRef, values: Mapping[str, Value]) -> RecordUpdate:
        """Alignment values as a :class:`RecordUpdate` for ``ref`` (fields that do not apply
        to its object type are skipped; text is cut to the declared length)."""
        fields: dict[str, Value] = {}
        for name, native in self.write_fields(ref.crm, ref.object_type).items():
            if name not in values:
                continue
            value = values[name]
            length = self.config.write[name].length
            if isinstance(value, str) and length is not None:
                value = value[:length]
            fields[native] = format_value(ref.crm, value)
        return RecordUpdate(ref=ref, fields=fields)


@dataclass(frozen=True, slots=True)
class UnknownField:
    """A mapped field the CRM's describe does not list."""

    crm: Crm
    object_type: str
    field: str
    canonical: str
    direction: str  # "read" or "write"

    def __str__(self) -> str:
        return (
            f"{self.crm} {self.object_type} has no field {self.field!r} "
            f"({self.direction} of {self.canonical})"
        )


def check(
    config: FieldsFile, crm: Crm, object_type: str, describe: Mapping[str, object]
) -> list[UnknownField]:
    """Mapped and alignment fields of ``object_type`` that ``describe`` (field name -> info,
    as returned by the connector) does not know. Names compare case-insensitively."""
    known = {name.casefold() for name in describe}
    kind = NATIVE_KINDS[crm][object_type]
    missing: list[UnknownField] = []
    for name, spec in config.fields_of(kind).items():
        native = spec.native(crm, object_type)
        if native is not None and native.casefold() not in known:
            missing.append(UnknownField(crm, object_type, native, name, "read"))
    for name, wspec in config.write.items():
        wnative = wspec.salesforce if crm == "salesforce" else wspec.hubspot
        if wnative is not None and kind in wspec.objects and wnative.casefold() not in known:
            missing.append(UnknownField(crm, object_type, wnative, name, "write"))
    return missing
