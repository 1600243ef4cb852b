"""Canonical, typed records that cross layer boundaries.

Connectors yield :class:`SourceRecord` (a CRM's record with its native field names); the mapping
layer turns them into :class:`Person`, :class:`Account` and :class:`Opportunity`; alignment adds
tags; the diff produces :class:`FieldChange`; connectors take :class:`RecordUpdate` and answer
with :class:`WriteResult`. All datetimes are timezone-aware UTC.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Literal, TypeAlias

Crm: TypeAlias = Literal["salesforce", "hubspot"]
CRMS: tuple[Crm, ...] = ("salesforce", "hubspot")

ObjectKind: TypeAlias = Literal["person", "account", "opportunity"]
OBJECT_KINDS: tuple[ObjectKind, ...] = ("person", "account", "opportunity")

#: A value of a canonical or CRM field after parsing.
Value: TypeAlias = str | int | float | bool | date | datetime | tuple[str, ...] | None

#: Native object types per CRM and the canonical kind each maps to.
NATIVE_KINDS: Mapping[Crm, Mapping[str, ObjectKind]] = {
    "salesforce": {
        "Lead": "person",
        "Contact": "person",
        "Account": "account",
        "Opportunity": "opportunity",
    },
    "hubspot": {"contacts": "person", "companies": "account", "deals": "opportunity"},
}

BuyingRole: TypeAlias = Literal[
    "decision_maker", "champion", "influencer", "blocker", "staller", "user", "unknown"
]
BUYING_ROLES: tuple[str, ...] = (
    "decision_maker",
    "champion",
    "influencer",
    "blocker",
    "staller",
    "user",
    "unknown",
)

SlaState: TypeAlias = Literal["on_track", "at_risk", "breached", "met", "met_late"]


def utc(value: datetime) -> datetime:
    """Return ``value`` as an aware UTC datetime; naive values are taken to be UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def utcnow() -> datetime:
    """The current time, aware, in UTC (use an injected clock where tests need control)."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True, order=True)
class RecordRef:
    """Identifies one record in one CRM: ``salesforce/Lead/00Q...`` or ``hubspot/contacts/512``."""

    crm: Crm
    object_type: str
    id: str

    def __str__(self) -> str:
        return f"{self.crm}/{self.object_type}/{self.id}"

    @property
    def kind(self) -> ObjectKind:
        """The canonical kind of this record's native object type."""
        return NATIVE_KINDS[self.crm][self.object_type]


@dataclass(slots=True)
class SourceRecord:
    """One record as a connector read it: native field names, values parsed to Python types.

    ``associations`` holds related record ids by native object type (HubSpot associations;
    for Salesforce, lookups such as ``AccountId`` stay in ``fields``). ``labels`` holds HubSpot
    association labels per associated id where present.
    """

    ref: RecordRef
    modified_at: datetime
    fields: dict[str, Value]
    deleted: bool = False
    associations: dict[str, tuple[str, ...]] = field(default_factory=dict)
    labels: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def kind(self) -> ObjectKind:
        return self.ref.kind


@dataclass(frozen=True, slots=True)
class ContactRole:
    """A person's role on an opportunity, from Salesforce OpportunityContactRole or a HubSpot
    deal-contact association label."""

    opportunity: RecordRef
    person: RecordRef
    role: str | None
    is_primary: bool = False


@dataclass(slots=True)
class Canonical:
    """Common part of canonical records: the source record and canonical field values."""

    ref: RecordRef
    modified_at: datetime
    values: dict[str, Value]
    source: SourceRecord | None = None

    def get(self, name: str) -> Value:
        """A canonical value by name, or a native one as ``sf.Field`` / ``hs.property``."""
        if name.startswith(("sf.", "hs.")):
            crm: Crm = "salesforce" if name.startswith("sf.") else "hubspot"
            if self.source is None or self.ref.crm != crm:
                return None
            return self.source.fields.get(name[3:])
        return self.values.get(name)


@dataclass(slots=True)
class Person(Canonical):
    """A lead or contact (Salesforce Lead/Contact, HubSpot contact)."""


@dataclass(slots=True)
class Account(Canonical):
    """A company (Salesforce Account, HubSpot company)."""


@dataclass(slots=True)
class Opportunity(Canonical):
    """A deal (Salesforce Opportunity, HubSpot deal)."""


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One planned or applied change of one field on one record."""

    ref: RecordRef
    field: str
    before: Value
    after: Value
    reason: str
    canonical_field: str = ""


@dataclass(slots=True)
class RecordUpdate:
    """The fields to write on one record, native names and values."""

    ref: RecordRef
    fields: dict[str, Value]


@dataclass(frozen=True, slots=True)
class WriteResult:
    """The CRM's answer for one record of a batch write."""

    ref: RecordRef
    ok: bool
    code: str = ""
    message: str = ""
    fields: tuple[str, ...] = ()
