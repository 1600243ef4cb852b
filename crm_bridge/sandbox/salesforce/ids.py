"""Salesforce record ids: 3-character key prefixes, 15-character ids and the 18-character form."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

KEY_PREFIXES: dict[str, str] = {
    "Account": "001",
    "Contact": "003",
    "Lead": "00Q",
    "Opportunity": "006",
    "OpportunityContactRole": "00K",
    "Task": "00T",
    "User": "005",
    "CustomField": "00N",
}
QUERY_LOCATOR_PREFIX = "01g"
_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def _base62(n: int, width: int) -> str:
    chars = []
    for _ in range(width):
        n, r = divmod(n, 62)
        chars.append(_BASE62[r])
    return "".join(reversed(chars))


def to18(id15: str) -> str:
    """Append the case-safe 3-character checksum to a 15-character id."""
    if len(id15) != 15:
        return id15
    suffix = ""
    for chunk in range(3):
        bits = 0
        for i, ch in enumerate(id15[chunk * 5 : chunk * 5 + 5]):
            if "A" <= ch <= "Z":
                bits |= 1 << i
        suffix += _SUFFIX[bits]
    return id15 + suffix


def make_id(prefix: str, n: int) -> str:
    """The 18-character id number ``n`` for a key prefix (pod ``8d``, like a real org)."""
    return to18(f"{prefix}8d0{_base62(n, 9)}")


def id_sequence(prefix: str, start: int = 1) -> Iterator[str]:
    """Ids for a prefix, in increasing order."""
    for n in itertools.count(start):
        yield make_id(prefix, n)


def normalise(record_id: str) -> str:
    """The 18-character form of a 15- or 18-character id (other strings unchanged)."""
    if len(record_id) == 15:
        return to18(record_id)
    return record_id
