"""Déposer une offre de stage (built by its issue)."""

import streamlit as st

st.title("Déposer une offre de stage")
