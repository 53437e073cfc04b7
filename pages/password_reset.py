"""Mot de passe oublié (built by its issue)."""

import streamlit as st

st.title("Mot de passe oublié")
