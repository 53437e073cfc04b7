"""Showing user-typed text safely in Streamlit elements that render Markdown."""

from __future__ import annotations

import re

# Enough to neutralise emphasis, code, links and images, HTML, headings, tables, strike-through,
# LaTeX ($) and Streamlit's :icon: / :color[] directives; "." "-" "(" stay as typed (Jean-Pierre).
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]#|<>~$:&])")


def md_escape(text: str | None) -> str:
    """User text made inert for Markdown-rendering elements (titles, captions, alerts, labels):
    no Markdown, no HTML, no :icons:, no LaTeX; the characters show as typed."""
    return _MD_SPECIAL.sub(r"\\\1", text or "")
