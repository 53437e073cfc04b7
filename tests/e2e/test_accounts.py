"""Accounts in the browser: the guide's whole journey, remembered logins, logout, lockout, route protection."""

import http.client
import re
import uuid
from urllib.parse import urlsplit

from playwright.sync_api import expect

from tests.conftest import mail_text
from tests.e2e.conftest import IDLE, goto, login, wait_idle

PASSWORD = "Mot-de-passe-2025!"
# École primaire Clos Jovet, Autun: a real school of the referential without a demo account.
SCHOOL_EMAIL = "ce.0710020l@ac-dijon.fr"


def fill(page, label: str, value: str) -> None:
    field = page.get_by_role("textbox", name=label, exact=True)
    field.fill(value)
    field.press("Enter")
    wait_idle(page)


def session_cookie(context):
    return next((c for c in context.cookies() if c["name"] == "stages_session"), None)


def test_the_guides_journey_with_a_remembered_login(live_server, page, browser):
    # Inscription, with the guide's values.
    goto(page, live_server, "inscription")
    expect(page.get_by_role("heading", name="Se créer un compte en tant qu'offreur")).to_be_visible()
    fill(page, "Prénom", "Hugues")
    fill(page, "Nom", "Traver")
    fill(page, "Fonction au sein de l'entreprise", "Directeur (trice)")
    fill(page, "Adresse électronique", "CE.0710020L@ac-dijon.fr")
    # The rules update as soon as the field is left (here by clicking elsewhere).
    page.get_by_role("textbox", name="Créer un mot de passe", exact=True).fill("motdepasse")
    page.get_by_role("heading", name="Se créer un compte en tant qu'offreur").click()
    wait_idle(page)
    expect(page.get_by_text("✗ 1 majuscule")).to_be_visible()  # each rule says whether it is met
    expect(page.get_by_text("✓ 1 minuscule")).to_be_visible()
    fill(page, "Créer un mot de passe", PASSWORD)
    expect(page.get_by_text("✓ 1 majuscule")).to_be_visible()
    expect(page.get_by_text("✗")).to_have_count(0)
    page.get_by_text("J'accepte les conditions d'utilisation").click()
    wait_idle(page)
    page.get_by_role("button", name="Valider").click()
    wait_idle(page)
    expect(page.get_by_role("heading", name="Plus qu'une étape...")).to_be_visible()
    expect(page.get_by_text("Bienvenue Hugues Traver")).to_be_visible()
    expect(page.get_by_text("Votre compte a bien été enregistré !")).to_be_visible()

    # The mail, through the real SMTP server: a button and the link written out.
    message = live_server.smtp.wait_for(SCHOOL_EMAIL)[0]
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Activer mon compte" in html
    link = re.search(r"Activer mon compte : (\S+)", mail_text(message)).group(1)
    assert link.startswith(f"{live_server.url}/activation?token=")

    # Not activated yet: login refused, with an offer of a new mail.
    login(page, live_server, SCHOOL_EMAIL, PASSWORD)
    expect(page.get_by_text("pas encore activé")).to_be_visible()

    page.goto(link)
    wait_idle(page)
    expect(page.get_by_text("Bienvenue Hugues Traver : votre compte est activé")).to_be_visible()

    # Login with "Se souvenir de moi": the route sets an HttpOnly, SameSite cookie.
    login(page, live_server, SCHOOL_EMAIL, PASSWORD, remember=True)
    page.wait_for_url(re.compile(r"/(espace)?$"))
    wait_idle(page)
    expect(page.get_by_role("heading", name="Espace de Hugues.Traver")).to_be_visible()
    cookie = session_cookie(page.context)
    assert cookie and cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert cookie["expires"] > 0  # persistent: survives a restart of the browser

    # Reload: still logged in.
    page.reload()
    wait_idle(page)
    expect(page.get_by_role("heading", name="Espace de Hugues.Traver")).to_be_visible()

    # A "restarted browser": a new context with the same cookies.
    state = page.context.storage_state()
    other = browser.new_context(storage_state=state)
    other_page = other.new_page()
    goto(other_page, live_server, "")
    expect(other_page.get_by_role("heading", name="Espace de Hugues.Traver")).to_be_visible()
    other.close()

    # Logout: the cookie is cleared, and every remembered login of the account ends.
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(re.compile(r"/connexion\?deconnexion=1"))
    wait_idle(page)
    expect(page.get_by_text("Vous êtes déconnecté.")).to_be_visible()
    assert session_cookie(page.context) is None
    page.reload()
    wait_idle(page)
    expect(page.get_by_role("heading", name="Espace de Hugues.Traver")).to_have_count(0)
    expect(page.get_by_role("heading", name="Connexion à Mon stage de seconde")).to_be_visible()

    # The cookie copied before the logout no longer opens anything.
    stale = browser.new_context(storage_state=state)
    stale_page = stale.new_page()
    goto(stale_page, live_server, "")
    expect(stale_page.get_by_role("heading", name="Espace de Hugues.Traver")).to_have_count(0)
    stale.close()


def test_without_remember_a_browser_session_cookie_keeps_the_login_until_logout(live_server, page, browser):
    email = f"eleve.{uuid.uuid4().hex[:8]}@example.fr"
    created = live_server.manage("create-user", "--role", "student", "--email", email, "--password", PASSWORD,
                                 "--first-name", "Léa", "--last-name", "Sansmemoire")
    assert created.returncode == 0, created.stderr
    login(page, live_server, email, PASSWORD)
    expect(page.get_by_role("heading", name="Offres de stage").first).to_be_visible()
    for _ in range(100):
        if session_cookie(page.context):
            break
        page.wait_for_timeout(100)
    cookie = session_cookie(page.context)
    assert cookie and cookie["httpOnly"] and cookie["expires"] == -1  # ends with the browser
    # F5 and a new tab: still logged in.
    page.reload()
    wait_idle(page)
    expect(page.get_by_text("Connecté : Léa Sansmemoire")).to_be_visible()
    tab = page.context.new_page()
    goto(tab, live_server, "")
    expect(tab.get_by_text("Connecté : Léa Sansmemoire")).to_be_visible()
    tab.close()
    # Logout revokes it like a remembered login: a copy of the cookie opens nothing afterwards.
    state = page.context.storage_state()
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(re.compile(r"/connexion\?deconnexion=1"))
    wait_idle(page)
    assert session_cookie(page.context) is None
    stale = browser.new_context(storage_state=state)
    stale_page = stale.new_page()
    goto(stale_page, live_server, "")
    expect(stale_page.get_by_text("Connecté : Léa Sansmemoire")).to_have_count(0)
    stale.close()


def test_a_refused_cookie_handoff_never_blocks_the_login(live_server, page):
    """A proxy that refuses POST /app/session (e.g. Host rewritten): the login completes and says so in French."""
    email = f"eleve.{uuid.uuid4().hex[:8]}@example.fr"
    created = live_server.manage("create-user", "--role", "student", "--email", email, "--password", PASSWORD,
                                 "--first-name", "Léo", "--last-name", "Derriereproxy")
    assert created.returncode == 0, created.stderr
    page.route("**/app/session", lambda route: route.fulfill(
        status=403, content_type="text/plain", body="Requête refusée : elle ne vient pas de l'application."))
    login(page, live_server, email, PASSWORD, remember=True)
    expect(page.get_by_role("heading", name="Offres de stage").first).to_be_visible()
    expect(page.get_by_text("Connecté : Léo Derriereproxy")).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="Votre navigateur n'a pas pu être mémorisé")).to_be_visible()
    page.locator(IDLE).wait_for()
    assert session_cookie(page.context) is None


def test_lockout_after_8_failed_attempts(live_server, page):
    email = f"eleve.{uuid.uuid4().hex[:8]}@example.fr"
    created = live_server.manage("create-user", "--role", "student", "--email", email, "--password", PASSWORD)
    assert created.returncode == 0, created.stderr
    for attempt in range(1, 8):
        login(page, live_server, email, "Mauvais-mot-2025!")
        expect(page.get_by_text("Adresse électronique ou mot de passe incorrect.")).to_be_visible()
        warning = page.get_by_text("il vous reste une seule tentative")
        expect(warning).to_have_count(1 if attempt == 7 else 0)
    login(page, live_server, email, "Mauvais-mot-2025!")
    expect(page.get_by_text("le compte est bloqué pendant 15 minutes")).to_be_visible()
    login(page, live_server, email, PASSWORD)  # even the right password waits for the end of the lock
    expect(page.get_by_text("Trop de tentatives échouées : le compte est bloqué")).to_be_visible()
    expect(page.get_by_role("heading", name="Offres de stage")).to_have_count(0)


def post(server, path: str, body: str, headers: dict[str, str]) -> http.client.HTTPResponse:
    parts = urlsplit(server.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    conn.request("POST", path, body=body, headers={"Content-Type": "application/x-www-form-urlencoded", **headers})
    return conn.getresponse()


def test_cookie_routes_refuse_other_sites_and_bad_tokens(live_server):
    cross = post(live_server, "/app/session", "token=x", {"Origin": "https://evil.example"})
    assert cross.status == 403
    no_origin = post(live_server, "/app/session", "token=x", {})
    assert no_origin.status == 403
    fetch_cross = post(live_server, "/app/session", "token=x", {"Origin": live_server.url,
                                                                "Sec-Fetch-Site": "cross-site"})
    assert fetch_cross.status == 403
    bad_token = post(live_server, "/app/session", "token=faux", {"Origin": live_server.url})
    assert bad_token.status == 303 and "memoire=echec" in bad_token.getheader("location")
    assert "stages_session=" not in (bad_token.getheader("set-cookie") or "")
    logout_cross = post(live_server, "/app/logout", "token=x", {"Origin": "https://evil.example"})
    assert logout_cross.status == 403
