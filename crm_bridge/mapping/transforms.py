"""The fixed registry of named field transforms used in ``mappings/fields.yaml``.

A transform step is a bare name (``strip``) or a one-key mapping with its argument
(``{truncate: 80}``, ``{map: {Web: web}}``, ``{default: unknown}``). :func:`build` turns a
list of steps into one callable ``Value -> Value``. A value a step cannot handle raises
:class:`TransformError` (a ``ValueError``); the field mapper turns that into a per-record
error entry. ``None`` passes through every step except ``default``.

Names: ``strip lower upper title empty_to_none to_int to_float to_bool to_date to_datetime
to_str digits phone domain domain_from_email domain_from_url split join map default
truncate``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, time
from typing import Any

from crm_bridge.model import Value

Transform = Callable[[Value], Value]


class TransformError(ValueError):
    """A value that a transform cannot convert; the message says what was expected."""


def _text(value: Value, name: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise TransformError(f"{name} expects text, found {type(value).__name__}")


def _on_text(fn: Callable[[str], Value], name: str) -> Transform:
    def step(value: Value) -> Value:
        if type(value) is str:
            return fn(value)
        if value is None:
            return None
        return fn(_text(value, name))

    return step


_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def _number_text(text: str) -> str:
    text = text.strip().replace("\u00a0", "").replace(" ", "")
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    return text


def _to_float(value: Value, name: str = "to_float") -> Value:
    if value is None:
        return None
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        text = _number_text(value)
        if not text:
            return None
        try:
            number = float(text)
        except ValueError:
            raise TransformError(f"{name} expects a number, found {value!r}") from None
    else:
        raise TransformError(f"{name} expects a number, found {type(value).__name__}")
    if not math.isfinite(number):
        raise TransformError(f"{name} expects a finite number, found {value!r}")
    return number


def _to_int(value: Value) -> Value:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    number = _to_float(value, "to_int")
    if number is None:
        return None
    assert isinstance(number, float)
    return round(number)


_TRUE = frozenset({"true", "t", "yes", "y", "1", "on", "x"})
_FALSE = frozenset({"false", "f", "no", "n", "0", "off"})


def _to_bool(value: Value) -> Value:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str):
        text = value.strip().lower()
        if not text:
            return None
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise TransformError(f"to_bool expects true/false/yes/no/1/0, found {value!r}")
    raise TransformError(f"to_bool expects a boolean, found {type(value).__name__}")


def _epoch(number: float) -> datetime:
    seconds = number / 1000 if abs(number) >= 1e11 else number
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        raise TransformError(f"epoch time out of range: {number!r}") from None


def _to_datetime(value: Value) -> Value:
    if value is None:
        return None
    if type(value) is str and len(value) > 19 and value[10] == "T":
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            if parsed.tzinfo is not None:
                return parsed.astimezone(UTC)
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(), tzinfo=UTC)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise TransformError(f"to_datetime expects a time, found {value!r}")
        return _epoch(float(value))
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if text.isascii() and text.isdigit():
            return _epoch(float(text))
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise TransformError(f"to_datetime expects ISO-8601, found {value!r}") from None
        return _to_datetime(parsed)
    raise TransformError(f"to_datetime expects a time, found {type(value).__name__}")


def _to_date(value: Value) -> Value:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and len(value.strip()) == 10:
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise TransformError(f"to_date expects YYYY-MM-DD, found {value!r}") from None
    moment = _to_datetime(value)
    return moment.date() if isinstance(moment, datetime) else None


def _to_str(value: Value) -> Value:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return ";".join(value)
    return str(value)


def _phone(text: str) -> Value:
    stripped = text.strip()
    digits = re.sub(r"\D", "", stripped)
    if not digits:
        return None
    if stripped.startswith("+"):
        return "+" + digits
    if digits.startswith("00"):
        return "+" + digits[2:]
    return digits


_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")


def normalise_domain(text: str) -> str | None:
    """``'HTTPS://www.Example.com/path'`` -> ``'example.com'``; ``None`` when nothing is left."""
    host = _SCHEME.sub("", text.strip().lower())
    host = host.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    host = host.rsplit("@", 1)[-1].split(":", 1)[0].strip(". ")
    if host.startswith("www."):
        host = host[4:]
    if not host or "." not in host or " " in host:
        return None
    return host


def _domain_from_email(text: str) -> Value:
    text = text.strip()
    if "@" not in text:
        return None
    return normalise_domain(text.rsplit("@", 1)[1])


def _split(separator: str) -> Transform:
    def step(value: Value) -> Value:
        if value is None or isinstance(value, tuple):
            return value
        parts = (p.strip() for p in _text(value, "split").split(separator))
        return tuple(p for p in parts if p)

    return step


def _join(separator: str) -> Transform:
    def step(value: Value) -> Value:
        if isinstance(value, tuple):
            return separator.join(str(v) for v in value)
        return value

    return step


def _map(table: Mapping[str, Any]) -> Transform:
    exact = {str(k): v for k, v in table.items()}
    folded = {str(k).casefold(): v for k, v in table.items()}

    def step(value: Value) -> Value:
        if value is None:
            return None
        if isinstance(value, tuple):
            return tuple(str(exact.get(v, folded.get(v.casefold(), v))) for v in value)
        key = _to_str(value)
        assert isinstance(key, str)
        if key in exact:
            return exact[key]  # type: ignore[no-any-return]
        return folded.get(key.casefold(), value)  # type: ignore[no-any-return]

    return step


def _default(fallback: Any) -> Transform:
    def step(value: Value) -> Value:
        if value is None or value == "" or value == ():
            return fallback  # type: ignore[no-any-return]
        return value

    return step


def _truncate(length: int) -> Transform:
    def step(value: Value) -> Value:
        if isinstance(value, str):
            return value[:length]
        return value

    return step


def _plain(fn: Callable[[str], Value], name: str) -> Callable[[Any], Transform]:
    return lambda arg: _on_text(fn, name)


def _value_step(fn: Transform) -> Callable[[Any], Transform]:
    return lambda arg: fn


def _need_text(arg: Any, name: str, fallback: str) -> str:
    if arg is None:
        return fallback
    if not isinstance(arg, str) or not arg:
        raise ValueError(f"'{name}' takes a separator text, found {arg!r}")
    return arg


def _need_map(arg: Any) -> Transform:
    if not isinstance(arg, Mapping) or not arg:
        raise ValueError(f"'map' takes a mapping of value: replacement, found {arg!r}")
    return _map(arg)


def _need_length(arg: Any) -> Transform:
    if not isinstance(arg, int) or isinstance(arg, bool) or arg < 1:
        raise ValueError(f"'truncate' takes a positive length, found {arg!r}")
    return _truncate(arg)


def _need_default(arg: Any) -> Transform:
    if isinstance(arg, list | dict):
        raise ValueError(f"'default' takes a single value, found {arg!r}")
    return _default(arg)


#: Name -> factory(argument) -> transform. ``None`` is passed when a step has no argument.
REGISTRY: dict[str, Callable[[Any], Transform]] = {
    "strip": _plain(str.strip, "strip"),
    "lower": _plain(str.lower, "lower"),
    "upper": _plain(str.upper, "upper"),
    "title": _plain(str.title, "title"),
    "empty_to_none": _plain(lambda s: s if s.strip() else None, "empty_to_none"),
    "digits": _plain(lambda s: re.sub(r"\D", "", s) or None, "digits"),
    "phone": _plain(_phone, "phone"),
    "domain": _plain(normalise_domain, "domain"),
    "domain_from_url": _plain(normalise_domain, "domain_from_url"),
    "domain_from_email": _plain(_domain_from_email, "domain_from_email"),
    "to_int": _value_step(_to_int),
    "to_float": _value_step(_to_float),
    "to_bool": _value_step(_to_bool),
    "to_date": _value_step(_to_date),
    "to_datetime": _value_step(_to_datetime),
    "to_str": _value_step(_to_str),
    "split": lambda arg: _split(_need_text(arg, "split", ";")),
    "join": lambda arg: _join(_need_text(arg, "join", ";")),
    "map": _need_map,
    "default": _need_default,
    "truncate": _need_length,
}
#: Steps that need an argument.
NEEDS_ARGUMENT = frozenset({"map", "default", "truncate"})


def step_name(spec: Any) -> tuple[str, Any]:
    """``'strip'`` -> ``('strip', None)``; ``{'truncate': 80}`` -> ``('truncate', 80)``."""
    if isinstance(spec, str):
        name, arg = spec, None
    elif isinstance(spec, Mapping) and len(spec) == 1:
        ((name, arg),) = spec.items()
    else:
        raise ValueError(
            f"a transform is a name such as 'strip' or a one-key mapping such as "
            f"{{truncate: 80}}, found {spec!r}"
        )
    if name not in REGISTRY:
        raise ValueError(f"unknown transform {name!r}; known: {', '.join(sorted(REGISTRY))}")
    if arg is None and name in NEEDS_ARGUMENT:
        raise ValueError(f"transform {name!r} needs an argument, e.g. {{{name}: ...}}")
    return str(name), arg


def build_step(spec: Any) -> Transform:
    """One transform from its YAML spec; ``ValueError`` names what is wrong."""
    name, arg = step_name(spec)
    return REGISTRY[name](arg)


def build(specs: Sequence[Any]) -> Transform:
    """Chain steps into one transform (the identity for an empty list)."""
    steps = tuple(build_step(s) for s in specs)
    if not steps:
        return lambda value: value
    if len(steps) == 1:
        return steps[0]

    def chain(value: Value) -> Value:
        for step in steps:
            value = step(value)
        return value

    return chain


#: Transform applied after the listed steps for a declared field ``type``.
TYPE_STEPS: dict[str, Transform] = {
    "string": _to_str,
    "int": _to_int,
    "float": _to_float,
    "bool": _to_bool,
    "date": _to_date,
    "datetime": _to_datetime,
    "list": _split(";"),
}
