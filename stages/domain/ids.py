"""Identifiers that come from outside (a URL, a form): checked before they reach a query."""

from __future__ import annotations

MAX_ID = 2**31 - 1  # PostgreSQL INTEGER; SQLite would raise OverflowError beyond 2**63


def parse_id(raw) -> int | None:
    """``raw`` as a row id (1 .. 2**31-1), or None: ``?offre=99999999999999999999999``, ``-1``, ``1e3``,
    ``abc`` all mean "no such row", never an exception."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        value = raw
    else:
        text = str(raw or "").strip()
        if not text.isascii() or not text.isdigit() or len(text) > 10:
            return None
        value = int(text)
    return value if 1 <= value <= MAX_ID else None
