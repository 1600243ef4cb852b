"""Schema of ``mappings/lifecycle.yaml``: the shared funnel both teams agreed on.

::

    stages:                      # ordered, earliest first
      - name: lead
        when: {field: email, op: is_set}
      - name: mql
        when: {all: [{field: lead_score, op: gte, value: 60}, {field: email, op: is_set}]}
        entered_from: mql_date    # optional canonical datetime field giving the entry time
    recycle:
      - id: nurture
        from: [mql, sal]
        when: {field: sf.Status, op: eq, value: Nurture}
        to: recycled              # default
    disqualify:
      - id: bad_fit
        when: {field: sf.Status, op: eq, value: Unqualified}
    crm_values:
      hubspot:
        contacts: {field: lifecyclestage, values: {mql: marketingqualifiedlead}}
      salesforce:
        Lead: {field: Status, values: {mql: Marketing Qualified}}

The root model is :class:`LifecycleFile`.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from crm_bridge.conditions import Condition
from crm_bridge.model import NATIVE_KINDS, Crm

_STAGE = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Stage(_Strict):
    """A funnel stage: reached when ``when`` holds."""

    name: _STAGE
    when: Condition
    entered_from: str | None = None
    description: str | None = None


class RecycleRule(_Strict):
    """Send a record in one of the ``from`` stages to ``to`` when ``when`` holds."""

    id: str | None = None
    from_: list[_STAGE] = Field(alias="from", min_length=1)
    when: Condition
    to: _STAGE = "recycled"


class DisqualifyRule(_Strict):
    """Put a record in ``to`` (default ``disqualified``) from any stage when ``when`` holds."""

    id: str | None = None
    when: Condition
    to: _STAGE = "disqualified"


class CrmStageField(_Strict):
    """How the shared stage is written to one native object: the field and stage -> value."""

    field: str = Field(min_length=1)
    values: dict[_STAGE, str] = Field(default_factory=dict)


class LifecycleFile(_Strict):
    """Root model of ``mappings/lifecycle.yaml``."""

    stages: list[Stage] = Field(min_length=1)
    recycle: list[RecycleRule] = Field(default_factory=list)
    disqualify: list[DisqualifyRule] = Field(default_factory=list)
    crm_values: dict[Crm, dict[str, CrmStageField]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> LifecycleFile:
        seen: set[str] = set()
        for stage in self.stages:
            if stage.name in seen:
                raise ValueError(f"stage {stage.name!r} is defined twice (names must be unique)")
            seen.add(stage.name)
        for index, rule in enumerate(self.recycle):
            for name in rule.from_:
                if name not in seen and name not in self.outcome_stages:
                    raise ValueError(
                        f"recycle[{index}].from: unknown stage {name!r} "
                        f"(stages: {', '.join(self.stage_names)})"
                    )
        known = set(self.all_stages)
        for crm, objects in self.crm_values.items():
            for obj, spec in objects.items():
                if obj not in NATIVE_KINDS[crm] or NATIVE_KINDS[crm][obj] != "person":
                    people = [o for o, k in NATIVE_KINDS[crm].items() if k == "person"]
                    raise ValueError(
                        f"crm_values.{crm}: {obj!r} is not a person object "
                        f"(expected one of {', '.join(people)})"
                    )
                for name in spec.values:
                    if name not in known:
                        raise ValueError(
                            f"crm_values.{crm}.{obj}.values: unknown stage {name!r} "
                            f"(stages: {', '.join(self.all_stages)})"
                        )
        return self

    @property
    def stage_names(self) -> tuple[str, ...]:
        """The ordered funnel stages."""
        return tuple(s.name for s in self.stages)

    @property
    def outcome_stages(self) -> tuple[str, ...]:
        """Stages reached only through recycle/disqualify rules (e.g. recycled, disqualified)."""
        names = {r.to for r in self.recycle} | {r.to for r in self.disqualify}
        names |= {"recycled", "disqualified"}
        return tuple(sorted(n for n in names if n not in self.stage_names))

    @property
    def all_stages(self) -> tuple[str, ...]:
        """Funnel stages then outcome stages."""
        return self.stage_names + self.outcome_stages
