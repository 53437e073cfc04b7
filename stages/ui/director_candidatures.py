"""The "Candidatures" tab of the director's space (filled by the candidatures issue)."""

import streamlit as st

from stages.services.auth import CurrentUser


def render(user: CurrentUser) -> None:
    st.write("Aucune candidature reçue")


def render_conventions(user: CurrentUser) -> None:
    st.write("Aucune convention.")
