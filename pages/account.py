"""Mon compte (built by its issue)."""

import streamlit as st

st.title("Mon compte")
