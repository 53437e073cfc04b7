"""Historique: every status change of offers and candidatures, filtered and exported."""

import streamlit as st

from stages.domain.timeutil import today_paris
from stages.services.admin import status_history
from stages.services.errors import ValidationError
from stages.ui.downloads import download_buttons
from stages.ui.paging import fetch_page
from stages.ui.session import page_user
from stages.ui.safe import alert

user = page_user()
st.title("Historique")
st.write("Chaque changement de statut d'une offre ou d'une candidature, avec sa date et son auteur.")
types = {"offer": "Offres", "candidature": "Candidatures", "user": "Comptes", "campaign": "Campagnes"}
c1, c2, c3, c4 = st.columns([2, 1, 1, 2])
chosen = c1.multiselect("Type", list(types), default=["offer", "candidature"], format_func=types.get,
                        key="hist_types")
date_from = c2.date_input("Du", value=None, format="DD/MM/YYYY", max_value=today_paris(), key="hist_from")
date_to = c3.date_input("Au", value=None, format="DD/MM/YYYY", key="hist_to")
author = c4.text_input("Auteur (nom ou adresse)", key="hist_author")
filters = status_history.HistoryFilters(entity_types=tuple(chosen) or tuple(types), date_from=date_from,
                                        date_to=date_to, author=author)
try:
    result = fetch_page("hist_page", lambda number: status_history.history(user, filters, page=number))
except ValidationError as exc:
    alert("error", exc.message)
    st.stop()
st.caption(f"{result.total} changement(s)")
if result.total == 0:
    st.info("Aucun changement pour ces filtres.")
else:
    st.dataframe(result.rows, hide_index=True, width="stretch")
    download_buttons("hist", "historique", lambda fmt: status_history.export_history(user, fmt, filters))
st.caption("Les élèves apparaissent comme « Élève », sans leur nom, dans l'historique et ses exports.")
