"""Fields Salesforce computes on write: names, stage facts, activity dates, audit stamps."""

from __future__ import annotations

from datetime import date
from typing import Any

from .objects import stage_facts

Record = dict[str, Any]


def full_name(rec: Record) -> str:
    """``FirstName LastName`` as Salesforce builds the read-only Name."""
    first = rec.get("FirstName") or ""
    last = rec.get("LastName") or ""
    return f"{first} {last}".strip()


def apply(sobject: str, rec: Record, changed: Record, stamp: str) -> None:
    """Update the computed fields of ``rec`` after ``changed`` was written at ``stamp``."""
    if sobject in ("Lead", "Contact", "User") and ("FirstName" in changed or "LastName" in changed):
        rec["Name"] = full_name(rec)
    if sobject == "Opportunity":
        if "StageName" in changed and changed["StageName"] is not None:
            closed, won, prob, forecast = stage_facts(changed["StageName"])
            rec["IsClosed"], rec["IsWon"], rec["ForecastCategory"] = closed, won, forecast
            rec["ForecastCategoryName"] = forecast
            if changed.get("Probability") is None:
                rec["Probability"] = prob
            rec["LastStageChangeDate"] = stamp
        if changed.get("CloseDate"):
            close = date.fromisoformat(changed["CloseDate"])
            rec["FiscalYear"] = close.year
            rec["FiscalQuarter"] = (close.month - 1) // 3 + 1
    if sobject == "Task" and "Status" in changed:
        done = changed["Status"] == "Completed"
        rec["IsClosed"] = done
        rec["CompletedDateTime"] = stamp if done else None
