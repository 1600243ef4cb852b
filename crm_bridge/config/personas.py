"""Schema of ``mappings/personas.yaml``: title rules, personas and contact-role labels.

::

    rules:                        # ordered; for each tag the first rule that sets it wins
      - id: cfo
        keywords: [chief financial officer, finance director]   # whole words, normalised
        exclude: [assistant to]
        regex: null               # optional, searched in the normalised title
        function: finance
        seniority: c_level
    personas:                     # ordered; first whose filters match
      - id: economic_buyer_finance
        name: Economic buyer — Finance
        function: [finance]
        seniority: [c_level, vp, director]
        buying_role: decision_maker
    default_buying_role: {c_level: decision_maker, vp: decision_maker, individual_contributor: user}
    contact_roles:
      salesforce: {Decision Maker: decision_maker, Evaluator: influencer}
      hubspot: {Champion: champion, Gatekeeper: staller}

Keywords and titles are normalised the same way (lower case, accents and punctuation removed,
abbreviations such as VP, Sr., Mgr and CxO expanded, common French/German/Spanish words
translated) before matching. The root model is :class:`PersonasFile`.
"""

from __future__ import annotations

import re
from typing import Literal, TypeAlias

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from crm_bridge.model import Crm

Function: TypeAlias = Literal[
    "general_management",
    "finance",
    "it",
    "engineering",
    "product",
    "marketing",
    "sales",
    "customer_success",
    "operations",
    "hr",
    "legal",
    "procurement",
    "unknown",
]
Seniority: TypeAlias = Literal[
    "c_level", "vp", "director", "manager", "individual_contributor", "unknown"
]
Role: TypeAlias = Literal["decision_maker", "champion", "influencer", "blocker", "staller", "user"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TitleRule(_Strict):
    """Sets function and/or seniority (and optionally a buying role) when the title matches."""

    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    keywords: list[str] = Field(default_factory=list)
    regex: str | None = None
    exclude: list[str] = Field(default_factory=list)
    on: tuple[Literal["title", "department"], ...] = ("title", "department")
    function: Function | None = None
    seniority: Seniority | None = None
    buying_role: Role | None = None

    @field_validator("regex")
    @classmethod
    def _valid_regex(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression: {exc}") from None
        return value

    @model_validator(mode="after")
    def _useful(self) -> TitleRule:
        if not self.keywords and self.regex is None:
            raise ValueError(f"rule {self.id!r}: give keywords or a regex to match")
        if self.function is None and self.seniority is None and self.buying_role is None:
            raise ValueError(f"rule {self.id!r}: set function, seniority or buying_role")
        return self


class Persona(_Strict):
    """A named buyer persona: first persona whose function and seniority lists match."""

    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    name: str = Field(min_length=1)
    function: list[Function] = Field(default_factory=list)
    seniority: list[Seniority] = Field(default_factory=list)
    buying_role: Role | None = None


class PersonasFile(_Strict):
    """Root model of ``mappings/personas.yaml``."""

    rules: list[TitleRule] = Field(min_length=1)
    personas: list[Persona] = Field(default_factory=list)
    default_buying_role: dict[Seniority, Role] = Field(default_factory=dict)
    contact_roles: dict[Crm, dict[str, Role | None]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _unique(self) -> PersonasFile:
        for kind, ids in (
            ("rule", [r.id for r in self.rules]),
            ("persona", [p.id for p in self.personas]),
        ):
            seen: set[str] = set()
            for item in ids:
                if item in seen:
                    raise ValueError(f"{kind} id {item!r} is used twice (ids must be unique)")
                seen.add(item)
        return self
