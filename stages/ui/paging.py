"""The page picker under a paginated table: one widget, the page brought back in range when the
filters shrink the table (a service returns a ``stages.services.pagination.Page``)."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from stages.services.pagination import Page


def fetch_page(key: str, fetch: Callable[[int], Page]) -> Page:
    """``fetch(page_number)`` for the page kept under ``key``; shows "Page (sur N)" when there are several."""
    page = fetch(st.session_state.get(key, 1))
    if page.pages > 1:
        if st.session_state.get(key, 1) > page.pages:  # the filters shrank the table
            st.session_state[key] = page.pages
            page = fetch(page.pages)
        st.number_input(f"Page (sur {page.pages})", min_value=1, max_value=page.pages, step=1, key=key)
    return page
