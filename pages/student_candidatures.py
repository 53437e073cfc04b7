"""Mes candidatures (built by its issue)."""

import streamlit as st

st.title("Mes candidatures")
