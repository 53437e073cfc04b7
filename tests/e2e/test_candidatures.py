"""Browser: a student applies, the director accepts one and refuses another; an expired
candidature cannot be answered, even from a page opened before its deadline."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from stages.seed.demo import DEMO_PASSWORD
from tests.e2e.conftest import goto, login, refuse, row, wait_idle

DIRECTOR = "ce.0711989b@ac-dijon.fr"
PASSWORD = "Eleve-E2e-2025!"


def new_student(server, first: str, last: str) -> tuple[str, int]:
    email = f"eleve.{uuid.uuid4().hex[:8]}@example.fr"  # ASCII: addresses are checked by email-validator
    result = server.manage("create-user", "--role", "student", "--email", email, "--password", PASSWORD,
                           "--first-name", first, "--last-name", last)
    assert result.returncode == 0, result.stderr
    return email, int(result.stdout.strip().rsplit(" ", 1)[-1])


def new_offer(server, title: str, places: int = 2) -> int:
    return int(server.python(
        "from tests.factories import make_offer, user_by_email; "
        f"d = user_by_email({DIRECTOR!r}); print(make_offer(d.id, max_students={places}, title={title!r}))"
    ).strip())


def new_candidature(server, offer_id: int, student_id: int, ago: str) -> str:
    """A candidature submitted ``ago`` (a timedelta expression); prints its deadline as epoch seconds."""
    return server.python(
        "import datetime as dt; from db import read_session; from db.models import Candidature; "
        "from stages.domain.timeutil import utcnow; from tests.factories import make_candidature; "
        f"cid = make_candidature({offer_id}, {student_id}, submitted_at=utcnow() - {ago}); "
        "s = read_session().__enter__(); d = s.get(Candidature, cid).deadline_at; "
        "print(d.replace(tzinfo=dt.UTC).timestamp())"
    ).strip()


def open_inbox(page, server) -> None:
    login(page, server, DIRECTOR, DEMO_PASSWORD)
    page.get_by_role("tab", name="Candidatures").click()
    wait_idle(page)


def test_student_applies_and_director_accepts_and_refuses(live_server, page):
    title = f"Stage e2e {uuid.uuid4().hex[:6]}"
    offer = new_offer(live_server, title)
    zoe_email, _zoe = new_student(live_server, "Zoé", "Acceptée")
    _max_email, max_id = new_student(live_server, "Max", "Refusé")
    new_candidature(live_server, offer, max_id, "dt.timedelta(hours=2)")

    # The student finds the offer and applies.
    login(page, live_server, zoe_email, PASSWORD)
    expect(page.get_by_role("heading", name="Offres de stage")).to_be_visible()
    page.get_by_role("textbox", name="Rechercher (métier, lieu, activité…)").fill(title)
    page.keyboard.press("Enter")
    wait_idle(page)
    expect(page.get_by_text(title, exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Voir l'offre")).to_have_count(1)  # the search found only this one
    page.get_by_role("button", name="Voir l'offre").click()
    wait_idle(page)
    expect(page.get_by_text("Places restantes : 2 sur 2")).to_be_visible()
    page.get_by_role("textbox", name="Votre message de motivation").fill("J'aimerais observer une classe de CM2.")
    page.get_by_role("button", name="Postuler").dblclick()  # a double click sends one candidature
    wait_idle(page)
    expect(page.get_by_text("Vous avez postulé à cette offre.")).to_be_visible()
    director_mails = live_server.smtp.wait_for(DIRECTOR)
    assert any(title in m["Subject"] for m in director_mails)

    # The director accepts Zoé and refuses Max.
    page.context.clear_cookies()
    goto(page, live_server, "")
    open_inbox(page, live_server)
    expect(page.get_by_text("⚠ Délai de réponse aux élèves")).to_be_visible()
    expect(page.get_by_text("Le délai de traitement des candidatures des élèves est de 15 jours")).to_be_visible()
    row(page, "Zoé Acceptée").get_by_role("button", name="Ouvrir").click()
    wait_idle(page)
    expect(page.get_by_text("J'aimerais observer une classe de CM2.")).to_be_visible()
    page.get_by_role("button", name="Accepter", exact=True).click()
    wait_idle(page)
    page.get_by_role("button", name="Confirmer l'acceptation", exact=True).click()
    wait_idle(page)
    expect(page.get_by_text("Candidature de Zoé Acceptée acceptée.")).to_be_visible()

    page.get_by_role("tab", name="Candidatures").click()
    refuse(page, "Max Refusé", "La classe accueille déjà un stagiaire.")
    expect(page.get_by_text("Candidature de Max Refusé refusée.")).to_be_visible()
    accepted = live_server.smtp.wait_for(zoe_email)
    assert "acceptée" in accepted[0]["Subject"]

    # The student sees the answer.
    page.context.clear_cookies()
    goto(page, live_server, "")
    login(page, live_server, zoe_email, PASSWORD)
    page.get_by_role("link", name="Mes candidatures").click()
    wait_idle(page)
    expect(page.get_by_text("Acceptée — en attente de confirmation", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Je confirme ce stage")).to_be_visible()
    expect(page.get_by_role("button", name="Me désister")).to_be_visible()


def test_expired_candidature_cannot_be_answered(live_server, page):
    offer = new_offer(live_server, f"Stage expiré {uuid.uuid4().hex[:6]}")
    _old_email, old_id = new_student(live_server, "Léon", "Enretard")
    _late_email, late_id = new_student(live_server, "Lina", "Limite")
    new_candidature(live_server, offer, old_id, "dt.timedelta(days=16)")
    # A second one is still pending when its page is opened; its deadline passes before the click.
    new_candidature(live_server, offer, late_id, "dt.timedelta(days=14)")

    open_inbox(page, live_server)
    page.get_by_role("tab", name=re.compile(r"^Expirées")).click()
    row(page, "Léon Enretard").get_by_role("button", name="Voir").click()
    wait_idle(page)
    expect(page.get_by_text("Le délai de réponse est dépassé")).to_be_visible()
    expect(page.get_by_role("button", name="Accepter", exact=True)).to_have_count(0)

    page.get_by_role("tab", name="Candidatures").click()
    page.get_by_role("tab", name=re.compile(r"^Reçues")).click()
    row(page, "Lina Limite").get_by_role("button", name="Ouvrir").click()
    wait_idle(page)
    accept = page.get_by_role("button", name="Accepter", exact=True)
    expect(accept).to_be_visible()
    # The deadline passes while the page is open (moved in the database rather than waited for;
    # the exact second is the service's test: test_an_answer_is_judged_at_the_clock_of_its_transaction).
    live_server.python(
        "from db import write_session; from db.models import Candidature; "
        "from stages.domain.timeutil import utcnow; import datetime as dt\n"
        "with write_session() as s:\n"
        f"    c = s.query(Candidature).filter_by(student_id={late_id}).one()\n"
        "    c.deadline_at = utcnow() - dt.timedelta(seconds=1)"
    )
    accept.click()
    wait_idle(page)
    expect(page.get_by_text("Le délai de réponse est dépassé").first).to_be_visible()
    status = live_server.python(
        "from db import read_session; from db.models import Candidature; "
        f"s = read_session().__enter__(); print(s.query(Candidature.status).filter_by(student_id={late_id}).scalar())"
    ).strip()
    assert status == "read"  # opened, never answered
