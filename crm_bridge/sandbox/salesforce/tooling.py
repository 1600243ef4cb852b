"""Tooling API ``CustomField``: metadata → field definitions, and the tooling query catalog."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .errors import bad_request, invalid_type
from .ids import make_id
from .schema import FieldDef, ObjectSchema
from .store import Record, SalesforceStore

_TYPES = {
    "Text": "string",
    "TextArea": "textarea",
    "LongTextArea": "textarea",
    "Number": "double",
    "Currency": "currency",
    "Percent": "percent",
    "Checkbox": "boolean",
    "Date": "date",
    "DateTime": "datetime",
    "Picklist": "picklist",
    "MultiselectPicklist": "multipicklist",
    "Email": "email",
    "Phone": "phone",
    "Url": "url",
}


def _picklist(meta: dict[str, Any]) -> tuple[tuple[str, ...], str | None, bool]:
    value_set = meta.get("valueSet") or {}
    definition = value_set.get("valueSetDefinition") or {}
    values: list[str] = []
    default = None
    for entry in definition.get("value") or []:
        name = str(entry.get("fullName") or entry.get("label") or "")
        if name:
            values.append(name)
            if entry.get("default"):
                default = name
    return tuple(values), default, bool(value_set.get("restricted", False))


def field_from_metadata(name: str, meta: dict[str, Any]) -> FieldDef:
    """A custom field definition from Tooling ``Metadata`` (400 on an unknown type)."""
    kind = str(meta.get("type") or "")
    if kind not in _TYPES:
        raise bad_request(
            "FIELD_INTEGRITY_EXCEPTION", f"Invalid field type: {kind or '(missing)'}", ["Metadata"]
        )
    label = str(meta.get("label") or name[:-3])
    t = _TYPES[kind]
    if t == "picklist" or t == "multipicklist":
        values, default, restricted = _picklist(meta)
        return FieldDef(
            name,
            t,
            label,
            length=255,
            custom=True,
            picklist=values,
            default=default,
            restricted=restricted,
        )
    if t == "boolean":
        return FieldDef(name, t, label, custom=True, nillable=False)
    if t in ("double", "currency", "percent"):
        return FieldDef(
            name,
            t,
            label,
            custom=True,
            precision=int(meta.get("precision") or 18),
            scale=int(meta.get("scale") or 0),
        )
    default_len = {"string": 255, "textarea": 255, "email": 80, "phone": 40, "url": 255}
    length = int(meta.get("length") or default_len.get(t, 0))
    return FieldDef(name, t, label, length=length, custom=True)


def create_custom_field(store: SalesforceStore, body: Any) -> str:
    """Create ``Object.Name__c`` from a Tooling CustomField body; returns the 00N id."""
    if not isinstance(body, dict) or not isinstance(body.get("Metadata"), dict):
        raise bad_request("JSON_PARSER_ERROR", "Metadata is required", ["Metadata"])
    full_name = str(body.get("FullName") or "")
    obj_name, _, field_name = full_name.partition(".")
    schema = store.schema(obj_name)
    if schema is None:
        raise invalid_type(obj_name)
    if not field_name.endswith("__c") or len(field_name) <= 3:
        raise bad_request(
            "FIELD_INTEGRITY_EXCEPTION", f"Invalid custom field name: {field_name}", ["FullName"]
        )
    if schema.get(field_name) is not None:
        raise bad_request(
            "DUPLICATE_DEVELOPER_NAME",
            f"There's already a field named {field_name} on {schema.name}.",
            ["FullName"],
        )
    f = field_from_metadata(field_name, body["Metadata"])
    store.add_field(schema.name, f)
    if f.type == "boolean":
        for rec in store.tables[schema.name].values():
            rec[f.name] = False
    record_id = make_id("00N", len(store.custom_fields) + 1)
    stamp = store.now()
    from .values import format_datetime

    store.custom_fields.append(
        {
            "Id": record_id,
            "DeveloperName": field_name[:-3],
            "TableEnumOrId": schema.name,
            "FullName": f"{schema.name}.{field_name}",
            "NamespacePrefix": None,
            "Metadata": body["Metadata"],
            "CreatedDate": format_datetime(stamp),
            "LastModifiedDate": format_datetime(stamp),
            "IsDeleted": False,
        }
    )
    return record_id


def custom_field_schema() -> ObjectSchema:
    """The queryable part of the Tooling ``CustomField`` object."""
    schema = ObjectSchema("CustomField", "Custom Field", "00N")
    for name, kind in (
        ("Id", "id"),
        ("DeveloperName", "string"),
        ("TableEnumOrId", "string"),
        ("NamespacePrefix", "string"),
        ("CreatedDate", "datetime"),
        ("LastModifiedDate", "datetime"),
        ("IsDeleted", "boolean"),
    ):
        schema.add(FieldDef(name, kind, name, createable=False, updateable=False))
    return schema


class ToolingCatalog:
    """The SOQL catalog of the Tooling API (only ``CustomField``)."""

    def __init__(self, store: SalesforceStore) -> None:
        self._schema = custom_field_schema()
        self._rows = {r["Id"]: r for r in store.custom_fields}

    def schema(self, name: str) -> ObjectSchema | None:
        """The CustomField schema (only that object exists here)."""
        return self._schema if name.lower() == "customfield" else None

    def records(self, sobject: str, include_deleted: bool = False) -> Iterator[Record]:
        """The CustomField rows."""
        return iter(self._rows.values())

    def find(self, record_id: str) -> tuple[str, Record] | None:
        """A CustomField row by id."""
        row = self._rows.get(record_id)
        return None if row is None else ("CustomField", row)
