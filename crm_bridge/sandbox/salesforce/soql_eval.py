"""Compile a parsed SOQL query against the sObject schemas into fast Python closures.

Each query is compiled once: field paths become getter closures, literals are converted to the
stored form of the field they are compared with (so filtering is plain comparisons), and the
select list becomes a projector that builds the JSON record (with nested parent objects).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Protocol

from . import soql_parser as p
from .errors import no_such_column
from .ids import normalise
from .objects import child_relationship
from .schema import NUMBER_TYPES, STRING_TYPES, FieldDef, ObjectSchema
from .soql_dates import bounds, range_predicate
from .values import format_datetime, parse_datetime

Record = dict[str, Any]
Getter = Callable[[Record], Any]
Predicate = Callable[[Record], bool]


class Catalog(Protocol):
    """What the evaluator needs from the store."""

    def schema(self, name: str) -> ObjectSchema | None:
        """The schema of an sObject type (any case), or None."""

    def find(self, record_id: str) -> tuple[str, Record] | None:
        """(type, record) for an id, or None."""

    def records(self, sobject: str, include_deleted: bool = False) -> Iterator[Record]:
        """All (live) records of a type."""


@dataclass(frozen=True, slots=True)
class CompiledQuery:
    """A query ready to run: filter, sort, page bounds and a projector."""

    sobject: str
    predicate: Predicate | None
    sort: Callable[[list[Record]], None] | None
    limit: int | None
    offset: int
    count_only: bool
    aggregate_count: bool
    project: Callable[[Record], dict[str, Any]]

    def run(self, records: Iterable[Record]) -> list[Record]:
        """The matching records, sorted, with OFFSET and LIMIT applied."""
        pred = self.predicate
        rows = list(records) if pred is None else [r for r in records if pred(r)]
        if self.sort is not None:
            self.sort(rows)
        end = None if self.limit is None else self.offset + self.limit
        if self.offset or end is not None:
            rows = rows[self.offset : end]
        return rows


def _error(q: p.Query, code: str, message: str, pos: int) -> p.SoqlError:
    return p.SoqlError(code, message, q.text, pos)


class _Compiler:
    def __init__(self, q: p.Query, catalog: Catalog, version: str, now: datetime) -> None:
        self.now = now
        self.q = q
        self.catalog = catalog
        self.version = version

    def resolve(self, schema: ObjectSchema, path: p.FieldPath) -> tuple[FieldDef, Getter]:
        """The leaf field and a getter for a dotted path starting at ``schema``."""
        if len(path.parts) > 1 and path.parts[0].lower() == schema.name.lower():
            path = p.FieldPath(path.parts[1:], path.pos)
        head = path.parts[0]
        if len(path.parts) == 1:
            f = schema.get(head)
            if f is None:
                raise _error(self.q, "INVALID_FIELD", no_such_column(head, schema.name), path.pos)
            name = f.name
            return f, lambda r: r.get(name)
        ref = schema.relationship(head)
        if ref is None:
            raise _error(
                self.q,
                "INVALID_FIELD",
                f"Didn't understand relationship '{head}' in field path. If you are "
                "attempting to use a custom relationship, be sure to append the '__r' "
                "after the custom relationship name. Please reference your WSDL or the "
                "describe call for the appropriate names.",
                path.pos,
            )
        rest = p.FieldPath(path.parts[1:], path.pos)
        subs: dict[str, Getter] = {}
        leaf: FieldDef | None = None
        for target in ref.reference_to:
            target_schema = self.catalog.schema(target)
            if target_schema is None:
                continue
            leaf, subs[target] = self.resolve(target_schema, rest)
        assert leaf is not None
        ref_name = ref.name
        find = self.catalog.find

        def get(r: Record) -> Any:
            pid = r.get(ref_name)
            found = find(pid) if pid else None
            if found is None:
                return None
            sub = subs.get(found[0])
            return None if sub is None else sub(found[1])

        return leaf, get

    def literal(self, f: FieldDef, lit: p.Lit, field_text: str) -> Any:
        """Convert a literal to the stored form of ``f``, or fail like Salesforce."""
        if lit.kind == "null":
            return None
        t = f.type
        kind_name = {"datetime": "dateTime", "int": "double"}.get(t, t)
        wrong = p.SoqlError(
            "INVALID_FIELD",
            f"value of filter criterion for field '{field_text}' must be of type {kind_name} "
            "and should not be enclosed in quotes",
            self.q.text,
            lit.pos,
        )
        if t in STRING_TYPES:
            if lit.kind != "string":
                raise wrong
            text = str(lit.value)
            return (normalise(text) if t in ("id", "reference") else text).lower()
        if t in NUMBER_TYPES:
            if lit.kind != "number":
                raise wrong
            return lit.value
        if t == "boolean":
            if lit.kind != "boolean":
                raise wrong
            return lit.value
        if t == "datetime":
            if lit.kind != "datetime":
                raise wrong
            return format_datetime(parse_datetime(str(lit.value)))
        if t == "date":
            if lit.kind != "date":
                raise wrong
            return lit.value
        raise wrong

    def condition(self, schema: ObjectSchema, c: p.Cond) -> Predicate:
        if isinstance(c, p.BoolOp):
            parts = [self.condition(schema, i) for i in c.items]
            if c.op == "AND":
                return lambda r: all(part(r) for part in parts)
            return lambda r: any(part(r) for part in parts)
        if isinstance(c, p.Not):
            inner = self.condition(schema, c.item)
            return lambda r: not inner(r)
        f, get = self.resolve(schema, c.field)
        g = _lowered(get) if f.type in STRING_TYPES else get
        if isinstance(c, p.InList):
            values = {self.literal(f, v, c.field.text) for v in c.values}
            if c.negate:
                return lambda r: g(r) not in values
            return lambda r: g(r) in values
        return self.compare(f, g, c)

    def compare(self, f: FieldDef, g: Getter, c: p.Compare) -> Predicate:
        if c.op == "LIKE":
            if f.type not in STRING_TYPES:
                raise _error(
                    self.q,
                    "INVALID_FIELD",
                    f"invalid operator on field '{c.field.text}'",
                    c.value.pos,
                )
            rx = _like(str(c.value.value))
            return lambda r: (v := g(r)) is not None and rx.fullmatch(v) is not None
        if c.value.kind == "relative" and f.type in ("date", "datetime"):
            start, end = bounds(f.type, str(c.value.value), self.now)
            return range_predicate(g, c.op, start, end)
        value = self.literal(f, c.value, c.field.text)
        op = c.op
        if value is None:
            if op == "=":
                return lambda r: g(r) is None
            if op == "!=":
                return lambda r: g(r) is not None
            return lambda r: False
        if op == "=":
            return lambda r: g(r) == value
        if op == "!=":
            return lambda r: g(r) != value
        if op == "<":
            return lambda r: (v := g(r)) is not None and v < value
        if op == "<=":
            return lambda r: (v := g(r)) is not None and v <= value
        if op == ">":
            return lambda r: (v := g(r)) is not None and v > value
        return lambda r: (v := g(r)) is not None and v >= value

    def sorter(self, schema: ObjectSchema) -> Callable[[list[Record]], None] | None:
        if not self.q.order:
            return None
        keys: list[tuple[Getter, bool]] = []
        for key in self.q.order:
            f, get = self.resolve(schema, key.field)
            g = _lowered(get) if f.type in STRING_TYPES else get
            null_rank = 2 if key.nulls_last != key.descending else 0
            keys.append((_sort_key(g, null_rank), key.descending))

        def sort(rows: list[Record]) -> None:
            for getter, desc in reversed(keys):
                rows.sort(key=getter, reverse=desc)

        return sort

    def projector(
        self, schema: ObjectSchema, paths: list[p.FieldPath]
    ) -> Callable[[Record], dict[str, Any]]:
        simple: list[str] = []
        groups: dict[str, tuple[FieldDef, list[p.FieldPath]]] = {}
        for path in paths:
            if len(path.parts) > 1 and path.parts[0].lower() == schema.name.lower():
                path = p.FieldPath(path.parts[1:], path.pos)
            if len(path.parts) == 1:
                f, _ = self.resolve(schema, path)
                if f.name not in simple:
                    simple.append(f.name)
                continue
            self.resolve(schema, path)
            ref = schema.relationship(path.parts[0])
            assert ref is not None and ref.relationship_name is not None
            rel = ref.relationship_name
            groups.setdefault(rel, (ref, []))[1].append(p.FieldPath(path.parts[1:], path.pos))
        nested: list[tuple[str, str, dict[str, Callable[[Record], dict[str, Any]]]]] = []
        for rel, (ref, subpaths) in groups.items():
            subs = {}
            for target in ref.reference_to:
                target_schema = self.catalog.schema(target)
                if target_schema is not None:
                    subs[target] = self.projector(target_schema, subpaths)
            nested.append((rel, ref.name, subs))
        url = f"/services/data/{self.version}/sobjects/{schema.name}/"
        type_name = schema.name
        find = self.catalog.find

        def project(r: Record) -> dict[str, Any]:
            out: dict[str, Any] = {"attributes": {"type": type_name, "url": url + r["Id"]}}
            for name in simple:
                out[name] = r.get(name)
            for rel, ref_name, subs in nested:
                pid = r.get(ref_name)
                found = find(pid) if pid else None
                sub = subs.get(found[0]) if found else None
                out[rel] = sub(found[1]) if sub is not None and found else None
            return out

        return project

    def compile(self) -> CompiledQuery:
        q = self.q
        schema = self.catalog.schema(q.sobject)
        if schema is None:
            raise _error(
                q,
                "INVALID_TYPE",
                f"sObject type '{q.sobject}' is not supported. If "
                "you are attempting to use a custom object, be sure to append the "
                "'__c' after the entity name. Please reference your WSDL or the "
                "describe call for the appropriate names.",
                q.sobject_pos,
            )
        counts = [item for item in q.select if isinstance(item, p.Count)]
        subs = [item for item in q.select if isinstance(item, p.SubQuery)]
        paths = [item for item in q.select if isinstance(item, p.FieldPath)]
        if counts and (paths or len(counts) > 1):
            raise _error(
                q,
                "MALFORMED_QUERY",
                "Field must be grouped or aggregated: " + (paths[0].text if paths else "COUNT"),
                paths[0].pos if paths else 0,
            )
        for c in counts:
            if c.field is not None:
                self.resolve(schema, c.field)
        return CompiledQuery(
            sobject=schema.name,
            predicate=None if q.where is None else self.condition(schema, q.where),
            sort=self.sorter(schema),
            limit=q.limit,
            offset=q.offset or 0,
            count_only=bool(counts) and counts[0].field is None,
            aggregate_count=bool(counts) and counts[0].field is not None,
            project=self.with_children(schema, self.projector(schema, paths), subs),
        )

    def with_children(
        self, schema: ObjectSchema, base: Callable[[Record], dict[str, Any]], subs: list[p.SubQuery]
    ) -> Callable[[Record], dict[str, Any]]:
        """Add child-relationship subquery results (``{totalSize, done, records}`` or null)."""
        if not subs:
            return base
        children: list[tuple[str, str, str, CompiledQuery]] = []
        for sub in subs:
            found = child_relationship(schema.name, sub.query.sobject)
            if found is None:
                raise _error(
                    self.q,
                    "INVALID_TYPE",
                    f"Didn't understand relationship "
                    f"'{sub.query.sobject}' in FROM part of query call. If you are "
                    "attempting to use a custom relationship, be sure to append the "
                    "'__r' after the custom relationship name. Please reference your "
                    "WSDL or the describe call for the appropriate names.",
                    sub.query.sobject_pos,
                )
            rel, child_type, ref = found
            inner = replace(sub.query, sobject=child_type)
            children.append(
                (
                    rel,
                    child_type,
                    ref,
                    _Compiler(inner, self.catalog, self.version, self.now).compile(),
                )
            )
        catalog = self.catalog
        indexes: dict[str, dict[str, list[Record]]] = {}

        def index(child_type: str, ref: str) -> dict[str, list[Record]]:
            key = f"{child_type}.{ref}"
            if key not in indexes:
                built: dict[str, list[Record]] = {}
                for c in catalog.records(child_type):
                    if c.get(ref):
                        built.setdefault(c[ref], []).append(c)
                indexes[key] = built
            return indexes[key]

        def project(r: Record) -> dict[str, Any]:
            out = base(r)
            for rel, child_type, ref, cq in children:
                rows = cq.run(index(child_type, ref).get(r["Id"], ()))
                out[rel] = (
                    {"totalSize": len(rows), "done": True, "records": [cq.project(c) for c in rows]}
                    if rows
                    else None
                )
            return out

        return project


def _lowered(get: Getter) -> Getter:
    def g(r: Record) -> Any:
        v = get(r)
        return v.lower() if isinstance(v, str) else v

    return g


def _sort_key(g: Getter, null_rank: int) -> Getter:
    def key(r: Record) -> tuple[int, Any]:
        v = g(r)
        return (null_rank, 0) if v is None else (1, v)

    return key


def _like(pattern: str) -> re.Pattern[str]:
    out: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
        i += 1
    return re.compile("".join(out), re.IGNORECASE | re.DOTALL)


def compile_query(
    soql: str, catalog: Catalog, version: str = "v59.0", now: datetime | None = None
) -> CompiledQuery:
    """Parse and compile a query (relative dates against ``now``, default the current time);
    raises ``SoqlError`` like the API would."""
    return _Compiler(p.parse(soql), catalog, version, now or datetime.now(UTC)).compile()
