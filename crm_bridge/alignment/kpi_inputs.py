"""Typed inputs of the KPI functions in :mod:`crm_bridge.alignment.kpis`.

The pipeline (or the report) builds one :class:`LeadFacts` per person and one
:class:`DealFacts` per opportunity, either directly or from canonical records with
:func:`lead_facts` and :func:`deal_facts`, which read these canonical fields:

- person: ``owner``, ``team``, ``lead_source``
- opportunity: ``stage``, ``amount``, ``is_closed``, ``is_won``, ``owner``, ``team``,
  ``lead_source``, ``first_touch``, ``loss_reason``
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from crm_bridge.model import Canonical, RecordRef, Value


@dataclass(frozen=True, slots=True)
class Owner:
    """Who owns a record, for grouping KPIs: the owner (name or id) and the team."""

    owner: str | None = None
    team: str | None = None


@dataclass(frozen=True, slots=True)
class LeadFacts:
    """A person's funnel history: each lifecycle stage reached and when it was entered."""

    ref: RecordRef
    stages: Mapping[str, datetime]
    owner: Owner = field(default_factory=Owner)
    lead_source: str | None = None


@dataclass(frozen=True, slots=True)
class DealFacts:
    """An opportunity as the KPIs need it; ``contacts`` are the people on the deal."""

    ref: RecordRef
    stage: str | None
    amount: float
    is_closed: bool
    is_won: bool
    owner: Owner = field(default_factory=Owner)
    lead_source: str | None = None
    first_touch: str | None = None
    loss_reason: str | None = None
    contacts: tuple[RecordRef, ...] = ()

    @property
    def is_open(self) -> bool:
        return not self.is_closed

    @property
    def is_lost(self) -> bool:
        return self.is_closed and not self.is_won


def _text(value: Value) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def _amount(value: Value) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return 0.0
    try:
        return float(value)
    except ValueError:
        return 0.0


def owner_of(record: Canonical) -> Owner:
    """The canonical ``owner`` and ``team`` of a record."""
    return Owner(owner=_text(record.get("owner")), team=_text(record.get("team")))


def lead_facts(person: Canonical, stages: Mapping[str, datetime]) -> LeadFacts:
    """:class:`LeadFacts` of a canonical person and its lifecycle stage entry times."""
    return LeadFacts(
        ref=person.ref,
        stages=stages,
        owner=owner_of(person),
        lead_source=_text(person.get("lead_source")),
    )


def deal_facts(opportunity: Canonical, contacts: Iterable[RecordRef] = ()) -> DealFacts:
    """:class:`DealFacts` of a canonical opportunity and the people on it."""
    return DealFacts(
        ref=opportunity.ref,
        stage=_text(opportunity.get("stage")),
        amount=_amount(opportunity.get("amount")),
        is_closed=bool(opportunity.get("is_closed")),
        is_won=bool(opportunity.get("is_won")),
        owner=owner_of(opportunity),
        lead_source=_text(opportunity.get("lead_source")),
        first_touch=_text(opportunity.get("first_touch")),
        loss_reason=_text(opportunity.get("loss_reason")),
        contacts=tuple(contacts),
    )
