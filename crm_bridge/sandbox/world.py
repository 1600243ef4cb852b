"""The shape of the sandbox's generated B2B world: plain frozen dataclasses, no behaviour.

A `World` is CRM-neutral. Each CRM package seeds its store from it (``store.seed(world)``):

- ``users``: sales, marketing and customer-success reps; every user exists in both CRMs
  (Salesforce User with its ``Department``, HubSpot owner with its team). Sales reps sit in
  SDR teams (they own leads), AE teams (accounts and deals) or the partner desk (leads handed
  to partners).
- ``companies``: accounts with domain, industry, size; ``in_salesforce`` / ``in_hubspot`` say
  where the company exists.
- ``people``: one entry per *record-producing person*. ``salesforce`` / ``hubspot`` hold the
  person's copy in that CRM (``None`` when absent). The two copies differ realistically
  (email case, missing fields, stale title) — read the values from the copy's ``fields``,
  never from the neutral person. A duplicate inside one CRM is its own `Person` with
  ``duplicate_of`` set to the original's id and presence in exactly one CRM.
  A person MQL'd in the past usually has a first sales touch shortly after (written as the
  first-activity date in both CRMs); about 5 % were handed to a partner or reseller
  (`PartnerHandover`).
- ``opportunities``: deals with a stage index into `OPPORTUNITY_STAGES`, stage history, last
  activity, contact roles and, when lost, usually a loss reason (`LOSS_REASONS`).

All datetimes are timezone-aware UTC. Ids are stable strings (``u0001``, ``c000001``,
``p000001``, ``o000001``) meant as seed keys, not CRM ids. `generate_world` (in
``crm_bridge.sandbox.generate``) is deterministic for ``(people, seed, now)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

Team = Literal["sales", "marketing", "customer_success"]
SalesforceKind = Literal["lead", "contact"]
ContactRoleName = Literal[
    "Decision Maker",
    "Economic Buyer",
    "Technical Buyer",
    "Evaluator",
    "Executive Sponsor",
    "Influencer",
    "Other",
]


@dataclass(frozen=True, slots=True)
class Stage:
    """One opportunity stage shared by both CRMs (Salesforce StageName, HubSpot dealstage id)."""

    salesforce: str
    hubspot: str
    probability: float
    is_closed: bool
    is_won: bool


OPPORTUNITY_STAGES: tuple[Stage, ...] = (
    Stage("Prospecting", "appointmentscheduled", 0.1, False, False),
    Stage("Qualification", "qualifiedtobuy", 0.2, False, False),
    Stage("Needs Analysis", "presentationscheduled", 0.4, False, False),
    Stage("Id. Decision Makers", "decisionmakerboughtin", 0.6, False, False),
    Stage("Negotiation/Review", "contractsent", 0.9, False, False),
    Stage("Closed Won", "closedwon", 1.0, True, True),
    Stage("Closed Lost", "closedlost", 0.0, True, False),
)
"""The shared stage list; `Opportunity.stage` and stage history entries index into it."""

LEAD_STATUSES: tuple[str, ...] = (
    "Open - Not Contacted",
    "Working - Contacted",
    "Nurture",
    "Closed - Converted",
    "Closed - Not Converted",
)
"""Salesforce Lead.Status values the generator uses (``Closed - Converted`` = converted)."""

LIFECYCLE_STAGES: tuple[str, ...] = (
    "subscriber",
    "lead",
    "marketingqualifiedlead",
    "salesqualifiedlead",
    "opportunity",
    "customer",
    "evangelist",
    "other",
)
"""HubSpot ``lifecyclestage`` internal values."""

HS_LEAD_STATUSES: tuple[str, ...] = (
    "NEW",
    "OPEN",
    "IN_PROGRESS",
    "ATTEMPTED_TO_CONTACT",
    "CONNECTED",
    "OPEN_DEAL",
    "UNQUALIFIED",
    "BAD_TIMING",
)
"""HubSpot ``hs_lead_status`` values."""


@dataclass(frozen=True, slots=True)
class LossReason:
    """Why a deal was lost, as each CRM records it (Salesforce picklist ``Loss_Reason__c``,
    HubSpot's free-text ``closed_lost_reason``)."""

    key: str
    salesforce: str
    hubspot: str
    weight: int


LOSS_REASONS: tuple[LossReason, ...] = (
    LossReason("no_decision", "No Decision / Non-Responsive", "No decision", 34),
    LossReason("competitor", "Lost to Competitor", "Chose a competitor", 22),
    LossReason("price", "Price", "Price too high", 18),
    LossReason("timing", "Timing", "Bad timing", 14),
    LossReason("product_fit", "Product Fit", "Missing features", 12),
)
"""Loss reasons of closed-lost deals; `Opportunity.loss_reason` holds a ``key``."""

PARTNERS: tuple[str, ...] = (
    "Northwind Solutions",
    "Summit Channel Partners",
    "Brightpath Consulting",
    "Keystone Resellers",
)
"""Partners and resellers that leads are handed to."""

PARTNER_STATUSES: tuple[str, ...] = (
    "Accepted", "Working", "Converted", "Closed Won", "Returned", "Rejected", "Lost",
)  # fmt: skip
"""The partner's answer on a handed-over lead (Salesforce ``Partner_Status__c`` picklist,
HubSpot ``partner_status`` enumeration)."""


@dataclass(frozen=True, slots=True)
class User:
    """A rep who owns records; present in both CRMs (Salesforce User, HubSpot owner)."""

    id: str
    first_name: str
    last_name: str
    email: str
    team: Team
    title: str
    timezone: str
    active: bool = True
    department: str = "Sales"
    """The rep's team (``SDR East``, ``AE Enterprise``, ``Partner desk``, ``Marketing``…)."""


@dataclass(frozen=True, slots=True)
class Company:
    """A customer or prospect company."""

    id: str
    name: str
    domain: str
    industry: str
    employees: int
    annual_revenue: int
    country: str
    state: str | None
    city: str
    phone: str
    owner_id: str
    created_at: datetime
    in_salesforce: bool
    in_hubspot: bool


@dataclass(frozen=True, slots=True)
class PersonFields:
    """The field values one CRM holds for a person (may differ from the other CRM's copy)."""

    first_name: str | None
    last_name: str
    email: str | None
    title: str | None
    department: str | None
    phone: str | None
    company_name: str | None
    lead_score: int | None


@dataclass(frozen=True, slots=True)
class SalesforcePerson:
    """A person's presence in Salesforce.

    ``kind == "lead"``: a Lead with ``lead_status``; when ``converted_at`` is set the lead is
    converted (``Status = "Closed - Converted"``, ``IsConverted``) and the seeder also creates
    the Contact (in the person's company account) that it converted into.
    ``kind == "contact"``: a Contact on the company's Account, no Lead.
    """

    kind: SalesforceKind
    lead_status: str | None
    converted_at: datetime | None
    fields: PersonFields
    modified_at: datetime


@dataclass(frozen=True, slots=True)
class HubSpotPerson:
    """A person's presence in HubSpot as a contact.

    ``lifecycle_history`` lists ``(lifecyclestage, entered_at)`` in order, ending with the
    current ``lifecyclestage`` (for ``hs_v2_date_entered_*``).
    """

    lifecyclestage: str
    lead_status: str | None
    lifecycle_history: tuple[tuple[str, datetime], ...]
    fields: PersonFields
    modified_at: datetime


@dataclass(frozen=True, slots=True)
class PartnerHandover:
    """A lead handed to a partner: who, when, and the partner's answer (``None``: none yet)."""

    partner: str
    handed_at: datetime
    status: str | None = None
    status_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Person:
    """A person at a company, and where (and how) each CRM holds them.

    Neutral fields are the "truth"; per-CRM copies hold what that CRM actually has.
    ``lead_source`` uses Salesforce picklist values (Web, Phone Inquiry, Partner Referral,
    Purchased List, Trade Show, Webinar, Employee Referral, Advertisement, Other);
    ``analytics_source`` uses HubSpot ``hs_analytics_source`` values (ORGANIC_SEARCH, …).
    ``true_function`` / ``true_seniority`` are the persona labels the title was drawn from
    (``unknown`` for junk titles) — ground truth for persona-classifier checks.
    ``mql_at`` is when the person became marketing-qualified (HubSpot's MQL entry date when
    HubSpot holds the person), ``first_sales_touch_at`` the first sales activity after it
    (both CRMs record it), ``partner`` the hand-over to a partner, if any.
    """

    id: str
    first_name: str
    last_name: str
    email: str
    title: str
    department: str | None
    phone: str | None
    company_id: str
    lead_source: str
    analytics_source: str
    lead_score: int
    created_at: datetime
    last_activity_at: datetime | None
    mql_at: datetime | None
    first_sales_touch_at: datetime | None
    owner_id: str
    salesforce: SalesforcePerson | None
    hubspot: HubSpotPerson | None
    duplicate_of: str | None = None
    true_function: str = "unknown"
    true_seniority: str = "unknown"
    partner: PartnerHandover | None = None


@dataclass(frozen=True, slots=True)
class ContactRole:
    """A person's role on an opportunity (Salesforce OpportunityContactRole / HubSpot label)."""

    person_id: str
    role: ContactRoleName
    is_primary: bool


@dataclass(frozen=True, slots=True)
class Opportunity:
    """A deal. ``stage`` and ``stage_history`` entries index into `OPPORTUNITY_STAGES`;
    ``loss_reason`` is a `LOSS_REASONS` key (lost deals only, ``None`` when the rep gave none)."""

    id: str
    name: str
    company_id: str
    owner_id: str
    amount: int
    stage: int
    close_date: date
    created_at: datetime
    stage_history: tuple[tuple[int, datetime], ...]
    last_activity_at: datetime | None
    contact_roles: tuple[ContactRole, ...]
    lead_source: str
    type: str
    in_salesforce: bool
    in_hubspot: bool
    loss_reason: str | None = None

    @property
    def last_stage_change_at(self) -> datetime:
        """When the current stage was entered."""
        return self.stage_history[-1][1]


@dataclass(frozen=True, slots=True)
class World:
    """Everything the generator made, for seeding both CRM stores."""

    seed: int
    now: datetime
    users: tuple[User, ...]
    companies: tuple[Company, ...]
    people: tuple[Person, ...]
    opportunities: tuple[Opportunity, ...]


def loss_reason(key: str | None) -> LossReason | None:
    """The `LossReason` with this key (``None`` for ``None`` or an unknown key)."""
    return next((r for r in LOSS_REASONS if r.key == key), None)


def generate_world(people: int, seed: int, now: datetime) -> World:
    """Generate a deterministic world (see ``crm_bridge.sandbox.generate``)."""
    from crm_bridge.sandbox.generate import generate

    return generate(people, seed, now)
