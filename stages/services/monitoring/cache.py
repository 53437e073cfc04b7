"""The dashboard's memo: results kept per (database, function, scope, filters, page, minute,
data version); the data version is one small query, memoised 2 s and per write generation."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from sqlalchemy import func, select

from db import read_session
from db.models import Campaign, Candidature, Circonscription, Offer, School, StatusChange
from db.session import write_generation
from stages.config import get_settings
from stages.domain.timeutil import utcnow
from stages.lru import LruCache

CACHE_SIZE = 256
_cache = LruCache(CACHE_SIZE)


def clear_cache() -> None:
    _cache.clear()
    _version_memo.clear()


VERSION_TTL = 2.0  # seconds: how late another process's write may show (this process's: at once)
_version_memo: dict[str, tuple[int, float, tuple]] = {}


def data_version(session) -> tuple:
    """A cheap fingerprint of what the figures depend on: any write changes it.

    Rows of candidatures, status changes and schools are never deleted, so their ``max(id)`` (one
    index lookup) shows an insert, and ``max(updated_at)`` (indexed) an update; offers can be
    deleted (drafts), hence their count too (the deletion also records a status change).
    Memoised per database for ``VERSION_TTL`` seconds and per write generation of this process
    (``db.session.write_generation``): a commit in this process changes it at once, so the
    version is read at most once per rerun.
    """
    url = get_settings().database_url
    generation = write_generation()
    now = time.monotonic()
    memo = _version_memo.get(url)
    if memo is not None and memo[0] == generation and now - memo[1] < VERSION_TTL:
        return memo[2]

    def sub(stmt):
        return stmt.scalar_subquery()

    row = session.execute(
        select(
            sub(select(func.count(Offer.id))),
            sub(select(func.max(Offer.updated_at))),
            sub(select(func.max(Candidature.id))),
            sub(select(func.max(Candidature.updated_at))),
            sub(select(func.max(StatusChange.id))),
            sub(select(func.max(School.id))),
            sub(select(func.max(School.updated_at))),
            sub(select(func.max(Campaign.updated_at))),
            sub(select(func.max(Circonscription.updated_at))),
        )
    ).one()
    version = tuple(str(v) for v in row)
    _version_memo[url] = (generation, now, version)
    return version


def memo(name: str, key: tuple, compute: Callable[[object], object]):
    """``compute(session)`` memoised under (database, name, key, data version)."""
    with read_session() as session:
        full_key = (get_settings().database_url, name, key, data_version(session))
        return _cache.get_or_compute(full_key, lambda: compute(session))


def resolve_now(now: dt.datetime | None) -> dt.datetime:
    """The instant the figures are computed at: the current minute unless a test fixes it."""
    return now or utcnow().replace(second=0, microsecond=0)
