"""Tableau de bord: offers, places and coverage per circonscription, and what to act on.

A coordinator sees the département, an IEN their circonscription (the service enforces it,
exports included). Every figure comes from ``stages.services.monitoring``; the parts are drawn
by ``stages.ui.dashboard``, the conventions' block by ``stages.ui.convention_tracking``.
"""

import streamlit as st

from stages.domain.timeutil import fmt_datetime
from stages.services.monitoring import figures, scope
from stages.ui import dashboard as parts
from stages.ui.session import page_user

user = page_user()
st.title("Tableau de bord")
filters = parts.filter_bar(scope.filter_choices(user))
data = figures.dashboard(user, filters)
st.caption(f"Chiffres au {fmt_datetime(data.now)} — campagne {data.campaign.school_year}. "
           "Les candidatures sans réponse dont le délai est dépassé comptent comme expirées.")
parts.figure_cards(data.figures)
parts.sections(user, filters, data)
parts.definitions()
