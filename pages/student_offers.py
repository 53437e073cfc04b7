"""« Offres de stage » for students: filters, the list, an offer's page and « Postuler »."""

import streamlit as st

from stages.domain.candidatures import MOTIVATION_MAX
from stages.domain.ids import parse_id
from stages.services.candidatures import applications, catalogue
from stages.services import drafts
from stages.services.errors import ServiceError
from stages.ui.field_errors import field_error
from stages.ui.session import flash, page_user

user = page_user()
st.title("Offres de stage")
for _key in ("offers_text", "offers_commune", "offers_circ", "offers_page"):
    if _key in st.session_state:  # keep the filters while an offer's page is open
        st.session_state[_key] = st.session_state[_key]


def show_offer(offer_id: int) -> None:
    if st.button("← Retour aux offres", key="offer_back"):
        del st.query_params["offre"]
        st.rerun()
    offer = catalogue.get_offer(user, offer_id)
    with st.container(border=True):
        st.text(offer.title)
        st.text(f"{offer.place_name} — {offer.address} {offer.commune}")
        st.markdown("**Période**")
        st.text(offer.period_label)
        st.markdown("**Activités proposées**")
        st.text(offer.description)
        st.markdown("**Structure d'accueil**")
        st.text("\n".join(v for v in (offer.employer_name, offer.public_employer_type, offer.sector) if v))
        if offer.work_environment:
            st.markdown("**Environnement de travail**")
            st.text(offer.work_environment)
        if offer.accessibility:
            st.markdown("**Accessibilité**")
            st.text(offer.accessibility)
        st.markdown("**Jours et horaires**")
        st.text("\n".join(f"{day} : {hours}" for day, hours in offer.hours) or "Non précisés")
        st.markdown("**Pause déjeuner**")
        st.text(offer.lunch_break)
        st.text(f"Places restantes : {offer.remaining} sur {offer.max_students}")
    if offer.can_apply_again:
        st.info("Vous avez annulé votre candidature à cette offre. Vous pouvez postuler de nouveau, une seule fois : "
                "une nouvelle annulation sera définitive.")
    elif offer.my_candidature_status:
        st.info(f"Vous avez postulé à cette offre. Statut de votre candidature : {offer.my_candidature_status}.")
        st.page_link("pages/student_candidatures.py", label="Voir mes candidatures")
        return
    if offer.remaining <= 0:
        st.warning("Cette offre n'a plus de place disponible.")
        return
    key, draft_key = f"motivation_{offer_id}", drafts.motivation_key(offer_id)
    if key not in st.session_state:  # a reload, or back to this offer: what was typed comes back
        st.session_state[key] = drafts.load_text(user, draft_key) or ""
    st.text_area("Votre message de motivation", key=key, max_chars=MOTIVATION_MAX, height=180,
                 on_change=lambda: drafts.save_text(user, draft_key, st.session_state[key]),
                 help="Obligatoire, de 10 à 2000 caractères. Il est transmis au directeur ou à la directrice. "
                      "Votre texte est gardé en brouillon tant que vous n'avez pas postulé.")
    error = st.empty()
    if st.button("Postuler", type="primary", key=f"apply_{offer_id}"):
        try:
            result = applications.apply(user, offer_id, st.session_state[key])
        except ServiceError as exc:
            drafts.save_text(user, draft_key, st.session_state[key])
            field_error(key, exc.message, where=error)
        else:
            if result.created:
                flash(f"Votre candidature est envoyée. Réponse attendue avant le {result.deadline}.")
            else:
                flash(f"Vous avez déjà postulé à cette offre (statut : {result.status_label}).", "info")
            st.rerun()


def show_list() -> None:
    filters = st.container()
    state = st.session_state
    result = catalogue.list_offers(user, commune=state.get("offers_commune") or None,
                                 circonscription_id=state.get("offers_circ") or None,
                                 text=state.get("offers_text", ""), page=int(state.get("offers_page", 1)))
    if state.get("offers_commune") not in ["", None, *result.communes]:
        state["offers_commune"] = ""
    if state.get("offers_circ") not in [0, None, *result.circonscriptions]:
        state["offers_circ"] = 0
    state["offers_page"] = result.page
    with filters:
        cols = st.columns([2, 1, 1])
        cols[0].text_input("Rechercher (métier, lieu, activité…)", key="offers_text")
        cols[1].selectbox("Commune", ["", *result.communes], key="offers_commune",
                          format_func=lambda v: v or "Toutes")
        cols[2].selectbox("Circonscription", [0, *result.circonscriptions], key="offers_circ",
                          format_func=lambda v: result.circonscriptions.get(v, "Toutes"))
    if result.opens_on:
        st.info(f"Les offres seront accessibles aux élèves à partir du {result.opens_on}.")
        return
    st.caption(f"{result.total} offre(s) avec des places disponibles")
    if not result.items:
        st.text("Aucune offre ne correspond à votre recherche.")
    for card in result.items:
        with st.container(border=True):
            left, right = st.columns([4, 1], vertical_alignment="center")
            left.text(card.title)
            left.text(f"{card.place_name} — {card.commune} ({card.circonscription})")
            left.caption(f"{card.period_label} — {card.remaining} place(s) restante(s)")
            if right.button("Voir l'offre", key=f"offer_view_{card.id}"):
                st.query_params["offre"] = str(card.id)
                st.rerun()
    if result.pages > 1:
        st.number_input(f"Page (sur {result.pages})", min_value=1, max_value=result.pages, step=1,
                        key="offers_page")


offer_param = parse_id(st.query_params.get("offre"))
if offer_param is not None:
    show_offer(offer_param)
else:
    show_list()
