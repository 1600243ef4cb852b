"""Tooling API ``CustomField`` bodies for alignment fields."""

from __future__ import annotations

from typing import Any

from crm_bridge.connectors.base import FieldSpec


def custom_field_body(object_type: str, spec: FieldSpec) -> dict[str, Any]:
    """The ``sobjects/CustomField`` POST body creating ``spec`` on ``object_type``."""
    label = spec.label or spec.name.removesuffix("__c").replace("_", " ")
    meta: dict[str, Any] = {"label": label[:40]}
    if spec.options and spec.type in ("string", "list"):
        meta["type"] = "MultiselectPicklist" if spec.type == "list" else "Picklist"
        if spec.type == "list":
            meta["visibleLines"] = 4
        meta["valueSet"] = {
            "restricted": False,
            "valueSetDefinition": {
                "sorted": False,
                "value": [{"fullName": o, "label": o, "default": False} for o in spec.options],
            },
        }
    elif spec.type in ("string", "list"):
        meta.update(type="Text", length=spec.length or 255)
    elif spec.type == "int":
        meta.update(type="Number", precision=18, scale=0)
    elif spec.type == "float":
        meta.update(type="Number", precision=18, scale=4)
    elif spec.type == "bool":
        meta.update(type="Checkbox", defaultValue=False)
    elif spec.type == "date":
        meta["type"] = "Date"
    else:
        meta["type"] = "DateTime"
    return {"FullName": f"{object_type}.{spec.name}", "Metadata": meta}
