"""Showing user-typed text safely in Streamlit elements that render Markdown.

One rule: text that may contain what a user typed (a name, a title, a service's refusal that
quotes them) goes through :func:`md_escape` before an element that renders Markdown, and
messages go through :func:`alert`. Chart labels go through :func:`chart_text` (Plotly renders
a subset of HTML: ``<a href>``, ``<b>``, ``<br>``).
"""

from __future__ import annotations

import html
import re

# Enough to neutralise emphasis, code, links and images, HTML, headings, tables, strike-through,
# LaTeX ($) and Streamlit's :icon: / :color[] directives; "." "-" "(" stay as typed (Jean-Pierre).
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]#|<>~$:&!])")
# Streamlit's Markdown (remark-gfm) turns bare "https://…", "www.…" and "nom@domaine.fr" into links
# *after* parsing, so escapes cannot stop it: an invisible word joiner (U+2060) breaks the pattern
# while the text reads the same.
_WJ = "\u2060"
_AUTOLINK = re.compile(r"(?i)(?<=[a-z])(\\?:)(?=//)|(?<=www)(?=\.)|(?<=[\w.+-])(?=@)")
_LABEL_DROP = re.compile(r"[\\`*_{}\[\]#|<>~$:&!]")


def md_escape(text: str | None) -> str:
    """User text made inert for Markdown-rendering elements (titles, captions, alerts, labels):
    no Markdown, no HTML, no :icons:, no LaTeX, no automatic links; the characters show as typed."""
    escaped = _MD_SPECIAL.sub(r"\\\1", text or "")
    return _AUTOLINK.sub(lambda m: (m.group(1) or "") + _WJ if m.group(1) else _WJ, escaped)


def label_text(text: str | None) -> str:
    """User text for a navigation label or a browser tab title, where an escape would show:
    the Markdown characters are left out, automatic links broken."""
    return _AUTOLINK.sub(lambda m: (m.group(1) or "") + _WJ if m.group(1) else _WJ, _LABEL_DROP.sub("", text or ""))


def chart_text(text):
    """A label for a Plotly figure: its pseudo-HTML shown as typed (``<a href>`` stays text)."""
    return html.escape(text, quote=False) if isinstance(text, str) else text


def alert(kind: str, message: str, *, where=None, **kwargs) -> None:
    """st.error / st.warning / st.info / st.success of a message that may quote typed text
    (in the container or column ``where``, if given)."""
    import streamlit as st

    target = st if where is None else where
    getattr(target, kind if kind in {"success", "info", "warning", "error"} else "info")(md_escape(message), **kwargs)
