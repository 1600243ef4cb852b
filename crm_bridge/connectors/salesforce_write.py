"""Salesforce writes: composite/sobjects PATCH collections with per-record results."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from crm_bridge.connectors.base import FieldInfo, chunks
from crm_bridge.connectors.errors import SF_RETRIABLE_CODES
from crm_bridge.connectors.values import format_salesforce
from crm_bridge.errors import CrmError
from crm_bridge.model import RecordUpdate, WriteResult

if TYPE_CHECKING:
    from simple_salesforce.api import Salesforce

    from crm_bridge.connectors.salesforce import SalesforceConnector

COLLECTION_MAX = 200
LOCK_ROUNDS = 4


def write_collections(
    conn: SalesforceConnector,
    object_type: str,
    updates: Iterable[RecordUpdate],
    fields: Mapping[str, FieldInfo],
) -> Iterator[WriteResult]:
    """Per-record results, in input order per collection. Records failing with a retriable
    per-record code (``UNABLE_TO_LOCK_ROW``) are resent, up to ``LOCK_ROUNDS`` times."""
    for batch in chunks(updates, COLLECTION_MAX):
        sendable: list[RecordUpdate] = []
        blocked: dict[str, WriteResult] = {}
        for update in batch:
            bad = [f for f in update.fields if f not in fields or not fields[f].updateable]
            if bad:
                code = "INVALID_FIELD" if bad[0] not in fields else "NOT_UPDATEABLE"
                blocked[update.ref.id] = WriteResult(
                    update.ref, False, code, f"field {bad[0]} is not updateable", tuple(bad)
                )
            else:
                sendable.append(update)
        done = _send(conn, object_type, sendable)
        for update in batch:
            yield blocked.get(update.ref.id) or done[update.ref.id]


def _send(
    conn: SalesforceConnector, object_type: str, updates: list[RecordUpdate]
) -> dict[str, WriteResult]:
    out: dict[str, WriteResult] = {}
    pending = updates
    for round_no in range(1, LOCK_ROUNDS + 1):
        if not pending:
            break
        body = {"allOrNone": False, "records": [_record(object_type, u) for u in pending]}
        try:
            results = conn._call("composite", _patch(body), object_type)
        except CrmError as exc:
            if exc.status is None or exc.status >= 500 or exc.status in (401, 403, 429):
                raise
            for u in pending:
                out[u.ref.id] = WriteResult(u.ref, False, exc.code, exc.message, tuple(u.fields))
            return out
        retry: list[RecordUpdate] = []
        for update, result in zip(pending, results or [], strict=False):
            if result.get("success"):
                out[update.ref.id] = WriteResult(update.ref, True)
                continue
            errors = result.get("errors") or [{}]
            code = str(errors[0].get("statusCode") or errors[0].get("errorCode") or "")
            if code in SF_RETRIABLE_CODES and round_no < LOCK_ROUNDS:
                retry.append(update)
                continue
            out[update.ref.id] = WriteResult(
                update.ref,
                False,
                code,
                str(errors[0].get("message", "")),
                tuple(errors[0].get("fields") or ()),
            )
        for update in pending[len(results or []) :]:
            out[update.ref.id] = WriteResult(update.ref, False, "NOT_IN_RESPONSE", "no result")
        if retry:
            conn.stats.retries += 1
            conn.caller.retry.sleep(conn.caller.retry.wait_for(round_no, None))
        pending = retry
    return out


def _record(object_type: str, update: RecordUpdate) -> dict[str, Any]:
    record: dict[str, Any] = {"attributes": {"type": object_type}, "id": update.ref.id}
    for name, value in update.fields.items():
        record[name] = format_salesforce(value)
    return record


def _patch(body: dict[str, Any]) -> Callable[[Salesforce], Any]:
    def run(sf: Salesforce) -> Any:
        return sf.restful("composite/sobjects", method="PATCH", json=body)

    return run
