"""Load project YAML with line numbers, and turn validation errors into :class:`ConfigIssue`.

:func:`load_yaml` composes the YAML node tree (safe tags only), builds plain Python data from
it and remembers the line of every key and list item, so that an error found later by a
pydantic model can be reported as ``FILE:LINE: key.path: what was expected, what was found``.
Duplicate keys, tabs used for indentation and syntax errors become issues too.
:func:`validate` runs a pydantic model over the data and returns either the model or the list
of all issues (never only the first).
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from crm_bridge.errors import ConfigIssue

PathKey = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)


@dataclass
class YamlDoc:
    """Plain data from one YAML file plus the 1-based line of every key path."""

    file: str
    data: Any
    lines: dict[PathKey, int] = field(default_factory=dict)
    scalars: list[tuple[PathKey, str]] = field(default_factory=list)

    def line_of(self, path: PathKey) -> int:
        """Line of the longest prefix of ``path`` that exists in the file (1 when none)."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return 1


class _Builder:
    def __init__(self, doc: YamlDoc, issues: list[ConfigIssue]) -> None:
        self.doc = doc
        self.issues = issues
        self.constructor = yaml.SafeLoader("")

    def build(self, node: yaml.Node, path: PathKey) -> Any:
        self.doc.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            self.constructor.flatten_mapping(node)
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self.constructor.construct_object(key_node, deep=True)
                if not isinstance(key, str | int | float | bool) or key is None:
                    self.issues.append(
                        ConfigIssue(
                            self.doc.file,
                            key_node.start_mark.line + 1,
                            dotted(path),
                            f"expected a plain key, found {key!r}",
                        )
                    )
                    continue
                key = str(key) if not isinstance(key, str) else key
                sub = (*path, key)
                if key in result:
                    self.issues.append(
                        ConfigIssue(
                            self.doc.file,
                            key_node.start_mark.line + 1,
                            dotted(sub),
                            f"duplicate key '{key}' (first defined on line {self.doc.lines[sub]})",
                        )
                    )
                    continue
                self.doc.lines[sub] = key_node.start_mark.line + 1
                result[key] = self.build(value_node, sub)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        value = self.constructor.construct_object(node, deep=True)
        if isinstance(value, str | int | float | bool):
            self.doc.scalars.append((path, str(value)))
        return value


def load_yaml(path: Path, display: str | None = None) -> tuple[YamlDoc, list[ConfigIssue]]:
    """Read ``path``; return the document and any syntax or duplicate-key issues.

    ``display`` is the file name used in messages (defaults to ``path``). On a syntax error the
    document's data is ``None``.
    """
    name = display or str(path)
    doc = YamlDoc(file=name, data=None)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return doc, [ConfigIssue(name, None, "", f"cannot read the file: {exc}")]
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        return doc, [_syntax_issue(name, text, exc)]
    except yaml.YAMLError as exc:
        return doc, [ConfigIssue(name, None, "", f"invalid YAML: {exc}")]
    issues: list[ConfigIssue] = []
    if node is None:
        return doc, issues
    try:
        doc.data = _Builder(doc, issues).build(node, ())
    except yaml.MarkedYAMLError as exc:
        return doc, [_syntax_issue(name, text, exc)]
    return doc, issues


def _syntax_issue(name: str, text: str, exc: yaml.MarkedYAMLError) -> ConfigIssue:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else None
    problem = exc.problem or "invalid YAML"
    if line is not None:
        lines = text.splitlines()
        src = lines[line - 1] if 0 < line <= len(lines) else ""
        indent = src[: len(src) - len(src.lstrip())]
        if "\t" in indent or ("\t" in problem or "'\\t'" in problem):
            return ConfigIssue(
                name,
                line,
                "",
                "a tab is used for indentation; YAML needs spaces (found a tab character)",
            )
    context = f" ({exc.context})" if exc.context else ""
    return ConfigIssue(name, line, "", f"invalid YAML syntax: {problem}{context}")


def validate(model: type[M], doc: YamlDoc) -> M | list[ConfigIssue]:
    """Validate ``doc.data`` with ``model``; the model, or every issue found."""
    data = doc.data if doc.data is not None else {}
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        return issues_from_validation(exc, doc, model)


def issues_from_validation(
    exc: ValidationError, doc: YamlDoc, model: Any = None
) -> list[ConfigIssue]:
    """One :class:`ConfigIssue` per pydantic error, located in ``doc``."""
    result: list[ConfigIssue] = []
    for err in exc.errors(include_url=False):
        path = _real_path(err, doc.data)
        message = _describe(err, model)
        line = doc.line_of(path)
        if not path:
            found = _path_from_message(message, doc)
            if found is not None:
                path = found
                line = doc.line_of(found)
        issue = ConfigIssue(doc.file, line, dotted(path), message)
        if issue not in result:
            result.append(issue)
    return result


def _real_path(err: ErrorDetails, data: Any) -> PathKey:
    """The loc without union tags and ``[key]`` markers: the path as it is in the file."""
    loc = list(err["loc"])
    path: list[str | int] = []
    current = data
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(current, list):
            if isinstance(part, int) and 0 <= part < len(current):
                path.append(part)
                current = current[part]
        elif isinstance(current, dict):
            if part in current:
                path.append(part)
                current = current[part]
            elif last and err["type"] == "missing":
                path.append(part)
        # else: a union tag ('leaf', 'all', ...) or a '[key]' marker: not part of the file
    return tuple(path)


def dotted(path: Iterable[str | int]) -> str:
    """``('stages', 2, 'when')`` -> ``stages[2].when``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _found(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


_SIMPLE = {
    "int_parsing": "expected an integer",
    "int_type": "expected an integer",
    "int_from_float": "expected a whole number",
    "float_parsing": "expected a number",
    "float_type": "expected a number",
    "bool_parsing": "expected true or false",
    "bool_type": "expected true or false",
    "string_type": "expected text",
    "list_type": "expected a list",
    "tuple_type": "expected a list",
    "set_type": "expected a list",
    "dict_type": "expected a mapping (key: value pairs)",
    "model_type": "expected a mapping (key: value pairs)",
    "model_attributes_type": "expected a mapping (key: value pairs)",
    "date_parsing": "expected a date (YYYY-MM-DD)",
    "date_type": "expected a date (YYYY-MM-DD)",
    "datetime_parsing": "expected a date and time (ISO 8601)",
    "datetime_type": "expected a date and time (ISO 8601)",
    "url_parsing": "expected a URL",
    "url_scheme": "expected an http(s) URL",
    "none_required": "expected nothing here",
}


def _describe(err: ErrorDetails, model: Any) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    value = err.get("input")
    loc = err["loc"]
    if kind == "extra_forbidden":
        key = loc[-1] if loc else "?"
        allowed = _allowed_keys(model, loc[:-1]) if model is not None else None
        hint = f" (allowed: {', '.join(allowed)})" if allowed else ""
        return f"unknown key '{key}'{hint}"
    if kind == "missing":
        key = loc[-1] if loc else "?"
        return f"required key '{key}' is missing"
    if kind in ("literal_error", "enum"):
        expected = str(ctx.get("expected", ""))
        expected = expected.replace("'", "").replace(" or ", ", ")
        return f"expected one of {expected}, found {_found(value)}"
    if kind in _SIMPLE:
        return f"{_SIMPLE[kind]}, found {_found(value)}"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        sign = {"greater_than": ">", "greater_than_equal": "≥", "less_than": "<"}.get(kind, "≤")
        bound = next(iter(ctx.values()), "?")
        return f"expected a number {sign} {bound}, found {_found(value)}"
    if kind in ("too_short", "too_long"):
        return f"{err['msg'][0].lower()}{err['msg'][1:]}, found {_found(value)}"
    if kind == "string_too_short":
        return f"expected non-empty text, found {_found(value)}"
    if kind in ("value_error", "assertion_error"):
        msg = str(err["msg"])
        for prefix in ("Value error, ", "Assertion failed, "):
            msg = msg.removeprefix(prefix)
        return msg
    msg = str(err["msg"])
    return (
        f"{msg[0].lower()}{msg[1:]}, found {_found(value)}" if msg else f"invalid value {value!r}"
    )


_QUOTED = re.compile(r"'([^']+)'")


def _path_from_message(message: str, doc: YamlDoc) -> PathKey | None:
    """For a whole-file error, the last place in the file holding a value it quotes."""
    for token in _QUOTED.findall(message):
        hits = [p for p, v in doc.scalars if v == token]
        if hits:
            return hits[-1]
    return None


def _unwrap(tp: Any) -> list[Any]:
    """The alternatives of an annotation (Optional/Union/Annotated stripped)."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        out: list[Any] = []
        for arg in typing.get_args(tp):
            out.extend(_unwrap(arg))
        return out
    return [tp]


def _tag_of(tp: Any) -> str | None:
    if typing.get_origin(tp) is typing.Annotated:
        for meta in typing.get_args(tp)[1:]:
            tag = getattr(meta, "tag", None)
            if isinstance(tag, str):
                return tag
    return None


def _allowed_keys(model: Any, loc: tuple[str | int, ...]) -> list[str] | None:
    """Best effort: the keys the model accepts at ``loc`` (used in 'unknown key' hints)."""
    current: list[Any] = [model]
    for part in loc:
        nxt: list[Any] = []
        for tp in current:
            for alt in _alternatives(tp):
                if isinstance(part, str) and _tag_of(alt) == part:
                    nxt.append(typing.get_args(alt)[0])
                    continue
                base = _unwrap(alt)
                for b in base:
                    nxt.extend(_step(b, part))
        if not nxt:
            return None
        current = nxt
    keys: list[str] = []
    for tp in current:
        for b in _unwrap(tp):
            if isinstance(b, type) and issubclass(b, BaseModel):
                for name, info in b.model_fields.items():
                    if info.exclude:
                        continue
                    key = info.alias or name
                    if key not in keys:
                        keys.append(key)
    return keys or None


def _alternatives(tp: Any) -> list[Any]:
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        inner = typing.get_args(tp)[0]
        if typing.get_origin(inner) in (typing.Union, types.UnionType):
            return list(typing.get_args(inner))
        return [tp]
    if origin in (typing.Union, types.UnionType):
        return list(typing.get_args(tp))
    return [tp]


def _step(tp: Any, part: str | int) -> list[Any]:
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        for name, info in tp.model_fields.items():
            if part in (name, info.alias):
                return [info.annotation]
        return []
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (list, tuple, set, frozenset) and isinstance(part, int) and args:
        return [args[0]]
    if origin is dict and len(args) == 2:
        return [args[1]] if part != "[key]" else []
    return []


T = TypeVar("T")


def validate_adapter(adapter: TypeAdapter[T], doc: YamlDoc, root: Any) -> T | list[ConfigIssue]:
    """Like :func:`validate` for a :class:`TypeAdapter` over ``root`` (a union, a list, ...)."""
    data = doc.data if doc.data is not None else {}
    try:
        return adapter.validate_python(data)
    except ValidationError as exc:
        return issues_from_validation(exc, doc, root)
