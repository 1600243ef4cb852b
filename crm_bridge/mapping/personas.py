"""Persona tags from job titles: function, seniority, persona and default buying role.

:class:`PersonaClassifier` compiles a :class:`~crm_bridge.config.personas.PersonasFile`.
Titles are normalised (:func:`~crm_bridge.mapping.titles.normalise_title`), then the ordered
rules are tried: for each tag (function, seniority, buying role) the first rule that matches
and sets it wins, and the tag records that rule's id. When the title gives no function, the
department is tried for function only. The first persona whose function/seniority filters
match names the persona; the buying role comes from a rule, else the persona, else
``default_buying_role`` by seniority. CRM contact roles override it
(:meth:`PersonaClassifier.with_contact_roles`). Unknown or junk titles give ``unknown``;
nothing here raises on data. Results are cached by title (titles repeat a lot).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from importlib import resources

import yaml

from crm_bridge.config.personas import PersonasFile, TitleRule
from crm_bridge.mapping.titles import normalise_title
from crm_bridge.model import Crm

UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class PersonaTags:
    """The tags of one person, each with the id of the rule that produced it."""

    function: str = UNKNOWN
    seniority: str = UNKNOWN
    persona: str | None = None
    persona_name: str | None = None
    buying_role: str = UNKNOWN
    function_rule: str | None = None
    seniority_rule: str | None = None
    buying_role_rule: str | None = None

    @property
    def rule(self) -> str:
        """A compact explanation: ``function:<id> seniority:<id> role:<source>``."""
        parts = []
        if self.function_rule:
            parts.append(f"function:{self.function_rule}")
        if self.seniority_rule:
            parts.append(f"seniority:{self.seniority_rule}")
        if self.buying_role_rule:
            parts.append(f"role:{self.buying_role_rule}")
        return " ".join(parts)


@dataclass(frozen=True, slots=True)
class _Compiled:
    rule: TitleRule
    keywords: tuple[str, ...]
    exclude: tuple[str, ...]
    regex: re.Pattern[str] | None
    on_title: bool
    on_department: bool

    def matches(self, padded: str) -> bool:
        if any(word in padded for word in self.exclude):
            return False
        if any(word in padded for word in self.keywords):
            return True
        return self.regex is not None and self.regex.search(padded) is not None


def _pad(words: Iterable[str]) -> tuple[str, ...]:
    result = []
    for word in words:
        norm = normalise_title(word)
        if norm:
            result.append(f" {norm} ")
    return tuple(result)


_EMPTY = PersonaTags()


class PersonaClassifier:
    """A compiled ``personas.yaml``; :meth:`classify` is safe on any input."""

    def __init__(self, config: PersonasFile, cache_size: int = 200_000) -> None:
        self.config = config
        self._rules = tuple(
            _Compiled(
                r,
                _pad(r.keywords),
                _pad(r.exclude),
                re.compile(r.regex) if r.regex else None,
                "title" in r.on,
                "department" in r.on,
            )
            for r in config.rules
        )
        self._roles = {
            crm: {label.casefold(): role for label, role in labels.items()}
            for crm, labels in config.contact_roles.items()
        }
        self._cache: dict[tuple[str, str], PersonaTags] = {}
        self._cache_size = cache_size

    def classify(self, title: object, department: object = None) -> PersonaTags:
        """Tags for one title (and optional department); ``unknown`` when nothing matches."""
        key = (
            title if isinstance(title, str) else "",
            department if isinstance(department, str) else "",
        )
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        tags = self._classify(normalise_title(key[0]), normalise_title(key[1]))
        if len(self._cache) >= self._cache_size:
            self._cache.clear()
        self._cache[key] = tags
        return tags

    def _classify(self, title: str, department: str) -> PersonaTags:
        function = seniority = role = None
        function_rule = seniority_rule = role_rule = None
        if title:
            padded = f" {title} "
            for compiled in self._rules:
                if not compiled.on_title or not compiled.matches(padded):
                    continue
                rule = compiled.rule
                if function is None and rule.function is not None:
                    function, function_rule = rule.function, rule.id
                if seniority is None and rule.seniority is not None:
                    seniority, seniority_rule = rule.seniority, rule.id
                if role is None and rule.buying_role is not None:
                    role, role_rule = rule.buying_role, rule.id
                if function and seniority and role:
                    break
        if function is None and department:
            padded = f" {department} "
            for compiled in self._rules:
                rule = compiled.rule
                if rule.function and compiled.on_department and compiled.matches(padded):
                    function, function_rule = rule.function, f"{rule.id}@department"
                    break
        if function is None and seniority is None and role is None:
            return _EMPTY
        return self._finish(
            function or UNKNOWN,
            seniority or UNKNOWN,
            function_rule,
            seniority_rule,
            role,
            role_rule,
        )

    def _finish(
        self,
        function: str,
        seniority: str,
        function_rule: str | None,
        seniority_rule: str | None,
        role: str | None,
        role_rule: str | None,
    ) -> PersonaTags:
        persona = next(
            (
                p
                for p in self.config.personas
                if (not p.function or function in p.function)
                and (not p.seniority or seniority in p.seniority)
            ),
            None,
        )
        if role is None and persona is not None and persona.buying_role is not None:
            role, role_rule = persona.buying_role, f"persona:{persona.id}"
        if role is None and seniority in self.config.default_buying_role:
            role = self.config.default_buying_role[seniority]
            role_rule = f"seniority:{seniority}"
        return PersonaTags(
            function=function,
            seniority=seniority,
            persona=persona.id if persona else None,
            persona_name=persona.name if persona else None,
            buying_role=role or UNKNOWN,
            function_rule=function_rule,
            seniority_rule=seniority_rule,
            buying_role_rule=role_rule,
        )

    def role_for_label(self, crm: Crm, label: object) -> str | None:
        """The buying role a CRM contact-role label stands for (case-insensitive), or
        ``None``; a label that already is a role name stands for itself."""
        if not isinstance(label, str) or not label.strip():
            return None
        text = label.strip().casefold()
        table = self._roles.get(crm, {})
        if text in table:
            return table[text]
        snake = re.sub(r"[^a-z]+", "_", text).strip("_")
        return snake if snake in _ROLE_NAMES else None

    def with_contact_roles(
        self, tags: PersonaTags, crm: Crm, labels: Iterable[object]
    ) -> PersonaTags:
        """``tags`` with the buying role taken from the first CRM contact role that maps to a
        role (Salesforce OpportunityContactRole.Role, HubSpot association labels)."""
        for label in labels:
            role = self.role_for_label(crm, label)
            if role is not None:
                return replace(tags, buying_role=role, buying_role_rule=f"contact_role:{label}")
        return tags


_ROLE_NAMES = frozenset({"decision_maker", "champion", "influencer", "blocker", "staller", "user"})


def load_personas_file(text: str) -> PersonasFile:
    """Validate YAML text into a :class:`PersonasFile` (pydantic errors propagate)."""
    return PersonasFile.model_validate(yaml.safe_load(text))


def default_personas() -> PersonasFile:
    """The shipped rule set (``crm_bridge/example/mappings/personas.yaml``)."""
    path = resources.files("crm_bridge") / "example" / "mappings" / "personas.yaml"
    return load_personas_file(path.read_text(encoding="utf-8"))
