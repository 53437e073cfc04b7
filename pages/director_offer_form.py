"""« Déposer une offre de stage »: the three steps of the DSDEN 71 guide, each saved when validated.

The form resumes what the database holds (``?offre=<id>``, else the director's open draft), at
the step reached. The widgets and their state live in ``stages.ui.offer_form``.
"""

import streamlit as st

from stages.domain import offers as rules
from stages.services import drafts, offers, referential
from stages.services.errors import ValidationError
from stages.ui import offer_form as f
from stages.ui.session import flash, page_user

user = page_user()
target = f.requested_offer_id()
if f.needs_loading(target):
    f.load(offers.load_form(user, target))
    if st.session_state[f.OFFER_ID] is None:  # a new offer: step 1 as typed before a reload, if any
        f.restore(drafts.load_fields(user, drafts.NEW_OFFER_KEY), offers.STEP_FIELDS[1])
step = st.session_state[f.STEP]
meta = st.session_state[f.META]
draft = meta["status"] == "draft"
SUMMARY = f.SUMMARY


def refuse(exc: ValidationError) -> None:
    st.session_state[f.ERRORS] = dict(exc.errors)
    st.session_state[SUMMARY] = exc.message
    st.rerun()


def save(current: int, next_step: int | None) -> None:
    try:
        form = offers.save_step(user, current, f.step_data(current), offer_id=st.session_state[f.OFFER_ID],
                                form_key=st.session_state[f.FORM_KEY])
    except ValidationError as exc:
        refuse(exc)
    st.session_state.pop(SUMMARY, None)
    if current == 1:
        drafts.discard(user, drafts.NEW_OFFER_KEY)  # the offer's own draft holds step 1 from now on
    f.saved(form, next_step)
    st.rerun()


def back(previous: int) -> None:
    st.session_state[f.STEP] = previous
    st.session_state[f.ERRORS] = {}
    st.session_state.pop(SUMMARY, None)
    st.rerun()


def autosave(current: int) -> None:
    """A draft keeps what is typed, field by field, before its step is validated (reload, lost connection)."""
    offer_id = st.session_state[f.OFFER_ID]
    if not draft:
        return
    data = f.step_data(current)
    snapshot = (current, repr(sorted(data.items())))
    previous = st.session_state.get("of_autosaved")
    st.session_state["of_autosaved"] = snapshot
    if previous is not None and previous[0] == current and previous != snapshot:
        if offer_id is not None:
            offers.autosave(user, offer_id, current, data)
        elif current == 1:  # no offer before the first "Suivant": step 1 is kept as the user's form draft
            drafts.save_fields(user, drafts.NEW_OFFER_KEY, data)


def buttons(current: int, next_label: str, *, previous: bool = True) -> tuple[bool, bool]:
    autosave(current)
    summary = st.session_state.get(SUMMARY)
    if summary:
        st.error(summary, icon=":material/error:")
    cols = st.columns([1, 1, 4])
    go_back = cols[0].button("Précédent", key=f"of_prev_{current}", disabled=not previous,
                             icon=":material/arrow_back:")
    go_next = cols[1].button(next_label, key=f"of_next_{current}", type="primary")
    return go_back, go_next


if not draft:
    st.info(f"Modification de l'offre n° {st.session_state[f.OFFER_ID]} ({offers.STATUS_LABELS.get(meta['status'])}) : "
            "chaque étape validée est enregistrée directement dans l'offre.", icon=":material/edit:")
elif st.session_state[f.OFFER_ID]:
    st.caption(f":material/cloud_done: Brouillon enregistré (campagne {meta['school_year']}) : vous pouvez quitter "
               "cette page et reprendre plus tard, rien n'est perdu.")

if step == 1:
    f.header(1, "Métier et localisation", "Votre entreprise")
    st.markdown("**Le ou les métiers que vous proposez d'observer :**")
    f.text("title", "Indiquez le ou les métiers qui seront observables par l'élève", max_chars=rules.TITLE_MAX)
    f.guidance("title")
    f.text("description", "Décrivez les activités qui seront proposées à l'élève", area=True,
           max_chars=rules.DESCRIPTION_MAX, counter=rules.DESCRIPTION_MAX)
    f.guidance("description")
    st.markdown("**Le lieu où se déroulera le stage :**")
    f.text("place_name", "Nom de l'école (maternelle, élémentaire ou primaire)", max_chars=rules.PLACE_NAME_MAX)
    f.text("place_address", "Rechercher une adresse postale*", max_chars=rules.PLACE_ADDRESS_MAX)
    left, right = st.columns([1, 2])
    with left:
        f.text("place_postal_code", "Code postal", max_chars=5)
    with right:
        f.text("place_commune", "Commune", max_chars=rules.PLACE_COMMUNE_MAX)
    model = f.model()
    if model.get("latitude") is not None and model.get("longitude") is not None:
        st.caption(f"Coordonnées de l'école (référentiel) : {model['latitude']:.5f}, {model['longitude']:.5f}")
    f.guidance("place")
    _, go = buttons(1, "Suivant", previous=False)
    if go:
        save(1, 2)

elif step == 2:
    f.header(2, "Votre entreprise", "Planning")
    st.markdown("**Les informations liées à votre structure**")
    f.text("siret", "Indiquez le nom ou le SIRET de la structure d'accueil *",
           placeholder="Rechercher par nom ou par SIRET(14 caractères)")
    st.caption(":material/info: Structure introuvable ? Ajouter votre structure manuellement")
    f.checkbox("manual_structure", "Ajouter votre structure manuellement")
    f.guidance("manual_structure")
    if f.yes_no("is_public", "Vous êtes une structure publique ?*"):
        f.select("public_employer_type", "Type d'employeur public", rules.PUBLIC_EMPLOYER_TYPES)
        f.guidance("public_employer_type")
    f.guidance("is_public")
    f.select("sector", "Indiquez le secteur d'activité de votre structure", rules.SECTORS)
    f.guidance("sector")
    f.text("employer_name", "Saisissez le nom (raison sociale) de votre établissement *",
           max_chars=rules.EMPLOYER_NAME_MAX)
    f.guidance("employer_name")
    f.text("head_office_address", "Saisissez l'adresse du siège de votre établissement *",
           max_chars=rules.HEAD_OFFICE_MAX)
    st.caption(":material/info: L'adresse du siège peut être différente de l'adresse où se déroulera le stage.")
    f.guidance("head_office_address")
    f.text("depositor_phone", "Numéro de téléphone du dépositaire *", max_chars=20)
    st.caption("Ce numéro ne sera pas communiqué aux candidats.")
    f.guidance("depositor_phone")
    st.markdown("**Les informations liées à votre environnement de travail**")
    st.caption("Afin de mieux informer les élèves, nous vous proposons de préciser brièvement et si vous le "
               "souhaitez les conditions d'accueil dans vos locaux en répondant à ces deux questions")
    f.text("work_environment", "Décrivez l'environnement de travail dans lequel l'élève va évoluer (open space, "
           "niveau sonore, luminosité...)", area=True, max_chars=rules.ENVIRONMENT_MAX,
           counter=rules.ENVIRONMENT_MAX, short_counter=True)
    f.text("accessibility", "Parlez-nous de l'accessibilité du poste (déplacement dans les locaux, informations "
           "sonores et/ou visuelles, présence d'un ascenseur...)", area=True, max_chars=rules.ENVIRONMENT_MAX,
           counter=rules.ENVIRONMENT_MAX, short_counter=True)
    f.guidance("environment")
    go_back, go = buttons(2, "Suivant")
    if go_back:
        back(1)
    if go:
        save(2, 3)

else:
    f.header(3, "Le planning", None)
    st.markdown("**Votre offre sera proposée aux élèves des niveaux suivants :**")
    if f.checkbox("level_college", "Collégiens (4ème et 3ème)") and "level_college" not in f.errors():
        st.error(f"{rules.COLLEGE_REFUSED} : décochez « Collégiens (4ème et 3ème) ».", icon=":material/error:")
    f.checkbox("level_lycee", "Lycéens de 2de générale et technologique")
    f.guidance("levels")
    f.period(meta["period_labels"])
    f.guidance("period")
    f.number("max_students", "Nombre total d'élèves que vous souhaitez accueillir sur la période de stage")
    f.guidance("max_students")
    same = f.checkbox("same_hours", "Les horaires seront les mêmes sur toute la période de stage")
    f.guidance("same_hours")
    f.hours(same)
    f.guidance("hours")
    f.text("lunch_break", "Pause déjeuner *", area=True, max_chars=rules.LUNCH_MAX)
    st.caption("Saisissez au moins 8 caractères pour décrire la pause déjeuner")
    f.guidance("lunch_break")
    if f.checkbox("reserved_one", "Ce stage est réservé à un seul établissement ?"):
        lycees = {choice.id: choice.label for choice in referential.general_lycees()}
        f.select("reserved_lycee_id", "Établissement", list(lycees), format_func=lambda i: lycees.get(i, ""))
    st.caption("Les stages réservés ne seront proposés qu'aux élèves de l'établissement sélectionné.")
    f.checkbox("reserved_rep", "Ce stage est réservé aux établissements du réseau d'éducation prioritaire (REP) ?")
    f.checkbox("reserved_qpv", "Ce stage est réservé aux établissements des quartiers prioritaires de la ville (QPV) ?")
    f.guidance("reservations")
    go_back, go = buttons(3, "Publier l'offre" if draft else "Enregistrer les modifications")
    if go_back:
        back(2)
    if go:
        try:
            if draft:
                result = offers.publish(user, st.session_state[f.OFFER_ID], f.step_data(3))
                message = "Votre offre de stage est publiée : les élèves de 2de peuvent la consulter et y candidater."
            else:
                offers.save_step(user, 3, f.step_data(3), offer_id=st.session_state[f.OFFER_ID])
                message = "Les modifications de l'offre sont enregistrées."
        except ValidationError as exc:
            refuse(exc)
        f.reset_state()
        flash(message)
        st.switch_page("pages/director_space.py")
