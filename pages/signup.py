"""Se créer un compte (built by its issue)."""

import streamlit as st

st.title("Se créer un compte")
