"""AppTest of issue 14's everyday frictions (each test failed before its fix)."""

from __future__ import annotations

from db.models import Period, Role
from tests.app.conftest import make_app, open_page
from tests.factories import make_candidature, make_offer, make_user


def texts(at) -> str:
    return "\n".join([t.value for t in at.text] + [m.value for m in at.markdown] + [c.value for c in at.caption])


def open_inbox(director: int):
    at = make_app(director)
    at.session_state["director_tab"] = "Candidatures"
    return at.run()


def test_inbox_rows_tell_offers_titled_alike_apart(sqlite_url):
    director = make_user(Role.DIRECTOR, uai="0711989B")
    week1 = make_offer(director, period=Period.WEEK_1, title="Professeur des écoles")
    week2 = make_offer(director, period=Period.WEEK_2, title="Professeur des écoles")
    make_candidature(week1, make_user(Role.STUDENT, first_name="Inès", last_name="Un"))
    make_candidature(week2, make_user(Role.STUDENT, first_name="Jules", last_name="Deux"))
    at = open_inbox(director)
    assert not at.exception
    body = texts(at)
    assert f"offre n° {week1}, stage de 1 semaine" in body
    assert f"offre n° {week2}, stage de 1 semaine" in body


TITLE_LABEL = "Indiquez le ou les métiers qui seront observables par l'élève"
DESCRIPTION_LABEL = "Décrivez les activités qui seront proposées à l'élève"


def test_step1_of_a_new_offer_is_kept_on_a_reload(sqlite_url):
    director = make_user(Role.DIRECTOR, uai="0711046B")
    at = open_page(director, "director_offer_form.py")
    assert not at.exception
    next(w for w in at.text_input if w.label == TITLE_LABEL).set_value("Professeur des écoles – CP").run()
    next(w for w in at.text_area if w.label == DESCRIPTION_LABEL).set_value(
        "Observation d'une classe de CP : lecture, calcul, récréation.").run()
    assert not at.exception
    # A reload is a new Streamlit session.
    again = open_page(director, "director_offer_form.py")
    assert next(w for w in again.text_input if w.label == TITLE_LABEL).value == "Professeur des écoles – CP"
    assert next(w for w in again.text_area if w.label == DESCRIPTION_LABEL).value == \
        "Observation d'une classe de CP : lecture, calcul, récréation."
    # Once step 1 is validated the offer's draft holds it, and the step-1 draft is gone.
    next(b for b in again.button if b.label == "Suivant").click().run()
    assert not again.exception and "Étape 2 sur 3" in [c.value for c in again.caption]
    third = open_page(director, "director_offer_form.py")
    assert "Étape 2 sur 3" in [c.value for c in third.caption]


def status_of(cid: int) -> str:
    from db import read_session
    from db.models import Candidature

    with read_session() as s:
        return s.get(Candidature, cid).status


def button(at, label: str):
    return next(b for b in at.button if b.label == label)


def test_accepting_asks_for_a_confirmation_single_and_bulk(sqlite_url):
    director = make_user(Role.DIRECTOR, uai="0711989B")
    offer = make_offer(director, max_students=3)
    one, two, three = (make_candidature(offer, make_user(Role.STUDENT, first_name=f"Élève{i}", last_name="Test"))
                       for i in range(3))
    at = open_inbox(director)
    at.button(key=f"cand_open_Reçues_{one}").click().run()
    button(at, "Accepter").click().run()
    assert status_of(one) == "read"  # nothing accepted yet: a question first
    assert any("définitive" in w.value for w in at.warning)
    button(at, "Annuler").click().run()
    assert status_of(one) == "read"
    button(at, "Accepter").click().run()
    button(at, "Confirmer l'acceptation").click().run()
    assert not at.exception and status_of(one) == "accepted"
    # Bulk: the same question, naming the students.
    at.checkbox(key=f"cand_check_{two}").check().run()
    at.checkbox(key=f"cand_check_{three}").check().run()
    at.button(key="cand_bulk_accept").click().run()
    assert (status_of(two), status_of(three)) == ("submitted", "submitted")
    question = next(w.value for w in at.warning if "définitive" in w.value)
    assert "Accepter 2 candidature(s)" in question and "Élève1 Test" in question
    at.button(key="cand_bulk_accept_yes").click().run()
    assert not at.exception and (status_of(two), status_of(three)) == ("accepted", "accepted")


def test_a_withdrawn_candidature_can_be_sent_again_once(sqlite_url):
    director = make_user(Role.DIRECTOR, uai="0711989B")
    offer = make_offer(director, max_students=2)
    student = make_user(Role.STUDENT, first_name="Léa", last_name="Revient")
    cid = make_candidature(offer, student)

    def withdraw():
        at = open_page(student, "student_candidatures.py")
        at.button(key=f"withdraw_{cid}").click().run()
        assert status_of(cid) == "withdrawn"

    def offer_page():
        at = open_page(student, "student_offers.py")
        at.button(key=f"offer_view_{offer}").click().run()
        assert not at.exception
        return at

    withdraw()
    at = offer_page()
    assert "Vous pouvez postuler de nouveau, une seule fois" in at.info[0].value
    at.text_area(key=f"motivation_{offer}").input("Je me suis trompée, je souhaite vraiment ce stage.")
    button(at, "Postuler").click().run()
    assert status_of(cid) == "submitted"
    withdraw()
    at = offer_page()
    assert not [b for b in at.button if b.label == "Postuler"]  # the second cancellation is final
    assert "Annulée par l'élève" in at.info[0].value


def test_an_opened_candidature_reads_lue_in_its_row_too(sqlite_url):
    director = make_user(Role.DIRECTOR, uai="0711989B")
    offer = make_offer(director)
    cid = make_candidature(offer, make_user(Role.STUDENT, first_name="Inès", last_name="Lue"))
    at = open_inbox(director)
    assert "Reçue" in [t.value for t in at.text]
    at.button(key=f"cand_open_Reçues_{cid}").click().run()
    assert any("Statut : Lue" in t.value for t in at.text)  # the detail
    assert "Lue" in [t.value for t in at.text] and "Reçue" not in [t.value for t in at.text]  # and its row


def test_a_field_error_goes_once_the_field_is_fixed(sqlite_url):
    at = make_app().run()
    at.switch_page("pages/signup.py").run()
    at.text_input(key="signup_email").input("pas-une-adresse").run()
    at.button(key="signup_submit").click().run()
    messages = [e.value for e in at.error]
    assert any("adresse" in m.lower() for m in messages) and any("corrigez les champs" in m for m in messages)
    first_name_errors = [m for m in messages if "prénom" in m.lower()]
    at.text_input(key="signup_email").input("ce.0710020l@ac-dijon.fr").run()
    after = [e.value for e in at.error]
    assert not any("adresse électronique" in m.lower() and "format" in m.lower() for m in after), after
    assert [m for m in after if "prénom" in m.lower()] == first_name_errors  # the others stay until fixed


def schools_of_71(where: str = "") -> int:
    from sqlalchemy import text

    from db import get_engine

    with get_engine().connect() as conn:
        return conn.execute(text(f"SELECT COUNT(*) FROM schools WHERE departement_code = '71' {where}")).scalar()


def test_dashboard_filters_public_private_and_maps_every_school(sqlite_url):
    import json
    import re

    from stages.services.monitoring.cache import clear_cache

    clear_cache()
    coordinator = make_user(Role.COORDINATOR)
    at = open_page(coordinator, "dashboard.py")
    assert not at.exception
    total, private = schools_of_71(), schools_of_71("AND sector = 'Privé'")
    assert 0 < private < total
    assert {m.label: m.value for m in at.metric}["Écoles du référentiel"] == f"{total:,}".replace(",", "\u202f")
    at.multiselect(key="dash_sectors").set_value(["Privé"]).run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Écoles du référentiel"] == str(private)
    at.multiselect(key="dash_sectors").set_value([]).run()
    at.segmented_control(key="dash_chart").set_value("Carte des écoles").run()
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    drawn = sum(int(re.search(r"\((\d+)\)$", trace["name"]).group(1)) for trace in spec["data"])
    # Every school, 0711992E included (no coordinates in the referential: placed in its commune).
    assert schools_of_71("AND latitude IS NULL") >= 1
    assert drawn == total


def test_a_provisional_password_is_changed_at_first_login(sqlite_url):
    from stages.services import auth
    from stages.services.admin import account_management

    coordinator = auth.load_user(make_user(Role.COORDINATOR))
    created = account_management.create_staff_account(coordinator, role=Role.COORDINATOR,
                                                      email="nouvelle.coord@ac-dijon.fr", first_name="Nora",
                                                      last_name="Nouvelle", password="Provisoire-2026!x")
    at = make_app()
    at.run()
    at.switch_page("pages/login.py").run()
    at.text_input(key="login_email").input("nouvelle.coord@ac-dijon.fr")
    next(t for t in at.text_input if t.label == "Mot de passe").input("Provisoire-2026!x")
    next(b for b in at.button if b.label == "Se connecter").click().run()
    assert not at.exception
    assert at.title[0].value == "Mon compte"
    assert "mot de passe provisoire" in at.warning[0].value
    assert "Tableau de bord" not in [t.value for t in at.title]
    import pytest

    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/dashboard.py")  # not registered for this account: nothing else opens
    at = make_app(created.id).run()
    assert at.title[0].value == "Mon compte"
    at.text_input(key="account_current_password").input("Provisoire-2026!x")
    at.text_input(key="account_new_password").input("Mon-Propre-Mot-2026!")
    next(b for b in at.button if b.label == "Changer le mot de passe").click().run()
    assert not at.exception
    at.run()
    assert at.title[0].value == "Tableau de bord"
    assert not auth.load_user(created.id).must_change_password


def test_referential_preview_counts_absent_schools_in_the_extract_format(sqlite_url):
    from pathlib import Path

    extract = (Path(__file__).resolve().parents[2] / "data" / "ecoles_71.csv").read_text(encoding="utf-8")
    header, *rows = extract.splitlines()
    kept = [header, *rows[3:]]  # three schools removed from the extract
    at = open_page(make_user(Role.COORDINATOR), "admin_referential.py")
    at.file_uploader(key="referential_file").upload("ecoles_71.csv", ("\n".join(kept) + "\n").encode("utf-8"),
                                                     "text/csv").run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    in_file = {line.split(",", 1)[0] for line in kept[1:]}
    from sqlalchemy import text

    from db import get_engine

    with get_engine().connect() as conn:
        in_db = set(conn.execute(text("SELECT uai FROM schools WHERE departement_code = '71'")).scalars())
    assert len(in_db - in_file) >= 3
    assert metrics["Absents du fichier"] == str(len(in_db - in_file)), metrics
    assert metrics["Nouveaux"] == "0"
