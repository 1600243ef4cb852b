"""Job definitions: one file in ``jobs/`` per job (the file stem names the job).

A job says when to run (``schedule`` as a cron expression, or ``every: 15m``; neither means
"only when started by hand"), in which ``timezone``, which connections to read (``source``) and
write (``write``), which objects, how to settle conflicting values of a shared field
(``conflicts``), and whether to write (``mode: apply``) or only plan (``mode: dry_run``).
That connection names exist is checked by :mod:`crm_bridge.project`, which sees all files.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal, TypeAlias
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from crm_bridge.conditions import parse_duration
from crm_bridge.config.connectors import HUBSPOT_MAX_BATCH, SALESFORCE_MAX_BATCH
from crm_bridge.model import ObjectKind

Policy: TypeAlias = Literal["salesforce", "hubspot", "newest", "furthest"]


def check_cron(text: str) -> str:
    """A standard 5-field cron expression (minute hour day month weekday), else ``ValueError``."""
    from apscheduler.triggers.cron import CronTrigger

    fields = text.split()
    if len(fields) != 5:
        raise ValueError(
            "expected a cron expression with 5 fields (minute hour day month weekday), "
            f"found {text!r}"
        )
    try:
        CronTrigger.from_crontab(text, timezone="UTC")
    except ValueError as exc:
        raise ValueError(f"expected a valid cron expression, found {text!r} ({exc})") from exc
    return text


def check_timezone(name: str) -> str:
    """An IANA timezone name such as ``Europe/Berlin``, else ``ValueError``."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"expected an IANA timezone such as UTC, Europe/Berlin or America/New_York, "
            f"found {name!r}"
        ) from exc
    return name


def _duration(value: Any) -> timedelta:
    if isinstance(value, timedelta):
        return value
    return parse_duration(str(value))


def _all_objects() -> list[ObjectKind]:
    return ["account", "person", "opportunity"]


Cron = Annotated[str, AfterValidator(check_cron)]
Timezone = Annotated[str, AfterValidator(check_timezone)]


class BatchSizes(BaseModel):
    """Per-CRM write batch sizes (at most the API maximum)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    salesforce: int | None = Field(None, ge=1, le=SALESFORCE_MAX_BATCH)
    hubspot: int | None = Field(None, ge=1, le=HUBSPOT_MAX_BATCH)


class JobFile(BaseModel):
    """Root model of one ``jobs/*.yaml`` file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str = ""
    schedule: Cron | None = None
    every: timedelta | None = None
    timezone: Timezone = "UTC"
    source: list[str] = Field(min_length=1)
    objects: list[ObjectKind] = Field(default_factory=_all_objects, min_length=1)
    write: list[str] = Field(default_factory=list)
    conflicts: dict[str, Policy] = Field(default_factory=dict)
    mode: Literal["apply", "dry_run"] = "apply"
    batch_size: BatchSizes = Field(default_factory=BatchSizes)
    full_every: timedelta | None = None
    lock_ttl: timedelta = timedelta(minutes=30)

    @field_validator("every", "full_every", "lock_ttl", mode="before")
    @classmethod
    def _durations(cls, value: Any) -> timedelta | None:
        if value is None:
            return None
        duration = _duration(value)
        if duration < timedelta(minutes=1):
            raise ValueError(f"expected a duration of at least 1m, found {value!r}")
        return duration

    @model_validator(mode="after")
    def _one_trigger(self) -> JobFile:
        if self.schedule is not None and self.every is not None:
            raise ValueError("give either schedule (cron) or every (interval), not both")
        for key, names in (("source", self.source), ("write", self.write)):
            dupes = sorted({n for n in names if names.count(n) > 1})
            if dupes:
                raise ValueError(f"{key} names connection '{dupes[0]}' twice")
        return self

    @property
    def default_policy(self) -> Policy:
        """The policy for shared fields not listed in ``conflicts`` (``newest`` by default)."""
        return self.conflicts.get("default", "newest")

    @property
    def field_policies(self) -> dict[str, Policy]:
        """The per-field policies (without ``default``)."""
        return {k: v for k, v in self.conflicts.items() if k != "default"}
