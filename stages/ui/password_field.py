"""The password field of the guide: "Créer un mot de passe" with its five rules listed under it,
each saying whether it is met, updated while the person types.

``live=True`` commits the value after a 250 ms pause in typing: the rules tick as the person types,
and what was typed reaches the server whatever the way out of the field (Tab to the show-password
button, a click on "Valider", Enter). Without it a value left with Tab was never sent."""

from __future__ import annotations

import streamlit as st

from stages.domain.passwords import check_rules
from stages.ui.field_errors import field_error


def rules_markdown(password: str) -> str:
    """Our own fixed labels only (never the password itself), so safe as Markdown."""
    lines = []
    for rule in check_rules(password or ""):
        if not password:
            lines.append(f"- {rule.label}")
        elif rule.ok:
            lines.append(f"- :green[✓ {rule.label}] (respecté)")
        else:
            lines.append(f"- :red[✗ {rule.label}] (manquant)")
    return "\n".join(lines)


def password_input(label: str, key: str, error: str | None = None, **widget) -> str:
    """A password input (with Streamlit's built-in show/hide eye) and the live list of rules."""
    password = st.text_input(label, type="password", key=key, max_chars=128, autocomplete="new-password",
                             live=True, **widget)
    st.markdown(rules_markdown(password))
    field_error(key, error)
    return password
