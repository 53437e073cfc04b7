"""st.navigation per role: each role's pages, and nothing of another role."""

import time

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import make_app

from db.models import Role
from stages.services import auth

PASSWORD = "Mot-de-passe-2025!"


def run_app(user_id: int | None = None) -> AppTest:
    return make_app(user_id).run()


def test_public_home_shows_the_calendar(sqlite_url):
    at = run_app()
    assert not at.exception
    assert at.title[0].value == "Stages de seconde en école"
    assert "Calendrier" in [h.value for h in at.subheader]
    texts = " ".join(m.value for m in at.markdown)
    assert "Période de stage des élèves" in texts and "→" in texts


@pytest.mark.parametrize(
    ("role", "kwargs", "home"),
    [
        (Role.COORDINATOR, {}, "Tableau de bord"),
        (Role.IEN, {"circonscription_code": "0710098W"}, "Tableau de bord"),
        (Role.DIRECTOR, {"uai": "0711989B", "first_name": "Hugues", "last_name": "Traver"}, "Espace de Hugues.Traver"),
        (Role.STUDENT, {}, "Offres de stage"),
    ],
)
def test_each_role_lands_on_its_home(sqlite_url, role, kwargs, home):
    user = auth.create_user(role=role, email=f"{role}@ac-dijon.fr", password=PASSWORD, **kwargs)
    at = run_app(user.id)
    assert not at.exception
    assert at.title[0].value == home


def test_a_director_cannot_reach_a_coordinator_page(sqlite_url):
    user = auth.create_user(role=Role.DIRECTOR, email="d@ac-dijon.fr", password=PASSWORD, uai="0711989B",
                            first_name="Hugues", last_name="Traver")
    at = run_app(user.id)
    # The page is not registered for a director: there is no way to route to it.
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/admin_referential.py")
    at.switch_page("pages/director_space.py").run()
    assert at.title[0].value == "Espace de Hugues.Traver"


def test_inactivity_logs_out_after_30_minutes(sqlite_url):
    user = auth.create_user(role=Role.COORDINATOR, email="c@ac-dijon.fr", password=PASSWORD)
    at = make_app(user.id)
    at.session_state["last_seen"] = time.time() - 31 * 60
    at.run()
    assert at.title[0].value == "Stages de seconde en école"
    assert any("30 minutes" in w.value for w in at.warning)


def test_login_form_logs_in(sqlite_url):
    auth.create_user(role=Role.COORDINATOR, email="c@ac-dijon.fr", password=PASSWORD)
    at = run_app()
    at.switch_page("pages/login.py").run()
    inputs = at.text_input
    inputs[0].input("c@ac-dijon.fr")
    inputs[1].input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception
    assert at.title[0].value == "Tableau de bord"
