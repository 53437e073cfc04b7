"""Campagne (built by its issue)."""

import streamlit as st

st.title("Campagne")
