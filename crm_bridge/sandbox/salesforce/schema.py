"""Field and object definitions of the emulated sObjects, and their describe output."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

STRING_TYPES = frozenset(
    {
        "id",
        "reference",
        "string",
        "picklist",
        "multipicklist",
        "textarea",
        "email",
        "phone",
        "url",
        "combobox",
    }
)
NUMBER_TYPES = frozenset({"int", "double", "currency", "percent"})
SOAP_TYPES = {
    "id": "tns:ID",
    "reference": "tns:ID",
    "boolean": "xsd:boolean",
    "int": "xsd:int",
    "double": "xsd:double",
    "currency": "xsd:double",
    "percent": "xsd:double",
    "date": "xsd:date",
    "datetime": "xsd:dateTime",
}


@dataclass(frozen=True, slots=True)
class FieldDef:
    """One sObject field as the describe call reports it."""

    name: str
    type: str
    label: str = ""
    length: int = 0
    createable: bool = True
    updateable: bool = True
    nillable: bool = True
    required: bool = False
    custom: bool = False
    picklist: tuple[str, ...] = ()
    restricted: bool = False
    default: str | None = None
    reference_to: tuple[str, ...] = ()
    relationship_name: str | None = None
    precision: int = 0
    scale: int = 0

    def describe(self) -> dict[str, Any]:
        """The field entry of ``GET sobjects/{Type}/describe``."""
        return {
            "name": self.name,
            "label": self.label or self.name,
            "type": self.type,
            "soapType": SOAP_TYPES.get(self.type, "xsd:string"),
            "custom": self.custom,
            "createable": self.createable,
            "updateable": self.updateable,
            "nillable": self.nillable,
            "defaultedOnCreate": self.default is not None or self.name in _DEFAULTED,
            "length": self.length,
            "precision": self.precision,
            "scale": self.scale,
            "filterable": self.type != "textarea" or self.length <= 255,
            "sortable": self.type not in ("textarea", "multipicklist"),
            "restrictedPicklist": self.restricted,
            "picklistValues": [
                {
                    "value": v,
                    "label": v,
                    "active": True,
                    "defaultValue": v == self.default,
                    "validFor": None,
                }
                for v in self.picklist
            ],
            "referenceTo": list(self.reference_to),
            "relationshipName": self.relationship_name,
            "calculated": False,
            "externalId": False,
            "unique": False,
            "idLookup": self.name in ("Id", "Email", "Name"),
        }


_DEFAULTED = frozenset(
    {
        "Id",
        "IsDeleted",
        "CreatedDate",
        "CreatedById",
        "LastModifiedDate",
        "LastModifiedById",
        "SystemModstamp",
        "OwnerId",
        "IsConverted",
        "IsClosed",
        "IsWon",
        "IsActive",
    }
)


@dataclass(slots=True)
class ObjectSchema:
    """An sObject type: its fields (in describe order) with case-insensitive lookup."""

    name: str
    label: str
    key_prefix: str
    fields: dict[str, FieldDef] = field(default_factory=dict)
    _lower: dict[str, FieldDef] = field(default_factory=dict)
    _relationships: dict[str, FieldDef] = field(default_factory=dict)

    def add(self, f: FieldDef) -> None:
        """Add (or replace) a field."""
        self.fields[f.name] = f
        self._lower[f.name.lower()] = f
        if f.relationship_name:
            self._relationships[f.relationship_name.lower()] = f

    def get(self, name: str) -> FieldDef | None:
        """The field named ``name`` (any case), or None."""
        return self._lower.get(name.lower())

    def relationship(self, name: str) -> FieldDef | None:
        """The reference field behind relationship ``name`` (e.g. ``Account``), or None."""
        return self._relationships.get(name.lower())

    def extend_picklist(self, name: str, values: list[str]) -> None:
        """Add values to a picklist (the seed uses it for values the World generates)."""
        f = self.fields[name]
        new = tuple(v for v in dict.fromkeys(values) if v and v not in f.picklist)
        if new:
            self.add(replace(f, picklist=f.picklist + new))

    def copy(self) -> ObjectSchema:
        """An independent copy (custom fields are added per store)."""
        out = ObjectSchema(self.name, self.label, self.key_prefix)
        for f in self.fields.values():
            out.add(f)
        return out

    def describe(self, version: str) -> dict[str, Any]:
        """The body of ``GET sobjects/{Type}/describe``."""
        base = self.summary(version)
        base["fields"] = [f.describe() for f in self.fields.values()]
        base["childRelationships"] = []
        base["recordTypeInfos"] = []
        return base

    def summary(self, version: str) -> dict[str, Any]:
        """The entry of this object in the global describe."""
        url = f"/services/data/{version}/sobjects/{self.name}"
        return {
            "name": self.name,
            "label": self.label,
            "labelPlural": self.label + "s",
            "keyPrefix": self.key_prefix,
            "custom": False,
            "createable": True,
            "updateable": True,
            "deletable": True,
            "queryable": True,
            "searchable": True,
            "retrieveable": True,
            "urls": {
                "sobject": url,
                "describe": f"{url}/describe",
                "rowTemplate": f"{url}/{{ID}}",
            },
        }
