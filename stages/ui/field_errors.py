"""A form field's error message: tied to its field, and gone as soon as the field is changed.

One mechanism for every form (signup, Mon compte, reset, Comptes, Campagne, the offer form, a
candidature's motivation):

- a form keeps its field errors in ``st.session_state[errors_key]`` (a dict field -> message)
  after a refused submit; the widget of each field gets ``**on_change(errors_key, field)``: once
  the person changes the field, its message is no longer shown (the next submit checks again);
- :func:`field_error` draws the message (as text: it may quote what was typed) inside a container
  keyed ``fielderr-<widget key>``; the page's script (``stages/static/french_names.js``) then gives
  the field ``aria-invalid`` and ``aria-describedby`` the message, moves the focus to the first
  field in error after a failed submit, and takes them away when the message goes.
"""

from __future__ import annotations

import streamlit as st

from stages.ui.safe import alert


def field_error(widget_key: str, message: str | None, where=None) -> None:
    """Show ``message`` (if any) as the error of the widget keyed ``widget_key``."""
    if not message:
        return
    with (where or st).container(key=f"fielderr-{widget_key}"):
        alert("error", message, icon=":material/error:")


def clear(errors_key: str, field: str, summary_key: str | None = None) -> None:
    """Forget ``field``'s message; forget the form's summary too once no field message is left."""
    errors = st.session_state.get(errors_key)
    if isinstance(errors, dict) and field in errors:
        errors = {name: message for name, message in errors.items() if name != field}
        st.session_state[errors_key] = errors
        if summary_key and not errors:
            st.session_state.pop(summary_key, None)


def on_change(errors_key: str, field: str, summary_key: str | None = None) -> dict:
    """The widget keyword arguments that clear ``field``'s message when it changes."""
    return {"on_change": clear, "args": (errors_key, field, summary_key)}
