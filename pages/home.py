"""Public home page: what the pilot is, and the campaign calendar as in the guide."""

import streamlit as st

from stages.services import campaigns

campaign = campaigns.current_campaign()
st.title("Stages de seconde en école")
st.write(
    "Les directeurs et directrices d'école de Saône-et-Loire déposent ici leurs offres de stage "
    "d'observation pour les élèves de 2de, répondent aux candidatures et suivent les conventions. "
    "La DSDEN suit, circonscription par circonscription, les offres et les places proposées."
)
st.subheader("Calendrier")
for label, when in campaign.calendar_rows():
    left, right = st.columns([2, 1])
    left.write(label)
    right.markdown(f"**{when}**")
st.divider()
col1, col2 = st.columns(2)
col1.page_link("pages/login.py", label="Se connecter", icon=":material/login:")
col2.page_link("pages/signup.py", label="Créer un compte", icon=":material/person_add:")
