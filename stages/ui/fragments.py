"""Parts of a page that rerun alone (``st.fragment``): an action in the director's inbox, the
dashboard's choice of chart or table, redraw only their part, not the whole page.

Each element a run sends costs the browser a render (see docs/browser-benchmarks.md): a click in
the inbox used to resend the menu, the header and every other part of the page. A part made with
:func:`part` reruns on its own when one of its widgets changes, and on such a run it does what
app.py does on a full run, for its own sake:

- the login is checked again (idle limit, logout or password change elsewhere): if it has ended,
  the whole app reruns and shows the login page with its message;
- no traceback reaches the user (``layout.guard``);
- the messages of an action (``session.flash``) are shown at the top of the part.

After an action, :func:`rerun` redraws the part alone when only the part is running, the whole app
otherwise (a full run, AppTest's runs included, cannot rerun a single fragment).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import NoReturn, TypeVar

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from stages.services.auth import CurrentUser
from stages.ui import layout, session

F = TypeVar("F", bound=Callable[..., None])


def in_part_run() -> bool:
    """True while a fragment reruns alone (not as part of the page's full run)."""
    ctx = get_script_run_ctx()
    return bool(ctx is not None and ctx.fragment_ids_this_run)


def rerun() -> NoReturn:
    """Redraw after an action: the part alone when it is running alone, else the whole page."""
    st.rerun(scope="fragment" if in_part_run() else "app")


def part(func: F) -> F:
    """Make ``func(user, ...)`` a part of the page that reruns alone (see the module's docstring)."""

    @st.fragment
    @functools.wraps(func)
    def run(user: CurrentUser, *args, **kwargs) -> None:
        with layout.guard():
            if in_part_run():
                current = session.current_user()  # the checks app.py makes on a full run
                session.remember_current(current)
                if current is None or current.id != user.id:
                    st.rerun(scope="app")  # the login has ended: the app shows the login page and why
                user = current
                session.show_flashes()
            func(user, *args, **kwargs)

    return run  # type: ignore[return-value]
