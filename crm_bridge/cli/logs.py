"""Logging set-up: readable text, or one JSON object per line for log shippers."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message and any ``extra`` fields."""

    _skip = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in self._skip:
                data[key] = value
        return json.dumps(data, default=str)


def configure_logging(fmt: str = "text", level: str = "INFO") -> None:
    """Send crm-bridge's logs to stderr as ``text`` or ``json``."""
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("crm_bridge")
    root.handlers[:] = [handler]
    wanted = logging.getLevelName(level.upper())
    numeric = wanted if isinstance(wanted, int) else logging.INFO
    # text output keeps the terminal for the summary: warnings and up, unless DEBUG is asked for
    quiet = fmt != "json" and numeric != logging.DEBUG
    root.setLevel(max(numeric, logging.WARNING) if quiet else numeric)
    root.propagate = False
