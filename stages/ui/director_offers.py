"""The "Offres de stage" tab of the director's space: "Mes offres".

Each offer shows its status, period, places (offered / taken / remaining) and candidatures, with
"Ouvrir", "Modifier" / "Reprendre", "Dépublier" / "Republier", "Supprimer le brouillon" and
"Dupliquer". Actions are plain buttons (no dialog). What the director typed is escaped.
"""

from __future__ import annotations

import streamlit as st

from stages.domain.vocabulary import OfferStatus
from stages.domain.timeutil import fmt_datetime
from stages.services.offers import my_offers, publishing
from stages.services.auth import CurrentUser
from stages.services.errors import ServiceError
from stages.ui import offer_form
from stages.ui.safe import md_escape
from stages.ui.session import flash
from stages.ui.safe import alert

FORM_PAGE = "pages/director_offer_form.py"
BADGES = {OfferStatus.DRAFT: "orange", OfferStatus.PUBLISHED: "green", OfferStatus.UNPUBLISHED: "gray",
          OfferStatus.ARCHIVED: "gray"}
CONFIRM = "offers_confirm_delete"


def open_form(offer_id: int | None = None) -> None:
    """Go to the form, on a given offer (``?offre=<id>``) or on the open draft / a new offer."""
    offer_form.reset_state()
    st.switch_page(FORM_PAGE, query_params={"offre": str(offer_id)} if offer_id else None)


def _act(action, offer_id: int, message: str, user: CurrentUser) -> None:
    try:
        result = action(user, offer_id)
    except ServiceError as exc:
        alert("error", exc.message)
        return
    flash(message)
    if action is my_offers.duplicate:
        open_form(result.id)
    st.rerun()


def _details(user: CurrentUser, offer_id: int) -> None:
    form = my_offers.get_offer(user, offer_id)
    for label, value in my_offers.detail_lines(form):
        left, right = st.columns([1, 3])
        left.markdown(f"**{label}**")
        right.text(value)


def _card(user: CurrentUser, row: my_offers.OfferSummary) -> None:
    # Few elements per card (each one costs the browser a render on every run): the status badge
    # in the title's line, the figures and the buttons in one flex row each rather than columns.
    with st.container(border=True):
        status = f":{BADGES.get(row.status, 'gray')}-badge[{md_escape(row.status_label)}]"
        st.markdown(f"**{md_escape(row.title)}** — offre n° {row.id}, campagne {row.school_year} {status}")
        draft = (f"Brouillon : étape {row.step_reached} sur 3 enregistrée, modifié le {fmt_datetime(row.updated_at)}"
                 "  \n" if row.status == OfferStatus.DRAFT else "")
        st.caption(draft + md_escape(row.period_label))
        figures = st.container(horizontal=True)
        for label, value in (("Places offertes", row.places_offered), ("Places prises", row.places_taken),
                             ("Places restantes", row.places_remaining), ("Candidatures", row.candidatures)):
            figures.metric(label, value)
        if row.status == OfferStatus.PUBLISHED and row.places_remaining == 0:
            st.info("Toutes les places sont prises.", icon=":material/event_busy:")
        for problem in row.guidance:
            alert("warning", f"Consigne DSDEN : {problem}", icon=":material/rule:")
        row_of_buttons = st.container(horizontal=True)
        key = f"offer_{row.id}"
        if row.status == OfferStatus.DRAFT:
            if row_of_buttons.button("Reprendre", key=f"{key}_resume", type="primary", icon=":material/edit:"):
                open_form(row.id)
            if st.session_state.get(CONFIRM) == row.id:
                st.warning("Supprimer définitivement ce brouillon ?")
                yes, no = st.columns([1, 4])
                if yes.button("Oui, supprimer", key=f"{key}_delete_yes", type="primary"):
                    st.session_state.pop(CONFIRM, None)
                    _act(my_offers.delete_draft, row.id, "Le brouillon est supprimé.", user)
                if no.button("Annuler", key=f"{key}_delete_no"):
                    st.session_state.pop(CONFIRM, None)
                    st.rerun()
            elif row_of_buttons.button("Supprimer le brouillon", key=f"{key}_delete", icon=":material/delete:"):
                st.session_state[CONFIRM] = row.id
                st.rerun()
        else:
            if row_of_buttons.button("Modifier", key=f"{key}_edit", icon=":material/edit:"):
                open_form(row.id)
            if row.status == OfferStatus.PUBLISHED:
                if row_of_buttons.button("Dépublier", key=f"{key}_unpublish", icon=":material/visibility_off:"):
                    _act(publishing.unpublish, row.id, "L'offre est dépubliée : les élèves ne la voient plus.", user)
            elif row.status == OfferStatus.UNPUBLISHED:
                if row_of_buttons.button("Republier", key=f"{key}_republish", icon=":material/visibility:"):
                    _act(publishing.republish, row.id, "L'offre est de nouveau publiée.", user)
            if row_of_buttons.button("Dupliquer", key=f"{key}_duplicate", icon=":material/content_copy:",
                                 help="Copie l'offre dans la campagne suivante (brouillon à vérifier puis publier)."):
                _act(my_offers.duplicate, row.id, "L'offre est dupliquée dans la campagne suivante : vérifiez le "
                     "planning puis publiez-la.", user)
        # Lazy: the details are read and rendered only while the expander is open.
        details = st.expander("Ouvrir", key=f"{key}_details", on_change="rerun")
        if details.open:
            with details:
                _details(user, row.id)


def render(user: CurrentUser) -> None:
    rows = my_offers.list_offers(user)
    if not any(row.status == OfferStatus.PUBLISHED for row in rows):
        st.subheader("Aucune offre de stage publiée")
        st.write("Publiez votre première offre de stage pour la voir apparaître ici.")
    if st.button("Publier une offre", key="offers_new", type="primary", icon=":material/add:"):
        open_form(None)
    for row in rows:
        _card(user, row)
