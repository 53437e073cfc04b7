"""Logins: the login form's check, the page-to-route handoff, the login cookie, logout.

- Login cookie: an HttpOnly cookie set by ``stages.web``, for 14 days with "Se souvenir de moi",
  else for the browser session (30 idle minutes). A page cannot set such a cookie, so after the
  login the page hands a one-minute, single-use LOGIN_HANDOFF token to the route (it is the
  route's CSRF token too), which opens the :class:`AuthSession`.
- Logging out, or changing the password, revokes every login cookie of the account and moves its
  session generation on; a cookie of an older generation no longer logs in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, update

from db import read_session, write_session
from db.models import AuthSession, TokenPurpose, User, UserToken
from stages.domain import security
from stages.domain.timeutil import utcnow
from stages.services import auth
from stages.services.auth import CurrentUser, to_current_user
from stages.services.tokens import find_token, issue_token, new_token, token_hash

HANDOFF_SECONDS = 60
COOKIE_NAME = "stages_session"


# --------------------------------------------------------------------------- login


@dataclass(frozen=True)
class LoginResult:
    user: CurrentUser
    handoff_token: str | None  # set when "Se souvenir de moi" was ticked: the page posts it to /app/session


def login(email: str, password: str, remember: bool = False, now: dt.datetime | None = None,
          client: str | None = None, session_cookie: bool = False) -> LoginResult:
    """Check the credentials (with the lockout of ``auth.authenticate``); prepare the login cookie.

    With ``remember`` the handoff opens a 14-day cookie; with ``session_cookie`` (the app's
    login page) a browser-session cookie, so that a reload, a new tab or another app server
    keeps the login without "Se souvenir de moi".
    """
    user = auth.authenticate(email, password, now=now, client=client)
    token = None
    if remember or session_cookie:
        token = create_handoff(user.id, "remember" if remember else "session", now=now,
                               generation=user.session_generation)
    return LoginResult(user, token)


def create_handoff(user_id: int, action: str, now: dt.datetime | None = None, generation: int | None = None) -> str:
    """A single-use token valid 60 seconds that a page hands to one of the routes of ``stages.web``.

    ``generation``: the account's session generation when the login was checked; the cookie opened
    from this handoff belongs to it (a password change in between ends it too).
    """
    now = now or utcnow()
    payload = {"action": action} if generation is None else {"action": action, "generation": generation}
    with write_session() as session:
        return issue_token(session, user_id, TokenPurpose.LOGIN_HANDOFF, dt.timedelta(seconds=HANDOFF_SECONDS), now,
                           payload=payload)


def _consume_handoff(session, token: str | None, action: str | tuple[str, ...], now: dt.datetime) -> User | None:
    row = find_token(session, token, TokenPurpose.LOGIN_HANDOFF)
    if row is None or row.used_at is not None or row.expires_at <= now:
        return None
    if (row.payload or {}).get("action") not in (action if isinstance(action, tuple) else (action,)):
        return None
    row.used_at = now
    return row.user


def open_remembered_session(handoff_token: str | None, user_agent: str | None = None,
                            now: dt.datetime | None = None) -> tuple[str, dt.datetime | None] | None:
    """Exchange a handoff for a login cookie: (cookie token, expiry), or None.

    A "remember" handoff opens a 14-day login (expiry returned: a persistent cookie); a "session"
    handoff a browser-session login (expiry None: a session cookie), ended after
    ``security.IDLE_MINUTES`` without activity and at the latest after ``security.SESSION_COOKIE_MAX_HOURS``.
    """
    now = now or utcnow()
    with write_session() as session:
        row = find_token(session, handoff_token, TokenPurpose.LOGIN_HANDOFF)
        user = _consume_handoff(session, handoff_token, ("remember", "session"), now)
        if user is None or not user.is_active:
            return None
        payload = row.payload or {}
        persistent = payload.get("action") == "remember"
        token = new_token()
        expires = now + security.login_cookie_lifetime(persistent)
        auth_session = AuthSession(user_id=user.id, token_hash=token_hash(token), created_at=now, last_seen_at=now,
                                   expires_at=expires, user_agent=(user_agent or "")[:300] or None,
                                   persistent=persistent,
                                   session_generation=payload.get("generation", user.session_generation))
        session.add(auth_session)
        session.flush()
        # The page that logged in keeps the handoff token: through it, it finds (and keeps alive) this login.
        row.payload = {**payload, "auth_session_id": auth_session.id}
        return token, (expires if persistent else None)


def _usable(row: AuthSession | None, now: dt.datetime) -> bool:
    if row is None:
        return False
    user = row.user
    return user.is_active and security.login_cookie_alive(
        persistent=row.persistent, revoked=row.revoked_at is not None, expires_at=row.expires_at,
        last_seen_at=row.last_seen_at, generation=row.session_generation or 0,
        account_generation=user.session_generation or 0, now=now)


def _cookie_row(session, cookie_token: str | None) -> AuthSession | None:
    if not isinstance(cookie_token, str) or not cookie_token or len(cookie_token) > 200:
        return None
    return session.scalar(select(AuthSession).where(AuthSession.token_hash == token_hash(cookie_token)))


@dataclass(frozen=True)
class RestoredLogin:
    user: CurrentUser
    persistent: bool


def restore_login(cookie_token: str | None, now: dt.datetime | None = None) -> RestoredLogin | None:
    """The login of a cookie (remembered or browser-session), or None if unknown, expired, idle,
    revoked, of an older session generation, or the account is inactive.

    Records the activity (``last_seen_at``) when ``security.login_activity_due``.
    """
    now = now or utcnow()
    with write_session() as session:
        row = _cookie_row(session, cookie_token)
        if not _usable(row, now):
            return None
        if security.login_activity_due(row.persistent, row.last_seen_at, now):
            row.last_seen_at = now
        return RestoredLogin(to_current_user(row.user), row.persistent)


def restore_session(cookie_token: str | None, now: dt.datetime | None = None) -> CurrentUser | None:
    """The user of a login cookie (see :func:`restore_login`), or None."""
    restored = restore_login(cookie_token, now=now)
    return restored.user if restored else None


def is_session_valid(cookie_token: str | None, now: dt.datetime | None = None) -> bool:
    """Whether a login cookie is still valid (see :func:`keep_login_alive`, which also records the activity)."""
    return keep_login_alive(cookie_token=cookie_token, now=now) is True


def keep_login_alive(*, cookie_token: str | None = None, handoff_token: str | None = None,
                     now: dt.datetime | None = None) -> bool | None:
    """Called on the runs of a logged-in page: is its login cookie still valid? Records the activity.

    The page knows its login either by the cookie it was restored from, or by the handoff token it
    gave to ``/app/session`` after the login form. True: valid (activity recorded when
    ``security.login_activity_due``); False: revoked, expired, idle or of an older session generation;
    None: no cookie was opened from that handoff (yet), or no token at all.
    """
    now = now or utcnow()
    with read_session() as session:
        if cookie_token:
            row = _cookie_row(session, cookie_token)
        elif handoff_token and len(handoff_token) <= 200:
            handoff = session.scalar(select(UserToken).where(UserToken.token_hash == token_hash(handoff_token),
                                                             UserToken.purpose == TokenPurpose.LOGIN_HANDOFF))
            session_id = (handoff.payload or {}).get("auth_session_id") if handoff is not None else None
            if session_id is None:
                return None
            row = session.get(AuthSession, int(session_id))
        else:
            return None
        if not _usable(row, now):
            return False
        if not security.login_activity_due(row.persistent, row.last_seen_at, now):
            return True
        row_id = row.id
    with write_session() as session:
        session.execute(update(AuthSession).where(AuthSession.id == row_id).values(last_seen_at=now))
    return True


def revoke_all_logins(session, user_id: int, now: dt.datetime) -> None:
    """Ends every login of the account: remembered ones (cookies), and every open browser session,
    which checks the account's session generation on each rerun (``stages.ui.session``)."""
    session.execute(
        update(AuthSession).where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    session.execute(
        update(User).where(User.id == user_id).values(session_generation=User.session_generation + 1)
        .execution_options(synchronize_session=False)
    )


def logout(user_id: int, clear_cookie: bool = False, now: dt.datetime | None = None) -> str | None:
    """Ends every remembered login of the account; returns a handoff token for /app/logout if asked."""
    now = now or utcnow()
    with write_session() as session:
        revoke_all_logins(session, user_id, now)
        if clear_cookie:
            return issue_token(session, user_id, TokenPurpose.LOGIN_HANDOFF, dt.timedelta(seconds=HANDOFF_SECONDS), now,
                               payload={"action": "logout"})
    return None


def close_session_from_route(handoff_token: str | None, now: dt.datetime | None = None) -> bool:
    """/app/logout: checks the handoff, revokes every remembered login of its account (again). True when valid."""
    now = now or utcnow()
    with write_session() as session:
        user = _consume_handoff(session, handoff_token, "logout", now)
        if user is None:
            return False
        revoke_all_logins(session, user.id, now)
        return True
