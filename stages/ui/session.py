"""The logged-in user of a browser session, kept in ``st.session_state``.

Without "Se souvenir de moi" a login ends after 30 minutes without activity. Remembered
logins are restored from the HttpOnly cookie (see ``stages.web``) by :func:`restore_login`.
"""

from __future__ import annotations

import html
import time

import streamlit as st

from stages.domain import security
from stages.services import accounts, auth
from stages.services.auth import CurrentUser
from stages.ui.safe import md_escape

USER_KEY = "user_id"
LAST_SEEN_KEY = "last_seen"
REMEMBERED_KEY = "remembered"
GENERATION_KEY = "_session_generation"
COOKIE_TOKEN_KEY = "_remember_cookie"
RESTORE_TRIED_KEY = "_restore_tried"
PENDING_POST_KEY = "_pending_post"
FLASH_KEY = "flash"


def client_address() -> str | None:
    """The browser's address, for the per-client counters (login failures, mails on request)."""
    try:
        value = st.context.ip_address
    except Exception:  # noqa: BLE001 - no browser behind this run (AppTest, bare mode)
        return None
    return value if isinstance(value, str) and value else None


def flash(message: str, kind: str = "success") -> None:
    """A message shown once, on the next run (survives st.rerun and st.switch_page)."""
    st.session_state.setdefault(FLASH_KEY, []).append((kind, message))


def show_flashes() -> None:
    for kind, message in st.session_state.pop(FLASH_KEY, []):
        # Flash messages often quote a name or a title the user typed: shown as typed, never as Markdown.
        getattr(st, kind if kind in {"success", "info", "warning", "error"} else "info")(md_escape(message))


def login(user: CurrentUser, remembered: bool = False, cookie_token: str | None = None) -> None:
    st.session_state[USER_KEY] = user.id
    st.session_state[LAST_SEEN_KEY] = time.time()
    st.session_state[REMEMBERED_KEY] = remembered
    st.session_state[GENERATION_KEY] = user.session_generation
    if cookie_token:
        st.session_state[COOKIE_TOKEN_KEY] = cookie_token


def _clear() -> None:
    for key in list(st.session_state.keys()):
        del st.session_state[key]


def _cookie() -> str | None:
    try:
        value = st.context.cookies.get(accounts.COOKIE_NAME)
    except Exception:  # noqa: BLE001 - no browser behind this run (AppTest, bare mode)
        return None
    return value if isinstance(value, str) and value else None


def logout() -> None:
    """Ends this session and every remembered login of the account; the browser then clears its cookie."""
    user_id = st.session_state.get(USER_KEY)
    cookie = _cookie()
    token = accounts.logout(int(user_id), clear_cookie=bool(cookie)) if user_id is not None else None
    _clear()
    st.session_state[RESTORE_TRIED_KEY] = True  # the cookie this session started with is revoked now
    if token:
        st.session_state[PENDING_POST_KEY] = ("/app/logout", token, "Déconnexion en cours…")


def forget_remembered(generation: int | None = None) -> None:
    """After a password change: this session goes on as an ordinary one (its cookie was revoked),
    with the account's new session generation (every other session of the account ends)."""
    if generation is not None:
        st.session_state[GENERATION_KEY] = generation
    st.session_state[REMEMBERED_KEY] = False
    st.session_state.pop(COOKIE_TOKEN_KEY, None)
    st.session_state[LAST_SEEN_KEY] = time.time()


def post_to_route(path: str, token: str, message: str, next_path: str | None = None) -> None:
    """Send the browser to one of the routes of ``stages.web`` with its handoff (CSRF) token,
    and the app page to return to afterwards (``next``, checked by the route to stay in the app).

    An auto-submitted POST form; the button is there if scripts are blocked.
    """
    st.info(message)
    next_field = f'<input type="hidden" name="next" value="{html.escape(next_path)}">\n' if next_path else ""
    st.html(
        f'''<form id="route-handoff" method="post" action="{html.escape(path)}">
{next_field}<input type="hidden" name="token" value="{html.escape(token)}">
<button type="submit">Continuer</button></form>
<script>document.getElementById("route-handoff").submit();</script>''',
        unsafe_allow_javascript=True,
    )


def _restore() -> CurrentUser | None:
    """Once per Streamlit session: the remembered login of the HttpOnly cookie, if any."""
    if st.session_state.get(RESTORE_TRIED_KEY):
        return None
    st.session_state[RESTORE_TRIED_KEY] = True
    cookie = _cookie()
    if not cookie:
        return None
    user = accounts.restore_session(cookie)
    if user is not None:
        login(user, remembered=True, cookie_token=cookie)
    return user


def current_user() -> CurrentUser | None:
    """The user of this session, or None; ends the session after ``security.IDLE_MINUTES`` of inactivity.

    A new session (reload, new tab, restarted browser) is restored from the remembered-login
    cookie; a remembered session ends as soon as that login is revoked (logout elsewhere,
    password changed).
    """
    pending = st.session_state.pop(PENDING_POST_KEY, None)
    if pending:
        post_to_route(*pending)
        return None
    user_id = st.session_state.get(USER_KEY)
    if user_id is None:
        return _restore()
    now = time.time()
    last = st.session_state.get(LAST_SEEN_KEY, now)
    remembered = st.session_state.get(REMEMBERED_KEY)
    if security.is_idle(last, now, bool(remembered)):
        _clear()
        flash(f"Votre session a expiré après {security.IDLE_MINUTES} minutes d'inactivité : reconnectez-vous.",
              "warning")
        return None
    if remembered and not accounts.is_session_valid(st.session_state.get(COOKIE_TOKEN_KEY)):
        _clear()
        st.session_state[RESTORE_TRIED_KEY] = True
        flash("Votre session a pris fin : reconnectez-vous.", "warning")
        return None
    user = auth.load_user(int(user_id))
    if user is None:
        _clear()
        return None
    # The password was changed or reset, or "Se déconnecter" was used, in another session: this one ends.
    if st.session_state.setdefault(GENERATION_KEY, user.session_generation) != user.session_generation:
        _clear()
        st.session_state[RESTORE_TRIED_KEY] = True
        flash("Votre session a pris fin (mot de passe changé ou déconnexion depuis un autre appareil) : "
              "reconnectez-vous.", "warning")
        return None
    st.session_state[LAST_SEEN_KEY] = now
    return user


CURRENT_KEY = "_current_user"


def remember_current(user: CurrentUser | None) -> None:
    """Called by app.py once per run so pages need not reload the user."""
    st.session_state[CURRENT_KEY] = user


def page_user() -> CurrentUser:
    """The user app.py resolved for this run; pages are only routed to when it is set."""
    user = st.session_state.get(CURRENT_KEY)
    if user is None:
        st.warning("Vous devez être connecté pour voir cette page.")
        st.stop()
    return user
