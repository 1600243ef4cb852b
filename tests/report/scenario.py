"""A small sandbox project for the report tests: the example project (150 people, seed 7) plus
the two things the sandbox's generated data does not hold, added through the CRM API.

The generated sandbox has no loss reasons on closed-lost deals and no leads handed to partners,
so the "lost to no decision" and "partner follow-up" sections would have nothing to show. The
scenario writes, through the HubSpot connector (as a CRM admin would):

- ``closed_lost_reason`` (HubSpot's standard deal property) on every closed-lost deal;
- ``partner_account``, ``partner_assigned_at``, ``partner_status`` and
  ``partner_status_changed_at`` on ten contacts: handed to two partners over the last weeks,
  answered in time, late, never, or just handed over;

and maps them in the project's ``mappings/fields.yaml`` (HubSpot side only), which makes the
example's ``partner_loop`` in ``sla.yaml`` apply.
"""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path

from crm_bridge.connectors.base import Connector, FieldSpec, SpecType
from crm_bridge.connectors.factory import sandbox_connectors
from crm_bridge.jobs.setup import ensure_all
from crm_bridge.model import RecordRef, RecordUpdate, Value
from crm_bridge.project import Project, load_project
from crm_bridge.sandbox.core import STATE_FILE, Sandbox
from crm_bridge.sandbox.server import SandboxServer

EXAMPLE = Path(__file__).resolve().parents[2] / "crm_bridge" / "example"
RECORDS = 150
SEED = 7
LOSS_REASONS = ("No decision", "Price", "Went dark", "Competitor", "Status quo")
PARTNER_FIELDS: dict[str, SpecType] = {
    "partner_account": "string",
    "partner_assigned_at": "datetime",
    "partner_status": "string",
    "partner_status_changed_at": "datetime",
}
# (partner, handed over this long before now, answer, answered after) — None: no answer yet
HANDOVERS: tuple[tuple[str, timedelta, str | None, timedelta | None], ...] = (
    ("Acme Reseller", timedelta(days=30), "Accepted", timedelta(hours=3)),
    ("Acme Reseller", timedelta(days=26), "Closed Won", timedelta(days=7)),
    ("Acme Reseller", timedelta(days=21), None, None),
    ("Acme Reseller", timedelta(hours=1), None, None),
    ("Acme Reseller", timedelta(days=15), "Rejected", timedelta(hours=5)),
    ("Northwind Partners", timedelta(days=28), "Working", timedelta(days=1)),
    ("Northwind Partners", timedelta(days=24), "Returned", timedelta(hours=20)),
    ("Northwind Partners", timedelta(days=19), None, None),
    ("Northwind Partners", timedelta(days=12), "Converted", timedelta(hours=6)),
    ("Northwind Partners", timedelta(minutes=30), None, None),
)
MAPPING_PERSON = """person:
  partner_account: {hubspot: partner_account}
  partner_assigned_at: {hubspot: partner_assigned_at, type: datetime}
  partner_status: {hubspot: partner_status}
  partner_status_changed_at: {hubspot: partner_status_changed_at, type: datetime}
"""
MAPPING_DEAL = """opportunity:
  loss_reason: {hubspot: closed_lost_reason}
"""


def make_project(root: Path, *, scenario: bool = True) -> Project:
    """A copy of the example project with a small sandbox (and the scenario's mappings)."""
    shutil.copytree(EXAMPLE, root, dirs_exist_ok=True)
    profile = root / "connectors" / "sandbox.yaml"
    text = profile.read_text(encoding="utf-8")
    text = text.replace("records: 2000", f"records: {RECORDS}").replace("seed: 42", f"seed: {SEED}")
    profile.write_text(text.replace("rate_limits: true", "rate_limits: false"), encoding="utf-8")
    if scenario:
        fields = root / "mappings" / "fields.yaml"
        text = fields.read_text(encoding="utf-8")
        assert text.count("\nperson:\n") == 1 and text.count("\nopportunity:\n") == 1
        text = text.replace("\nperson:\n", "\n" + MAPPING_PERSON)
        text = text.replace("\nopportunity:\n", "\n" + MAPPING_DEAL)
        fields.write_text(text, encoding="utf-8")
    return load_project(root)


def _updates(hubspot: Connector, now: datetime) -> tuple[list[RecordUpdate], list[RecordUpdate]]:
    lost = sorted(
        int(r.ref.id)
        for r in hubspot.read("deals", ["dealstage"], None)
        if r.fields.get("dealstage") == "closedlost"
    )
    deals = [
        RecordUpdate(
            RecordRef("hubspot", "deals", str(rid)),
            {"closed_lost_reason": LOSS_REASONS[i % len(LOSS_REASONS)]},
        )
        for i, rid in enumerate(lost)
    ]
    ids = sorted(int(r.ref.id) for r in hubspot.read("contacts", ["email"], None))
    people = []
    for rid, (partner, ago, answer, after) in zip(ids[::7], HANDOVERS, strict=False):
        handed = now - ago
        fields: dict[str, Value] = {"partner_account": partner, "partner_assigned_at": handed}
        if answer is not None and after is not None:
            fields["partner_status"] = answer
            fields["partner_status_changed_at"] = handed + after
        people.append(RecordUpdate(RecordRef("hubspot", "contacts", str(rid)), fields))
    assert len(deals) >= 3 and len(people) == len(HANDOVERS)
    return deals, people


def seeded_state(project: Project, data_dir: Path) -> Path:
    """A saved sandbox (alignment fields created, scenario written) in ``data_dir``."""
    sandbox = Sandbox.create(records=RECORDS, seed=SEED, rate_limits=False, data_dir=data_dir)
    with SandboxServer(sandbox) as server:
        connectors = sandbox_connectors(server)
        ensure_all(connectors, project.fields)
        hubspot = connectors["hubspot"]
        specs = [FieldSpec(n, t, n.replace("_", " ")) for n, t in PARTNER_FIELDS.items()]
        hubspot.ensure_fields("contacts", specs)
        hubspot.ensure_fields("deals", [FieldSpec("closed_lost_reason", "string", "Lost reason")])
        deals, people = _updates(hubspot, sandbox.config.now)
        for object_type, updates in (("deals", deals), ("contacts", people)):
            assert all(r.ok for r in hubspot.write(object_type, updates))
    return data_dir / STATE_FILE


def install_state(state_file: Path, project: Project) -> Path:
    """Copy a saved sandbox into the project's sandbox data folder (what ``--sandbox`` loads)."""
    target = project.root / ".crm-bridge" / "sandbox"
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(state_file, target / STATE_FILE)
    return target
