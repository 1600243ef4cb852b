"""CRM search: filter groups, one sort, offset paging, the 10,000-result cap, cached result ids."""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from .errors import HubSpotError, validation
from .properties import PropertyDef
from .records import Record
from .store import HubSpotStore
from .timeutil import iso, parse_datetime, sort_ms

Pred = Callable[[Record], bool]
OPERATORS = {"EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN", "HAS_PROPERTY",
             "NOT_HAS_PROPERTY", "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"}  # fmt: skip
_TOKEN = re.compile(r"[\w@.+-]+")
QUERY_PROPS = {"contacts": ("firstname", "lastname", "email", "phone", "company"),
               "companies": ("name", "domain", "phone"), "deals": ("dealname",)}  # fmt: skip


def _key(prop: PropertyDef) -> Callable[[str], Any]:
    if prop.type == "number":
        return float
    if prop.type in ("datetime", "date"):
        return sort_ms
    if prop.type == "bool":
        return lambda v: v.lower() == "true"
    return str.lower


def _value(prop: PropertyDef, raw: Any) -> Any:
    text = str(raw).lower() if isinstance(raw, bool) else str(raw)
    try:
        if prop.type in ("datetime", "date"):
            return sort_ms(iso(parse_datetime(text)))
        return _key(prop)(text)
    except ValueError as exc:
        raise validation(
            f"{text!r} is not a valid value for property {prop.name}",
            code="INVALID_FILTER_VALUE",
            name=prop.name,
        ) from exc


def _compile(store: HubSpotStore, obj: str, f: dict[str, Any]) -> Pred:
    name, op = f.get("propertyName"), f.get("operator")
    if op not in OPERATORS:
        raise validation(f"Invalid operator {op!r}", code="INVALID_OPERATOR", name="operator")
    prop = store.prop(obj, str(name))
    if prop is None:
        raise validation(
            f"There was a problem with the request: property {name} does not exist",
            code="INVALID_PROPERTY",
            name=str(name),
        )
    pname, key = prop.name, _key(prop)
    if op == "HAS_PROPERTY":
        return lambda r: bool(r.props.get(pname))
    if op == "NOT_HAS_PROPERTY":
        return lambda r: not r.props.get(pname)
    if op in ("IN", "NOT_IN"):
        vals = {_value(prop, v) for v in f.get("values") or []}
        if op == "IN":
            return lambda r: (v := r.props.get(pname)) is not None and key(v) in vals
        return lambda r: (v := r.props.get(pname)) is None or key(v) not in vals
    if op in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
        pattern = re.compile(
            "^" + re.escape(str(f.get("value", "")).lower()).replace(r"\*", ".*") + "$"
        )

        def contains(r: Record) -> bool:
            v = r.props.get(pname)
            return v is not None and (
                bool(pattern.match(v.lower()))
                or any(pattern.match(t) for t in _TOKEN.findall(v.lower()))
            )

        return contains if op == "CONTAINS_TOKEN" else (lambda r: not contains(r))
    if f.get("value") is None:
        raise validation(
            f"Filter on {pname} with {op} needs a value", code="MISSING_VALUE", name=pname
        )
    low = _value(prop, f["value"])
    if op == "BETWEEN":
        high = _value(prop, f.get("highValue"))
        return lambda r: (v := r.props.get(pname)) is not None and low <= key(v) <= high
    if op == "NEQ":
        return lambda r: (v := r.props.get(pname)) is None or key(v) != low
    cmp: dict[str, Callable[[Any], bool]] = {
        "EQ": lambda x: bool(x == low), "LT": lambda x: bool(x < low), "LTE": lambda x: bool(x <= low),
        "GT": lambda x: bool(x > low), "GTE": lambda x: bool(x >= low),
    }  # fmt: skip
    test = cmp[op]
    return lambda r: (v := r.props.get(pname)) is not None and test(key(v))


def _predicate(store: HubSpotStore, obj: str, body: dict[str, Any]) -> Pred | None:
    groups = body.get("filterGroups") or []
    s = store.settings
    total = sum(len(g.get("filters") or []) for g in groups)
    if (
        len(groups) > s.max_filter_groups
        or total > s.max_filters_total
        or any(len(g.get("filters") or []) > s.max_filters_per_group for g in groups)
    ):
        raise validation(
            f"Too many filters: at most {s.max_filter_groups} filterGroups, {s.max_filters_per_group} filters per group "
            f"and {s.max_filters_total} filters in total are allowed.",
            code="TOO_MANY_FILTERS", name="filterGroups",
        )  # fmt: skip
    compiled = [[_compile(store, obj, f) for f in g.get("filters") or []] for g in groups]
    compiled = [g for g in compiled if g]
    query = str(body.get("query") or "").strip().lower()
    if query:
        names = QUERY_PROPS[obj]
        compiled.append([lambda r: any(query in r.props.get(n, "").lower() for n in names)])
    if not compiled:
        return None
    if len(compiled) == 1 and len(compiled[0]) == 1:
        return compiled[0][0]
    return lambda r: any(all(p(r) for p in g) for g in compiled)


@dataclass
class SearchEngine:
    """Runs searches against a store, caching the matching ids per (query, data version)."""

    store: HubSpotStore
    cache_size: int = 8

    def __post_init__(self) -> None:
        self._cache: OrderedDict[str, list[int]] = OrderedDict()

    def _ids(self, obj: str, body: dict[str, Any]) -> list[int]:
        table = self.store.tables[obj]
        lag = self.store.settings.search_lag_s
        key = json.dumps(
            [obj, table.version, body.get("filterGroups"), body.get("sorts"), body.get("query")],
            sort_keys=True,
            default=str,
        )
        if not lag and key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        pred = _predicate(self.store, obj, body)
        recs = (r for r in table.records.values() if r.archived_at is None)
        if lag:
            horizon = self.store.now() - timedelta(seconds=lag)
            recs = (r for r in recs if r.updated_at <= horizon)
        matched = [r for r in recs if pred(r)] if pred else list(recs)
        sorts = body.get("sorts") or []
        if len(sorts) > 1:
            raise validation("Only one sort is supported", code="TOO_MANY_SORTS", name="sorts")
        if sorts:
            sort = (
                sorts[0]
                if isinstance(sorts[0], dict)
                else {
                    "propertyName": str(sorts[0]).lstrip("-"),
                    "direction": "DESCENDING" if str(sorts[0]).startswith("-") else "ASCENDING",
                }
            )
            prop = self.store.prop(obj, str(sort.get("propertyName")))
            if prop is None:
                raise validation(
                    f"Cannot sort by unknown property {sort.get('propertyName')}",
                    code="INVALID_PROPERTY",
                    name="sorts",
                )
            conv, pname = _key(prop), prop.name
            desc = sort.get("direction", "ASCENDING") == "DESCENDING"
            present = [r for r in matched if r.props.get(pname)]
            absent = [r for r in matched if not r.props.get(pname)]
            present.sort(key=lambda r: (conv(r.props[pname]), r.id), reverse=desc)
            matched = present + absent
        else:
            matched.sort(key=lambda r: r.id)
        ids = [r.id for r in matched]
        if not lag:
            self._cache[key] = ids
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return ids

    def search(self, obj: str, body: dict[str, Any]) -> dict[str, Any]:
        """Execute a `PublicObjectSearchRequest` body; return the response JSON."""
        limit = int(body.get("limit") or 10)
        if limit < 1 or limit > 200:
            raise validation("limit must be between 1 and 200", code="INVALID_LIMIT", name="limit")
        try:
            after = int(body.get("after") or 0)
        except ValueError as exc:
            raise validation("after must be an offset", code="INVALID_AFTER", name="after") from exc
        cap = self.store.settings.search_result_cap
        if after >= cap:
            raise HubSpotError(400, "VALIDATION_ERROR", f"Paging beyond {cap} results is not supported; narrow the search.",
                               [{"message": f"after {after} exceeds the {cap}-result limit", "code": "PAGING_LIMIT", "in": "after"}])  # fmt: skip
        ids = self._ids(obj, body)
        end = min(after + limit, cap, len(ids))
        table = self.store.tables[obj]
        names = self.store.read_names(obj, [str(p) for p in body.get("properties") or []])
        out: dict[str, Any] = {
            "total": len(ids),
            "results": [
                table.records[i].to_api(names) for i in ids[after:end] if i in table.records
            ],
        }
        if end < len(ids):
            out["paging"] = {"next": {"after": str(end), "link": None}}
        return out
