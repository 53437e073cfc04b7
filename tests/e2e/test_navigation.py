"""Each role logs in and lands on its own navigation; other roles' pages stay out of reach."""

import re

import pytest
from playwright.sync_api import expect

from stages.seed.demo import DEMO_PASSWORD
from tests.e2e.conftest import goto, login, wait_idle


@pytest.mark.parametrize(
    ("email", "home_heading", "absent"),
    [
        ("coordinateur.dsden71@ac-dijon.fr", "Tableau de bord", "Déposer une offre de stage"),
        ("ien.macon-nord@ac-dijon.fr", "Tableau de bord", "Référentiel"),
        ("ce.0711989b@ac-dijon.fr", "Espace de Hugues.Traver", "Tableau de bord"),
        ("lea.dupont@example.fr", "Offres de stage", "Tableau de bord"),
    ],
)
def test_each_role_lands_on_its_home(live_server, page, email, home_heading, absent):
    login(page, live_server, email, DEMO_PASSWORD)
    expect(page.get_by_role("heading", name=home_heading).first).to_be_visible()
    nav = page.locator(".st-key-menu")  # the project's menu (stages.ui.navigation.sidebar_menu)
    expect(nav.get_by_role("link").first).to_be_visible()
    assert nav.get_by_text(absent, exact=True).count() == 0


def test_director_cannot_open_a_coordinator_page_by_url(live_server, page):
    login(page, live_server, "ce.0711989b@ac-dijon.fr", DEMO_PASSWORD)
    # Change the URL inside the same Streamlit session (a reload would start a new session).
    page.evaluate("window.history.pushState({}, '', '/referentiel'); window.dispatchEvent(new PopStateEvent('popstate'))")
    wait_idle(page)
    assert page.get_by_role("heading", name="Référentiel").count() == 0
    expect(page.get_by_role("heading", name="Accès refusé")).to_be_visible()
    expect(page.get_by_text("Cette page n'est pas accessible avec votre compte.", exact=False)).to_be_visible()


def test_a_protected_link_asks_to_log_in_then_opens_the_page(live_server, page):
    goto(page, live_server, "mes-candidatures")
    expect(page.get_by_text("Connectez-vous pour accéder à cette page", exact=False)).to_be_visible()
    assert page.get_by_text("Page not found").count() == 0
    page.get_by_role("textbox", name="Adresse électronique").fill("lea.dupont@example.fr")
    page.get_by_role("textbox", name="Mot de passe", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    wait_idle(page)
    expect(page.get_by_role("heading", name="Mes candidatures")).to_be_visible()


def test_wrong_password_is_refused(live_server, page):
    login(page, live_server, "ce.0711989b@ac-dijon.fr", "Mauvais-mot-de-passe-1")
    expect(page.get_by_text("Adresse électronique ou mot de passe incorrect.")).to_be_visible()


def test_the_home_page_opens_at_its_own_path_too(live_server, page):
    """A mail's link to /espace (the director's home, also served at /) opens without any dialog."""
    login(page, live_server, "ce.0711989b@ac-dijon.fr", DEMO_PASSWORD, remember=True)
    page.wait_for_url(re.compile(r"/(espace)?$"))
    wait_idle(page)
    goto(page, live_server, "espace")
    expect(page.get_by_role("heading", name="Espace de Hugues.Traver")).to_be_visible()
    assert page.get_by_text("Page not found").count() == 0
