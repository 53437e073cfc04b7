"""Tableau de bord (built by its issue)."""

import streamlit as st

st.title("Tableau de bord")
