"""The "Offres de stage" tab of the director's space (filled by the offers issue)."""

import streamlit as st

from stages.services.auth import CurrentUser


def render(user: CurrentUser) -> None:
    st.write("Aucune offre de stage publiée")
