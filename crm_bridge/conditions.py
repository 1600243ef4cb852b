"""The structured condition schema shared by lifecycle, SLA, stall and persona rules.

A condition is one of::

    {field: lead_score, op: gte, value: 60}      # a leaf
    {all: [<condition>, ...]}                     # every one holds
    {any: [<condition>, ...]}                     # at least one holds
    {not: <condition>}                            # negation

There is no expression language and no ``eval``: operators come from :data:`OPERATORS`.
``field`` names a canonical field (``lead_score``) or a native one (``sf.Status``,
``hs.lifecyclestage``). ``older_than`` / ``newer_than`` take a duration such as ``30m``,
``4h``, ``5d`` or ``2w`` and compare a datetime field with the evaluation time.
Compilation into callables lives in :mod:`crm_bridge.mapping.compile`.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any, Literal, TypeAlias

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

Operator: TypeAlias = Literal[
    "eq",
    "ne",
    "in",
    "not_in",
    "gt",
    "gte",
    "lt",
    "lte",
    "contains",
    "matches",
    "is_set",
    "is_empty",
    "older_than",
    "newer_than",
]
OPERATORS: tuple[str, ...] = Operator.__args__  # type: ignore[attr-defined]

_LIST_OPS = {"in", "not_in"}
_NO_VALUE_OPS = {"is_set", "is_empty"}
_DURATION_OPS = {"older_than", "newer_than"}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}

Scalar: TypeAlias = str | int | float | bool | None


def parse_duration(text: str) -> timedelta:
    """``'90m'`` -> 90 minutes. Units: s, m, h, d, w. Raises ``ValueError`` otherwise."""
    m = _DURATION.match(str(text))
    if not m:
        raise ValueError(f"expected a duration such as 30m, 4h, 5d or 2w, found {text!r}")
    return timedelta(seconds=float(m.group(1)) * _UNITS[m.group(2)])


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldCondition(_Strict):
    """A leaf: compare one field with a value."""

    field: Annotated[str, Field(min_length=1)]
    op: Operator
    value: Scalar | list[Scalar] = None

    @model_validator(mode="after")
    def _check_value(self) -> FieldCondition:
        if self.op in _LIST_OPS:
            if not isinstance(self.value, list):
                raise ValueError(f"op '{self.op}' expects a list as value, found {self.value!r}")
        elif self.op in _NO_VALUE_OPS:
            if self.value is not None:
                raise ValueError(f"op '{self.op}' takes no value, found {self.value!r}")
        elif self.op in _DURATION_OPS:
            parse_duration(str(self.value))
        elif isinstance(self.value, list):
            raise ValueError(f"op '{self.op}' expects a single value, found a list")
        elif self.value is None:
            raise ValueError(f"op '{self.op}' needs a value")
        if self.op == "matches":
            try:
                re.compile(str(self.value))
            except re.error as exc:
                raise ValueError(f"'matches' needs a valid regular expression: {exc}") from exc
        return self


class AllOf(_Strict):
    """Every condition holds (an empty list holds)."""

    all: list[Condition]


class AnyOf(_Strict):
    """At least one condition holds (an empty list does not)."""

    any: list[Condition]


class NotOf(_Strict):
    """The condition does not hold."""

    not_: Condition = Field(alias="not")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _kind(value: Any) -> str | None:
    if isinstance(value, BaseModel):
        kinds: dict[type[BaseModel], str] = {AllOf: "all", AnyOf: "any", NotOf: "not"}
        return kinds.get(type(value), "leaf")
    if isinstance(value, dict):
        for key in ("all", "any", "not"):
            if key in value:
                return key
        return "leaf"
    return None


Condition: TypeAlias = Annotated[
    Annotated[AllOf, Tag("all")]
    | Annotated[AnyOf, Tag("any")]
    | Annotated[NotOf, Tag("not")]
    | Annotated[FieldCondition, Tag("leaf")],
    Discriminator(
        _kind,
        custom_error_type="condition",
        custom_error_message=(
            "expected a condition: {field, op, value} or one of {all: [...]}, {any: [...]}, "
            "{not: ...}"
        ),
    ),
]

AllOf.model_rebuild()
AnyOf.model_rebuild()
NotOf.model_rebuild()


class _Holder(BaseModel):
    when: Condition


def parse_condition(data: Any) -> Condition:
    """Validate plain data (from YAML) into a :data:`Condition`."""
    return _Holder.model_validate({"when": data}).when
