"""Activer mon compte (built by its issue)."""

import streamlit as st

st.title("Activer mon compte")
