"""AppTest of the candidature screens: the director's inbox tabs and actions, the students' pages."""

from __future__ import annotations

import datetime as dt

from db import read_session
from db.models import Candidature, CandidatureStatus as S, Role
from stages.domain.timeutil import utcnow
from tests.app.conftest import make_app, open_page
from tests.factories import make_candidature, make_offer, make_user

GUIDE_DELAY = ("Le délai de traitement des candidatures des élèves est de 15 jours . Au delà de ce délai, "
               "la candidature sera annulée et vous ne pourrez plus y répondre.")
INBOX_TABS = ("Reçues", "Liste d'attente", "Acceptées", "Refusées", "Expirées")


def texts(at) -> str:
    return "\n".join([t.value for t in at.text] + [m.value for m in at.markdown] + [c.value for c in at.caption])


def status_of(cid: int) -> str:
    with read_session() as s:
        return s.get(Candidature, cid).status


def button(at, label: str):
    return next(b for b in at.button if b.label == label)


def arrange(n_students: int = 3, places: int = 2):
    director = make_user(Role.DIRECTOR, uai="0711989B", first_name="Hugues", last_name="Traver")
    offer = make_offer(director, max_students=places, title="Professeur des écoles")
    students = [make_user(Role.STUDENT, first_name=f"Élève{i}", last_name="Test") for i in range(n_students)]
    return director, offer, students


def test_empty_inbox_shows_the_guide_texts(sqlite_url):
    director, _offer, _students = arrange(0)
    at = open_inbox(director)
    assert not at.exception
    warning = at.warning[0].value
    assert "⚠ Délai de réponse aux élèves" in warning and GUIDE_DELAY in warning
    inbox_tabs = [t.label for t in at.tabs if t.label.split(" (")[0] in INBOX_TABS]
    assert inbox_tabs == ["Reçues (0)", "Liste d'attente (0)", "Acceptées (0)", "Refusées (0)", "Expirées (0)"]
    body = texts(at)
    for heading in ("Nom de l'élève", "Intitulé du stage", "Candidature annulée dans", "Statut", "Action"):
        assert heading in body
    assert body.count("Aucune candidature reçue") == 1  # only the open tab is rendered
    for tab in ("Acceptées", "Refusées", "Expirées"):
        show_tab(at, tab)
        assert texts(at).count("Aucune candidature reçue") == 1, tab
    at.session_state["director_tab"] = "Conventions"
    at.run()
    assert "Aucune candidature acceptée pour le moment" in texts(at)  # Conventions tab


def open_inbox(director: int):
    """The director's space with its "Candidatures" tab open (only the open tab is drawn)."""
    at = make_app(director)
    at.session_state["director_tab"] = "Candidatures"
    return at.run()


def show_tab(at, name: str) -> None:
    """Choose an inbox tab, as a click does (the tabs' key carries the counts of the labels)."""
    inbox = [t.label for t in at.tabs if t.label.split(" (")[0] in INBOX_TABS]
    key = "cand_tabs_" + "_".join(label.split(" (")[1].rstrip(")") for label in inbox)
    at.session_state["cand_active_tab"] = name
    at.session_state[key] = next(label for label in inbox if label.split(" (")[0] == name)
    at.run()
    assert not at.exception


def test_inbox_tabs_counts_colours_open_accept_refuse(sqlite_url):
    director, offer, (s0, s1, s2) = arrange(3)
    now = utcnow()
    urgent = make_candidature(offer, s0, submitted_at=now - dt.timedelta(days=13))
    orange = make_candidature(offer, s1, submitted_at=now - dt.timedelta(days=9))
    expired = make_candidature(offer, s2, submitted_at=now - dt.timedelta(days=16))
    at = open_inbox(director)
    assert not at.exception
    labels = [t.label for t in at.tabs]
    assert "Reçues (2)" in labels and "Expirées (1)" in labels
    received = next(t for t in at.tabs if t.label == "Reçues (2)")
    badges = [m.value for m in received.markdown if "badge" in m.value]
    assert badges[0].startswith(":red-badge[1 j") and badges[1].startswith(":orange-badge[5 j")
    row_texts = [t.value for t in received.text]
    assert row_texts.index("● Élève0 Test") < row_texts.index("● Élève1 Test")  # most urgent first
    show_tab(at, "Expirées")  # only the open tab is rendered
    expired_tab = next(t for t in at.tabs if t.label == "Expirées (1)")
    assert "Expirée" in [t.value for t in expired_tab.text]
    assert at.checkbox(key=f"cand_check_{expired}").disabled

    show_tab(at, "Reçues")
    # Opening shows the motivation as text and marks it read.
    at.button(key=f"cand_open_Reçues_{urgent}").click().run()
    assert not at.exception
    assert "Je suis très motivée." in [t.value for t in at.text]
    assert status_of(urgent) == S.READ
    # Refuse needs a reason, shown next to the field.
    button(at, "Refuser").click().run()
    assert "motif du refus" in at.error[0].value
    at.text_area(key=f"cand_reason_{urgent}").input("Les places sont déjà prévues.").run()
    button(at, "Refuser").click().run()
    assert not at.exception
    assert status_of(urgent) == S.REFUSED
    assert any("refusée" in s.value for s in at.success)
    assert "Refusées (1)" in [t.label for t in at.tabs]

    # Accept the other one from its detail.
    at.button(key=f"cand_open_Reçues_{orange}").click().run()
    button(at, "Accepter").click().run()
    button(at, "Confirmer l'acceptation").click().run()  # an answer that cannot be undone is confirmed
    assert status_of(orange) == S.ACCEPTED
    assert "Acceptées (1)" in [t.label for t in at.tabs]

    # The expired one can be viewed, not answered.
    show_tab(at, "Expirées")
    at.button(key=f"cand_open_Expirées_{expired}").click().run()
    assert "délai de réponse est dépassé" in at.info[0].value
    assert not [b for b in at.button if b.label == "Accepter"]
    assert status_of(expired) == S.SUBMITTED


def test_bulk_accept_respects_places_and_bulk_refuse_needs_a_reason(sqlite_url):
    director, offer, students = arrange(3, places=2)
    ids = [make_candidature(offer, s) for s in students]
    at = open_inbox(director)
    at.checkbox(key="cand_all_Reçues").check().run()
    assert all(at.checkbox(key=f"cand_check_{cid}").value for cid in ids)
    at.button(key="cand_bulk_accept").click().run()
    at.button(key="cand_bulk_accept_yes").click().run()
    assert not at.exception
    assert sorted(status_of(c) for c in ids).count(S.ACCEPTED) == 2
    assert any("2 candidature(s) acceptée(s)" in s.value for s in at.success)
    assert any("plus de place" in e.value for e in at.error)
    remaining = next(c for c in ids if status_of(c) == S.SUBMITTED)
    at.checkbox(key=f"cand_check_{remaining}").check().run()
    at.button(key="cand_bulk_refuse").click().run()
    assert "motif du refus" in at.error[0].value and status_of(remaining) == S.SUBMITTED
    at.text_input(key="cand_bulk_reason").input("L'offre est complète.").run()
    at.button(key="cand_bulk_refuse").click().run()
    assert status_of(remaining) == S.REFUSED
    # Conventions tab lists the two accepted ones.
    at.session_state["director_tab"] = "Conventions"
    at.run()
    conventions = next(t for t in at.tabs if t.label == "Conventions")
    assert len(conventions.dataframe) == 1 and len(conventions.dataframe[0].value) == 2


def test_student_finds_an_offer_and_applies_once(sqlite_url):
    director, offer, (student,) = arrange(1)
    at = open_page(student, "")
    assert not at.exception and at.title[0].value == "Offres de stage"
    assert "Professeur des écoles" in [t.value for t in at.text]
    at.text_input(key="offers_text").input("maternelle introuvable").run()
    assert "Aucune offre ne correspond à votre recherche." in [t.value for t in at.text]
    at.text_input(key="offers_text").input("").run()
    at.button(key=f"offer_view_{offer}").click().run()
    assert not at.exception
    body = texts(at)
    assert "Lundi : 08:30 – 16:30" in body and "Places restantes : 2 sur 2" in body
    assert "03 85" not in body  # never the depositor's phone
    button(at, "Postuler").click().run()
    assert "obligatoire" in at.error[0].value
    at.text_area(key=f"motivation_{offer}").input("Je veux devenir professeur des écoles.")
    button(at, "Postuler").click().run()  # a form: the text goes with the submit
    assert not at.exception
    assert any("candidature est envoyée" in s.value for s in at.success)
    assert "Statut de votre candidature : Reçue" in at.info[0].value
    with read_session() as s:
        assert s.query(Candidature).count() == 1

    at.switch_page("pages/student_candidatures.py").run()
    assert at.title[0].value == "Mes candidatures"
    with read_session() as s:
        cid = s.query(Candidature.id).scalar()
    assert "Reçue" in [m.value for m in at.markdown if "badge" in m.value][0]
    at.button(key=f"withdraw_{cid}").click().run()
    assert status_of(cid) == S.WITHDRAWN
    assert "Annulée par l'élève" in [m.value for m in at.markdown if "badge" in m.value][0]


def test_student_declines_an_accepted_candidature(sqlite_url):
    _director, offer, (student,) = arrange(1)
    cid = make_candidature(offer, student, status=S.ACCEPTED)
    at = open_page(student, "student_candidatures.py")
    assert not at.exception
    at.button(key=f"decline_{cid}").click().run()
    assert status_of(cid) == S.DECLINED
    assert any("place est libérée" in s.value for s in at.success)


def test_student_confirms_an_accepted_stage(sqlite_url):
    _director, offer, (student,) = arrange(1)
    cid = make_candidature(offer, student, status=S.ACCEPTED)
    at = open_page(student, "student_candidatures.py")
    assert not at.exception
    assert any("Confirmez ce stage avant le" in w.value for w in at.warning)
    at.button(key=f"confirm_{cid}").click().run()
    assert status_of(cid) == S.CONFIRMED
    assert any("Stage confirmé" in s.value for s in at.success)
    assert not [b for b in at.button if b.key == f"confirm_{cid}"]


def test_director_puts_a_candidature_on_the_waiting_list(sqlite_url):
    director, offer, (student,) = arrange(1)
    cid = make_candidature(offer, student)
    at = open_inbox(director)
    at.button(key=f"cand_open_Reçues_{cid}").click().run()
    at.button(key=f"cand_waitlist_{cid}").click().run()
    assert not at.exception
    assert status_of(cid) == S.WAITLISTED
    assert any("mise en liste d'attente" in s.value for s in at.success)
    show_tab(at, "Liste d'attente")
    assert "En liste d'attente" in texts(at)


def test_an_answer_after_the_login_ended_elsewhere_changes_nothing(sqlite_url):
    """The answers are callbacks, which run before the run's own login checks: they check it themselves."""
    from db import write_session
    from stages.services.login_sessions import revoke_all_logins

    director, offer, (student,) = arrange(1)
    cid = make_candidature(offer, student)
    at = open_inbox(director)
    at.button(key=f"cand_open_Reçues_{cid}").click().run()
    button(at, "Accepter").click().run()
    with write_session() as s:  # « Se déconnecter » or a password change in another browser
        revoke_all_logins(s, director, utcnow())
    button(at, "Confirmer l'acceptation").click().run()
    assert not at.exception
    assert status_of(cid) == S.READ  # not accepted
    assert any("Votre session a pris fin" in w.value for w in at.warning)
