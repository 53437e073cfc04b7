"""Everyday frictions of issue 14, in the browser: each test failed before its fix."""

import re

from playwright.sync_api import expect

from stages.seed.demo import DEMO_PASSWORD

from tests.e2e.conftest import goto, login, wait_idle

PASSWORD = "Camille-Ecole71!"


def test_password_left_with_tab_is_sent_and_rules_tick_while_typing(live_server, page):
    goto(page, live_server, "inscription")
    for label, value in [("Prénom", "Camille"), ("Nom", "Ecole"),
                         ("Fonction au sein de l'entreprise", "Directrice"),
                         ("Adresse électronique", "ce.0710020l@ac-dijon.fr")]:
        page.get_by_role("textbox", name=label, exact=True).fill(value)
    page.get_by_text("J'accepte les conditions d'utilisation").click()
    wait_idle(page)
    field = page.get_by_role("textbox", name="Créer un mot de passe", exact=True)
    # The rules tick while the person types, without leaving the field.
    field.press_sequentially("motdepasse", delay=30)
    expect(page.get_by_text("✓ 1 minuscule")).to_be_visible()
    expect(page.get_by_text("✗ 1 majuscule")).to_be_visible()
    expect(field).to_be_focused()
    field.fill("")
    field.press_sequentially(PASSWORD, delay=30)
    expect(page.get_by_text("✗")).to_have_count(0)
    # Left with Tab (to the show-password button), then Valider: what was typed is sent.
    field.fill("")
    field.type(PASSWORD)
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.get_by_role("button", name="Valider").click()
    wait_idle(page)
    expect(page.get_by_text("Il manque")).to_have_count(0)
    expect(page.get_by_role("heading", name="Plus qu'une étape...")).to_be_visible()


def test_login_returns_to_the_requested_page_with_remember(live_server, page):
    """Through the remembered-login route too, a link to /deposer-une-offre opens it after login."""
    goto(page, live_server, "deposer-une-offre")
    expect(page.get_by_text("Connectez-vous pour accéder à cette page", exact=False)).to_be_visible()
    page.get_by_role("textbox", name="Adresse électronique").fill("ce.0711989b@ac-dijon.fr")
    page.get_by_role("textbox", name="Mot de passe", exact=True).fill(DEMO_PASSWORD)
    page.get_by_text("Se souvenir de moi").click()
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(r"/deposer-une-offre$"))
    wait_idle(page)
    expect(page.get_by_role("heading", name="Déposer une offre de stage")).to_be_visible()


def test_offer_counter_follows_the_typing_and_step1_survives_a_reload(live_server, page):
    email = "dir.compteur@ac-dijon.fr"
    created = live_server.manage("create-user", "--role", "director", "--email", email, "--password", DEMO_PASSWORD,
                                 "--uai", "0710020L", "--first-name", "Marie", "--last-name", "Compteur")
    assert created.returncode == 0, created.stderr
    login(page, live_server, email, DEMO_PASSWORD, remember=True)  # a reload keeps the login
    page.wait_for_url(re.compile(r"/$"))
    goto(page, live_server, "deposer-une-offre")
    expect(page.get_by_text("37 caractères / 1500")).to_be_visible()
    area = page.get_by_role("textbox", name="Décrivez les activités qui seront proposées à l'élève")
    area.fill("")
    area.press_sequentially("Lecture en CP", delay=20)
    # Still in the field: the counter already says 13.
    expect(area).to_be_focused()
    expect(page.get_by_text("13 caractères / 1500")).to_be_visible()
    area.press("Tab")
    wait_idle(page)
    title = page.get_by_role("textbox", name="Indiquez le ou les métiers qui seront observables par l'élève")
    title.fill("Professeur des écoles – CP")
    title.press("Tab")
    wait_idle(page)
    page.reload()
    wait_idle(page)
    expect(page.get_by_text("Étape 1 sur 3")).to_be_visible()
    expect(title).to_have_value("Professeur des écoles – CP")
    expect(area).to_have_value("Lecture en CP")


def test_inbox_reads_on_a_phone(live_server, browser):
    """At 390 px each inbox value carries its heading (the heading row would otherwise stack apart)."""
    context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        login(page, live_server, "ce.0711989b@ac-dijon.fr", DEMO_PASSWORD)
        expect(page.get_by_role("heading", name="Espace de Hugues.Traver")).to_be_visible()
        page.get_by_role("tab", name="Candidatures").click()
        wait_idle(page)
        expect(page.get_by_role("button", name="Ouvrir").first).to_be_visible()
        headings = page.locator('[class*="st-key-inbox_head_"]').get_by_text("Intitulé du stage")
        expect(headings).to_be_hidden()
        labels = page.evaluate("""() => {
            const row = document.querySelector('[class*="st-key-inbox_row_"]');
            return [...row.querySelectorAll('[data-testid="stColumn"]')].map(
                (col) => getComputedStyle(col, '::before').content);
        }""")
        assert labels[1:5] == ['"Nom de l\'élève"', '"Intitulé du stage"', '"Candidature annulée dans"', '"Statut"']
        # The student's name sits right under its heading, in the same card as the rest of the row.
        name = page.locator('[class*="st-key-inbox_row_"]').first.locator('[data-testid="stColumn"]').nth(1)
        box = name.bounding_box()
        assert box["width"] > 250 and box["height"] < 80
    finally:
        context.close()
