"""Definitions of the standard sObjects the sandbox emulates (Lead, Contact, Account, …)."""

from __future__ import annotations

from .ids import KEY_PREFIXES
from .schema import FieldDef, ObjectSchema

LEAD_STATUSES = (
    "Open - Not Contacted",
    "Working - Contacted",
    "Closed - Converted",
    "Closed - Not Converted",
)
LEAD_SOURCES = ("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other")
INDUSTRIES = (
    "Agriculture",
    "Banking",
    "Communications",
    "Consulting",
    "Education",
    "Electronics",
    "Energy",
    "Finance",
    "Healthcare",
    "Manufacturing",
    "Media",
    "Retail",
    "Technology",
    "Other",
)
STAGES = (
    "Prospecting",
    "Qualification",
    "Needs Analysis",
    "Value Proposition",
    "Id. Decision Makers",
    "Perception Analysis",
    "Proposal/Price Quote",
    "Negotiation/Review",
    "Closed Won",
    "Closed Lost",
)
ROLES = (
    "Business User",
    "Decision Maker",
    "Economic Buyer",
    "Economic Decision Maker",
    "Evaluator",
    "Executive Sponsor",
    "Influencer",
    "Technical Buyer",
    "Other",
)
CHILD_RELATIONSHIPS: dict[str, dict[str, tuple[str, str]]] = {
    "Account": {
        "Contacts": ("Contact", "AccountId"),
        "Opportunities": ("Opportunity", "AccountId"),
        "Tasks": ("Task", "WhatId"),
        "ChildAccounts": ("Account", "ParentId"),
    },
    "Opportunity": {
        "OpportunityContactRoles": ("OpportunityContactRole", "OpportunityId"),
        "Tasks": ("Task", "WhatId"),
    },
    "Contact": {
        "OpportunityContactRoles": ("OpportunityContactRole", "ContactId"),
        "Tasks": ("Task", "WhoId"),
    },
    "Lead": {"Tasks": ("Task", "WhoId")},
}
"""Child relationships usable in subqueries: parent → name → (child type, reference field)."""
FORECAST = ("Omitted", "Pipeline", "BestCase", "Forecast", "Closed")
PARTNER_STATUSES = (
    "Accepted", "Working", "Converted", "Closed Won", "Returned", "Rejected", "Lost",
)  # fmt: skip
LOSS_REASONS = (
    "No Decision / Non-Responsive", "Lost to Competitor", "Price", "Timing", "Product Fit",
    "Other",
)  # fmt: skip


def _s(name: str, length: int = 255, label: str = "", kind: str = "string") -> FieldDef:
    return FieldDef(name, kind, label or name, length=length)


def _ro(name: str, kind: str, length: int = 0, label: str = "") -> FieldDef:
    return FieldDef(name, kind, label or name, length=length, createable=False, updateable=False)


def _req(name: str, length: int, kind: str = "string") -> FieldDef:
    return FieldDef(name, kind, name, length=length, nillable=False, required=True)


def _num(name: str, kind: str = "double", precision: int = 18, scale: int = 0) -> FieldDef:
    return FieldDef(name, kind, name, precision=precision, scale=scale)


def _pick(
    name: str,
    values: tuple[str, ...],
    default: str | None = None,
    restricted: bool = False,
    required: bool = False,
) -> FieldDef:
    return FieldDef(
        name,
        "picklist",
        name,
        length=255,
        picklist=values,
        default=default,
        restricted=restricted,
        nillable=not required,
        required=required and default is None,
    )


def _ref(
    name: str,
    to: tuple[str, ...],
    rel: str,
    *,
    writable: bool = True,
    required: bool = False,
    updateable: bool | None = None,
) -> FieldDef:
    return FieldDef(
        name,
        "reference",
        name,
        length=18,
        reference_to=to,
        relationship_name=rel,
        createable=writable,
        updateable=writable if updateable is None else updateable,
        nillable=not required,
        required=required,
    )


def _audit(owned: bool, deletable: bool = True) -> list[FieldDef]:
    out = [
        FieldDef(
            "Id", "id", "Record ID", length=18, createable=False, updateable=False, nillable=False
        ),
        *([_ro("IsDeleted", "boolean", label="Deleted")] if deletable else []),
        _ro("CreatedDate", "datetime", label="Created Date"),
        _ref("CreatedById", ("User",), "CreatedBy", writable=False),
        _ro("LastModifiedDate", "datetime", label="Last Modified Date"),
        _ref("LastModifiedById", ("User",), "LastModifiedBy", writable=False),
        _ro("SystemModstamp", "datetime", label="System Modstamp"),
    ]
    if owned:
        out.append(_ref("OwnerId", ("User",), "Owner"))
    return out


def _custom(
    name: str, kind: str, label: str, length: int = 0, picklist: tuple[str, ...] = ()
) -> FieldDef:
    return FieldDef(name, kind, label, length=length, custom=True, picklist=picklist)


def _person_custom() -> list[FieldDef]:
    """Custom fields this org keeps on both Lead and Contact: the first sales activity (set by
    the sales-engagement tool) and the hand-over of a lead to a partner or reseller."""
    return [
        _custom("First_Sales_Activity__c", "datetime", "First Sales Activity"),
        _custom("Partner__c", "string", "Partner", length=80),
        _custom("Partner_Handoff_Date__c", "datetime", "Partner Hand-off Date"),
        _custom(
            "Partner_Status__c", "picklist", "Partner Status", length=255, picklist=PARTNER_STATUSES
        ),
        _custom("Partner_Status_Date__c", "datetime", "Partner Status Date"),
    ]


def _address(prefix: str) -> list[FieldDef]:
    return [
        _s(f"{prefix}Street", 255, kind="textarea"),
        _s(f"{prefix}City", 40),
        _s(f"{prefix}State", 80),
        _s(f"{prefix}PostalCode", 20),
        _s(f"{prefix}Country", 80),
    ]


def _build(name: str, label: str, fields: list[FieldDef]) -> ObjectSchema:
    schema = ObjectSchema(name, label, KEY_PREFIXES[name])
    for f in fields:
        schema.add(f)
    return schema


def standard_objects() -> dict[str, ObjectSchema]:
    """Fresh schemas of all emulated standard objects, keyed by API name."""
    lead = _build(
        "Lead",
        "Lead",
        [
            *_audit(True),
            _s("FirstName", 40),
            _req("LastName", 80),
            _ro("Name", "string", 121, "Full Name"),
            _s("Title", 128),
            _req("Company", 255),
            _s("Email", 80, kind="email"),
            _s("Phone", 40, kind="phone"),
            _s("Website", 255, kind="url"),
            *_address(""),
            _pick(
                "Status",
                LEAD_STATUSES,
                default="Open - Not Contacted",
                restricted=True,
                required=True,
            ),
            _pick("LeadSource", LEAD_SOURCES),
            _pick("Industry", INDUSTRIES),
            _pick("Rating", ("Hot", "Warm", "Cold")),
            _num("NumberOfEmployees", "int", 8),
            _num("AnnualRevenue", "currency", 18),
            _s("Description", 32000, kind="textarea"),
            _ro("IsConverted", "boolean", label="Converted"),
            _ro("ConvertedDate", "date", label="Converted Date"),
            _ref("ConvertedAccountId", ("Account",), "ConvertedAccount", writable=False),
            _ref("ConvertedContactId", ("Contact",), "ConvertedContact", writable=False),
            _ref(
                "ConvertedOpportunityId", ("Opportunity",), "ConvertedOpportunity", writable=False
            ),
            _ro("LastActivityDate", "date", label="Last Activity"),
            FieldDef("Lead_Score__c", "double", "Lead Score", custom=True, precision=18),
            *_person_custom(),
        ],
    )
    contact = _build(
        "Contact",
        "Contact",
        [
            *_audit(True),
            _ref("AccountId", ("Account",), "Account"),
            _s("FirstName", 40),
            _req("LastName", 80),
            _ro("Name", "string", 121, "Full Name"),
            _s("Title", 128),
            _s("Department", 80),
            _s("Email", 80, kind="email"),
            _s("Phone", 40, kind="phone"),
            _s("MobilePhone", 40, kind="phone"),
            *_address("Mailing"),
            _pick("LeadSource", LEAD_SOURCES),
            _ref("ReportsToId", ("Contact",), "ReportsTo"),
            _s("Description", 32000, kind="textarea"),
            _ro("LastActivityDate", "date", label="Last Activity"),
            *_person_custom(),
        ],
    )
    account = _build(
        "Account",
        "Account",
        [
            *_audit(True),
            _req("Name", 255),
            _pick(
                "Type",
                (
                    "Prospect",
                    "Customer - Direct",
                    "Customer - Channel",
                    "Channel Partner / Reseller",
                    "Technology Partner",
                    "Other",
                ),
            ),
            _pick("Industry", INDUSTRIES),
            _s("Website", 255, kind="url"),
            _s("Phone", 40, kind="phone"),
            _num("AnnualRevenue", "currency"),
            _num("NumberOfEmployees", "int", 8),
            *_address("Billing"),
            _ref("ParentId", ("Account",), "Parent"),
            _s("Description", 32000, kind="textarea"),
            _ro("LastActivityDate", "date", label="Last Activity"),
        ],
    )
    opportunity = _build(
        "Opportunity",
        "Opportunity",
        [
            *_audit(True),
            _req("Name", 120),
            _ref("AccountId", ("Account",), "Account"),
            _pick("StageName", STAGES, restricted=True, required=True),
            _num("Amount", "currency"),
            _num("Probability", "percent", 3),
            FieldDef("CloseDate", "date", "Close Date", nillable=False, required=True),
            _ro("IsClosed", "boolean", label="Closed"),
            _ro("IsWon", "boolean", label="Won"),
            FieldDef(
                "ForecastCategory",
                "picklist",
                "Forecast Category",
                length=40,
                picklist=FORECAST,
                createable=False,
                updateable=False,
            ),
            _pick("ForecastCategoryName", FORECAST),
            _pick("Type", ("Existing Business", "New Business")),
            _pick("LeadSource", LEAD_SOURCES),
            _s("NextStep", 255),
            _s("Description", 32000, kind="textarea"),
            _ro("LastStageChangeDate", "datetime", label="Last Stage Change Date"),
            _ro("LastActivityDate", "date", label="Last Activity"),
            _ro("FiscalYear", "int"),
            _ro("FiscalQuarter", "int"),
            _custom("Loss_Reason__c", "picklist", "Loss Reason", length=255, picklist=LOSS_REASONS),
        ],
    )
    ocr = _build(
        "OpportunityContactRole",
        "Contact Role",
        [
            *_audit(False),
            _ref("OpportunityId", ("Opportunity",), "Opportunity", required=True, updateable=False),
            _ref("ContactId", ("Contact",), "Contact", required=True),
            _pick("Role", ROLES),
            FieldDef("IsPrimary", "boolean", "Primary", nillable=False),
        ],
    )
    task = _build(
        "Task",
        "Task",
        [
            *_audit(True),
            _ref("WhoId", ("Contact", "Lead"), "Who"),
            _ref("WhatId", ("Account", "Opportunity"), "What"),
            _s("Subject", 255, kind="combobox"),
            FieldDef("ActivityDate", "date", "Due Date"),
            _pick(
                "Status",
                ("Not Started", "In Progress", "Completed", "Waiting on someone else", "Deferred"),
                default="Not Started",
                restricted=True,
                required=True,
            ),
            _pick("Priority", ("High", "Normal", "Low"), default="Normal", required=True),
            _pick("Type", ("Call", "Email", "Meeting", "Other")),
            _s("Description", 32000, kind="textarea"),
            _ro("IsClosed", "boolean", label="Closed"),
            _ro("CompletedDateTime", "datetime", label="Completed Date/Time"),
        ],
    )
    user = _build(
        "User",
        "User",
        [
            *_audit(False, deletable=False),  # users are deactivated, never deleted
            _req("Username", 80),
            _s("FirstName", 40),
            _req("LastName", 80),
            _ro("Name", "string", 121, "Full Name"),
            _req("Email", 128, "email"),
            _req("Alias", 8),
            FieldDef("IsActive", "boolean", "Active", nillable=False),
            _s("Title", 80),
            _s("Department", 80),
            _ref("ManagerId", ("User",), "Manager"),
            _ro("UserType", "picklist", 40),
            _s("TimeZoneSidKey", 40),
        ],
    )
    return {s.name: s for s in (lead, contact, account, opportunity, ocr, task, user)}


def stage_facts(stage: str) -> tuple[bool, bool, float, str]:
    """(IsClosed, IsWon, default Probability, ForecastCategory) for a stage name."""
    lower = stage.lower()
    if "closed" in lower or lower in ("won", "lost"):
        won = "won" in lower
        return True, won, 100.0 if won else 0.0, "Closed" if won else "Omitted"
    if stage in STAGES:
        index = STAGES.index(stage)
        prob = (10.0, 10.0, 20.0, 50.0, 60.0, 70.0, 75.0, 90.0)[index]
    else:
        prob = 50.0
    return False, False, prob, "Commit" if prob >= 75 else "Pipeline"


def child_relationship(parent: str, name: str) -> tuple[str, str, str] | None:
    """(canonical name, child type, reference field) of a child relationship, or None."""
    for rel, (child, ref) in CHILD_RELATIONSHIPS.get(parent, {}).items():
        if rel.lower() == name.lower():
            return rel, child, ref
    return None
