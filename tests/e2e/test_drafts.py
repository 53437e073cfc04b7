"""A student's motivation message survives a reload of the page before "Postuler"."""

import re

from playwright.sync_api import expect

from stages.seed.demo import DEMO_PASSWORD
from tests.e2e.conftest import goto, login, wait_idle

TEXT = "Je voudrais devenir professeur des écoles : observer une classe d'Anost m'aiderait à choisir."


def test_motivation_typed_then_reload_is_still_there(live_server, page):
    offer_id = live_server.python(
        "from sqlalchemy import select\n"
        "from db import read_session\n"
        "from db.models import Offer, School\n"
        "with read_session() as s:\n"
        "    print(s.scalar(select(Offer.id).join(School).where(School.uai == '0710677A', Offer.status == 'published')))\n"
    ).strip()
    login(page, live_server, "hugo.robert@example.fr", DEMO_PASSWORD, remember=True)
    page.wait_for_url(re.compile(r"/(offres)?$"))  # back from the route that set the cookie
    wait_idle(page)
    goto(page, live_server, f"offres?offre={offer_id}")
    box = page.get_by_role("textbox", name="Votre message de motivation")
    box.fill(TEXT)
    box.press("Tab")  # leaving the field sends it, as a user clicking elsewhere does
    wait_idle(page)
    page.reload()
    wait_idle(page)
    expect(page.get_by_role("textbox", name="Votre message de motivation")).to_have_value(TEXT)
    page.get_by_role("button", name="Postuler").click()
    wait_idle(page)
    expect(page.get_by_text("Votre candidature est envoyée", exact=False)).to_be_visible()
