"""Error messages under form fields that go away as soon as the field is changed.

A form keeps its field errors in ``st.session_state[errors_key]`` (a dict field -> message)
after a refused submit. The widget of each field gets ``on_change=clear, args=(errors_key, field)``:
once the person changes the field, its message is no longer shown (the next submit checks again).
"""

from __future__ import annotations

import streamlit as st


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
