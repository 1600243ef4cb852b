"""Salesforce connector on simple-salesforce (SOQL query/queryAll, composite/sobjects, Tooling)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from simple_salesforce.api import Salesforce

from crm_bridge.connectors.base import (
    DEFAULT_LOOKBACK,
    CheckReport,
    ConnectorStats,
    FieldInfo,
    FieldSpec,
    ObjectDescription,
    id_chunks,
)
from crm_bridge.connectors.calls import Caller, Headers
from crm_bridge.connectors.ratelimit import RateLimiter
from crm_bridge.connectors.retry import DEFAULT_POLICY, RetryPolicy
from crm_bridge.connectors.salesforce_fields import custom_field_body
from crm_bridge.connectors.salesforce_write import write_collections
from crm_bridge.connectors.values import parse_datetime, parse_salesforce, soql_datetime
from crm_bridge.errors import CrmError
from crm_bridge.model import (
    ContactRole,
    Crm,
    RecordRef,
    RecordUpdate,
    SourceRecord,
    Value,
    WriteResult,
)

MODSTAMP = "SystemModstamp"
_FIELD_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
IDS_PER_QUERY = 200
EXTRA_FIELDS: Mapping[str, tuple[str, ...]] = {
    "Lead": ("IsConverted", "ConvertedContactId", "ConvertedAccountId"),
}


class SalesforceConnector:
    """A Salesforce org; see :class:`crm_bridge.connectors.base.Connector`.

    ``login`` (optional) builds a fresh client; when given, an expired session
    (401 ``INVALID_SESSION_ID``) re-authenticates once and replays the call.
    """

    crm: Crm = "salesforce"

    def __init__(
        self,
        sf: Salesforce,
        name: str = "salesforce",
        *,
        login: Callable[[], Salesforce] | None = None,
        retry: RetryPolicy = DEFAULT_POLICY,
        limiter: RateLimiter | None = None,
        lookback: timedelta = DEFAULT_LOOKBACK,
    ) -> None:
        self.name = name
        self.sf = sf
        self._login = login
        self.caller = Caller("salesforce", retry, limiter, reauth=self._reauth if login else None)
        self.lookback = lookback
        self._describe: dict[str, ObjectDescription] = {}

    @property
    def stats(self) -> ConnectorStats:
        """Counters since the connector was opened."""
        return self.caller.stats

    def close(self) -> None:
        """Close the HTTP session (idle keep-alive connections)."""
        self.sf.session.close()

    def _reauth(self) -> None:
        assert self._login is not None
        old, self.sf = self.sf, self._login()
        if old.session is not self.sf.session:
            old.session.close()

    def _call(self, endpoint: str, fn: Callable[[Salesforce], Any], obj: str | None = None) -> Any:
        def run() -> tuple[Any, Headers | None]:
            data = fn(self.sf)
            return data, self._usage_headers()

        return self.caller.call(endpoint, run, obj)

    def _usage_headers(self) -> Headers | None:
        usage = getattr(self.sf, "api_usage", {}).get("api-usage")
        if usage is None:
            return None
        return {"Sforce-Limit-Info": f"api-usage={usage.used}/{usage.total}"}

    # -- reading ------------------------------------------------------------------------
    def read(
        self, object_type: str, fields: Sequence[str], since: datetime | None
    ) -> Iterator[SourceRecord]:
        """All rows (incl. deleted via queryAll) or those with ``SystemModstamp`` >= since -
        lookback, ordered by ``SystemModstamp``, selecting only the requested fields."""
        where = ""
        if since is not None:
            where = f" WHERE {MODSTAMP} >= {soql_datetime(since - self.lookback)}"
        soql = f"SELECT {self._select(object_type, fields)} FROM {object_type}{where}"
        soql += f" ORDER BY {MODSTAMP} ASC"
        yield from self._query(object_type, soql, include_deleted=True)

    def _select(self, object_type: str, fields: Sequence[str]) -> str:
        names = dict.fromkeys(["Id", MODSTAMP, "IsDeleted"])
        names.update(dict.fromkeys(EXTRA_FIELDS.get(object_type, ())))
        names.update(dict.fromkeys(fields))
        return ", ".join(names)

    def _query(
        self, object_type: str, soql: str, *, include_deleted: bool
    ) -> Iterator[SourceRecord]:
        """Page by page; each page is one retried call."""
        types = {n: f.type for n, f in self.describe(object_type).fields.items()}
        page = self._call(
            "query", lambda sf: sf.query(soql, include_deleted=include_deleted), object_type
        )
        while True:
            for row in page.get("records", []):
                self.stats.records_read += 1
                yield self._record(object_type, row, types)
            next_url = page.get("nextRecordsUrl")
            if page.get("done", True) or not next_url:
                return
            page = self._call("query", _more(str(next_url), include_deleted), object_type)

    def _record(
        self, object_type: str, row: Mapping[str, Any], types: Mapping[str, str]
    ) -> SourceRecord:
        values: dict[str, Value] = {}
        for key, raw in row.items():
            if key == "attributes" or isinstance(raw, dict):
                continue
            values[key] = parse_salesforce(raw, types.get(key, "string"))
        stamp = row.get(MODSTAMP)
        associations: dict[str, tuple[str, ...]] = {}
        if object_type == "Lead" and row.get("ConvertedContactId"):
            associations["converted_contact"] = (str(row["ConvertedContactId"]),)
        return SourceRecord(
            ref=RecordRef("salesforce", object_type, str(row["Id"])),
            modified_at=parse_datetime(str(stamp)) if stamp else parse_datetime("0"),
            fields=values,
            deleted=bool(row.get("IsDeleted")),
            associations=associations,
        )

    def read_ids(
        self, object_type: str, ids: Sequence[str], fields: Sequence[str]
    ) -> Iterator[SourceRecord]:
        """The given records, 200 ids per query; missing ids are skipped."""
        for part in id_chunks(list(ids), IDS_PER_QUERY):
            quoted = ", ".join(_quote(i) for i in part)
            soql = f"SELECT {self._select(object_type, fields)} FROM {object_type}"
            soql += f" WHERE Id IN ({quoted})"
            yield from self._query(object_type, soql, include_deleted=False)

    def read_current(
        self, object_type: str, ids: Sequence[str], fields: Sequence[str]
    ) -> Mapping[str, Mapping[str, Value]]:
        """Current values of ``fields`` for ``ids``."""
        return {
            r.ref.id: {f: r.fields.get(f) for f in fields}
            for r in self.read_ids(object_type, ids, fields)
        }

    def find(
        self, object_type: str, field: str, value: str, fields: Sequence[str]
    ) -> Iterator[SourceRecord]:
        """Records whose ``field`` equals ``value`` (SOQL ``=``, case-insensitive on text)."""
        if not _FIELD_NAME.fullmatch(field):
            raise ValueError(f"not a Salesforce field name: {field!r}")
        soql = f"SELECT {self._select(object_type, fields)} FROM {object_type}"
        soql += f" WHERE {field} = {_quote(value)} ORDER BY {MODSTAMP} ASC"
        yield from self._query(object_type, soql, include_deleted=False)

    def find_in(
        self, object_type: str, field: str, values: Sequence[str], fields: Sequence[str]
    ) -> Iterator[SourceRecord]:
        """Records whose ``field`` is one of ``values`` (SOQL ``IN``, 200 values a query)."""
        if not _FIELD_NAME.fullmatch(field):
            raise ValueError(f"not a Salesforce field name: {field!r}")
        select = f"SELECT {self._select(object_type, fields)} FROM {object_type}"
        for part in id_chunks(sorted(set(values)), IDS_PER_QUERY):
            soql = f"{select} WHERE {field} IN ({', '.join(_quote(v) for v in part)})"
            yield from self._query(object_type, soql, include_deleted=False)

    def read_contact_roles(
        self, opportunity_ids: Sequence[str] | None = None
    ) -> Iterator[ContactRole]:
        """OpportunityContactRole rows (all, or for the given opportunities, 200 per query)."""
        base = "SELECT Id, OpportunityId, ContactId, Role, IsPrimary FROM OpportunityContactRole"
        queries: Iterable[str]
        if opportunity_ids is None:
            queries = [base]
        else:
            queries = (
                f"{base} WHERE OpportunityId IN ({', '.join(_quote(i) for i in part)})"
                for part in id_chunks(list(opportunity_ids), IDS_PER_QUERY)
            )
        for soql in queries:
            for record in self._query("OpportunityContactRole", soql, include_deleted=False):
                f = record.fields
                if not f.get("OpportunityId") or not f.get("ContactId"):
                    continue
                role = f.get("Role")
                yield ContactRole(
                    opportunity=RecordRef("salesforce", "Opportunity", str(f["OpportunityId"])),
                    person=RecordRef("salesforce", "Contact", str(f["ContactId"])),
                    role=str(role) if role else None,
                    is_primary=bool(f.get("IsPrimary")),
                )

    # -- writing ------------------------------------------------------------------------
    def write(self, object_type: str, updates: Iterable[RecordUpdate]) -> Iterator[WriteResult]:
        """PATCH composite/sobjects in collections of 200, allOrNone=false; records touching a
        field that is missing or not updateable (field-level security) fail without a call."""
        fields = self.describe(object_type).fields
        for result in write_collections(self, object_type, updates, fields):
            if result.ok:
                self.stats.records_written += 1
            yield result

    # -- metadata -----------------------------------------------------------------------
    def describe(self, object_type: str) -> ObjectDescription:
        """Fields of ``object_type`` (cached per connector)."""
        if object_type not in self._describe:
            raw = self._call(
                "describe", lambda sf: getattr(sf, object_type).describe(), object_type
            )
            fields = {
                f["name"]: FieldInfo(
                    name=f["name"],
                    type=str(f.get("type", "string")),
                    updateable=bool(f.get("updateable")),
                    createable=bool(f.get("createable")),
                    options=tuple(
                        str(p["value"])
                        for p in f.get("picklistValues") or []
                        if p.get("active", True)
                    ),
                    custom=bool(f.get("custom")),
                    label=str(f.get("label", "")),
                )
                for f in raw.get("fields", [])
            }
            self._describe[object_type] = ObjectDescription(object_type, fields)
        return self._describe[object_type]

    def ensure_fields(self, object_type: str, specs: Sequence[FieldSpec]) -> list[str]:
        """Create missing custom fields through the Tooling API; returns names created."""
        self._describe.pop(object_type, None)
        existing = self.describe(object_type).fields
        created: list[str] = []
        for spec in specs:
            if spec.name in existing:
                continue
            body = custom_field_body(object_type, spec)
            self._call("tooling", _tooling_post(body), object_type)
            created.append(spec.name)
        if created:
            self._describe.pop(object_type, None)
        return created

    def check(self, required: Mapping[str, Sequence[str]]) -> CheckReport:
        """Auth, missing and non-updateable fields, daily API requests left."""
        report = CheckReport(self.name, "salesforce")
        try:
            limits = self._call("limits", lambda sf: sf.restful("limits/"))
            report.auth_ok = True
            daily = (limits or {}).get("DailyApiRequests") or {}
            report.budget_remaining = daily.get("Remaining")
            report.budget_max = daily.get("Max")
            for object_type, names in required.items():
                self._describe.pop(object_type, None)
                fields = self.describe(object_type).fields
                report.missing_fields[object_type] = [n for n in names if n not in fields]
                report.not_updateable[object_type] = [
                    n for n in names if n in fields and not fields[n].updateable
                ]
        except CrmError as exc:
            report.error = exc.describe()
        return report


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _more(url: str, include_deleted: bool) -> Callable[[Salesforce], Any]:
    def run(sf: Salesforce) -> Any:
        return sf.query_more(url, identifier_is_url=True, include_deleted=include_deleted)

    return run


def _tooling_post(body: dict[str, Any]) -> Callable[[Salesforce], Any]:
    def run(sf: Salesforce) -> Any:
        return sf.toolingexecute("sobjects/CustomField", method="POST", data=body)

    return run
