"""Accessibility helpers of the pages (RGAA): a field's error tied to its field.

``field_error`` draws the message inside a container keyed ``fielderr-<widget key>``; the page's
script (``stages/static/french_names.js``) then gives the field ``aria-invalid`` and
``aria-describedby`` the message, and moves the focus to the first field in error after a
failed submit.
"""

from __future__ import annotations

import streamlit as st


def field_error(widget_key: str, message: str | None, where=None) -> None:
    """Show ``message`` (if any) as the error of the widget keyed ``widget_key``."""
    if not message:
        return
    with (where or st).container(key=f"fielderr-{widget_key}"):
        st.error(message, icon=":material/error:")
