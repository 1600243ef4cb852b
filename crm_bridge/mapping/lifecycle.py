"""The shared funnel: which lifecycle stage a person is in, since when, and why.

:class:`Funnel` compiles a :class:`~crm_bridge.config.lifecycle.LifecycleFile` once. For each
record :meth:`Funnel.decide` takes the previous stage and entry times (from the state store or
the CRM's current alignment field) and returns a :class:`StageDecision`:

1. a disqualify rule that holds sends the record to its ``to`` stage (any previous stage);
2. a recycle rule whose ``from`` contains the previous stage (for a record seen the first
   time: the stage it would enter) and whose ``when`` holds sends the record to its ``to``
   stage (default ``recycled``);
3. otherwise stages are evaluated furthest-first and the first that holds is the candidate;
   the record moves only forward: a candidate behind the previous stage keeps the previous
   one. From an outcome stage (``recycled``, ``disqualified``) any funnel stage is a move.

Entry times: a stage entered now gets the stage's ``entered_from`` field when it holds a time,
else ``now``; an unchanged stage keeps its earlier entry time.

:meth:`Funnel.trace` tells which stage conditions and rules hold for a record (for
``crm-bridge explain``); it does not change any decision.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from crm_bridge.conditions import Condition
from crm_bridge.config.lifecycle import LifecycleFile
from crm_bridge.mapping.compile import Predicate, as_datetime, compile_condition
from crm_bridge.model import Canonical, Crm

ConditionCompiler = Callable[[Condition], Predicate]


@dataclass(frozen=True, slots=True)
class StageDecision:
    """The stage of one record after this evaluation.

    ``reason`` names the stage condition or rule that decided; ``entered`` holds the entry
    time of every stage known so far (previous ones merged with this decision)."""

    stage: str | None
    entered_at: datetime | None
    reason: str
    changed: bool
    entered: Mapping[str, datetime] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class FunnelTrace:
    """Which conditions hold for one record, ignoring its history.

    ``stages`` lists the stages whose ``when`` holds (earliest first), ``disqualify`` and
    ``recycle`` the ids of the rules whose ``when`` holds (a recycle rule still needs the
    previous stage to be in its ``from`` list), ``recycle_from`` each such rule's ``from``."""

    stages: tuple[str, ...]
    disqualify: tuple[str, ...]
    recycle: tuple[str, ...]
    recycle_from: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    entered_from: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Rule:
    id: str
    sources: frozenset[str] | None
    test: Predicate
    to: str


class Funnel:
    """A compiled lifecycle definition."""

    def __init__(
        self, config: LifecycleFile, compile: ConditionCompiler = compile_condition
    ) -> None:
        self.config = config
        self.order = {name: index for index, name in enumerate(config.stage_names)}
        self._stages = tuple(
            (s.name, compile(s.when), s.entered_from) for s in reversed(config.stages)
        )
        self._entered_from = {s.name: s.entered_from for s in config.stages}
        self._disqualify = tuple(
            _Rule(r.id or f"disqualify[{i}]", None, compile(r.when), r.to)
            for i, r in enumerate(config.disqualify)
        )
        self._recycle = tuple(
            _Rule(r.id or f"recycle[{i}]", frozenset(r.from_), compile(r.when), r.to)
            for i, r in enumerate(config.recycle)
        )
        self._to_crm = {
            (crm, obj): spec
            for crm, objects in config.crm_values.items()
            for obj, spec in objects.items()
        }
        # a CRM value shared by several stages stands for the earliest of them
        self._from_crm: dict[tuple[str, str], dict[str, str]] = {}
        for key, spec in self._to_crm.items():
            table: dict[str, str] = {}
            for stage in config.all_stages:
                if stage in spec.values:
                    table.setdefault(spec.values[stage].casefold(), stage)
            self._from_crm[key] = table

    def candidate(self, record: Canonical, now: datetime) -> str | None:
        """The furthest stage whose condition holds, ignoring history."""
        for name, test, _ in self._stages:
            if test(record, now):
                return name
        return None

    def trace(self, record: Canonical, now: datetime) -> FunnelTrace:
        """Every stage condition and disqualify/recycle rule that holds for ``record``."""
        stages = tuple(name for name, test, _ in reversed(self._stages) if test(record, now))
        recycle = tuple(r for r in self._recycle if r.test(record, now))
        return FunnelTrace(
            stages=stages,
            disqualify=tuple(r.id for r in self._disqualify if r.test(record, now)),
            recycle=tuple(r.id for r in recycle),
            recycle_from={
                r.id: tuple(sorted(r.sources or (), key=lambda s: self.order.get(s, -1)))
                for r in recycle
            },
            entered_from={k: v for k, v in self._entered_from.items() if v is not None},
        )

    def _entry(self, record: Canonical, stage: str, now: datetime) -> datetime:
        source = self._entered_from.get(stage)
        if source is not None:
            moment = as_datetime(record.get(source))
            if moment is not None:
                return moment
        return now

    def decide(
        self,
        record: Canonical,
        now: datetime,
        previous: str | None = None,
        entered: Mapping[str, datetime] | None = None,
    ) -> StageDecision:
        """The stage of ``record`` given its ``previous`` stage and known entry times."""
        known = dict(entered or {})
        for rule in self._disqualify:
            if rule.test(record, now):
                if rule.to == previous:
                    return self._keep(record, now, rule.to, f"disqualify:{rule.id}", known)
                return self._move(record, now, previous, rule.to, f"disqualify:{rule.id}", known)
        target = self.candidate(record, now)
        # a record seen for the first time is judged from the stage it would enter, so a
        # recycle rule applies at once instead of one run later
        source = previous if previous is not None else target
        if source is not None:
            for rule in self._recycle:
                if rule.to == previous and rule.test(record, now):
                    return self._keep(record, now, rule.to, f"recycle:{rule.id}", known)
                if rule.sources is not None and source in rule.sources and rule.test(record, now):
                    return self._move(record, now, previous, rule.to, f"recycle:{rule.id}", known)
        before = self.order.get(previous) if previous is not None else None
        if target is not None and target != previous:
            if before is None or self.order[target] > before:
                return self._move(record, now, previous, target, f"stage:{target}", known)
            reason = f"kept:{previous} (forward-only; conditions reach {target})"
        elif target is None and previous is not None:
            reason = f"kept:{previous} (no stage condition holds)"
        elif target is None:
            return StageDecision(None, None, "no stage condition holds", False, known)
        else:
            reason = f"stage:{target}"
        assert previous is not None
        return self._keep(record, now, previous, reason, known)

    def _keep(
        self, record: Canonical, now: datetime, stage: str, reason: str, known: dict[str, datetime]
    ) -> StageDecision:
        entered_at = known.get(stage)
        if entered_at is None:
            entered_at = self._entry(record, stage, now)
            known[stage] = entered_at
        return StageDecision(stage, entered_at, reason, False, known)

    def _move(
        self,
        record: Canonical,
        now: datetime,
        previous: str | None,
        stage: str,
        reason: str,
        known: dict[str, datetime],
    ) -> StageDecision:
        entered_at = self._entry(record, stage, now)
        known[stage] = entered_at
        return StageDecision(stage, entered_at, reason, stage != previous, known)

    def crm_values(self, stage: str | None, crm: Crm, object_type: str) -> dict[str, str]:
        """The native field and value that represent ``stage`` on ``object_type`` in ``crm``
        (empty when the file defines no translation for that object or stage)."""
        spec = self._to_crm.get((crm, object_type))
        if spec is None or stage is None or stage not in spec.values:
            return {}
        return {spec.field: spec.values[stage]}

    def stage_from_crm(self, crm: Crm, object_type: str, value: object) -> str | None:
        """The shared stage a CRM's native lifecycle value stands for (case-insensitive)."""
        table = self._from_crm.get((crm, object_type))
        if table is None or not isinstance(value, str):
            return None
        return table.get(value.casefold())
