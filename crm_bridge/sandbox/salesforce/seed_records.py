"""Build a Salesforce org from plain seed descriptions (what ``seed.py`` derives from a World).

Handles the Salesforce side of the data: ids and links, converted leads (lead → contact,
account, opportunity), stage history (``LastStageChangeDate``), contact roles, and tasks (the
first sales touch and the last activity) that set ``LastActivityDate``; the org's custom
fields (first sales activity, partner hand-over, loss reason); audit stamps come from the
described creation/activity times.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from .store import SalesforceStore
from .values import format_datetime


@dataclass(frozen=True, slots=True)
class UserSeed:
    """A sales or marketing rep."""

    key: str
    first_name: str
    last_name: str
    email: str
    title: str | None = None
    department: str | None = None
    active: bool = True


@dataclass(frozen=True, slots=True)
class AccountSeed:
    """A company in Salesforce."""

    key: str
    name: str
    created_at: datetime
    website: str | None = None
    industry: str | None = None
    employees: int | None = None
    annual_revenue: float | None = None
    country: str | None = None
    state: str | None = None
    city: str | None = None
    owner_key: str | None = None


@dataclass(frozen=True, slots=True)
class PersonSeed:
    """A person in Salesforce: a Lead (possibly converted) or a Contact."""

    key: str
    last_name: str
    created_at: datetime
    as_lead: bool
    first_name: str | None = None
    email: str | None = None
    title: str | None = None
    department: str | None = None
    phone: str | None = None
    company_name: str | None = None
    account_key: str | None = None
    lead_source: str | None = None
    lead_score: float | None = None
    lead_status: str | None = None
    rating: str | None = None
    industry: str | None = None
    employees: int | None = None
    converted_at: datetime | None = None
    last_activity_at: datetime | None = None
    modified_at: datetime | None = None
    owner_key: str | None = None
    first_activity_at: datetime | None = None
    partner: str | None = None
    partner_handed_at: datetime | None = None
    partner_status: str | None = None
    partner_status_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class OpportunitySeed:
    """An opportunity with its stage history and contact roles."""

    key: str
    name: str
    stage: str
    close_date: date
    created_at: datetime
    account_key: str | None = None
    amount: float | None = None
    stage_history: tuple[tuple[str, datetime], ...] = ()
    last_activity_at: datetime | None = None
    owner_key: str | None = None
    lead_source: str | None = None
    type: str | None = None
    probability: float | None = None
    roles: tuple[tuple[str, str, bool], ...] = field(default_factory=tuple)
    loss_reason: str | None = None


def _stamp(when: datetime | None) -> str | None:
    return format_datetime(when.replace(microsecond=0)) if when is not None else None


class _Builder:
    def __init__(self, store: SalesforceStore, now: datetime) -> None:
        self.store = store
        self.now = now
        self.users: dict[str, str] = {}
        self.accounts: dict[str, str] = {}
        self.contacts: dict[str, str] = {}
        self.leads: dict[str, str] = {}
        self.account_opps: dict[str, str] = {}
        self.opportunities: dict[str, str] = {}

    def put(
        self,
        sobject: str,
        values: dict[str, Any],
        created: datetime,
        modified: datetime | None = None,
    ) -> str:
        created = min(created, self.now)
        modified = min(max(modified or created, created), self.now)
        clean = {k: v for k, v in values.items() if v is not None}
        record_id = self.store.insert(
            sobject, clean, validate=False, stamp=format_datetime(created.replace(microsecond=0))
        )
        rec = self.store.tables[sobject][record_id]
        rec["LastModifiedDate"] = rec["SystemModstamp"] = format_datetime(
            modified.replace(microsecond=0)
        )
        return record_id

    def owner(self, key: str | None) -> str | None:
        return self.users.get(key) if key else None

    def user(self, u: UserSeed) -> None:
        alias = (u.first_name[:1] + u.last_name[:4]).lower() or "user"
        self.users[u.key] = self.put(
            "User",
            {
                "FirstName": u.first_name,
                "LastName": u.last_name,
                "Email": u.email,
                "Username": u.email,
                "Alias": alias[:8],
                "IsActive": u.active,
                "Title": u.title,
                "Department": u.department,
                "UserType": "Standard",
                "TimeZoneSidKey": "America/New_York",
            },
            self.now,
        )

    def account(self, a: AccountSeed) -> None:
        self.accounts[a.key] = self.put(
            "Account",
            {
                "Name": a.name,
                "Website": a.website,
                "Industry": a.industry,
                "NumberOfEmployees": a.employees,
                "AnnualRevenue": a.annual_revenue,
                "BillingCountry": a.country,
                "BillingState": a.state,
                "BillingCity": a.city,
                "OwnerId": self.owner(a.owner_key),
                "Type": "Prospect",
            },
            a.created_at,
        )

    def person(self, p: PersonSeed) -> None:
        account_id = self.accounts.get(p.account_key) if p.account_key else None
        common = {
            "FirstName": p.first_name,
            "LastName": p.last_name,
            "Email": p.email,
            "Title": p.title,
            "Phone": p.phone,
            "LeadSource": p.lead_source,
            "OwnerId": self.owner(p.owner_key),
            "First_Sales_Activity__c": _stamp(p.first_activity_at),
            "Partner__c": p.partner,
            "Partner_Handoff_Date__c": _stamp(p.partner_handed_at),
            "Partner_Status__c": p.partner_status,
            "Partner_Status_Date__c": _stamp(p.partner_status_at),
        }
        touched = p.modified_at or p.last_activity_at or p.converted_at or p.created_at
        if not p.as_lead or p.converted_at is not None:
            contact_created = p.converted_at or p.created_at
            self.contacts[p.key] = self.put(
                "Contact",
                {**common, "AccountId": account_id, "Department": p.department},
                contact_created,
                touched,
            )
        if not p.as_lead:
            return
        lead: dict[str, Any] = {
            **common,
            "Company": p.company_name or "[not provided]",
            "Status": p.lead_status,
            "Rating": p.rating,
            "Industry": p.industry,
            "NumberOfEmployees": p.employees,
            "Lead_Score__c": p.lead_score,
        }
        if p.converted_at is not None:
            lead.update(
                IsConverted=True,
                Status="Closed - Converted",
                ConvertedDate=p.converted_at.date().isoformat(),
                ConvertedContactId=self.contacts[p.key],
                ConvertedAccountId=account_id,
            )
        self.leads[p.key] = self.put("Lead", lead, p.created_at, touched)

    def opportunity(self, o: OpportunitySeed) -> None:
        history = sorted(o.stage_history, key=lambda h: h[1])
        last_change = history[-1][1] if history else o.created_at
        touched = max([last_change, o.last_activity_at or o.created_at])
        opp_id = self.put(
            "Opportunity",
            {
                "Name": o.name,
                "AccountId": self.accounts.get(o.account_key or ""),
                "StageName": o.stage,
                "Amount": o.amount,
                "CloseDate": o.close_date.isoformat(),
                "OwnerId": self.owner(o.owner_key),
                "LeadSource": o.lead_source,
                "Type": o.type or "New Business",
                "Probability": o.probability,
                "Loss_Reason__c": o.loss_reason,
            },
            o.created_at,
            touched,
        )
        self.store.tables["Opportunity"][opp_id]["LastStageChangeDate"] = format_datetime(
            min(last_change, self.now).replace(microsecond=0)
        )
        self.opportunities[o.key] = opp_id
        if o.account_key:
            self.account_opps.setdefault(o.account_key, opp_id)
        for person_key, role, primary in o.roles:
            contact = self.contacts.get(person_key)
            if contact:
                self.put(
                    "OpportunityContactRole",
                    {
                        "OpportunityId": opp_id,
                        "ContactId": contact,
                        "Role": role,
                        "IsPrimary": primary,
                    },
                    o.created_at,
                )
        if o.last_activity_at is not None:
            self.task(None, opp_id, o.last_activity_at, o.owner_key, "Meeting")

    def task(
        self, who: str | None, what: str | None, when: datetime, owner_key: str | None, kind: str
    ) -> None:
        when = min(when, self.now)
        self.put(
            "Task",
            {
                "WhoId": who,
                "WhatId": what,
                "Subject": f"{kind} follow-up",
                "Type": kind,
                "Status": "Completed",
                "Priority": "Normal",
                "ActivityDate": when.date().isoformat(),
                "OwnerId": self.owner(owner_key),
            },
            when,
        )
        for parent in (who, what):
            found = self.store.find(parent) if parent else None
            if found and "LastActivityDate" in found[1]:
                current = found[1]["LastActivityDate"]
                day = when.date().isoformat()
                if current is None or current < day:
                    found[1]["LastActivityDate"] = day

    def link_conversions(self, people: list[PersonSeed]) -> None:
        for p in people:
            lead_id = self.leads.get(p.key)
            if lead_id and p.converted_at is not None and p.account_key in self.account_opps:
                rec = self.store.tables["Lead"][lead_id]
                rec["ConvertedOpportunityId"] = self.account_opps[p.account_key or ""]


def seed_records(
    store: SalesforceStore,
    now: datetime,
    users: list[UserSeed],
    accounts: list[AccountSeed],
    people: list[PersonSeed],
    opportunities: list[OpportunitySeed],
) -> dict[str, str]:
    """Insert the described records (the store should be freshly reset); returns the
    Salesforce id of each opportunity by its key."""
    b = _Builder(store, now)
    for schema_name, picklist, values in (
        ("Lead", "Status", [p.lead_status for p in people if p.lead_status]),
        ("Lead", "LeadSource", [p.lead_source for p in people if p.lead_source]),
        ("Contact", "LeadSource", [p.lead_source for p in people if p.lead_source]),
        ("Lead", "Industry", [a.industry for a in accounts if a.industry]),
        ("Account", "Industry", [a.industry for a in accounts if a.industry]),
        (
            "Opportunity",
            "StageName",
            [o.stage for o in opportunities]
            + [s for o in opportunities for s, _ in o.stage_history],
        ),
        ("OpportunityContactRole", "Role", [r for o in opportunities for _, r, _ in o.roles]),
        ("Opportunity", "Type", [o.type for o in opportunities if o.type]),
        ("Opportunity", "LeadSource", [o.lead_source for o in opportunities if o.lead_source]),
        ("Opportunity", "Loss_Reason__c", [o.loss_reason for o in opportunities if o.loss_reason]),
        ("Lead", "Partner_Status__c", [p.partner_status for p in people if p.partner_status]),
        ("Contact", "Partner_Status__c", [p.partner_status for p in people if p.partner_status]),
    ):
        store.schemas[schema_name].extend_picklist(picklist, values)
    for u in users:
        b.user(u)
    for a in accounts:
        b.account(a)
    for p in people:
        b.person(p)
    for o in opportunities:
        b.opportunity(o)
    b.link_conversions(people)
    for p in people:
        who = b.contacts.get(p.key) or b.leads.get(p.key)
        what = b.accounts.get(p.account_key) if p.account_key and p.key in b.contacts else None
        if p.first_activity_at is not None and p.first_activity_at != p.last_activity_at:
            b.task(who, what, p.first_activity_at, p.owner_key, "Email")
        if p.last_activity_at is not None:
            b.task(who, what, p.last_activity_at, p.owner_key, "Call")
    return b.opportunities
