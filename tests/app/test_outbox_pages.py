"""The developers' outbox is never public; the coordinator's "Courriels non remis" page (issue 10)."""

from __future__ import annotations

import datetime as dt

import pytest

from db import write_session
from db.models import MailStatus, OutboxMail, Role
from stages.config import reset_settings
from stages.services import auth, password_reset
from tests.app.conftest import make_app

PASSWORD = "Mot-de-passe-2025!"


@pytest.mark.parametrize("dev_outbox", ["", "1"])
def test_no_stranger_reaches_the_outbox(sqlite_url, monkeypatch, dev_outbox):
    monkeypatch.setenv("DEV_OUTBOX", dev_outbox)
    monkeypatch.delenv("SMTP_HOST", raising=False)
    reset_settings()
    coordinator = auth.create_user(role=Role.COORDINATOR, email="coord@ac-dijon.fr", password=PASSWORD)
    student = auth.create_user(role=Role.STUDENT, email="lea@example.fr", password=PASSWORD)
    password_reset.request_password_reset("coord@ac-dijon.fr")
    for user_id in (None, student.id):
        at = make_app(user_id).run()
        assert not at.exception
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page("pages/dev_outbox.py")
    at = make_app(coordinator.id).run()
    if dev_outbox:
        at.switch_page("pages/dev_outbox.py").run()
        assert not at.exception
        assert at.title[0].value == "Courriels envoyés (développement)"
    else:
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page("pages/dev_outbox.py")


def test_abandoned_mails_are_listed_with_renvoyer(sqlite_url):
    coordinator = auth.create_user(role=Role.COORDINATOR, email="coord@ac-dijon.fr", password=PASSWORD)
    with write_session() as session:
        session.add(OutboxMail(kind="activation", to_address="lea@example.fr", subject="Activez votre compte",
                               body_text="Bonjour", status=MailStatus.ABANDONED, attempts=10,
                               error="451 4.3.0 Try again later", created_at=dt.datetime(2026, 12, 1, 9, 0)))
    at = make_app(coordinator.id).run()
    at.switch_page("pages/admin_mails.py").run()
    assert not at.exception
    assert at.title[0].value == "Courriels non remis"
    assert any("Activez votre compte" in m.value for m in at.markdown)
    next(b for b in at.button if b.label == "Renvoyer").click().run()
    assert not at.exception
    assert any("de nouveau en file d'envoi" in s.value for s in at.success)
    assert any("Aucun courriel en échec" in s.value for s in at.success)
