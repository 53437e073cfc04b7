"""Politique de confidentialité (built by its issue)."""

import streamlit as st

st.title("Politique de confidentialité")
