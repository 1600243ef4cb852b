"""A small sandbox project for the report tests: the example project (150 people, seed 7).

The generated sandbox holds everything the report charts: loss reasons on closed-lost deals
(Salesforce ``Loss_Reason__c``, HubSpot ``closed_lost_reason``), leads handed to partners
(partner, hand-over date, the partner's answer and its date in both CRMs), first sales
touches and reps in several teams; the example's ``fields.yaml`` maps them. The expected
figures are derived here from the sandbox's generated World (the ground truth), independently
of the report code: the partner outcome of every hand-over and the canonical loss reason of
every lost deal.
"""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import datetime
from pathlib import Path

from crm_bridge.alignment.calendar import BusinessCalendar
from crm_bridge.connectors.factory import sandbox_connectors
from crm_bridge.jobs.setup import ensure_all
from crm_bridge.project import Project, load_project
from crm_bridge.sandbox.core import STATE_FILE, Sandbox
from crm_bridge.sandbox.server import SandboxServer
from crm_bridge.sandbox.world import World

EXAMPLE = Path(__file__).resolve().parents[2] / "crm_bridge" / "example"
RECORDS = 150
SEED = 7
#: The partner's answer -> closed-loop outcome, as the example's sla.yaml defines it.
OUTCOMES = {
    "Accepted": "accepted",
    "Working": "accepted",
    "Converted": "converted",
    "Closed Won": "converted",
    "Returned": "recycled",
    "Rejected": "lost",
    "Lost": "lost",
}
#: Sandbox loss-reason keys -> the canonical loss_reason of the example's fields.yaml.
LOSS_REASONS = {
    "no_decision": "No decision",
    "competitor": "Competitor",
    "price": "Price",
    "timing": "Timing",
    "product_fit": "Product fit",
}
LOST = 6  # index of Closed Lost in the sandbox's stages
SALES_TEAMS = {"SDR East", "SDR West", "AE Enterprise", "AE Mid-Market", "Partner desk"}


def make_project(root: Path) -> Project:
    """A copy of the example project with a small sandbox."""
    shutil.copytree(EXAMPLE, root, dirs_exist_ok=True)
    profile = root / "connectors" / "sandbox.yaml"
    text = profile.read_text(encoding="utf-8")
    text = text.replace("records: 2000", f"records: {RECORDS}").replace("seed: 42", f"seed: {SEED}")
    profile.write_text(text.replace("rate_limits: true", "rate_limits: false"), encoding="utf-8")
    return load_project(root)


def seeded_state(project: Project, data_dir: Path) -> Path:
    """A saved sandbox with the project's alignment fields created, in ``data_dir``."""
    sandbox = Sandbox.create(records=RECORDS, seed=SEED, rate_limits=False, data_dir=data_dir)
    with SandboxServer(sandbox) as server:
        ensure_all(sandbox_connectors(server), project.fields)
    return data_dir / STATE_FILE


def install_state(state_file: Path, project: Project) -> Path:
    """Copy a saved sandbox into the project's sandbox data folder (what ``--sandbox`` loads)."""
    target = project.root / ".crm-bridge" / "sandbox"
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(state_file, target / STATE_FILE)
    return target


def expected_partner_outcomes(world: World, project: Project, now: datetime) -> Counter[str]:
    """Outcome of every hand-over at ``now``: the answer's outcome, else ``no_response`` once
    the partner policy's deadline (business time on its calendar) has passed, else
    ``pending``."""
    assert project.sla is not None and project.sla.partner_loop is not None
    policy = project.sla.policy(project.sla.partner_loop.policy)
    calendar = BusinessCalendar.from_config(project.sla.calendar(policy.calendar))
    duration = policy.business_duration(calendar.day_length)
    out: Counter[str] = Counter()
    for person in world.people:
        handover = person.partner
        if handover is None:
            continue
        if handover.status is not None:
            out[OUTCOMES[handover.status]] += 1
        elif calendar.add(handover.handed_at, duration) <= now:
            out["no_response"] += 1
        else:
            out["pending"] += 1
    return out


def expected_loss_reasons(world: World) -> set[str | None]:
    """The canonical loss reasons of the lost deals (``None``: a lost deal without one)."""
    lost = [o for o in world.opportunities if o.stage == LOST]
    return {LOSS_REASONS[o.loss_reason] if o.loss_reason else None for o in lost}
