"""The conventions' pages (AppTest of app.py): the director's tab, the student's part, the lycée
head's bulk signing, the legal representative's public page, and the dashboard's block."""

from __future__ import annotations

import re

from sqlalchemy import select

from db import read_session, write_session
from db.models import Convention, ConventionSignature, Lycee, OutboxMail, Role, User
from stages.domain.conventions import Party, Status
from stages.services import auth
from stages.services.candidatures import answers
from stages.services.conventions import parts
from tests.app.conftest import make_app, open_page
from tests.db.test_conventions import HOST, LYCEE, STUDENT
from tests.factories import make_candidature, make_offer, make_user


def arrange():
    director = make_user(Role.DIRECTOR, uai="0711989B", first_name="Hugues", last_name="Traver")
    student = make_user(Role.STUDENT, email="lea@example.fr", first_name="Léa", last_name="Durand")
    with read_session() as s:
        uai = s.get(Lycee, auth.load_user(student).lycee_id).uai
    head = auth.create_user(role=Role.LYCEE_HEAD, email=f"ce.{uai.lower()}@ac-dijon.fr", password="Mot-de-passe-2025!",
                            uai=uai, first_name="Claire", last_name="Proviseure")
    offer = make_offer(director, max_students=2)
    cand = make_candidature(offer, student)
    answers.accept(auth.load_user(director), cand)
    with read_session() as s:
        conv = s.scalar(select(Convention.id).where(Convention.candidature_id == cand))
    return director, student, head.id, conv


def button(at, label):
    return next(b for b in at.button if b.label == label)


def stored(conv):
    with read_session() as s:
        c = s.get(Convention, conv)
        return c.status, c.host_part, c.student_part, {x.party for x in s.scalars(
            select(ConventionSignature).where(ConventionSignature.convention_id == conv))}


def test_director_completes_the_host_part_in_the_conventions_tab(sqlite_url):
    director, _student, _head, conv = arrange()
    at = make_app(director)
    at.session_state["director_tab"] = "Conventions"
    at.run()
    assert not at.exception
    tab = next(t for t in at.tabs if t.label == "Conventions")
    frame = tab.dataframe[0].value
    assert list(frame["État"]) == ["À compléter"] and list(frame["École d'accueil"]) == ["🟠"]
    at.text_input(key=f"conv{conv}_tn").input("Anne Martin")
    at.text_input(key=f"conv{conv}_tf").input("Professeure des écoles")
    at.text_input(key=f"conv{conv}_te").input("pas-une-adresse")
    button(at, "Enregistrer ma partie").click().run()
    assert "invalide" in at.error[0].value and stored(conv)[1] is None
    at.text_input(key=f"conv{conv}_te").input("anne.martin@ac-dijon.fr")
    button(at, "Enregistrer ma partie").click().run()
    assert not at.exception and stored(conv)[1]["tutor_name"] == "Anne Martin"
    assert any("Partie enregistrée" in s.value for s in at.success)


def test_student_part_and_signature_then_legal_rep_page(sqlite_url):
    director, student, head, conv = arrange()
    parts.complete_part(auth.load_user(director), conv, HOST)
    parts.complete_part(auth.load_user(head), conv, LYCEE)
    at = open_page(student, "student_candidatures.py")
    assert not at.exception and at.subheader[0].value == "Ma convention de stage"
    at.text_input(key=f"conv{conv}_bd").input("12/03/2011")
    at.text_input(key=f"conv{conv}_cl").input("2de 3")
    at.radio(key=f"conv{conv}_pai").set_value("Non")
    at.text_input(key=f"conv{conv}_r1n").input("Marie Durand")
    at.text_input(key=f"conv{conv}_r1e").input("marie.durand@example.fr")
    button(at, "Enregistrer ma partie").click().run()
    assert not at.exception and stored(conv)[0] == Status.READY
    at.checkbox(key=f"conv{conv}_ok").check()
    at.text_input(key=f"conv{conv}_name").input("Léa Durand")
    button(at, "Signer la convention").click().run()
    assert not at.exception and stored(conv)[3] == {Party.STUDENT}

    with read_session() as s:
        body = s.scalar(select(OutboxMail.body_text).where(OutboxMail.to_address == "marie.durand@example.fr"))
    token = re.search(r"token=([\w-]+)", body).group(1)
    at = make_app()
    at.query_params["token"] = token
    at.run()
    at.switch_page("pages/convention_signature.py")
    at.query_params["token"] = token
    at.run()
    assert not at.exception and at.title[0].value == "Signature de la convention de stage"
    at.checkbox(key="rep_ok").check()
    at.text_input(key="rep_name").input("Marie Durand")
    button(at, "Signer la convention").click().run()
    assert not at.exception and "signature est enregistrée" in at.success[0].value
    assert stored(conv)[3] == {Party.STUDENT, Party.LEGAL_REP}
    at = make_app()
    at.run()
    at.switch_page("pages/convention_signature.py")
    at.query_params["token"] = token
    at.run()
    assert "déjà servi" in at.error[0].value


def test_lycee_head_signs_in_bulk(sqlite_url):
    director, student, head, conv = arrange()
    parts.complete_part(auth.load_user(director), conv, HOST)
    parts.complete_part(auth.load_user(head), conv, LYCEE)
    parts.complete_part(auth.load_user(student), conv, STUDENT)
    at = make_app(head).run()
    assert not at.exception and at.title[0].value == "Conventions de stage"
    at.checkbox(key=f"bulk_{conv}").check()
    at.checkbox(key="bulk_ok").check()
    at.text_input(key="bulk_name").input("Claire Proviseure")
    button(at, "Signer les conventions cochées").click().run()
    assert not at.exception and stored(conv)[3] == {Party.LYCEE}
    assert "1 convention(s) signée(s)." in [s.value for s in at.success]


def test_lycee_head_sees_the_lycee_students_without_a_confirmed_stage(sqlite_url):
    _director, _student, head, _conv = arrange()  # Léa Durand: accepted, not confirmed yet
    make_user(Role.STUDENT, first_name="Noé", last_name="Bernard", email="noe@example.fr")  # no candidature
    elsewhere = make_user(Role.STUDENT, first_name="Zoé", last_name="Ailleurs")
    with write_session() as s:
        mine = s.get(User, elsewhere).lycee_id
        s.get(User, elsewhere).lycee_id = s.scalar(select(Lycee.id).where(Lycee.id != mine).order_by(Lycee.uai))
    at = make_app(head).run()
    assert not at.exception
    tab = next(t for t in at.tabs if t.label == "Élèves sans stage confirmé")
    frame = tab.dataframe[0].value
    assert list(frame["Élève"]) == ["Noé Bernard", "Léa Durand"]  # not the other lycée's student
    assert list(frame["Situation"]) == ["Aucune candidature", "Acceptée, à confirmer"]
    assert list(frame["Adresse électronique"]) == ["noe@example.fr", "lea@example.fr"]


def test_dashboard_block_for_the_dsden(sqlite_url):
    arrange()
    coordinator = make_user(Role.COORDINATOR)
    at = make_app(coordinator).run()
    at.session_state["dash_section"] = "Conventions de stage"  # the dashboard's tab
    at.run()
    assert not at.exception
    assert "Conventions de stage" in [h.value for h in at.header]
    frame = next(d.value for d in at.dataframe if "Non commencées" in d.value.columns)
    assert int(frame[frame["Circonscription"] == "Total"]["Non commencées"].iloc[0]) == 1
    assert all("Durand" not in str(d.value.to_dict()) for d in at.dataframe)
