"""Deal pipelines: the default "Sales Pipeline" and its stages, as the pipelines API shows them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .timeutil import from_epoch_ms, iso

DEFAULT_STAGES: tuple[tuple[str, str, float, bool], ...] = (
    ("appointmentscheduled", "Appointment Scheduled", 0.2, False),
    ("qualifiedtobuy", "Qualified To Buy", 0.4, False),
    ("presentationscheduled", "Presentation Scheduled", 0.6, False),
    ("decisionmakerboughtin", "Decision Maker Bought-In", 0.8, False),
    ("contractsent", "Contract Sent", 0.9, False),
    ("closedwon", "Closed Won", 1.0, True),
    ("closedlost", "Closed Lost", 0.0, True),
)


@dataclass(frozen=True)
class Stage:
    """One pipeline stage."""

    id: str
    label: str
    display_order: int
    probability: float
    is_closed: bool

    @property
    def is_won(self) -> bool:
        """Closed with probability 1."""
        return self.is_closed and self.probability >= 1.0

    def to_api(self) -> dict[str, Any]:
        """The stage as the API returns it (metadata values are strings)."""
        ts = iso(from_epoch_ms(0))
        return {
            "id": self.id,
            "label": self.label,
            "displayOrder": self.display_order,
            "metadata": {
                "isClosed": "true" if self.is_closed else "false",
                "probability": str(self.probability),
            },
            "createdAt": ts,
            "updatedAt": ts,
            "archived": False,
            "writePermissions": "CRM_PERMISSIONS_ENFORCEMENT",
        }


@dataclass(frozen=True)
class Pipeline:
    """A deal pipeline."""

    id: str
    label: str
    display_order: int
    stages: tuple[Stage, ...] = field(default_factory=tuple)

    def stage(self, stage_id: str) -> Stage | None:
        """The stage with this id, if in this pipeline."""
        return next((s for s in self.stages if s.id == stage_id), None)

    def to_api(self) -> dict[str, Any]:
        """The pipeline as the API returns it."""
        ts = iso(from_epoch_ms(0))
        return {
            "id": self.id,
            "label": self.label,
            "displayOrder": self.display_order,
            "createdAt": ts,
            "updatedAt": ts,
            "archived": False,
            "stages": [s.to_api() for s in self.stages],
        }


def default_pipeline() -> Pipeline:
    """HubSpot's default deal pipeline `default` ("Sales Pipeline")."""
    stages = tuple(
        Stage(sid, label, i, prob, closed)
        for i, (sid, label, prob, closed) in enumerate(DEFAULT_STAGES)
    )
    return Pipeline("default", "Sales Pipeline", 0, stages)


def stage_index(pipelines: list[Pipeline]) -> dict[str, Stage]:
    """All stages of all pipelines by stage id."""
    return {s.id: s for p in pipelines for s in p.stages}
