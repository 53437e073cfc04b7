"""RGAA / axe-core: every page of every role, in the states people meet (form steps, errors shown,
a candidature open), has no critical or serious violation the project can fix.

The few violations only Streamlit can fix are listed once, in ``tests/e2e/axe.py`` (``ACCEPTED``),
and in the README's « Déclaration d'accessibilité ». Each state's full report is written to
``test-results/axe/<state>.json`` (``scripts/axe_report.py`` sums them per rule and per page).
"""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from stages.seed.demo import DEMO_PASSWORD
from tests.e2e.axe import check
from tests.e2e.conftest import goto, wait_idle
from tests.e2e.conftest import login as _login

DIRECTOR = "ce.0711989b@ac-dijon.fr"
STUDENT = "lea.dupont@example.fr"
IEN = "ien.macon-nord@ac-dijon.fr"
COORDINATOR = "coordinateur.dsden71@ac-dijon.fr"
LYCEE_HEAD = "ce.0710001r@ac-dijon.fr"


def login(page, server, email: str, password: str, remember: bool = False) -> None:
    """conftest's login, with time for the dashboard's first run on a loaded machine."""
    try:
        _login(page, server, email, password, remember)
    except Exception:  # noqa: BLE001 - slow first run after the login's page load
        wait_idle(page, timeout=90_000)


def click(page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).first.click()
    wait_idle(page)


class Audit:
    """Runs axe on each state and keeps every blocking problem, so one run lists them all."""

    def __init__(self, page, role: str):
        self.page, self.role, self.problems = page, role, []

    def __call__(self, state: str) -> None:
        self.problems += check(self.page, f"{self.role}--{state}")

    def done(self) -> None:
        assert not self.problems, "\n".join(self.problems)


def test_anonymous_pages(live_server, page):
    audit = Audit(page, "anonyme")
    for path, state in (("", "accueil"), ("connexion", "connexion"), ("inscription", "inscription"),
                        ("activation", "activation"), ("mot-de-passe-oublie", "mot-de-passe-oublie"),
                        ("conditions-utilisation", "conditions"), ("confidentialite", "confidentialite"),
                        ("deposer-une-offre", "connexion-requise")):
        goto(page, live_server, path)
        audit(state)
    goto(page, live_server, "connexion")
    page.get_by_role("textbox", name="Adresse électronique").fill(DIRECTOR)
    page.get_by_role("textbox", name="Mot de passe", exact=True).fill("pas-le-bon")
    click(page, "Se connecter")
    audit("connexion-erreur")
    goto(page, live_server, "inscription")
    click(page, "Valider")
    audit("inscription-erreurs")
    page.get_by_text("en tant qu'élève de 2de").click()
    wait_idle(page)
    audit("inscription-eleve")
    goto(page, live_server, "mot-de-passe-oublie")
    click(page, "Recevoir le lien")
    audit("mot-de-passe-oublie-envoye")
    audit.done()


def test_student_pages(live_server, page):
    audit = Audit(page, "eleve")
    login(page, live_server, STUDENT, DEMO_PASSWORD, remember=True)
    audit("offres")
    page.get_by_role("button", name="Voir l'offre").first.click()
    wait_idle(page)
    audit("offre-ouverte")
    click(page, "Postuler")  # no motivation: refused with a message
    audit("offre-postuler-erreur")
    goto(page, live_server, "mes-candidatures")
    audit("mes-candidatures")
    goto(page, live_server, "mon-compte")
    audit("mon-compte")
    click(page, "Changer le mot de passe")
    audit("mon-compte-erreurs")
    audit.done()


def test_director_pages(live_server, page):
    audit = Audit(page, "directeur")
    login(page, live_server, DIRECTOR, DEMO_PASSWORD, remember=True)
    audit("espace-offres")
    page.get_by_role("tab", name="Candidatures").click()
    wait_idle(page)
    audit("espace-candidatures")
    page.get_by_role("button", name="Ouvrir").first.click()
    wait_idle(page)
    audit("candidature-ouverte")
    click(page, "Accepter")  # an answer that cannot be undone asks for a confirmation first
    audit("candidature-confirmer-acceptation")
    click(page, "Annuler")
    click(page, "Refuser")  # no reason: refused with a message
    audit("candidature-refus-sans-motif")
    page.get_by_role("tab", name="Conventions").click()
    wait_idle(page)
    audit("espace-conventions")
    goto(page, live_server, "mon-compte")
    audit("mon-compte")
    audit.done()


def test_director_offer_form(live_server, page):
    email = f"dir.{uuid.uuid4().hex[:8]}@ac-dijon.fr"
    created = live_server.manage("create-user", "--role", "director", "--email", email, "--password", DEMO_PASSWORD,
                                 "--uai", "0710020L", "--first-name", "Marie", "--last-name", "Curie")
    assert created.returncode == 0, created.stderr
    audit = Audit(page, "offre")
    login(page, live_server, email, DEMO_PASSWORD, remember=True)
    audit("espace-vide")
    click(page, "Publier une offre")
    expect(page.get_by_text("Étape 1 sur 3")).to_be_visible()
    audit("etape-1")
    title = page.get_by_role("textbox", name="Indiquez le ou les métiers qui seront observables par l'élève")
    title.fill("")
    title.press("Tab")
    wait_idle(page)
    click(page, "Suivant")  # no title: refused, the error shown under the field
    audit("etape-1-erreurs")
    title.fill("Professeur des écoles")
    title.press("Tab")
    wait_idle(page)
    click(page, "Suivant")
    expect(page.get_by_text("Étape 2 sur 3")).to_be_visible()
    audit("etape-2")
    click(page, "Suivant")
    expect(page.get_by_text("Étape 3 sur 3")).to_be_visible()
    audit("etape-3")
    click(page, "Publier l'offre")  # no hours: refused
    audit("etape-3-erreurs")
    audit.done()


def test_ien_pages(live_server, page):
    audit = Audit(page, "ien")
    login(page, live_server, IEN, DEMO_PASSWORD, remember=True)
    audit("tableau-de-bord")
    goto(page, live_server, "mon-compte")
    audit("mon-compte")
    audit.done()


def test_coordinator_pages(live_server, page):
    audit = Audit(page, "coordinateur")
    login(page, live_server, COORDINATOR, DEMO_PASSWORD, remember=True)
    audit("tableau-de-bord")
    for name in ("Candidatures", "Couverture", "Répartition"):
        button = page.get_by_role("radio", name=name)
        if button.count():
            button.first.click()
            wait_idle(page)
            audit(f"tableau-de-bord-{name.lower()}")
    # The dashboard's other tabs, and the relaunch form (an expander of « À traiter »).
    page.get_by_role("tab", name="À traiter").click()
    wait_idle(page)
    audit("tableau-de-bord-a-traiter")
    page.get_by_text("Relancer les écoles sans offre").click()
    wait_idle(page)
    audit("tableau-de-bord-relance")
    page.get_by_role("tab", name="Conventions de stage").click()
    wait_idle(page)
    audit("tableau-de-bord-conventions")
    for path in ("campagne", "referentiel", "comptes", "historique", "mon-compte"):
        goto(page, live_server, path)
        audit(path)
    goto(page, live_server, "comptes")
    click(page, "Créer le compte")  # empty form: errors shown
    audit("comptes-erreurs")
    audit.done()


def test_lycee_head_pages(live_server, page):
    """Issue 12's role (chef d'établissement): its conventions page and its account."""
    audit = Audit(page, "lycee")
    login(page, live_server, LYCEE_HEAD, DEMO_PASSWORD, remember=True)
    audit("conventions")
    goto(page, live_server, "mon-compte")
    audit("mon-compte")
    audit.done()


def test_the_served_page_is_french(live_server):
    import urllib.request

    for path in ("", "connexion", "deposer-une-offre"):
        with urllib.request.urlopen(f"{live_server.url}/{path}", timeout=10) as response:
            html = response.read().decode("utf-8")
        assert '<html lang="fr">' in html, path
        assert "<title>Stages de seconde – DSDEN 71</title>" in html
        assert "Afficher le mot de passe" in html  # the names script is in the page


def test_a_failed_submit_focuses_the_first_field_in_error(live_server, page):
    goto(page, live_server, "inscription")
    expect(page.get_by_role("button", name="Afficher le mot de passe")).to_have_count(1)
    click(page, "Valider")
    first = page.get_by_role("textbox", name="Prénom", exact=True)
    expect(first).to_be_focused()
    expect(first).to_have_attribute("aria-invalid", "true")
    message = page.locator(f"#{first.get_attribute('aria-describedby')}")
    expect(message).to_contain_text("prénom")
    email = page.get_by_role("textbox", name="Adresse électronique", exact=True)
    expect(email).to_have_attribute("aria-invalid", "true")
    # Fixed and sent again: the first field in error is now the next one.
    first.fill("Camille")
    first.press("Tab")
    wait_idle(page)
    # One mechanism (stages/ui/field_errors.py): the changed field's message goes, and with it
    # aria-invalid; the fields not changed keep theirs until the next submit.
    expect(first).not_to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("Renseignez votre prénom.")).to_have_count(0)
    expect(email).to_have_attribute("aria-invalid", "true")
    click(page, "Valider")
    expect(page.get_by_role("textbox", name="Nom", exact=True)).to_be_focused()
    expect(first).not_to_have_attribute("aria-invalid", "true")


def test_the_inbox_is_a_table_with_named_checkboxes(live_server, page):
    login(page, live_server, DIRECTOR, DEMO_PASSWORD)
    page.get_by_role("tab", name="Candidatures").click()
    wait_idle(page)
    table = page.get_by_role("table", name="Liste des candidatures")
    expect(table).to_have_count(1)
    expect(table.get_by_role("columnheader", name="Nom de l'élève")).to_have_count(1)
    rows = table.get_by_role("row")
    assert rows.count() >= 2
    boxes = table.get_by_role("checkbox", name=re.compile(r"^Cocher la candidature de .+ à l'offre « .+ » "
                                                             r"\(candidature n° \d+\)$"))
    assert boxes.count() == rows.count() - 1  # one per candidature, the header's is « Tout cocher »
    expect(page.get_by_role("checkbox", name=re.compile(r"^Cocher \d+$"))).to_have_count(0)


def test_each_chart_has_a_summary_and_its_data_as_a_table(live_server, page):
    login(page, live_server, COORDINATOR, DEMO_PASSWORD)
    # 6 demo offers: 5, and the demo conventions' offer (issue 12)
    expect(page.get_by_text(re.compile(r"a le plus d'offres : \d+ ; au total 6 offres"))).to_be_visible()
    expander = page.get_by_text("Données du graphique « Offres et places » (tableau)")
    expander.click()
    wait_idle(page)
    expect(page.get_by_test_id("stExpander").filter(has_text="Données du graphique")
           .get_by_test_id("stDataFrame")).to_be_visible()
    page.get_by_role("radio", name="Couverture").click()
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"^Couverture la plus faible : .+ %\) ; la plus forte : .+ %\)\.$"))) \
        .to_be_visible()
    expect(page.get_by_text("Données du graphique « Couverture » (tableau)")).to_be_visible()
