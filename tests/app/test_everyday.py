"""AppTest of issue 14's everyday frictions (each test failed before its fix)."""

from __future__ import annotations

from db.models import Period, Role
from tests.app.conftest import make_app
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
