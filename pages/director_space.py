"""« Espace de Prénom.Nom »: the director's offers, candidatures and conventions."""

import streamlit as st

from stages.ui import director_candidatures, director_offers
from stages.ui.safe import md_escape
from stages.ui.session import page_user

user = page_user()
st.title(f"Espace de {md_escape(user.space_name)}")
st.caption(user.school_name or "")
# Stateful (key): the open tab survives the reruns of an action (accepting a candidature...).
tab_offers, tab_candidatures, tab_conventions = st.tabs(["Offres de stage", "Candidatures", "Conventions"],
                                                        key="director_tab", on_change="rerun")
# Only the open tab runs its queries and draws its elements (the others stay empty until chosen).
for tab, render in ((tab_offers, director_offers.render), (tab_candidatures, director_candidatures.render),
                    (tab_conventions, director_candidatures.render_conventions)):
    if tab.open is not False:
        with tab:
            render(user)
