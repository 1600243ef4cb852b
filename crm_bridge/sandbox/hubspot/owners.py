"""Owners (users) of the portal, as `/crm/v3/owners/` returns them."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .timeutil import iso, parse_datetime


@dataclass(frozen=True)
class Owner:
    """A HubSpot user who can own records."""

    id: int
    email: str
    first_name: str
    last_name: str
    user_id: int
    teams: tuple[str, ...]
    created_at: datetime

    def to_api(self) -> dict[str, Any]:
        """As the owners API returns it."""
        return {
            "id": str(self.id), "email": self.email, "firstName": self.first_name, "lastName": self.last_name,
            "userId": self.user_id, "type": "PERSON", "archived": False,
            "createdAt": iso(self.created_at), "updatedAt": iso(self.created_at),
            "teams": [{"id": str(zlib.crc32(t.encode()) % 10_000_000), "name": t, "primary": i == 0} for i, t in enumerate(self.teams)],
        }  # fmt: skip

    def to_json(self) -> dict[str, Any]:
        """For persistence."""
        return {"id": self.id, "email": self.email, "first": self.first_name, "last": self.last_name,
                "user_id": self.user_id, "teams": list(self.teams), "created": iso(self.created_at)}  # fmt: skip

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Owner:
        """Inverse of `to_json`."""
        return cls(int(d["id"]), d["email"], d["first"], d["last"], int(d["user_id"]), tuple(d["teams"]),
                   parse_datetime(d["created"]))  # fmt: skip
