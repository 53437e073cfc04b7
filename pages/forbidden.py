"""Answer to the URL of a page that belongs to another role (the page itself is not registered)."""

import streamlit as st

st.title("Accès refusé")
st.error("Cette page n'est pas accessible avec votre compte. Utilisez le menu pour revenir à votre espace.")
