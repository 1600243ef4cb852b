"""Two-way field resolution between the linked Salesforce and HubSpot copies of a record.

For a field mapped on both sides, each side has its current value and the value crm-bridge
last wrote there (if any). A side whose current value equals what crm-bridge last wrote has
not been changed by a person since: its value is crm-bridge's own echo and never wins over
a real edit on the other side. When both sides were edited (or neither was ever written),
the field's conflict policy decides:

- ``salesforce`` / ``hubspot``: that CRM wins;
- ``newest``: the side whose record was modified last wins (ties go to Salesforce);
- ``furthest``: the value furthest along an ordered list wins (lifecycle stages).

An empty value never overwrites a filled one unless the policy names that side explicitly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, TypeAlias

from crm_bridge.jobs.values import is_empty, same_value
from crm_bridge.model import Crm, Value

Policy: TypeAlias = Literal["salesforce", "hubspot", "newest", "furthest"]
POLICIES: tuple[str, ...] = ("salesforce", "hubspot", "newest", "furthest")


class _Missing:
    """Marks "crm-bridge never wrote this field" (distinct from having written ``None``)."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NEVER_WRITTEN"


NEVER_WRITTEN = _Missing()


@dataclass(frozen=True, slots=True)
class Side:
    """One CRM's view of a field: current value, last value crm-bridge wrote, record time."""

    crm: Crm
    value: Value
    last_written: Value | _Missing
    modified_at: datetime

    @property
    def echo(self) -> bool:
        """True when the current value is what crm-bridge itself wrote last."""
        return not isinstance(self.last_written, _Missing) and _same(self.value, self.last_written)


@dataclass(frozen=True, slots=True)
class Resolution:
    """The value both sides should hold, which side it came from, and why."""

    value: Value
    winner: Crm | None
    reason: str


def _same(a: Value | _Missing, b: Value | _Missing) -> bool:
    if isinstance(a, _Missing) or isinstance(b, _Missing):
        return a is b
    return same_value(a, b)


def resolve(
    field: str,
    sf: Side,
    hs: Side,
    policy: Policy,
    order: Mapping[str, int] | None = None,
) -> Resolution:
    """Decide the shared value of ``field`` from the two sides.

    ``order`` ranks values for the ``furthest`` policy (unknown values rank lowest).
    """
    if _same(sf.value, hs.value):
        return Resolution(sf.value, None, "in sync")
    if is_empty(sf.value) != is_empty(hs.value) and policy not in ("salesforce", "hubspot"):
        filled = hs if is_empty(sf.value) else sf
        return Resolution(filled.value, filled.crm, f"{field} empty in the other CRM")
    if sf.echo and not hs.echo:
        return Resolution(hs.value, "hubspot", f"{field} changed in hubspot")
    if hs.echo and not sf.echo:
        return Resolution(sf.value, "salesforce", f"{field} changed in salesforce")
    both = "changed in both CRMs" if sf.echo is hs.echo and sf.echo is False else "differs"
    winner = _by_policy(sf, hs, policy, order or {})
    return Resolution(winner.value, winner.crm, f"{field} {both}; policy {policy}")


def _by_policy(sf: Side, hs: Side, policy: Policy, order: Mapping[str, int]) -> Side:
    if policy == "salesforce":
        return sf
    if policy == "hubspot":
        return hs
    if policy == "newest":
        return hs if hs.modified_at > sf.modified_at else sf
    rank_sf = order.get(str(sf.value), -1) if sf.value is not None else -1
    rank_hs = order.get(str(hs.value), -1) if hs.value is not None else -1
    return hs if rank_hs > rank_sf else sf


def stage_order(stages: Sequence[str]) -> dict[str, int]:
    """Rank stage names for the ``furthest`` policy (later in the list = further)."""
    return {name: i for i, name in enumerate(stages)}
