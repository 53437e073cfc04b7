"""A motivation typed on an offer's page comes back in a new session (a reload)."""

from db.models import Role
from tests.app.conftest import make_app
from tests.factories import make_offer, make_user

TEXT = "Je souhaite devenir professeure des écoles et observer une classe de CP."


def open_offer(student_id: int, offer_id: int):
    at = make_app(student_id)
    at.query_params["offre"] = str(offer_id)
    return at.run()


def test_motivation_survives_a_new_session_and_is_sent(sqlite_url):
    offer_id = make_offer(make_user(Role.DIRECTOR, uai="0711989B"))
    student_id = make_user(Role.STUDENT)
    at = open_offer(student_id, offer_id)
    at.text_area(key=f"motivation_{offer_id}").input(TEXT).run()  # on_change saves the draft
    assert not at.exception
    again = open_offer(student_id, offer_id)  # a new session: what a reload gives
    assert again.text_area(key=f"motivation_{offer_id}").value == TEXT
    again.button(key=f"apply_{offer_id}").click().run()
    assert not again.exception
    assert any("candidature est envoyée" in s.value for s in again.success)
