"""The password field of the guide: "Créer un mot de passe" with its five rules listed under it,
each saying whether it is met (updated as soon as the field is left or Enter is pressed)."""

from __future__ import annotations

import streamlit as st

from stages.ui import a11y

from stages.domain.passwords import check_rules


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


def password_input(label: str, key: str, error: str | None = None) -> str:
    """A password input (with Streamlit's built-in show/hide eye) and the live list of rules."""
    password = st.text_input(label, type="password", key=key, max_chars=128, autocomplete="new-password")
    st.markdown(rules_markdown(password))
    a11y.field_error(key, error)
    return password
