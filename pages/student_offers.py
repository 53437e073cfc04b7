"""Offres de stage (built by its issue)."""

import streamlit as st

st.title("Offres de stage")
