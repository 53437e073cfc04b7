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


# The login cookie (stages.web): a 14-day one with "Se souvenir de moi", else a browser-session one,
# so that a reload, a new tab or another app server keeps the login. Both end with the account's
# session generation (password changed or reset, "Se déconnecter").
SESSION_COOKIE_MAX_HOURS = 12  # a browser-session login cookie ends after this, however active


def login_cookie_lifetime(persistent: bool) -> dt.timedelta:
    return dt.timedelta(days=REMEMBER_DAYS) if persistent else dt.timedelta(hours=SESSION_COOKIE_MAX_HOURS)


def login_cookie_alive(*, persistent: bool, revoked: bool, expires_at: dt.datetime, last_seen_at: dt.datetime,
                       generation: int, account_generation: int, now: dt.datetime) -> bool:
    """Not revoked, not expired, not idle (``REMEMBER_IDLE_DAYS`` remembered, ``IDLE_MINUTES`` otherwise),
    and opened in the account's current session generation."""
    idle_limit = dt.timedelta(days=REMEMBER_IDLE_DAYS) if persistent else dt.timedelta(minutes=IDLE_MINUTES)
    return (not revoked and expires_at > now and now - last_seen_at <= idle_limit
            and generation == account_generation)


def login_activity_due(persistent: bool, last_seen_at: dt.datetime, now: dt.datetime) -> bool:
    """Whether to record a login cookie's activity now: once an hour remembered, once a minute otherwise
    (often enough for its idle limit, seldom enough to cost no write on most reruns)."""
    return now - last_seen_at > (dt.timedelta(hours=1) if persistent else dt.timedelta(minutes=1))


ACTIVATION_HOURS = 72  # validity of the activation link sent by mail
RESET_HOURS = 2  # validity of the "mot de passe oublié" link
