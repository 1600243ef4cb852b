"""Look up, by email, the other CRM's copy of people an incremental run read on one side only.

An incremental run reads what changed since the cursors. A person created in HubSpot today whose
Salesforce lead did not change is read on one side only: without a stored link, the identity
matcher would not see the counterpart. For such people (created since the last run, no stored
link, no record with the same email read on the other side in this run), the other CRM is asked
for records with those emails in batches (Salesforce SOQL ``IN`` of 200, HubSpot search ``IN``
of 100). Sides read in full need no lookup: what is not there does not exist.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from crm_bridge.jobs.align import Rules
from crm_bridge.jobs.pull import NATIVE_TYPES, SyncConnector, read_fields
from crm_bridge.jobs.summary import RunSummary
from crm_bridge.mapping.identity import normalise_email
from crm_bridge.model import Crm, RecordRef, SourceRecord, Value

EMAIL = "email"
CREATED = "created_at"


def _emails(
    rules: Rules,
    records: Mapping[RecordRef, SourceRecord],
    is_new: Callable[[RecordRef, Value], bool],
) -> tuple[dict[Crm, set[str]], dict[Crm, set[str]]]:
    """Normalised emails of the people in ``records`` per CRM: all of them, and those of the
    people ``is_new`` accepts (given the ref and the mapped creation time); one mapping each."""
    every: dict[Crm, set[str]] = {"salesforce": set(), "hubspot": set()}
    new: dict[Crm, set[str]] = {"salesforce": set(), "hubspot": set()}
    for ref, record in records.items():
        if record.deleted or ref.object_type not in NATIVE_TYPES[ref.crm]["person"]:
            continue
        values = rules.fields.map(record).record.values
        email = normalise_email(values.get(EMAIL))
        if email:
            every[ref.crm].add(email)
            if is_new(ref, values.get(CREATED)):
                new[ref.crm].add(email)
    return every, new


def find_people_by_email(
    connectors: Mapping[Crm, SyncConnector],
    rules: Rules,
    records: dict[RecordRef, SourceRecord],
    known: Mapping[RecordRef, RecordRef],
    since: Callable[[str, str], datetime | None],
    summary: RunSummary,
) -> int:
    """Add to ``records`` the other side's people sharing an email with an unlinked person read
    on one side only and created since its stream's cursor; returns how many were added.

    Only people new since the last run are looked up: older ones without a counterpart were
    looked up (or read in full) before, and are often read again only because crm-bridge wrote
    to them, which would make every run repeat the same lookups.
    """

    def is_new(ref: RecordRef, created: Value) -> bool:
        """Unlinked and created since its stream's cursor (or not known to be older)."""
        if ref in known:
            return False
        connector = connectors.get(ref.crm)
        cursor = None if connector is None else since(connector.name, ref.object_type)
        return cursor is None or not isinstance(created, datetime) or created >= cursor

    read_here, emails = _emails(rules, records, is_new)
    added = 0
    for crm, connector in connectors.items():
        other: Crm = "hubspot" if crm == "salesforce" else "salesforce"
        wanted = emails.get(other, set()) - read_here[crm]
        if not wanted:
            continue
        for object_type in NATIVE_TYPES[crm]["person"]:
            if since(connector.name, object_type) is None:
                continue  # read in full this run: nothing more to find
            field = rules.fields.mapper(crm, object_type).fields.get(EMAIL)
            if field is None:
                continue
            fields = read_fields(rules, crm, object_type)
            for record in connector.find_in(object_type, field, sorted(wanted), fields):
                if record.ref not in records:
                    records[record.ref] = record
                    summary.count(crm, object_type).read += 1
                    added += 1
    return added
