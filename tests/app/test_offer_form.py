"""AppTest of "Déposer une offre de stage" (each step) and of the "Offres de stage" tab."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import func, select

from db import read_session
from db.models import CandidatureStatus, Offer, Role
from stages.services import auth
from stages.services.offers import drafting
from tests.app.conftest import make_app, open_page
from tests.factories import make_candidature, make_offer, make_user


def new_director(uai: str = "0711046B") -> int:
    return make_user(Role.DIRECTOR, uai=uai, email=f"{uuid.uuid4().hex[:10]}@ac-dijon.fr")


def offer_rows() -> list[tuple[str, int]]:
    with read_session() as s:
        return [(o.status, o.step_reached) for o in s.scalars(select(Offer).order_by(Offer.id))]


def texts(at) -> str:
    parts = [e.value for kind in ("caption", "markdown", "error", "info", "warning", "success", "subheader", "title")
             for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


def widget(at, kind: str, label: str):
    return next(w for w in getattr(at, kind) if w.label == label)


def test_empty_tab_invites_to_publish(sqlite_url):
    at = open_page(new_director(), "director_space.py")
    assert not at.exception
    assert "Aucune offre de stage publiée" in [s.value for s in at.subheader]
    assert "Publiez votre première offre de stage pour la voir apparaître ici." in texts(at)
    assert [b.label for b in at.button if b.key == "offers_new"] == ["Publier une offre"]
    at.button(key="offers_new").click().run()
    assert at.title[0].value == "Déposer une offre de stage"


def test_step1_is_prefilled_with_guidance_and_saved_as_a_draft(sqlite_url):
    at = open_page(new_director(), "director_offer_form.py")
    assert not at.exception
    page = texts(at)
    for words in ("Étape 1 sur 3", "Métier et localisation", "Étape suivante : Votre entreprise",
                  "Le ou les métiers que vous proposez d'observer :", "Le lieu où se déroulera le stage :",
                  "Renseigner « Professeur des écoles »", "37 caractères / 1500",
                  "en précisant maternelle, élémentaire ou primaire"):
        assert words in page, words
    assert widget(at, "text_input", "Indiquez le ou les métiers qui seront observables par l'élève").value == \
        "Professeur des écoles"
    assert widget(at, "text_area", "Décrivez les activités qui seront proposées à l'élève").value == \
        "Observation de séances d'enseignement"
    assert widget(at, "text_input", "Rechercher une adresse postale*").value == "2 rue du Bourg"
    assert offer_rows() == []
    at.button(key="of_next_1").click().run()
    assert "Étape 2 sur 3" in texts(at)
    assert offer_rows() == [("draft", 1)]


def test_step1_refusal_is_shown_next_to_the_field(sqlite_url):
    at = open_page(new_director(), "director_offer_form.py")
    widget(at, "text_area", "Décrivez les activités qui seront proposées à l'élève").set_value("Court")
    at.button(key="of_next_1").click().run()
    assert not at.exception
    assert "Étape 1 sur 3" in texts(at)
    errors = [e.value for e in at.error]
    assert any("il en faut au moins 10" in e for e in errors)
    assert offer_rows() == []
    # 10,000 characters: refused or cut by the widget, never a crash.
    widget(at, "text_area", "Décrivez les activités qui seront proposées à l'élève").set_value("<b>é</b>" * 1250)
    at.button(key="of_next_1").click().run()
    assert not at.exception
    assert any("Raccourcissez le texte" in e.value for e in at.error) or offer_rows() == [("draft", 1)]


def test_step2_prefilled_and_previous_keeps_the_values(sqlite_url):
    at = open_page(new_director(), "director_offer_form.py")
    at.button(key="of_next_1").click().run()
    page = texts(at)
    for words in ("Étape 2 sur 3", "Les informations liées à votre structure", "Structure introuvable ?",
                  "L'adresse du siège peut être différente de l'adresse où se déroulera le stage.",
                  "Ce numéro ne sera pas communiqué aux candidats.", "0/1000 caractères",
                  "Renseigner l'adresse de la DSDEN 71.", "Les informations liées à votre environnement de travail"):
        assert words in page, words
    assert widget(at, "radio", "Vous êtes une structure publique ?*").value == "Oui"
    assert widget(at, "selectbox", "Indiquez le secteur d'activité de votre structure").value == "Enseignement"
    name = widget(at, "text_input", "Saisissez le nom (raison sociale) de votre établissement *")
    assert name.value == "Ecole primaire Allériot - Circonscription de Louhans"
    name.set_value("Ecole primaire d'Allériot - Circonscription de Louhans")
    widget(at, "text_input", "Numéro de téléphone du dépositaire *").set_value("12")
    at.button(key="of_next_2").click().run()
    assert any("10 chiffres" in e.value for e in at.error)
    at.button(key="of_prev_2").click().run()
    assert "Étape 1 sur 3" in texts(at)
    at.button(key="of_next_1").click().run()
    assert widget(at, "text_input", "Saisissez le nom (raison sociale) de votre établissement *").value == \
        "Ecole primaire d'Allériot - Circonscription de Louhans"
    assert widget(at, "text_input", "Numéro de téléphone du dépositaire *").value == "12"


def test_a_new_session_resumes_the_draft_at_the_step_reached(sqlite_url):
    director_id = new_director()
    user = auth.load_user(director_id)
    form = drafting.load_form(user)
    drafting.save_step(user, 1, form.values(1) | {"description": "Observation de la classe de CM2"}, form_key="x")
    at = open_page(director_id, "director_offer_form.py")  # a reload: a brand new session
    assert "Étape 2 sur 3" in texts(at)
    at.button(key="of_prev_2").click().run()
    assert widget(at, "text_area", "Décrivez les activités qui seront proposées à l'élève").value == \
        "Observation de la classe de CM2"


def test_step3_enforces_the_guidance_then_publishes_once(sqlite_url):
    director_id = new_director()
    user = auth.load_user(director_id)
    form = drafting.load_form(user)
    form = drafting.save_step(user, 1, form.values(1), form_key="y")
    drafting.save_step(user, 2, form.values(2), offer_id=form.id)
    at = open_page(director_id, "director_offer_form.py")
    page = texts(at)
    for words in ("Étape 3 sur 3", "Le planning", "Votre offre sera proposée aux élèves des niveaux suivants :",
                  "Cocher obligatoirement la période de 2 semaines.",
                  "Saisissez au moins 8 caractères pour décrire la pause déjeuner"):
        assert words in page, words
    college = widget(at, "checkbox", "Collégiens (4ème et 3ème)")
    assert college.value is False
    assert widget(at, "checkbox", "Les horaires seront les mêmes sur toute la période de stage").value is False
    period = widget(at, "radio", "Sur quelle période proposez-vous ce stage pour les lycéens ?")
    assert period.value == "two_weeks" and len(period.options) == 3
    assert period.options[0].startswith("stage de 2 semaines (du ")
    assert widget(at, "text_area", "Pause déjeuner *").value == "Pas de possibilité de restauration"
    # No hours yet, collégiens checked, one week: three refusals next to their fields.
    college.check()
    period.set_value("week_1")
    at.button(key="of_next_3").click().run()
    errors = " ".join(e.value for e in at.error)
    assert "ne s'adressent qu'aux lycéens (classe de 2nde)" in errors
    assert "période de 2 semaines" in errors and "au moins un jour" in errors
    assert offer_rows() == [("draft", 2)]
    widget(at, "checkbox", "Collégiens (4ème et 3ème)").uncheck()
    widget(at, "radio", "Sur quelle période proposez-vous ce stage pour les lycéens ?").set_value("two_weeks")
    at.time_input(key="of_w_h_lundi_start").set_value(dt.time(8, 30))
    at.time_input(key="of_w_h_lundi_end").set_value(dt.time(8, 0))
    at.button(key="of_next_3").click().run()
    assert any("doit précéder" in e.value for e in at.error)
    at.time_input(key="of_w_h_lundi_end").set_value(dt.time(16, 30))
    at.button(key="of_next_3").click().run()
    assert not at.exception
    assert at.title[0].value.startswith("Espace de")
    assert "Votre offre de stage est publiée" in texts(at)
    assert offer_rows() == [("published", 3)]


def test_mes_offres_lists_places_and_actions(sqlite_url):
    director_id = new_director("0711989B")
    offer_id = make_offer(director_id, max_students=3)
    students = [make_user(Role.STUDENT) for _ in range(2)]
    make_candidature(offer_id, students[0], status=CandidatureStatus.ACCEPTED)
    make_candidature(offer_id, students[1])
    at = open_page(director_id, "director_space.py")
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"Places offertes": "3", "Places prises": "1", "Places restantes": "2", "Candidatures": "2"}
    assert "Aucune offre de stage publiée" not in [s.value for s in at.subheader]
    # "Ouvrir" reads and shows the details only once opened.
    assert "Nombre d'élèves" not in texts(at)
    at.session_state[f"offer_{offer_id}_details"] = True
    at.run()
    assert not at.exception and "Nombre d'élèves" in texts(at)
    at.button(key=f"offer_{offer_id}_unpublish").click().run()
    assert "L'offre est dépubliée" in texts(at)
    at.button(key=f"offer_{offer_id}_republish").click().run()
    assert offer_rows() == [("published", 3)]
    at.button(key=f"offer_{offer_id}_duplicate").click().run()
    assert not at.exception
    assert "Étape 3 sur 3" in texts(at)  # the copy opens on its planning, with the next campaign's dates
    with read_session() as s:
        assert s.scalar(select(func.count()).select_from(Offer)) == 2


def test_delete_a_draft_after_confirmation(sqlite_url):
    director_id = new_director()
    user = auth.load_user(director_id)
    draft = drafting.save_step(user, 1, drafting.load_form(user).values(1), form_key="z")
    at = open_page(director_id, "director_space.py")
    at.button(key=f"offer_{draft.id}_delete").click().run()
    assert offer_rows() == [("draft", 1)]
    at.button(key=f"offer_{draft.id}_delete_yes").click().run()
    assert offer_rows() == []
    assert "Le brouillon est supprimé." in texts(at)


def test_another_schools_offer_is_refused_without_traceback(sqlite_url):
    owner = new_director("0711989B")
    offer_id = make_offer(owner)
    at = make_app(new_director("0710433K"))
    at.query_params["offre"] = str(offer_id)
    at.run()
    at.switch_page("pages/director_offer_form.py")
    at.query_params["offre"] = str(offer_id)
    at.run()
    assert not at.exception
    # Issue 10: the same answer as for an offer that does not exist (ids tell nothing).
    assert any("n'existe pas, ou n'est pas une offre de votre école" in e.value for e in at.error)
    at.query_params["offre"] = "99999999999999999999999"
    at.run()
    assert not at.exception
    assert any("n'existe pas, ou n'est pas une offre de votre école" in e.value for e in at.error)


def test_what_is_typed_in_step2_survives_a_reload_before_validation(sqlite_url):
    director_id = new_director()
    at = open_page(director_id, "director_offer_form.py")
    at.button(key="of_next_1").click().run()
    widget(at, "text_input", "Saisissez le nom (raison sociale) de votre établissement *").set_value(
        "Ecole primaire du Bourg - Circonscription de Louhans").run()
    widget(at, "text_input", "Numéro de téléphone du dépositaire *").set_value("12").run()  # invalid: not kept
    again = open_page(director_id, "director_offer_form.py")  # a reload: a new session
    assert "Étape 2 sur 3" in texts(again)
    assert widget(again, "text_input", "Saisissez le nom (raison sociale) de votre établissement *").value == \
        "Ecole primaire du Bourg - Circonscription de Louhans"
    assert widget(again, "text_input", "Numéro de téléphone du dépositaire *").value == "0385941481"
    assert offer_rows() == [("draft", 1)]


def test_steps_one_two_three_by_their_buttons_show_the_planning(sqlite_url):
    """Regression: a period default given as an Enum member reached the radio, whose options are
    plain strings, and Streamlit refused to coerce it (the step showed a generic error)."""
    at = open_page(new_director(), "director_offer_form.py")
    at.button(key="of_next_1").click().run()
    at.button(key="of_next_2").click().run()
    assert "Étape 3 sur 3" in texts(at) and "erreur inattendue" not in texts(at)
    period = widget(at, "radio", "Sur quelle période proposez-vous ce stage pour les lycéens ?")
    assert period.value == "two_weeks" and type(period.value) is str
