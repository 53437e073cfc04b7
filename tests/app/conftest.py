"""AppTest helpers: run app.py (the real entry point, with its navigation per role) as a user."""

from __future__ import annotations

import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP_PATH = str(Path(__file__).resolve().parents[2] / "app.py")


def make_app(user_id: int | None = None) -> AppTest:
    """An AppTest of app.py, logged in as ``user_id`` when given (not yet run)."""
    at = AppTest.from_file(APP_PATH, default_timeout=60)
    if user_id is not None:
        at.session_state["user_id"] = user_id
        at.session_state["last_seen"] = time.time()
    return at


def open_page(user_id: int | None, page: str) -> AppTest:
    """Run app.py as ``user_id`` then switch to ``pages/<page>`` and run it."""
    at = make_app(user_id).run()
    if page:
        at.switch_page(f"pages/{page}").run()
    return at
