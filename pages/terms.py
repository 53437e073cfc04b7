"""Conditions d'utilisation (built by its issue)."""

import streamlit as st

st.title("Conditions d'utilisation")
