"""Property definitions and groups per object type, and validation of written values."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from .errors import HubSpotError, validation
from .pipelines import Pipeline
from .timeutil import from_epoch_ms, iso, midnight_date, parse_datetime

OBJECT_TYPES = ("contacts", "companies", "deals")
OBJECT_TYPE_IDS = {"0-1": "contacts", "0-2": "companies", "0-3": "deals"}
TYPE_IDS = {v: k for k, v in OBJECT_TYPE_IDS.items()}
SINGULAR = {"contacts": "contact", "companies": "company", "deals": "deal"}
TYPES = ("string", "number", "date", "datetime", "enumeration", "bool", "phone_number")
FIELD_TYPES = (
    "text", "textarea", "number", "date", "file", "select", "radio", "checkbox",
    "booleancheckbox", "calculation_equation", "html", "phonenumber",
)  # fmt: skip
LIFECYCLE_STAGES = (
    "subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead",
    "opportunity", "customer", "evangelist", "other",
)  # fmt: skip
LEAD_STATUSES = (
    "NEW",
    "OPEN",
    "IN_PROGRESS",
    "OPEN_DEAL",
    "UNQUALIFIED",
    "ATTEMPTED_TO_CONTACT",
    "CONNECTED",
    "BAD_TIMING",
)
SOURCES = (
    "ORGANIC_SEARCH",
    "PAID_SEARCH",
    "EMAIL_MARKETING",
    "SOCIAL_MEDIA",
    "REFERRALS",
    "OTHER_CAMPAIGNS",
    "DIRECT_TRAFFIC",
    "OFFLINE",
    "PAID_SOCIAL",
)
INDUSTRIES = (
    "COMPUTER_SOFTWARE",
    "INFORMATION_TECHNOLOGY_AND_SERVICES",
    "FINANCIAL_SERVICES",
    "HOSPITAL_HEALTH_CARE",
    "MARKETING_AND_ADVERTISING",
    "RETAIL",
    "MANUFACTURING",
    "TELECOMMUNICATIONS",
    "EDUCATION_MANAGEMENT",
    "LOGISTICS_AND_SUPPLY_CHAIN",
)
MODIFIED = {
    "contacts": "lastmodifieddate",
    "companies": "hs_lastmodifieddate",
    "deals": "hs_lastmodifieddate",
}
DEFAULT_READ = {
    "contacts": (
        "createdate",
        "email",
        "firstname",
        "hs_object_id",
        "lastmodifieddate",
        "lastname",
    ),
    "companies": ("createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"),
    "deals": (
        "amount",
        "closedate",
        "createdate",
        "dealname",
        "dealstage",
        "hs_lastmodifieddate",
        "hs_object_id",
        "pipeline",
    ),
}
GROUPS = {
    "contacts": "contactinformation",
    "companies": "companyinformation",
    "deals": "dealinformation",
}


@dataclass(frozen=True)
class Option:
    """One enumeration option."""

    label: str
    value: str
    display_order: int = 0
    hidden: bool = False

    def to_api(self) -> dict[str, Any]:
        """As the API shows it."""
        return {
            "label": self.label,
            "value": self.value,
            "displayOrder": self.display_order,
            "hidden": self.hidden,
        }


@dataclass(frozen=True)
class PropertyDef:
    """One property of an object type."""

    name: str
    label: str
    type: str
    field_type: str
    group_name: str
    description: str = ""
    options: tuple[Option, ...] = ()
    hubspot_defined: bool = True
    has_unique_value: bool = False
    read_only: bool = False
    calculated: bool = False
    created_at: datetime = field(default_factory=lambda: from_epoch_ms(0))
    updated_at: datetime = field(default_factory=lambda: from_epoch_ms(0))
    archived: bool = False

    def to_api(self) -> dict[str, Any]:
        """As the properties API returns it."""
        out: dict[str, Any] = {
            "name": self.name, "label": self.label, "type": self.type, "fieldType": self.field_type,
            "groupName": self.group_name, "description": self.description,
            "options": [o.to_api() for o in self.options], "displayOrder": -1,
            "hubspotDefined": self.hubspot_defined, "calculated": self.calculated,
            "externalOptions": False, "hasUniqueValue": self.has_unique_value, "hidden": False,
            "formField": not self.read_only, "archived": self.archived,
            "createdAt": iso(self.created_at), "updatedAt": iso(self.updated_at),
            "modificationMetadata": {"archivable": not self.hubspot_defined, "readOnlyDefinition": self.hubspot_defined, "readOnlyValue": self.read_only},
        }  # fmt: skip
        return out

    def to_json(self) -> dict[str, Any]:
        """For persistence."""
        return self.to_api()


def property_from_api(
    d: dict[str, Any], *, now: datetime, hubspot_defined: bool = False
) -> PropertyDef:
    """Build a property from a create body (or persisted JSON); raise 400 on invalid input."""
    missing = [k for k in ("name", "label", "type", "fieldType", "groupName") if not d.get(k)]
    if missing:
        raise validation(
            f"Missing required fields: {', '.join(missing)}", code="REQUIRED_FIELD", name=missing[0]
        )
    if d["type"] not in TYPES:
        raise validation(f"Invalid type {d['type']!r}", code="INVALID_TYPE", name="type")
    if d["fieldType"] not in FIELD_TYPES:
        raise validation(
            f"Invalid fieldType {d['fieldType']!r}", code="INVALID_FIELD_TYPE", name="fieldType"
        )
    opts = tuple(
        Option(
            str(o.get("label", o.get("value"))),
            str(o["value"]),
            int(o.get("displayOrder", i)),
            bool(o.get("hidden", False)),
        )
        for i, o in enumerate(d.get("options") or [])
    )
    defined = bool(d.get("hubspotDefined", hubspot_defined))
    if (
        not defined
        and d["type"] == "enumeration"
        and d["fieldType"] != "booleancheckbox"
        and not opts
    ):
        raise validation(
            "Enumeration properties need options", code="MISSING_OPTIONS", name="options"
        )
    meta = d.get("modificationMetadata") or {}
    created = parse_datetime(d["createdAt"]) if d.get("createdAt") else now
    return PropertyDef(
        name=str(d["name"]), label=str(d["label"]), type=d["type"], field_type=d["fieldType"],
        group_name=str(d["groupName"]), description=str(d.get("description") or ""), options=opts,
        hubspot_defined=defined,
        has_unique_value=bool(d.get("hasUniqueValue", False)),
        read_only=bool(meta.get("readOnlyValue", False)), calculated=bool(d.get("calculated", False)),
        created_at=created, updated_at=parse_datetime(d["updatedAt"]) if d.get("updatedAt") else created,
        archived=bool(d.get("archived", False)),
    )  # fmt: skip


def update_property(p: PropertyDef, d: dict[str, Any], now: datetime) -> PropertyDef:
    """Apply a PATCH body to a property."""
    merged = p.to_api() | {k: v for k, v in d.items() if v is not None}
    merged["name"] = p.name
    merged["updatedAt"] = iso(now)
    return property_from_api(merged, now=now)


def _p(
    name: str, label: str, type_: str = "string", field_type: str = "text", **kw: Any
) -> PropertyDef:
    opts = kw.pop("options", ())
    options = tuple(Option(v.replace("_", " ").title(), v, i) for i, v in enumerate(opts))
    return PropertyDef(name, label, type_, field_type, kw.pop("group", ""), options=options, **kw)


def _enum(name: str, label: str, values: tuple[str, ...]) -> PropertyDef:
    return _p(name, label, "enumeration", "select", options=values)


def _ro_dt(name: str, label: str) -> PropertyDef:
    return _p(name, label, "datetime", "date", read_only=True, calculated=True)


def default_properties(obj: str, pipelines: list[Pipeline]) -> list[PropertyDef]:
    """The built-in properties of an object type, with the right group."""
    common = [
        _p("hs_object_id", "Record ID", "number", "number", read_only=True),
        _p("createdate", "Create Date", "datetime", "date"),
        _p("hubspot_owner_id", "Owner", "enumeration", "select", options=()),
        _p("hs_merged_object_ids", "Merged record IDs", "enumeration", "checkbox", read_only=True),
        _ro_dt("notes_last_updated", "Last Activity Date"),
        _p("hs_last_activity_date", "Last activity date", "datetime", "date"),
        _enum("hs_analytics_source", "Original Source", SOURCES),
    ]
    specific: list[PropertyDef]
    if obj == "contacts":
        specific = [
            _p("email", "Email", has_unique_value=True), _p("firstname", "First Name"), _p("lastname", "Last Name"),
            _p("jobtitle", "Job Title"), _p("company", "Company Name"), _p("phone", "Phone Number", "phone_number", "phonenumber"),
            _p("hubspotscore", "HubSpot Score", "number", "number"), _enum("hs_lead_status", "Lead Status", LEAD_STATUSES),
            _enum("lifecyclestage", "Lifecycle Stage", LIFECYCLE_STAGES), _ro_dt("lastmodifieddate", "Last Modified Date"),
            _p("salesforceleadid", "Salesforce Lead ID"), _p("salesforcecontactid", "Salesforce Contact ID"),
            _p("department", "Department"), _p("country", "Country/Region"),
            _p("associatedcompanyid", "Primary Associated Company ID", "number", "number"),
            _ro_dt("hs_sa_first_engagement_date", "First Engagement Date"),
            _ro_dt("hs_first_outreach_date", "First outreach date"),
        ]  # fmt: skip
        specific += [
            _ro_dt(f"hs_v2_date_entered_{s}", f"Date entered '{s}'") for s in LIFECYCLE_STAGES
        ]
    elif obj == "companies":
        specific = [
            _p("name", "Name"), _p("domain", "Company Domain Name"), _enum("industry", "Industry", INDUSTRIES),
            _p("numberofemployees", "Number of Employees", "number", "number"),
            _p("annualrevenue", "Annual Revenue", "number", "number"), _p("country", "Country/Region"),
            _p("state", "State/Region"), _p("city", "City"), _p("phone", "Phone Number", "phone_number", "phonenumber"), _p("salesforceaccountid", "Salesforce Account ID"),
            _ro_dt("hs_lastmodifieddate", "Last Modified Date"),
        ]  # fmt: skip
    else:
        stages = [s for p in pipelines for s in p.stages]
        specific = [
            _p("dealname", "Deal Name"), _p("amount", "Amount", "number", "number"), _p("closedate", "Close Date", "datetime", "date"),
            _p("pipeline", "Pipeline", "enumeration", "select", options=tuple(p.id for p in pipelines)),
            _p("dealstage", "Deal Stage", "enumeration", "select", options=tuple(s.id for s in stages)),
            _p("hs_is_closed", "Is Deal Closed?", "bool", "booleancheckbox", read_only=True, calculated=True),
            _p("hs_is_closed_won", "Is Closed Won", "bool", "booleancheckbox", read_only=True, calculated=True),
            _p("dealtype", "Deal Type", "enumeration", "select", options=("newbusiness", "existingbusiness")),
            _p("salesforceopportunityid", "Salesforce Opportunity ID"), _ro_dt("hs_lastmodifieddate", "Last Modified Date"),
            _p("closed_lost_reason", "Closed Lost Reason", "string", "textarea"),
            _p("closed_won_reason", "Closed Won Reason", "string", "textarea"),
        ]  # fmt: skip
        for s in stages:
            specific += [_ro_dt(f"hs_date_entered_{s.id}", f"Date entered {s.label}"),
                         _ro_dt(f"hs_v2_date_entered_{s.id}", f"Date entered {s.label} (v2)")]  # fmt: skip
    return [replace(p, group_name=GROUPS[obj]) for p in common + specific]


def _number(text: str) -> str:
    f = float(text)
    if math.isnan(f) or math.isinf(f):
        raise ValueError("not a finite number")
    return str(int(f)) if f.is_integer() and "." not in text and "e" not in text.lower() else text


def normalize(prop: PropertyDef, value: Any) -> str:
    """Validate a written value against its property; return the stored string ('' clears)."""
    if value is None:
        return ""
    text = ("true" if value else "false") if isinstance(value, bool) else str(value)
    if text == "":
        return ""
    try:
        if prop.type == "number":
            return _number(text.strip())
        if prop.type == "bool" or prop.field_type == "booleancheckbox":
            low = text.strip().lower()
            if low not in ("true", "false"):
                raise ValueError("not a boolean")
            return low
        if prop.type == "date":
            return midnight_date(text)
        if prop.type == "datetime":
            return iso(parse_datetime(text))
    except ValueError as exc:
        raise _invalid(prop, text, "INVALID_" + prop.type.upper(), str(exc)) from exc
    if prop.type == "enumeration" and prop.options:
        allowed = {o.value for o in prop.options}
        parts = text.split(";") if prop.field_type == "checkbox" else [text]
        bad = [p for p in parts if p not in allowed]
        if bad:
            raise _invalid(
                prop, bad[0], "INVALID_OPTION", f"{bad[0]!r} was not one of the allowed options"
            )
    return text


def _invalid(prop: PropertyDef, text: str, code: str, why: str) -> HubSpotError:
    msg = f"Property values were not valid: {prop.name}={text!r}: {why}"
    return HubSpotError(
        400, "VALIDATION_ERROR", msg,
        [{"message": f"{text!r} is not a valid value for {prop.name}: {why}", "code": code, "in": prop.name}],
    )  # fmt: skip


def unknown_property(name: str, obj: str) -> HubSpotError:
    """400 for a write to a property that does not exist."""
    msg = f'Property values were not valid: [{{"isValid":false,"message":"Property \\"{name}\\" does not exist","error":"PROPERTY_DOESNT_EXIST","name":"{name}"}}]'
    return HubSpotError(
        400,
        "VALIDATION_ERROR",
        msg,
        [
            {
                "message": f'Property "{name}" does not exist',
                "code": "PROPERTY_DOESNT_EXIST",
                "in": name,
            }
        ],
    )


def read_only_property(name: str) -> HubSpotError:
    """400 for a write to a read-only property."""
    return HubSpotError(400, "VALIDATION_ERROR", f"Property values were not valid: {name} is read-only",
                        [{"message": f'Property "{name}" is read-only', "code": "READ_ONLY_VALUE", "in": name}])  # fmt: skip
