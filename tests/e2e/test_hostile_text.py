"""Browser sample of the hostile corpus (issue 10): a student's name made of Markdown, an image
and links, on the director's screen and in the refusal banner, stays text: no element is
rendered from it and no request leaves for the image's server."""

from __future__ import annotations

import uuid

from playwright.sync_api import expect

from tests.e2e.conftest import wait_idle
from tests.e2e.test_candidatures import new_candidature, new_offer, new_student, open_inbox, row

HOSTILE_FIRST = "**X** ![pixel](http://203.0.113.1/track.png)"
HOSTILE_LAST = "<b>gras</b> www.evil.fr eve@evil.fr"


def test_a_hostile_student_name_is_shown_as_typed(live_server, page):
    title = f"Stage hostile {uuid.uuid4().hex[:6]}"
    offer = new_offer(live_server, title, places=1)
    _email, taken = new_student(live_server, "Léa", "Prise")
    _email, hostile = new_student(live_server, HOSTILE_FIRST, HOSTILE_LAST)
    live_server.python(
        "from db import write_session; from db.models import Candidature; "
        f"from tests.factories import make_candidature; cid = make_candidature({offer}, {taken}); "
        "s = write_session().__enter__(); s.get(Candidature, cid).status = 'accepted'; s.commit()"
    )
    new_candidature(live_server, offer, hostile, "dt.timedelta(days=1)")
    outside = []
    page.on("request", lambda request: outside.append(request.url) if "203.0.113.1" in request.url else None)
    open_inbox(page, live_server)
    line = row(page, "track.png")
    expect(line).to_be_visible()
    line.get_by_role("button", name="Ouvrir").click()
    wait_idle(page)
    page.get_by_role("button", name="Accepter", exact=True).click()
    wait_idle(page)
    question = page.get_by_test_id("stAlert").filter(has_text="Accepter la candidature de")
    assert f"{HOSTILE_FIRST} {HOSTILE_LAST}" in question.inner_text().replace("\u2060", "")
    assert question.locator("img, strong, b, a").count() == 0
    page.get_by_role("button", name="Confirmer l'acceptation", exact=True).click()
    wait_idle(page)
    alert = page.get_by_test_id("stAlert").filter(has_text="Impossible d'accepter")
    expect(alert).to_be_visible()
    # Shown as typed (the invisible word joiners that keep links from forming aside).
    shown = alert.inner_text().replace("\u2060", "")
    assert f"{HOSTILE_FIRST} {HOSTILE_LAST}" in shown
    assert alert.locator("img, strong, b, a").count() == 0
    body = page.locator("[data-testid='stMain']")
    assert body.locator("img[src*='203.0.113.1'], a[href*='evil.fr'], a[href^='mailto:']").count() == 0
    assert outside == []
    # The page frames refuse to be framed by another site.
    response = page.request.get(live_server.url + "/")
    assert response.headers.get("x-frame-options") == "DENY"
