"""Schema of ``mappings/alignment.yaml``: stalled-deal thresholds and buying-committee rules.

::

    stalls:
      default: {no_stage_change_days: 30, no_activity_days: 14}
      stages:
        Proposal: {no_stage_change_days: 30, no_activity_days: 14}
      marketing_assist:
        min_amount: 25000
        when: {field: account_tier, op: in, value: [Enterprise]}
    committee:
      role_labels: {Decision Maker: decision_maker, Evaluator: influencer}
      required: {decision_maker: 1, champion: 1}
      bands:
        - {min_amount: 100000, required: {decision_maker: 1, champion: 1, influencer: 1}}
      engaged_within_days: 30

The root model is :class:`AlignmentFile`. Stage names and role labels are matched
case-insensitively.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeAlias

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from crm_bridge.conditions import Condition

CommitteeRole: TypeAlias = Literal[
    "decision_maker", "champion", "influencer", "blocker", "staller", "user"
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StallThreshold(_Strict):
    """An opportunity in the stage is stalled when its stage has not changed for more than
    ``no_stage_change_days`` **and** it has had no activity for more than ``no_activity_days``."""

    no_stage_change_days: int = Field(ge=1)
    no_activity_days: int = Field(ge=1)


class MarketingAssist(_Strict):
    """Which stalled deals marketing is asked to help with: amount at least ``min_amount``,
    stalled at least ``min_days_stalled`` days, and ``when`` (optional) holds."""

    min_amount: float = 0
    min_days_stalled: int = Field(default=0, ge=0)
    when: Condition | None = None


class StallConfig(_Strict):
    """Stall thresholds per opportunity stage, with a default for stages not listed."""

    default: StallThreshold
    stages: dict[str, StallThreshold] = Field(default_factory=dict)
    ignore_stages: list[str] = Field(default_factory=list)
    marketing_assist: MarketingAssist | None = None

    @field_validator("stages")
    @classmethod
    def _unique(cls, value: dict[str, StallThreshold]) -> dict[str, StallThreshold]:
        folded = [k.casefold() for k in value]
        if len(set(folded)) != len(folded):
            raise ValueError("a stage is listed twice (stage names are case-insensitive)")
        return value

    def threshold(self, stage: str | None) -> StallThreshold:
        """The threshold of ``stage`` (case-insensitive), else the default."""
        if stage is not None:
            key = stage.casefold()
            for name, threshold in self.stages.items():
                if name.casefold() == key:
                    return threshold
        return self.default

    def ignored(self, stage: str | None) -> bool:
        """True when ``stage`` is never flagged as stalled."""
        return stage is not None and stage.casefold() in {s.casefold() for s in self.ignore_stages}


class SizeBand(_Strict):
    """Required roles for deals of at least ``min_amount``."""

    min_amount: float = Field(ge=0)
    required: dict[CommitteeRole, int]


def _check_counts(value: Mapping[CommitteeRole, int]) -> None:
    if not value:
        raise ValueError("list at least one required role, e.g. {decision_maker: 1}")
    for role, count in value.items():
        if count < 1:
            raise ValueError(f"required count of {role} must be at least 1, found {count}")


def _default_required() -> dict[CommitteeRole, int]:
    return {"decision_maker": 1, "champion": 1}


class CommitteeConfig(_Strict):
    """Buying-committee rules: CRM role labels → buying roles, required roles, engagement."""

    role_labels: dict[str, CommitteeRole] = Field(default_factory=dict)
    required: dict[CommitteeRole, int] = Field(default_factory=_default_required)
    bands: list[SizeBand] = Field(default_factory=list)
    engaged_within_days: int = Field(default=30, ge=1)
    primary_counts_as_engaged: bool = True

    @field_validator("required")
    @classmethod
    def _required(cls, value: dict[CommitteeRole, int]) -> dict[CommitteeRole, int]:
        _check_counts(value)
        return value

    @field_validator("bands")
    @classmethod
    def _bands(cls, value: list[SizeBand]) -> list[SizeBand]:
        for band in value:
            _check_counts(band.required)
        amounts = [b.min_amount for b in value]
        if len(set(amounts)) != len(amounts):
            raise ValueError("two size bands have the same min_amount")
        return sorted(value, key=lambda b: b.min_amount)

    @field_validator("role_labels")
    @classmethod
    def _labels(cls, value: dict[str, str]) -> dict[str, str]:
        folded = [k.strip().casefold() for k in value]
        if len(set(folded)) != len(folded):
            raise ValueError("a role label is listed twice (labels are case-insensitive)")
        return value

    def required_for(self, amount: float | None) -> dict[CommitteeRole, int]:
        """Required roles for a deal of ``amount``: the largest band it reaches, else default."""
        chosen = dict(self.required)
        if amount is not None:
            for band in self.bands:
                if amount >= band.min_amount:
                    chosen = dict(band.required)
        return chosen

    def role_for_label(self, label: str | None) -> CommitteeRole | None:
        """The buying role a CRM contact-role label means, or ``None`` when unmapped."""
        if not label:
            return None
        key = label.strip().casefold()
        for name, role in self.role_labels.items():
            if name.strip().casefold() == key:
                return role
        return None


class AlignmentFile(_Strict):
    """Root model of ``mappings/alignment.yaml``."""

    stalls: StallConfig
    committee: CommitteeConfig = Field(default_factory=CommitteeConfig)

    @model_validator(mode="before")
    @classmethod
    def _not_empty(cls, data: Any) -> Any:
        if data is None:
            raise ValueError("alignment.yaml is empty: it needs at least a 'stalls' section")
        return data
