"""Buying-committee coverage of one opportunity.

Each person on the deal (Salesforce OpportunityContactRole, HubSpot deal-contact association
with its label) gets buying roles: the CRM role label, mapped through ``committee.role_labels``
in ``mappings/alignment.yaml`` (a label that already is a role name, e.g. ``decision_maker`` or
``Decision maker``, maps to itself), overrides the person's default role from the persona
rules. The result says which required roles are covered, which are missing, how many stallers
are involved and whether a decision maker is engaged (recent activity, or primary contact).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal, get_args

from crm_bridge.config.alignment import CommitteeConfig, CommitteeRole
from crm_bridge.model import BuyingRole, ContactRole, RecordRef, Value

ROLES: tuple[str, ...] = get_args(CommitteeRole)
#: Canonical names of the fields :meth:`CommitteeResult.fields` produces.
COMMITTEE_FIELDS: tuple[str, ...] = (
    "committee_coverage",
    "committee_missing",
    "committee_size",
    "committee_stallers",
    "decision_maker_engaged",
)


@dataclass(frozen=True, slots=True)
class CommitteeMember:
    """One person on the deal with the roles they play and where the roles came from."""

    person: RecordRef
    roles: tuple[CommitteeRole, ...]
    source: Literal["crm", "persona", "none"]
    is_primary: bool
    last_activity_at: datetime | None
    engaged: bool


@dataclass(frozen=True, slots=True)
class CommitteeResult:
    """Committee coverage of one opportunity."""

    opportunity: RecordRef
    members: tuple[CommitteeMember, ...]
    counts: Mapping[CommitteeRole, int]
    required: Mapping[CommitteeRole, int]
    missing: tuple[CommitteeRole, ...]
    coverage_pct: int
    stallers: int
    decision_maker_engaged: bool

    @property
    def complete(self) -> bool:
        """True when every required role is covered."""
        return not self.missing

    def fields(self) -> dict[str, Value]:
        """Alignment field values for the opportunity."""
        return {
            "committee_coverage": self.coverage_pct,
            "committee_missing": ", ".join(self.missing) or None,
            "committee_size": len(self.members),
            "committee_stallers": self.stallers,
            "decision_maker_engaged": self.decision_maker_engaged,
        }


def role_of_label(config: CommitteeConfig, label: str | None) -> CommitteeRole | None:
    """The buying role a CRM role label stands for, or ``None`` when unknown or empty."""
    role = config.role_for_label(label)
    if role is not None or not label:
        return role
    key = label.strip().casefold().replace(" ", "_").replace("-", "_")
    for name in ROLES:
        if key == name:
            return name  # type: ignore[return-value]
    return None


def assess_committee(
    config: CommitteeConfig,
    opportunity: RecordRef,
    contact_roles: Sequence[ContactRole],
    *,
    persona_roles: Mapping[RecordRef, BuyingRole | None],
    last_activity: Mapping[RecordRef, datetime | None],
    now: datetime,
    amount: float | None = None,
) -> CommitteeResult:
    """Committee coverage of ``opportunity`` from its contact roles (others are ignored),
    each person's default role from personas and each person's last activity time."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    now = now.astimezone(UTC)
    window = timedelta(days=config.engaged_within_days)
    labels: dict[RecordRef, list[CommitteeRole]] = {}
    primary: dict[RecordRef, bool] = {}
    for cr in contact_roles:
        if cr.opportunity != opportunity:
            continue
        roles = labels.setdefault(cr.person, [])
        primary[cr.person] = primary.get(cr.person, False) or cr.is_primary
        role = role_of_label(config, cr.role)
        if role is not None and role not in roles:
            roles.append(role)
    members: list[CommitteeMember] = []
    counts: dict[CommitteeRole, int] = dict.fromkeys(ROLES, 0)  # type: ignore[arg-type]
    for person in sorted(labels):
        roles = labels[person]
        source: Literal["crm", "persona", "none"] = "crm"
        if not roles:
            default = persona_roles.get(person)
            if default is not None and default in ROLES:
                roles, source = [default], "persona"  # type: ignore[list-item]
            else:
                source = "none"
        seen = last_activity.get(person)
        recent = seen is not None and now - seen.astimezone(UTC) <= window
        engaged = recent or (config.primary_counts_as_engaged and primary[person])
        for role in roles:
            counts[role] += 1
        members.append(
            CommitteeMember(
                person=person,
                roles=tuple(roles),
                source=source,
                is_primary=primary[person],
                last_activity_at=seen,
                engaged=engaged,
            )
        )
    required = config.required_for(amount)
    missing = tuple(role for role, need in required.items() if counts[role] < need)
    need_total = sum(required.values())
    have_total = sum(min(counts[role], need) for role, need in required.items())
    return CommitteeResult(
        opportunity=opportunity,
        members=tuple(members),
        counts=counts,
        required=required,
        missing=missing,
        coverage_pct=round(100 * have_total / need_total) if need_total else 100,
        stallers=counts["staller"],
        decision_maker_engaged=any(m.engaged and "decision_maker" in m.roles for m in members),
    )
