"""Schema of ``mappings/fields.yaml``: canonical fields, alignment write fields, picklists.

::

    person:
      email:       {salesforce: Email, hubspot: email, transform: [strip, lower]}
      status:      {salesforce: {Lead: Status, Contact: CRMB_Status__c}, hubspot: hs_lead_status}
      lead_source: {salesforce: LeadSource, hubspot: hs_analytics_source, picklist: lead_source}
      lead_score:  {salesforce: Lead_Score__c, hubspot: hubspotscore, type: int}
    account: {...}
    opportunity: {...}
    picklists:
      lead_source:
        web: {salesforce: [Web], hubspot: [ORGANIC_SEARCH, DIRECT_TRAFFIC]}
    write:
      persona: {salesforce: CRMB_Persona__c, hubspot: crmb_persona, objects: [person],
                type: string, length: 80}

``salesforce`` names one field for every native object of the kind or a mapping per object
(``{Lead: F, Contact: G}``). A picklist maps CRM values to one canonical value on read and
the canonical value to the first listed CRM value on write. The root model is
:class:`FieldsFile`.
"""

from __future__ import annotations

import re
from typing import Any, Literal, TypeAlias

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from crm_bridge.mapping.transforms import build_step
from crm_bridge.model import NATIVE_KINDS, OBJECT_KINDS, ObjectKind

FieldType: TypeAlias = Literal["string", "int", "float", "bool", "date", "datetime", "list"]
_NAME = r"^[A-Za-z][A-Za-z0-9_]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldMap(_Strict):
    """One canonical field: where it comes from in each CRM and how it is cleaned."""

    salesforce: str | dict[str, str] | None = None
    hubspot: str | dict[str, str] | None = None
    transform: list[Any] = Field(default_factory=list)
    type: FieldType | None = None
    picklist: str | None = None
    #: two-way sync: when the two CRMs disagree, the job's conflict policy picks the value and
    #: crm-bridge writes it to the other CRM. Off by default: only fields that mean the same in
    #: both CRMs and are writable in both (not ids, owners or system fields) should sync.
    sync: bool = False

    @field_validator("transform")
    @classmethod
    def _known_transforms(cls, value: list[Any]) -> list[Any]:
        for index, spec in enumerate(value):
            try:
                build_step(spec)
            except ValueError as exc:
                raise ValueError(f"transform[{index}]: {exc}") from None
        return value

    @model_validator(mode="after")
    def _somewhere(self) -> FieldMap:
        if self.salesforce is None and self.hubspot is None:
            raise ValueError("map the field in at least one CRM: salesforce: ... or hubspot: ...")
        return self

    def native(self, crm: str, object_type: str) -> str | None:
        """The native field of ``object_type`` in ``crm``, or ``None`` if not mapped there."""
        spec = self.salesforce if crm == "salesforce" else self.hubspot
        if isinstance(spec, dict):
            return spec.get(object_type)
        return spec


class PicklistValue(_Strict):
    """The CRM values that mean one canonical value (first listed is written)."""

    salesforce: list[str] = Field(default_factory=list)
    hubspot: list[str] = Field(default_factory=list)


class WriteField(_Strict):
    """An alignment field crm-bridge writes back, with what is needed to create it."""

    salesforce: str | None = Field(default=None, pattern=r"^[A-Za-z][A-Za-z0-9_]*__c$")
    hubspot: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]*$")
    objects: list[ObjectKind] = Field(min_length=1)
    type: FieldType = "string"
    label: str | None = None
    length: int | None = Field(default=None, ge=1, le=131072)
    options: list[str] | None = None

    @model_validator(mode="after")
    def _somewhere(self) -> WriteField:
        if self.salesforce is None and self.hubspot is None:
            raise ValueError("name the field in at least one CRM: salesforce: ... or hubspot: ...")
        return self


class FieldsFile(_Strict):
    """Root model of ``mappings/fields.yaml``."""

    person: dict[str, FieldMap] = Field(default_factory=dict)
    account: dict[str, FieldMap] = Field(default_factory=dict)
    opportunity: dict[str, FieldMap] = Field(default_factory=dict)
    picklists: dict[str, dict[str, PicklistValue]] = Field(default_factory=dict)
    write: dict[str, WriteField] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> FieldsFile:
        for kind in OBJECT_KINDS:
            for name, spec in self.fields_of(kind).items():
                if not re.match(_NAME, name):
                    raise ValueError(f"{kind}.{name}: canonical names are letters, digits, _")
                if spec.picklist is not None and spec.picklist not in self.picklists:
                    raise ValueError(
                        f"{kind}.{name}: picklist {spec.picklist!r} is not defined under "
                        f"picklists (defined: {', '.join(sorted(self.picklists)) or 'none'})"
                    )
                for crm, objects in NATIVE_KINDS.items():
                    spec_crm = spec.salesforce if crm == "salesforce" else spec.hubspot
                    if isinstance(spec_crm, dict):
                        native = sorted(o for o, k in objects.items() if k == kind)
                        unknown = sorted(set(spec_crm) - set(native))
                        if unknown:
                            raise ValueError(
                                f"{kind}.{name}.{crm}: unknown object {unknown[0]!r} "
                                f"(expected one of {', '.join(native)})"
                            )
        for picklist, values in self.picklists.items():
            for crm in ("salesforce", "hubspot"):
                seen: dict[str, str] = {}
                for canonical, pick in values.items():
                    for native in getattr(pick, crm):
                        if native.casefold() in seen:
                            raise ValueError(
                                f"picklists.{picklist}: {crm} value {native!r} is listed under "
                                f"both {seen[native.casefold()]!r} and {canonical!r}"
                            )
                        seen[native.casefold()] = canonical
        return self

    def fields_of(self, kind: ObjectKind) -> dict[str, FieldMap]:
        """The canonical fields of one object kind."""
        result: dict[str, FieldMap] = getattr(self, kind)
        return result
