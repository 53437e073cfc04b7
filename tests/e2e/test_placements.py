"""Browser: a student accepted by two offers of the same weeks confirms one; the other closes and its
director gets the mail. The coordinator relaunches three schools and sees « relancée le … »."""

from __future__ import annotations

import datetime as dt
import uuid

from playwright.sync_api import expect

from stages.seed.demo import DEMO_PASSWORD
from tests.conftest import mail_text
from tests.e2e.conftest import login, wait_idle

SLOW = 60_000  # the coordinator's dashboard on a loaded machine: wait longer for its first run

PASSWORD = "Eleve-E2e-2025!"
FIRST, SECOND = "ce.0711989b@ac-dijon.fr", "ce.0710433k@ac-dijon.fr"


def test_student_confirms_one_of_two_acceptances_and_the_other_director_is_mailed(live_server, page):
    email = f"zelie.{uuid.uuid4().hex[:8]}@example.fr"
    created = live_server.manage("create-user", "--role", "student", "--email", email, "--password", PASSWORD,
                                 "--first-name", "Zélie", "--last-name", "Deuxoffres")
    assert created.returncode == 0, created.stderr
    student_id = int(created.stdout.strip().rsplit(" ", 1)[-1])
    tag = uuid.uuid4().hex[:6]
    ids = live_server.python(
        "from db.models import CandidatureStatus as S, Period; from stages.services.candidatures import answers; "
        "from tests.factories import make_candidature, make_offer, user_by_email; "
        f"a = make_offer(user_by_email({FIRST!r}).id, title='Stage confirmé {tag}'); "
        f"b = make_offer(user_by_email({SECOND!r}).id, title='Stage fermé {tag}', period=Period.WEEK_2); "
        f"ca = make_candidature(a, {student_id}); cb = make_candidature(b, {student_id}); "
        f"answers.accept(user_by_email({FIRST!r}), ca); "
        f"answers.accept(user_by_email({SECOND!r}), cb); print(b, ca)"
    )
    offer_b, cand_a = (int(x) for x in ids.split())

    login(page, live_server, email, PASSWORD)
    page.get_by_role("link", name="Mes candidatures").click()
    wait_idle(page)
    expect(page.get_by_text("Acceptée — en attente de confirmation", exact=True)).to_have_count(2)
    page.locator(f".st-key-confirm_{cand_a}").get_by_role("button", name="Je confirme ce stage").click()
    wait_idle(page)
    expect(page.get_by_text("Stage confirmé. Vos autres candidatures sur les mêmes semaines sont closes.")
           ).to_be_visible()
    expect(page.get_by_text("Confirmée", exact=True)).to_be_visible()
    expect(page.get_by_text("Close : stage confirmé ailleurs", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Je confirme ce stage")).to_have_count(0)

    mails = [m for m in live_server.smtp.wait_for(SECOND)
             if "stage confirmé ailleurs" in m["Subject"] and f"offre n° {offer_b}" in m["Subject"]]
    assert mails, [m["Subject"] for m in live_server.smtp.to(SECOND)]
    assert f"offre n° {offer_b}" in mail_text(mails[0]) and "stage de 1 semaine" in mail_text(mails[0])


def test_coordinator_relaunches_three_schools_and_sees_relancee_le(live_server, page):
    page.set_default_timeout(SLOW)
    page.goto(f"{live_server.url}/connexion")
    wait_idle(page, SLOW)
    page.get_by_role("textbox", name="Adresse électronique").fill("coordinateur.dsden71@ac-dijon.fr")
    page.get_by_role("textbox", name="Mot de passe", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    wait_idle(page, SLOW)
    expect(page.get_by_role("heading", name="Tableau de bord").first).to_be_visible()
    page.get_by_role("tab", name="À traiter").click()
    wait_idle(page, SLOW)
    page.get_by_text("Relancer les écoles sans offre").click()  # the form is in an expander, sent once opened
    wait_idle(page, SLOW)
    expect(page.get_by_role("textbox", name="Objet du courriel")).to_be_visible()
    chooser = page.get_by_test_id("stMultiSelect").filter(has_text="Écoles choisies")
    uais = live_server.python(
        "from sqlalchemy import select; from db import read_session; from db.models import Offer, School; "
        "s = read_session().__enter__(); "
        "print(' '.join(s.scalars(select(School.uai).where(School.email.is_not(None), "
        "School.id.not_in(select(Offer.school_id))).order_by(School.uai.desc()).limit(3))))"
    ).split()
    for uai in uais:
        chooser.locator("input").click()
        page.keyboard.type(uai)
        page.get_by_role("option").filter(has_text=uai).first.click()
        page.keyboard.press("Escape")
        wait_idle(page, SLOW)
    page.get_by_role("button", name="Prévisualiser").click()
    wait_idle(page, SLOW)
    expect(page.get_by_text("3 courriel(s) à envoyer")).to_be_visible()
    page.get_by_role("button", name="Envoyer la relance").click()
    wait_idle(page, SLOW)
    expect(page.get_by_text("3 école(s) relancée(s).")).to_be_visible()
    today = dt.datetime.now(dt.UTC).astimezone().strftime("%d/%m/%Y")
    for uai in uais:
        chooser.locator("input").fill("")
        chooser.locator("input").click()
        page.keyboard.type(uai)
        expect(page.get_by_role("option").filter(has_text=uai)).to_contain_text(f"relancée le {today}")
    mails = [live_server.smtp.wait_for(address)[0] for address in live_server.python(
        "from sqlalchemy import select; from db import read_session; from db.models import School; "
        f"s = read_session().__enter__(); print(' '.join(s.scalars(select(School.email).where(School.uai.in_({uais!r})))))"
    ).split()]
    assert len(mails) == 3 and all("Stages de seconde" in m["Subject"] for m in mails)
