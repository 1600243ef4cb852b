"""Associations v4: typed, labelled links between records, stored in both directions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .errors import validation

#: (from, to) -> [(typeId, category, label)] built in; primary types carry the label "Primary".
BUILTIN: dict[tuple[str, str], list[tuple[int, str, str | None]]] = {
    ("contacts", "companies"): [(279, "HUBSPOT_DEFINED", None), (1, "HUBSPOT_DEFINED", "Primary")],
    ("companies", "contacts"): [(280, "HUBSPOT_DEFINED", None), (2, "HUBSPOT_DEFINED", "Primary")],
    ("deals", "companies"): [(341, "HUBSPOT_DEFINED", None), (5, "HUBSPOT_DEFINED", "Primary")],
    ("companies", "deals"): [(342, "HUBSPOT_DEFINED", None), (6, "HUBSPOT_DEFINED", "Primary")],
    ("deals", "contacts"): [(3, "HUBSPOT_DEFINED", None)],
    ("contacts", "deals"): [(4, "HUBSPOT_DEFINED", None)],
}
#: Labels every portal of this sandbox has on deal<->contact.
DEFAULT_LABELS = ("Decision Maker", "Champion", "Blocker", "Influencer", "Economic Buyer")
V3_TYPE_NAMES = {
    ("contacts", "companies"): "contact_to_company", ("companies", "contacts"): "company_to_contact",
    ("deals", "companies"): "deal_to_company", ("companies", "deals"): "company_to_deal",
    ("deals", "contacts"): "deal_to_contact", ("contacts", "deals"): "contact_to_deal",
}  # fmt: skip

Spec = tuple[str, int]  # (category, typeId)
Key = tuple[str, int, str]  # (fromType, fromId, toType)


def default_type(from_t: str, to_t: str) -> int:
    """The unlabelled HUBSPOT_DEFINED type id for a pair."""
    return BUILTIN[(from_t, to_t)][0][0]


@dataclass
class AssociationStore:
    """Both directions of every association, plus the label definitions per object pair."""

    links: dict[Key, dict[int, set[Spec]]] = field(default_factory=dict)
    labels: dict[tuple[str, str], list[tuple[int, str, str | None]]] = field(default_factory=dict)
    next_type_id: int = 100

    def __post_init__(self) -> None:
        if not self.labels:
            self.labels = {k: list(v) for k, v in BUILTIN.items()}
            for label in DEFAULT_LABELS:
                self.create_label("deals", "contacts", label)

    def types(self, from_t: str, to_t: str) -> list[tuple[int, str, str | None]]:
        """All association types (built-in and labels) for a pair."""
        if (from_t, to_t) not in self.labels:
            raise validation(f"Unknown association between {from_t} and {to_t}")
        return self.labels[(from_t, to_t)]

    def create_label(self, from_t: str, to_t: str, label: str, inverse: str | None = None) -> int:
        """Create a USER_DEFINED label on a pair (and its inverse); return its type id."""
        for tid, cat, lab in self.types(from_t, to_t):
            if cat == "USER_DEFINED" and lab == label:
                return tid
        tid = self.next_type_id
        self.next_type_id += 2
        self.labels[(from_t, to_t)].append((tid, "USER_DEFINED", label))
        self.labels[(to_t, from_t)].append((tid + 1, "USER_DEFINED", inverse or label))
        return tid

    def label_of(self, from_t: str, to_t: str, spec: Spec) -> str | None:
        """The label of a type, or None."""
        return next(
            (
                lab
                for tid, cat, lab in self.types(from_t, to_t)
                if tid == spec[1] and cat == spec[0]
            ),
            None,
        )

    def _inverse(self, from_t: str, to_t: str, spec: Spec) -> Spec:
        cat, tid = spec
        forward = self.types(from_t, to_t)
        pos = next((i for i, t in enumerate(forward) if t[0] == tid and t[1] == cat), None)
        if pos is None:
            raise validation(f"Unknown association type {tid} ({cat}) from {from_t} to {to_t}")
        back = self.types(to_t, from_t)[pos]
        return (back[1], back[0])

    def add(self, from_t: str, from_id: int, to_t: str, to_id: int, specs: list[Spec]) -> None:
        """Associate two records with these types (the default type is always included)."""
        specs = [("HUBSPOT_DEFINED", default_type(from_t, to_t)), *specs]
        fwd = self.links.setdefault((from_t, from_id, to_t), {}).setdefault(to_id, set())
        back = self.links.setdefault((to_t, to_id, from_t), {}).setdefault(from_id, set())
        for spec in specs:
            fwd.add(spec)
            back.add(self._inverse(from_t, to_t, spec))

    def remove(self, from_t: str, from_id: int, to_t: str, to_id: int) -> None:
        """Remove every association between two records."""
        self.links.get((from_t, from_id, to_t), {}).pop(to_id, None)
        self.links.get((to_t, to_id, from_t), {}).pop(from_id, None)

    def targets(self, from_t: str, from_id: int, to_t: str) -> dict[int, set[Spec]]:
        """Associated ids (in id order) with their types."""
        found = self.links.get((from_t, from_id, to_t), {})
        return {k: found[k] for k in sorted(found)}

    def move(self, obj: str, old: int, new: int) -> None:
        """Repoint every association of `old` to `new` (merge)."""
        for key in [k for k in self.links if k[0] == obj and k[1] == old]:
            for to_id, specs in self.links.pop(key).items():
                for spec in specs:
                    fwd = self.links.setdefault((obj, new, key[2]), {}).setdefault(to_id, set())
                    fwd.add(spec)
                back = self.links.get((key[2], to_id, obj), {})
                if old in back:
                    back.setdefault(new, set()).update(back.pop(old))

    def v3(self, from_t: str, from_id: int, to_t: str) -> dict[str, Any]:
        """The v3 `associations` block for one target type."""
        results = []
        for to_id, specs in self.targets(from_t, from_id, to_t).items():
            for cat, tid in sorted(specs, key=lambda s: s[1]):
                label = self.label_of(from_t, to_t, (cat, tid))
                name = (
                    V3_TYPE_NAMES[(from_t, to_t)]
                    if label is None
                    else label.lower().replace(" ", "_")
                )
                results.append({"id": str(to_id), "type": name})
        return {"results": results}

    def to_json(self) -> dict[str, Any]:
        """For persistence."""
        return {
            "links": [
                [f, i, t, to, sorted(specs)]
                for (f, i, t), m in self.links.items()
                for to, specs in m.items()
            ],
            "labels": [[f, t, v] for (f, t), v in self.labels.items()],
            "next_type_id": self.next_type_id,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> AssociationStore:
        """Inverse of `to_json`."""
        labels = {(f, t): [tuple(x) for x in v] for f, t, v in d["labels"]}
        out = cls(labels=labels, next_type_id=int(d["next_type_id"]))
        for f, i, t, to, specs in d["links"]:
            out.links.setdefault((f, int(i), t), {})[int(to)] = {(c, int(n)) for c, n in specs}
        return out
