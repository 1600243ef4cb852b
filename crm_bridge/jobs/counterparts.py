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
from crm_bridge.model import Crm, RecordRef, SourceRecord

EMAIL = "email"
CREATED = "created_at"


def _emails(
    rules: Rules,
    records: Mapping[RecordRef, SourceRecord],
    created_since: Callable[[RecordRef], datetime | None] | None = None,
) -> dict[Crm, set[str]]:
    """Normalised emails of the people in ``records`` per CRM; with ``created_since``, only of
    people created at or after the time it gives for their stream (None: any)."""
    out: dict[Crm, set[str]] = {"salesforce": set(), "hubspot": set()}
    for ref, record in records.items():
        if record.deleted or ref.object_type not in NATIVE_TYPES[ref.crm]["person"]:
            continue
        values = rules.fields.map(record).record.values
        if created_since is not None:
            since = created_since(ref)
            created = values.get(CREATED)
            if since is not None and isinstance(created, datetime) and created < since:
                continue
        email = normalise_email(values.get(EMAIL))
        if email:
            out[ref.crm].add(email)
    return out


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
    unlinked = {ref: r for ref, r in records.items() if ref not in known}

    def created_since(ref: RecordRef) -> datetime | None:
        connector = connectors.get(ref.crm)
        return None if connector is None else since(connector.name, ref.object_type)

    emails = _emails(rules, unlinked, created_since)
    read_here = _emails(rules, records)
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
