"""Streamlit helpers shared by the pages: the logged-in user, messages, formatting of widgets.

This package may import streamlit; ``stages.domain`` and ``stages.services`` never do.
"""
