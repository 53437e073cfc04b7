"""The three steps of « Déposer une offre de stage », as the DSDEN 71 guide lays them out, and the
buttons between them (validate and save a step, go back, autosave a draft, publish).

The widgets and their state live in ``stages.ui.offer_form``; the rules in ``stages.domain.offers``.
"""

from __future__ import annotations

import streamlit as st

from stages.domain import offers as rules
from stages.services import drafts, referential
from stages.services.auth import CurrentUser
from stages.services.errors import ValidationError
from stages.services.offers import common as offer_common
from stages.services.offers import drafting, publishing
from stages.ui import offer_form as f
from stages.ui.safe import alert
from stages.ui.session import flash

SUMMARY = f.SUMMARY
AUTOSAVED = "of_autosaved"


def _refuse(exc: ValidationError) -> None:
    st.session_state[f.ERRORS] = dict(exc.errors)
    st.session_state[SUMMARY] = exc.message
    st.rerun()


def _save(user: CurrentUser, current: int, next_step: int | None) -> None:
    try:
        form = drafting.save_step(user, current, f.step_data(current), offer_id=st.session_state[f.OFFER_ID],
                                form_key=st.session_state[f.FORM_KEY])
    except ValidationError as exc:
        _refuse(exc)
    st.session_state.pop(SUMMARY, None)
    if current == 1:
        drafts.discard(user, drafts.NEW_OFFER_KEY)  # the offer's own draft holds step 1 from now on
    f.saved(form, next_step)
    st.rerun()


def _back(previous: int) -> None:
    st.session_state[f.STEP] = previous
    st.session_state[f.ERRORS] = {}
    st.session_state.pop(SUMMARY, None)
    st.rerun()


def _autosave(user: CurrentUser, current: int, draft: bool) -> None:
    """A draft keeps what is typed, field by field, before its step is validated (reload, lost connection)."""
    offer_id = st.session_state[f.OFFER_ID]
    if not draft:
        return
    data = f.step_data(current)
    snapshot = rules.autosave_snapshot(current, data)
    previous = st.session_state.get(AUTOSAVED)
    st.session_state[AUTOSAVED] = snapshot
    if rules.autosave_due(previous, snapshot):
        if offer_id is not None:
            drafting.autosave(user, offer_id, current, data)
        elif current == 1:  # no offer before the first "Suivant": step 1 is kept as the user's form draft
            drafts.save_fields(user, drafts.NEW_OFFER_KEY, data)


def _buttons(user: CurrentUser, current: int, next_label: str, draft: bool, *,
             previous: bool = True) -> tuple[bool, bool]:
    _autosave(user, current, draft)
    summary = st.session_state.get(SUMMARY)
    if summary:
        alert("error", summary, icon=":material/error:")
    cols = st.columns([1, 1, 4])
    go_back = cols[0].button("Précédent", key=f"of_prev_{current}", disabled=not previous,
                             icon=":material/arrow_back:")
    go_next = cols[1].button(next_label, key=f"of_next_{current}", type="primary")
    return go_back, go_next


def status_banner(meta: dict, draft: bool) -> None:
    if not draft:
        st.info(f"Modification de l'offre n° {st.session_state[f.OFFER_ID]} "
                f"({offer_common.STATUS_LABELS.get(meta['status'])}) : chaque étape validée est enregistrée "
                "directement dans l'offre.", icon=":material/edit:")
    elif st.session_state[f.OFFER_ID]:
        st.caption(f":material/cloud_done: Brouillon enregistré (campagne {meta['school_year']}) : vous pouvez "
                   "quitter cette page et reprendre plus tard, rien n'est perdu.")


def step1(user: CurrentUser, draft: bool) -> None:
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
    _, go = _buttons(user, 1, "Suivant", draft, previous=False)
    if go:
        _save(user, 1, 2)


def step2(user: CurrentUser, draft: bool) -> None:
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
    go_back, go = _buttons(user, 2, "Suivant", draft)
    if go_back:
        _back(1)
    if go:
        _save(user, 2, 3)


def step3(user: CurrentUser, draft: bool, meta: dict) -> None:
    f.header(3, "Le planning", None)
    st.markdown("**Votre offre sera proposée aux élèves des niveaux suivants :**")
    college = rules.college_problem(f.checkbox("level_college", "Collégiens (4ème et 3ème)"))
    if college and "level_college" not in f.errors():  # said at once, before "Publier"
        st.error(college, icon=":material/error:")
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
    st.caption(f"Saisissez au moins {rules.LUNCH_MIN} caractères pour décrire la pause déjeuner")
    f.guidance("lunch_break")
    if f.checkbox("reserved_one", "Ce stage est réservé à un seul établissement ?"):
        lycees = {choice.id: choice.label for choice in referential.general_lycees()}
        f.select("reserved_lycee_id", "Établissement", list(lycees), format_func=lambda i: lycees.get(i, ""))
    st.caption("Les stages réservés ne seront proposés qu'aux élèves de l'établissement sélectionné.")
    f.checkbox("reserved_rep", "Ce stage est réservé aux établissements du réseau d'éducation prioritaire (REP) ?")
    f.checkbox("reserved_qpv", "Ce stage est réservé aux établissements des quartiers prioritaires de la ville (QPV) ?")
    f.guidance("reservations")
    go_back, go = _buttons(user, 3, "Publier l'offre" if draft else "Enregistrer les modifications", draft)
    if go_back:
        _back(2)
    if go:
        _finish(user, draft)


def _finish(user: CurrentUser, draft: bool) -> None:
    try:
        if draft:
            publishing.publish(user, st.session_state[f.OFFER_ID], f.step_data(3))
            message = "Votre offre de stage est publiée : les élèves de 2de peuvent la consulter et y candidater."
        else:
            drafting.save_step(user, 3, f.step_data(3), offer_id=st.session_state[f.OFFER_ID])
            message = "Les modifications de l'offre sont enregistrées."
    except ValidationError as exc:
        _refuse(exc)
    f.reset_state()
    flash(message)
    st.switch_page("pages/director_space.py")
