"""Browser: the whole convention circuit with real mails. A director accepts; the host, lycée and
student parts are completed; the student signs; the legal representative signs from the mail's
link; the director signs; the lycée head signs in bulk; every light turns green, and the PDF
downloaded at the end holds the parties, the dates, the hours, the number, the hash and the four
signatures (read back with pypdf)."""

from __future__ import annotations

import io
import re
import uuid

from playwright.sync_api import expect
from pypdf import PdfReader

from stages.seed.demo import DEMO_PASSWORD
from tests.conftest import mail_text
from tests.e2e.conftest import goto, login, wait_idle
from tests.e2e.test_candidatures import DIRECTOR, PASSWORD, new_candidature, new_offer, row

HEAD = "ce.0710001r@ac-dijon.fr"  # the demo lycée Bonaparte d'Autun's chef d'établissement


def open_convention(page, label: str) -> None:
    box = page.get_by_test_id("stSelectbox").filter(has_text="Ouvrir la convention")
    box.click()
    page.keyboard.type(label)  # the list is filtered as one types (and only visible options exist)
    page.get_by_role("option", name=re.compile(label)).first.click()
    wait_idle(page)


def fill(page, label: str, value: str) -> None:
    page.get_by_role("textbox", name=label, exact=True).fill(value)


def relog(page, server, email: str, password: str = DEMO_PASSWORD) -> None:
    page.context.clear_cookies()
    goto(page, server, "")
    login(page, server, email, password)


def director_conventions(page, server, label: str) -> None:
    relog(page, server, DIRECTOR)
    page.get_by_role("tab", name="Conventions").click()
    wait_idle(page)
    open_convention(page, label)


def sign_here(page, name: str) -> None:
    page.get_by_text("J'ai lu et j'approuve la convention", exact=True).click()
    fill(page, "Votre nom complet (prénom et nom)", name)
    page.get_by_role("button", name="Signer la convention").click()
    wait_idle(page)


def test_the_whole_circuit(live_server, page):
    server = live_server
    last = f"Circuit{uuid.uuid4().hex[:5]}"
    email = f"zoe.{last.lower()}@example.fr"
    created = server.manage("create-user", "--role", "student", "--email", email, "--password", PASSWORD,
                            "--first-name", "Zoé", "--last-name", last, "--uai", "0710001R")
    assert created.returncode == 0, created.stderr
    student_id = int(created.stdout.strip().rsplit(" ", 1)[-1])
    offer = new_offer(server, f"Stage convention {last}")
    new_candidature(server, offer, student_id, "dt.timedelta(hours=2)")

    # The director accepts, then completes the host part.
    login(page, server, DIRECTOR, DEMO_PASSWORD)
    page.get_by_role("tab", name="Candidatures").click()
    wait_idle(page)
    row(page, f"Zoé {last}").get_by_role("button", name="Ouvrir").click()
    wait_idle(page)
    page.get_by_role("button", name="Accepter", exact=True).click()
    wait_idle(page)
    page.get_by_role("button", name="Confirmer l'acceptation", exact=True).click()  # issue 14: confirmed
    wait_idle(page)
    page.get_by_role("tab", name="Conventions").click()
    wait_idle(page)
    open_convention(page, last)
    fill(page, "Nom et prénom du tuteur", "Anne Martin")
    fill(page, "Fonction du tuteur", "Professeure des écoles")
    fill(page, "Adresse électronique du tuteur", "anne.martin@ac-dijon.fr")
    page.get_by_role("button", name="Enregistrer ma partie").click()
    wait_idle(page)
    expect(page.get_by_text("Partie enregistrée. État de la convention : À compléter.")).to_be_visible()

    # The lycée head completes the lycée part.
    relog(page, server, HEAD)
    expect(page.get_by_role("heading", name="Conventions de stage")).to_be_visible()
    open_convention(page, last)
    fill(page, "Nom et prénom du professeur référent", "Paul Roy")
    fill(page, "Adresse électronique du professeur référent", "paul.roy@ac-dijon.fr")
    fill(page, "Classe de l'élève", "2de 3")
    page.get_by_role("button", name="Enregistrer ma partie").click()
    wait_idle(page)
    expect(page.get_by_text("Partie enregistrée", exact=False)).to_be_visible()

    # The student completes their part, then signs.
    relog(page, server, email, PASSWORD)
    page.get_by_role("link", name="Mes candidatures").click()
    wait_idle(page)
    expect(page.get_by_role("heading", name="Ma convention de stage")).to_be_visible()
    fill(page, "Date de naissance", "12/03/2011")
    fill(page, "Classe de l'élève", "2de 3")
    page.get_by_test_id("stRadio").get_by_text("Non", exact=True).click()
    fill(page, "Nom et prénom du représentant légal", "Marie Parent")
    fill(page, "Adresse électronique du représentant légal", f"parent.{email}")
    page.get_by_role("button", name="Enregistrer ma partie").click()
    wait_idle(page)
    expect(page.get_by_text("Partie enregistrée. État de la convention : Prête à signer.")).to_be_visible()
    sign_here(page, f"Zoé {last}")
    expect(page.get_by_text("Convention signée :", exact=False)).to_be_visible()

    # The legal representative signs from the mail's link (no account).
    mail = server.smtp.wait_for(f"parent.{email}")[-1]
    link = re.search(r"(http\S+signature-convention\?token=[\w-]+)", mail_text(mail)).group(1)
    page.context.clear_cookies()
    page.goto(link)
    wait_idle(page)
    expect(page.get_by_role("heading", name="Signature de la convention de stage")).to_be_visible()
    sign_here(page, "Marie Parent")
    expect(page.get_by_text("Merci : votre signature est enregistrée.", exact=False)).to_be_visible()

    # The director signs.
    director_conventions(page, server, last)
    sign_here(page, "Hugues Traver")
    expect(page.get_by_text("Convention signée :", exact=False)).to_be_visible()

    # The lycée head signs in bulk.
    relog(page, server, HEAD)
    page.get_by_test_id("stCheckbox").filter(has_text=last).click()
    page.get_by_text("J'ai lu et j'approuve la convention (pour chacune des conventions cochées)").click()
    head_name = server.python("from tests.factories import user_by_email; "
                              f"print(user_by_email({HEAD!r}).full_name)").strip()
    fill(page, "Votre nom complet (prénom et nom)", head_name)
    page.get_by_role("button", name="Signer les conventions cochées").click()
    wait_idle(page)
    expect(page.get_by_text("1 convention(s) signée(s).")).to_be_visible()

    # Every light is green; the PDF holds everything.
    open_convention(page, last)
    lights = page.get_by_text("🟢 École d'accueil (fait)", exact=False)
    expect(lights).to_contain_text("🟢 Élève (fait)")
    expect(lights).to_contain_text("🟢 Représentant légal (fait)")
    expect(lights).to_contain_text("🟢 Lycée (fait)")
    with page.expect_download() as download:
        page.get_by_role("button", name="Télécharger la convention (PDF)").click()
    data = open(download.value.path(), "rb").read()
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(p.extract_text() for p in reader.pages)
    number = re.search(r"CONV-071-\d{4}-\d{4}-\d{6}", text).group(0)
    digest = re.search(r"SHA-256 du contenu : ([0-9a-f]{64})", text).group(1)
    assert all(number in p.extract_text() and digest in p.extract_text() for p in reader.pages)
    for expected in (f"Zoé {last}", "0711989B", "0710001R", "Marie Parent", "Anne Martin", "Paul Roy", head_name,
                     "Hugues Traver", "Lundi : 08:30 – 16:30", "12/03/2011", "Article 1 — Objet de la convention"):
        assert expected in text, expected
    signatures = reader.pages[-1].extract_text()
    assert len(re.findall(r"\d\d/\d\d/\d{4} à \d\d:\d\d", signatures)) == 4
    for party in ("Élève", "Représentant légal", "École d'accueil", "Lycée"):
        assert party in signatures
    assert any("signée par tous" in m["Subject"] for m in server.smtp.wait_for(email, count=2))
