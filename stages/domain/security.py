"""Account protection numbers and rules: the lockout after failed logins, the remembered login.

Named once here; the services apply them and the privacy and terms pages quote them.
"""

from __future__ import annotations

import datetime as dt

MAX_FAILED_LOGINS = 8  # wrong passwords in a row before the account is locked
LOCKOUT_MINUTES = 15  # how long it stays locked
FAILURE_MEMORY = dt.timedelta(days=1)  # failed logins older than this are forgotten
REMEMBER_DAYS = 14  # "Se souvenir de moi": how long the login cookie lasts on a device
REMEMBER_IDLE_DAYS = 7  # a remembered login unused for a week ends, even before its 14 days


def is_locked(locked_until: dt.datetime | None, now: dt.datetime) -> bool:
    return locked_until is not None and locked_until > now


def lock_minutes_left(locked_until: dt.datetime, now: dt.datetime) -> int:
    """Whole minutes to wait, rounded up (at least 1)."""
    return max(1, int((locked_until - now).total_seconds() // 60) + 1)


def attempts_left(failed_count: int) -> int:
    """Tries left before the lockout (0 or less: lock now)."""
    return MAX_FAILED_LOGINS - failed_count


def lock_until(now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(minutes=LOCKOUT_MINUTES)


IDLE_MINUTES = 30  # a login without "Se souvenir de moi" ends after this long without activity


def is_idle(last_seen: float, now: float, remembered: bool) -> bool:
    """``last_seen`` and ``now`` in seconds (``time.time()``); a remembered login never idles out."""
    return not remembered and now - last_seen > IDLE_MINUTES * 60


ACTIVATION_HOURS = 72  # validity of the activation link sent by mail
RESET_HOURS = 2  # validity of the "mot de passe oublié" link
