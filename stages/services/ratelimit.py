"""Counters of sensitive requests, kept in the database (table ``rate_limits``) so that they hold
across app processes and replicas.

Keys never hold an address or an IP in clear: ``<purpose>:<sha256 of the address or client>``.

- Mails on request (signup, "Mot de passe oublié", "Renvoyer le message d'activation"): at most
  :data:`MAILS_PER_ADDRESS` per address and per hour (beyond, the page answers the same and no
  mail leaves), and :data:`REQUESTS_PER_CLIENT` per client (browser address) and per hour
  (beyond, a French refusal).
- Failed logins: counted per (address, client), see ``stages.services.auth.authenticate``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from db.models import RateLimit
from stages.services.errors import ValidationError

MAILS_PER_ADDRESS = 5
REQUESTS_PER_CLIENT = 20
WINDOW = dt.timedelta(hours=1)
TOO_MANY = ("Trop de demandes depuis cet appareil en une heure : réessayez plus tard, ou contactez la DSDEN "
            "si vous ne recevez pas nos courriels.")


def digest(value: str | None) -> str:
    return hashlib.sha256((value or "-").encode("utf-8")).hexdigest()[:32]


def client_key(client: str | None) -> str:
    return digest((client or "").strip()[:100] or "-")


@dataclass
class Counter:
    count: int
    blocked_until: dt.datetime | None


def _row(session, key: str, now: dt.datetime) -> RateLimit:
    """The counter's row, locked (PostgreSQL: FOR UPDATE; SQLite: the write transaction is BEGIN IMMEDIATE)."""
    query = select(RateLimit).where(RateLimit.key == key).with_for_update()
    row = session.scalar(query)
    if row is None:
        try:
            with session.begin_nested():
                row = RateLimit(key=key, window_start=now, count=0)
                session.add(row)
                session.flush()
        except IntegrityError:  # created by a concurrent request meanwhile
            row = session.scalar(query)
    return row


def hit(session, key: str, *, limit: int, window: dt.timedelta, now: dt.datetime) -> bool:
    """Count one request under ``key``; False when it is over ``limit`` in the current window."""
    row = _row(session, key, now)
    if now - row.window_start >= window:
        row.window_start = now
        row.count = 0
    row.count += 1
    return row.count <= limit


def read(session, key: str, *, window: dt.timedelta, now: dt.datetime) -> Counter:
    """The counter of ``key`` (locked for this transaction); a block that ended, or a window that
    passed without a block, starts it again from zero."""
    row = _row(session, key, now)
    ended = row.blocked_until is not None and row.blocked_until <= now
    if ended or (row.blocked_until is None and now - row.window_start >= window):
        row.window_start = now
        row.count = 0
        row.blocked_until = None
    return Counter(row.count, row.blocked_until)


def blocked_until(session, key: str, now: dt.datetime) -> dt.datetime | None:
    """When the block of ``key`` ends, None when it is not blocked now (a plain read, no lock)."""
    until = session.scalar(select(RateLimit.blocked_until).where(RateLimit.key == key))
    return until if until is not None and until > now else None


def store(session, key: str, *, count: int, blocked_until: dt.datetime | None) -> None:
    row = session.scalar(select(RateLimit).where(RateLimit.key == key))
    row.count = count
    row.blocked_until = blocked_until


def clear_prefix(session, prefix: str) -> None:
    session.execute(delete(RateLimit).where(RateLimit.key.like(f"{prefix}%")))


def mail_request(session, purpose: str, address: str, client: str | None, now: dt.datetime) -> bool:
    """A request that may send a mail: raises when the client asked too often; False when this address
    already got its share of mails this hour (the caller then sends nothing and answers the same)."""
    if client is not None and not hit(session, f"{purpose}:client:{client_key(client)}", limit=REQUESTS_PER_CLIENT,
                                      window=WINDOW, now=now):
        raise ValidationError(TOO_MANY)
    return hit(session, f"{purpose}:addr:{digest(address)}", limit=MAILS_PER_ADDRESS, window=WINDOW, now=now)


def purge(session, now: dt.datetime) -> int:
    """Forget counters idle for a day (called by the daily purge)."""
    result = session.execute(delete(RateLimit).where(RateLimit.window_start < now - dt.timedelta(days=1),
                                                     (RateLimit.blocked_until.is_(None)) | (RateLimit.blocked_until < now)))
    return result.rowcount or 0
