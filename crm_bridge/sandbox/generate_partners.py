"""Leads handed to partners and resellers in the sandbox World, with the partners' answers.

About 5 % of the open leads (at least one of each answer pattern below) go to a partner: the
lead moves to a partner-desk owner and carries the partner, the hand-over time and the
partner's latest answer with its time. The answers follow a fixed rotation so that even a
small sandbox shows every closed-loop outcome: quick and late acceptances, conversions, leads
returned to marketing, rejections, leads never answered and leads handed over just now.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta

from crm_bridge.sandbox.world import PARTNERS, PartnerHandover, Person, User

SHARE = 0.05
#: (answer, its delay after the hand-over in hours); answer None with delay None = never
#: answered, answer None with a delay = handed over that many hours ago, no answer yet.
PATTERN: tuple[tuple[str | None, tuple[float, float] | None], ...] = (
    ("Accepted", (1, 20)),
    (None, None),
    ("Working", (4, 96)),
    ("Converted", (72, 720)),
    ("Returned", (2, 72)),
    (None, (0.5, 6)),
    ("Rejected", (1, 48)),
    ("Closed Won", (240, 1440)),
    ("Accepted", (1, 30)),
    (None, None),
)
_OPEN_HS = frozenset({"subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead"})


def _eligible(p: Person, duplicated: set[str]) -> bool:
    """An open lead without duplicates, with an email in every CRM copy (so both copies link
    to one person)."""
    if p.duplicate_of is not None or p.id in duplicated:
        return False
    sf, hs = p.salesforce, p.hubspot
    if sf is not None and (sf.kind != "lead" or sf.converted_at is not None):
        return False
    if hs is not None and hs.lifecyclestage not in _OPEN_HS:
        return False
    copies = [c.fields for c in (sf, hs) if c is not None]
    return bool(copies) and all(f.email for f in copies)


def _handover(rng: random.Random, now: datetime, k: int) -> PartnerHandover:
    status, delay = PATTERN[k % len(PATTERN)]
    partner = rng.choice(PARTNERS)
    if status is None and delay is not None:  # just handed over: no answer due yet
        return PartnerHandover(partner, now - timedelta(hours=rng.uniform(*delay)))
    after = timedelta(hours=rng.uniform(*delay)) if delay is not None else timedelta(0)
    ago = max(timedelta(days=rng.uniform(7, 150)), after + timedelta(days=1))
    handed = (now - ago).replace(microsecond=0)
    if status is None:
        return PartnerHandover(partner, handed)
    return PartnerHandover(partner, handed, status, (handed + after).replace(microsecond=0))


def assign_partners(
    rng: random.Random, now: datetime, people: list[Person], users: tuple[User, ...]
) -> list[Person]:
    """``people`` with about 5 % of the eligible open leads handed to partners."""
    desk = [u for u in users if u.department == "Partner desk"]
    duplicated = {p.duplicate_of for p in people if p.duplicate_of is not None}
    eligible = [i for i, p in enumerate(people) if _eligible(p, duplicated)]
    count = min(len(eligible), max(len(PATTERN), round(SHARE * len(people))))
    chosen = sorted(rng.sample(eligible, count))
    out = list(people)
    for k, index in enumerate(chosen):
        p = out[index]
        handover = _handover(rng, now, k)
        changed = handover.status_at or handover.handed_at
        sf, hs = p.salesforce, p.hubspot
        out[index] = replace(
            p,
            partner=handover,
            owner_id=rng.choice(desk).id if desk else p.owner_id,
            salesforce=replace(sf, modified_at=max(sf.modified_at, changed)) if sf else None,
            hubspot=replace(hs, modified_at=max(hs.modified_at, changed)) if hs else None,
        )
    return out
