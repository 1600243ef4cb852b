"""Compile a structured :data:`~crm_bridge.conditions.Condition` once into a plain callable.

``compile_condition(cond)`` returns ``predicate(record, now) -> bool``. The tree is walked once,
at compile time: regular expressions are compiled, durations parsed, ``in`` lists turned into
sets and ISO date strings parsed, so evaluating a record is a few closure calls.

Evaluation never raises on data: a missing value, ``None`` or a value of the wrong type makes
the comparison ``False`` (``ne`` and ``not_in`` hold for a missing value; ``is_empty`` holds).
Semantics:

* ``eq`` / ``ne`` / ``in`` / ``not_in``: equality; text compares case-sensitively, numbers
  compare across int/float; a multi-value field (tuple) matches when any element matches.
* ``gt`` / ``gte`` / ``lt`` / ``lte``: numbers with numbers, text with text, and dates or
  datetimes with an ISO-8601 value (``2024-01-31`` or ``2024-01-31T10:00:00Z``).
* ``contains``: case-insensitive substring for text, element membership for tuples.
* ``matches``: ``re.search`` on text.
* ``is_set`` / ``is_empty``: ``None``, ``""`` (after strip) and ``()`` are empty.
* ``older_than`` / ``newer_than``: a date/datetime field compared with ``now - duration``.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from crm_bridge.conditions import (
    AllOf,
    AnyOf,
    Condition,
    FieldCondition,
    NotOf,
    parse_duration,
)
from crm_bridge.model import Canonical, Value

#: A compiled condition: ``(record, now) -> bool``.
Predicate = Callable[[Canonical, datetime], bool]
_Getter = Callable[[Canonical], Value]

_ORDER_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}


def _true(record: Canonical, now: datetime) -> bool:
    return True


def _false(record: Canonical, now: datetime) -> bool:
    return False


def _getter(name: str) -> _Getter:
    if name.startswith(("sf.", "hs.")):
        return lambda record: record.get(name)

    def get(record: Canonical) -> Value:
        return record.values.get(name)

    return get


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def as_datetime(value: object) -> datetime | None:
    """A date, datetime or ISO-8601 text as an aware UTC datetime, else ``None``."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(), tzinfo=UTC)
    if isinstance(value, str):
        text = value.strip()
        if len(text) < 8 or not text[:4].isdigit():
            return None
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
        return as_datetime(parsed)
    return None


def _empty(value: Value) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, tuple):
        return len(value) == 0
    return False


def _scalar_eq(expected: object) -> Callable[[Value], bool]:
    if isinstance(expected, bool):
        return lambda v: isinstance(v, bool) and v is expected
    if _is_number(expected):
        return lambda v: _is_number(v) and v == expected
    return lambda v: isinstance(v, str) and v == expected


def _any_element(test: Callable[[Value], bool]) -> Callable[[Value], bool]:
    def check(value: Value) -> bool:
        if isinstance(value, tuple):
            return any(test(item) for item in value)
        return test(value)

    return check


def _membership(values: list[Any]) -> Callable[[Value], bool]:
    texts = frozenset(v for v in values if isinstance(v, str))
    numbers = frozenset(v for v in values if _is_number(v))
    bools = frozenset(v for v in values if isinstance(v, bool))

    def test(value: Value) -> bool:
        if isinstance(value, bool):
            return value in bools
        if isinstance(value, str):
            return value in texts
        if _is_number(value):
            return value in numbers
        return False

    return _any_element(test)


def _ordering(op: str, expected: object) -> Callable[[Value], bool]:
    compare = _ORDER_OPS[op]
    if _is_number(expected):
        return lambda v: _is_number(v) and compare(v, expected)
    when = as_datetime(expected)
    text = str(expected)

    def test(value: Value) -> bool:
        if isinstance(value, date):
            moment = as_datetime(value)
            return when is not None and moment is not None and compare(moment, when)
        if isinstance(value, str):
            return compare(value, text)
        return False

    return test


def _leaf_test(cond: FieldCondition) -> Callable[[Value], bool] | None:
    """A value test for the operators that do not need ``now``; ``None`` for the others."""
    op, expected = cond.op, cond.value
    if op == "eq":
        return _any_element(_scalar_eq(expected))
    if op == "ne":
        eq = _any_element(_scalar_eq(expected))
        return lambda v: not eq(v)
    if op == "in":
        return _membership(list(expected) if isinstance(expected, list) else [])
    if op == "not_in":
        member = _membership(list(expected) if isinstance(expected, list) else [])
        return lambda v: not member(v)
    if op in _ORDER_OPS:
        return _any_element(_ordering(op, expected))
    if op == "contains":
        needle = str(expected).casefold()

        def contains(value: Value) -> bool:
            if isinstance(value, str):
                return needle in value.casefold()
            if isinstance(value, tuple):
                return any(isinstance(i, str) and i.casefold() == needle for i in value)
            return False

        return contains
    if op == "matches":
        search = re.compile(str(expected)).search
        return _any_element(lambda v: isinstance(v, str) and search(v) is not None)
    if op == "is_set":
        return lambda v: not _empty(v)
    if op == "is_empty":
        return _empty
    return None


def _compile_leaf(cond: FieldCondition) -> Predicate:
    get = _getter(cond.field)
    test = _leaf_test(cond)
    if test is not None:
        value_test = test
        name = cond.field
        if not name.startswith(("sf.", "hs.")):
            return lambda record, now: value_test(record.values.get(name))
        return lambda record, now: value_test(get(record))
    age: timedelta = parse_duration(str(cond.value))
    older = cond.op == "older_than"

    def timed(record: Canonical, now: datetime) -> bool:
        moment = as_datetime(get(record))
        if moment is None:
            return False
        return (now - moment > age) if older else (now - moment < age)

    return timed


def compile_condition(cond: Condition | None) -> Predicate:
    """Compile ``cond`` into ``predicate(record, now) -> bool``; ``None`` always holds."""
    if cond is None:
        return _true
    if isinstance(cond, FieldCondition):
        return _compile_leaf(cond)
    if isinstance(cond, AllOf):
        parts = tuple(compile_condition(c) for c in cond.all)
        if not parts:
            return _true
        if len(parts) == 1:
            return parts[0]
        if len(parts) == 2:
            first, second = parts
            return lambda record, now: first(record, now) and second(record, now)
        return lambda record, now: all(p(record, now) for p in parts)
    if isinstance(cond, AnyOf):
        options = tuple(compile_condition(c) for c in cond.any)
        if not options:
            return _false
        if len(options) == 1:
            return options[0]
        if len(options) == 2:
            one, two = options
            return lambda record, now: one(record, now) or two(record, now)
        return lambda record, now: any(p(record, now) for p in options)
    if isinstance(cond, NotOf):
        inner = compile_condition(cond.not_)
        return lambda record, now: not inner(record, now)
    raise TypeError(f"not a condition: {cond!r}")
