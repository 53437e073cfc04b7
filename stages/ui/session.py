"""The logged-in user of a browser session, kept in ``st.session_state``.

Every login gets an HttpOnly cookie (see ``stages.web``): a 14-day one with "Se souvenir de
moi", else a browser-session one that ends after 30 minutes without activity. A new Streamlit
session (F5, a new tab, a WebSocket reconnected to another app server) is restored from it.
The cookie is handed over by the page's script (``fetch``) after the login has completed: if the
browser or the proxy refuses it, the user stays logged in on this page and is told so in French.
"""

from __future__ import annotations

import html
import json
import time

import streamlit as st

from stages import logs
from stages.domain import security
from stages.services import auth, login_sessions
from stages.services.auth import CurrentUser
from stages.ui.safe import md_escape

USER_KEY = "user_id"
LAST_SEEN_KEY = "last_seen"
REMEMBERED_KEY = "remembered"
GENERATION_KEY = "_session_generation"
COOKIE_TOKEN_KEY = "_remember_cookie"
RESTORE_TRIED_KEY = "_restore_tried"
PENDING_POST_KEY = "_pending_post"
HANDOFF_KEY = "_login_handoff"  # the handoff token given to /app/session after the login form
PENDING_HANDOFF_KEY = "_pending_handoff"
CHECKED_KEY = "_login_checked"
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


def login(user: CurrentUser, remembered: bool = False, cookie_token: str | None = None,
          handoff_token: str | None = None) -> None:
    st.session_state[USER_KEY] = user.id
    st.session_state[LAST_SEEN_KEY] = time.time()
    st.session_state[REMEMBERED_KEY] = remembered
    st.session_state[GENERATION_KEY] = user.session_generation
    if cookie_token:
        st.session_state[COOKIE_TOKEN_KEY] = cookie_token
    if handoff_token:
        # Handed to /app/session by the next run (see hand_over_cookie); kept to follow that login.
        st.session_state[HANDOFF_KEY] = handoff_token
        st.session_state[PENDING_HANDOFF_KEY] = handoff_token


COOKIE_REFUSED = (
    "Votre navigateur n'a pas pu être mémorisé : vous êtes bien connecté sur cette page, mais un "
    "rechargement (F5) ou un nouvel onglet vous demandera de vous reconnecter. Si cela se reproduit, "
    "signalez-le à l'assistance de la DSDEN."
)


def hand_over_cookie(token: str) -> None:
    """The page's script gives the handoff to ``/app/session``, which sets the login cookie.

    It never blocks the page: the login is already complete. After 10 seconds without an answer,
    or on a refusal (a proxy that rewrites the origin, a blocked cookie), a French message says
    that the browser could not be remembered. A form is the fallback without JavaScript.
    """
    payload = json.dumps({"token": token, "message": COOKIE_REFUSED})
    st.html(
        f"""<form id="login-handoff" method="post" action="/app/session" style="display:none">
<input type="hidden" name="token" value="{html.escape(token)}"></form>
<script>
(function () {{
  const data = {payload};
  const say = function () {{
    if (document.getElementById("stages-cookie-refused")) return;
    const box = document.createElement("div");
    box.id = "stages-cookie-refused";
    box.setAttribute("role", "alert");
    box.style.cssText = "position:fixed;left:1rem;right:1rem;bottom:1rem;z-index:100000;padding:0.8rem 1rem;"
      + "background:#fff4e5;color:#5f3b00;border:1px solid #f0b35b;border-radius:0.5rem;font-family:sans-serif;";
    const text = document.createElement("span");
    text.textContent = data.message;
    const close = document.createElement("button");
    close.textContent = "Fermer";
    close.style.marginLeft = "1rem";
    close.onclick = function () {{ box.remove(); }};
    box.appendChild(text);
    box.appendChild(close);
    document.body.appendChild(box);
  }};
  const controller = new AbortController();
  const timer = setTimeout(function () {{ controller.abort(); }}, 10000);
  fetch("/app/session", {{
    method: "POST", credentials: "same-origin", signal: controller.signal,
    headers: {{"Content-Type": "application/x-www-form-urlencoded", "X-Stages-Handoff": "fetch"}},
    body: new URLSearchParams({{token: data.token}}).toString()
  }}).then(function (r) {{ return r.json(); }})
    .then(function (answer) {{ if (!answer || answer.remembered !== true) say(); }})
    .catch(say)
    .finally(function () {{ clearTimeout(timer); }});
}})();
</script>""",
        unsafe_allow_javascript=True,
    )


def _clear() -> None:
    for key in list(st.session_state.keys()):
        del st.session_state[key]


def _cookie() -> str | None:
    try:
        value = st.context.cookies.get(login_sessions.COOKIE_NAME)
    except Exception:  # noqa: BLE001 - no browser behind this run (AppTest, bare mode)
        return None
    return value if isinstance(value, str) and value else None


def logout() -> None:
    """Ends this session and every login cookie of the account; the browser then clears its cookie."""
    user_id = st.session_state.get(USER_KEY)
    cookie = _cookie() or st.session_state.get(HANDOFF_KEY)
    token = login_sessions.logout(int(user_id), clear_cookie=bool(cookie)) if user_id is not None else None
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
    st.session_state.pop(HANDOFF_KEY, None)
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
    """Once per Streamlit session: the login of the HttpOnly cookie (remembered or browser-session), if any."""
    if st.session_state.get(RESTORE_TRIED_KEY):
        return None
    st.session_state[RESTORE_TRIED_KEY] = True
    cookie = _cookie()
    if not cookie:
        return None
    restored = login_sessions.restore_login(cookie)
    if restored is None:
        return None
    login(restored.user, remembered=restored.persistent, cookie_token=cookie)
    st.session_state[CHECKED_KEY] = time.time()
    return restored.user


def _login_still_valid(now: float) -> bool:
    """The session's login cookie has not been revoked (logout elsewhere, password changed) nor gone idle.

    Checked on every run of a remembered session, at most every 20 seconds for a browser-session one
    (which also records the activity, so that another app server may restore it).
    """
    cookie = st.session_state.get(COOKIE_TOKEN_KEY)
    handoff = st.session_state.get(HANDOFF_KEY)
    if not cookie and not handoff:
        return True
    if not st.session_state.get(REMEMBERED_KEY) and now - st.session_state.get(CHECKED_KEY, 0) < 20:
        return True
    st.session_state[CHECKED_KEY] = now
    return login_sessions.keep_login_alive(cookie_token=cookie, handoff_token=None if cookie else handoff) is not False


def current_user() -> CurrentUser | None:
    """The user of this session (see :func:`_current_user`); the logs name them by id."""
    logs.set_actor(None)
    user = _current_user()
    logs.set_actor(user.id if user is not None else None)
    return user


def _current_user() -> CurrentUser | None:
    """The user of this session, or None; ends the session after ``security.IDLE_MINUTES`` of inactivity.

    A new session (reload, new tab, restarted browser, another app server) is restored from the
    login cookie; a session ends as soon as its login is revoked (logout elsewhere, password changed).
    """
    pending = st.session_state.pop(PENDING_POST_KEY, None)
    if pending:
        post_to_route(*pending)
        return None
    handoff = st.session_state.pop(PENDING_HANDOFF_KEY, None)
    if handoff:
        hand_over_cookie(handoff)
    user_id = st.session_state.get(USER_KEY)
    if user_id is None:
        return _restore()
    now = time.time()
    verified = st.session_state.pop(VERIFIED_KEY, None)
    if verified and verified[0] == user_id and now - verified[1] < VERIFIED_FOR_SECONDS:
        user = verified[2]  # checked by a callback of this very run (still_valid): not read again
    else:
        user, ended = _logged_in_user(int(user_id), now)
        if user is None:
            _clear()
            if ended:
                st.session_state[RESTORE_TRIED_KEY] = True
                flash(ended, "warning")
            return None
    st.session_state[LAST_SEEN_KEY] = now
    return user


def _logged_in_user(user_id: int, now: float) -> tuple[CurrentUser | None, str | None]:
    """The checks of a logged-in session: ``(user, None)`` while it holds, else ``(None, why)``, ``why``
    being the French message that says so (None when the account is gone)."""
    if security.is_idle(st.session_state.get(LAST_SEEN_KEY, now), now, bool(st.session_state.get(REMEMBERED_KEY))):
        return None, f"Votre session a expiré après {security.IDLE_MINUTES} minutes d'inactivité : reconnectez-vous."
    user = auth.load_user(user_id)
    if user is None:
        return None, None
    # The password was changed or reset, or "Se déconnecter" was used, in another session: this one ends
    # (and so does its login cookie, which belongs to the generation it was opened in).
    if st.session_state.setdefault(GENERATION_KEY, user.session_generation) != user.session_generation:
        return None, ("Votre session a pris fin (mot de passe changé ou déconnexion depuis un autre appareil) : "
                      "reconnectez-vous.")
    if not _login_still_valid(now):
        return None, "Votre session a pris fin : reconnectez-vous."
    return user, None


VERIFIED_KEY = "_login_verified"  # (user id, when, user): what a callback checked, for its run's own check
VERIFIED_FOR_SECONDS = 2.0  # the callback and its run's check are milliseconds apart


def still_valid(user: CurrentUser) -> bool:
    """For a widget's callback, which runs before the run's own checks (:func:`current_user`): is this
    session still logged in as ``user`` (same account, not idle, not revoked elsewhere)? Nothing is
    cleared or said here: the run that follows ends the session and says why. When it holds, that
    run's own check takes this one (one query, not two)."""
    if st.session_state.get(USER_KEY) != user.id:
        return False
    now = time.time()
    current, _ended = _logged_in_user(user.id, now)
    if current is None:
        return False
    st.session_state[VERIFIED_KEY] = (user.id, now, current)
    logs.set_actor(user.id)  # the callback's writes are logged as this user's
    return True


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
