"""The logged-in user of a browser session, kept in ``st.session_state``.

Without "Se souvenir de moi" a login ends after 30 minutes without activity. Remembered
logins are restored from the HttpOnly cookie (see ``stages.web``) by :func:`restore_login`.
"""

from __future__ import annotations

import time

import streamlit as st

from stages.services import auth
from stages.services.auth import CurrentUser

USER_KEY = "user_id"
LAST_SEEN_KEY = "last_seen"
REMEMBERED_KEY = "remembered"
FLASH_KEY = "flash"
INACTIVITY_SECONDS = 30 * 60


def flash(message: str, kind: str = "success") -> None:
    """A message shown once, on the next run (survives st.rerun and st.switch_page)."""
    st.session_state.setdefault(FLASH_KEY, []).append((kind, message))


def show_flashes() -> None:
    for kind, message in st.session_state.pop(FLASH_KEY, []):
        getattr(st, kind if kind in {"success", "info", "warning", "error"} else "info")(message)


def login(user: CurrentUser, remembered: bool = False) -> None:
    st.session_state[USER_KEY] = user.id
    st.session_state[LAST_SEEN_KEY] = time.time()
    st.session_state[REMEMBERED_KEY] = remembered


def logout() -> None:
    for key in list(st.session_state.keys()):
        del st.session_state[key]


def current_user() -> CurrentUser | None:
    """The user of this session, or None; ends the session after 30 minutes of inactivity."""
    user_id = st.session_state.get(USER_KEY)
    if user_id is None:
        return None
    now = time.time()
    last = st.session_state.get(LAST_SEEN_KEY, now)
    if not st.session_state.get(REMEMBERED_KEY) and now - last > INACTIVITY_SECONDS:
        logout()
        flash("Votre session a expiré après 30 minutes d'inactivité : reconnectez-vous.", "warning")
        return None
    user = auth.load_user(int(user_id))
    if user is None:
        logout()
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
