"""Mail delivery (issue 10): the outbox is never public, one bad mail never blocks the others,
no user action waits on SMTP, retries with backoff deliver every mail exactly once, and
concurrent senders never send a mail twice. Real SMTP servers (aiosmtpd) on loopback."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
from collections import Counter
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlalchemy import select

from db import read_session, write_session
from db.models import MailStatus, OutboxMail, Role
from stages.config import get_settings, reset_settings
from stages.domain.timeutil import utcnow
from stages.services import accounts, auth, mail, password_reset
from stages.services.errors import PermissionDenied, ValidationError
from tests.conftest import free_port, wait_outbox_idle
from tests.factories import make_user

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Mot-de-passe-2025!"


class FlakySmtp:
    """An SMTP server that answers 451 (try later) to the first ``refuse`` messages, then accepts.

    ``hold`` (an Event) makes it wait before answering, like a slow server.
    """

    def __init__(self, refuse: int = 0):
        from aiosmtpd.controller import Controller

        self.refuse = refuse
        self.received: list = []
        self.refused = 0
        self.hold: threading.Event | None = None
        self.lock = threading.Lock()
        self.port = free_port()
        smtp = self

        class Handler:
            async def handle_DATA(self, _server, _session, envelope):  # noqa: N802 - aiosmtpd's name
                if smtp.hold is not None:
                    import asyncio

                    while not smtp.hold.is_set():
                        await asyncio.sleep(0.02)
                with smtp.lock:
                    if smtp.refused < smtp.refuse:
                        smtp.refused += 1
                        return "451 4.3.0 Try again later"
                    smtp.received.append(message_from_bytes(envelope.content, policy=policy.default))
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def recipients(self) -> Counter:
        return Counter(m["To"] for m in self.received)

    def stop(self):
        self.controller.stop()


@pytest.fixture
def flaky(monkeypatch):
    server = FlakySmtp()
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(server.port))
    monkeypatch.setenv("DEV_OUTBOX", "0")
    reset_settings()
    yield server
    if server.hold is not None:
        server.hold.set()
    server.stop()
    reset_settings()


def queue(addresses: list[str]) -> list[int]:
    with write_session() as session:
        return [mail.queue_mail(session, kind="test", to=a, subject=f"Essai {a}", text="Bonjour").id
                for a in addresses]


def statuses() -> dict[str, str]:
    with read_session() as session:
        return {m.to_address: m.status for m in session.scalars(select(OutboxMail))}


# --------------------------------------------------------------------------- 1. the outbox is never public


def test_dev_outbox_is_off_by_default_and_for_coordinators_only(db_url, monkeypatch):
    monkeypatch.delenv("DEV_OUTBOX", raising=False)
    monkeypatch.delenv("SMTP_HOST", raising=False)
    reset_settings()
    assert get_settings().dev_outbox is False  # no SMTP no longer means "show the links to everyone"
    coordinator = auth.load_user(make_user(Role.COORDINATOR, email="coord@ac-dijon.fr"))
    student = auth.load_user(make_user(Role.STUDENT))
    password_reset.request_password_reset("coord@ac-dijon.fr")
    for caller in (None, student, coordinator):
        with pytest.raises(PermissionDenied):
            mail.dev_outbox(caller)
    monkeypatch.setenv("DEV_OUTBOX", "1")
    reset_settings()
    for caller in (None, student):
        with pytest.raises(PermissionDenied):
            mail.dev_outbox(caller)
        assert not mail.dev_outbox_enabled(caller)
    assert mail.dev_outbox_enabled(coordinator)
    assert [e.kind for e in mail.dev_outbox(coordinator)] == ["password_reset"]


# --------------------------------------------------------------------------- 2. one bad mail never blocks the others


def test_a_poisoned_address_is_refused_at_signup(db_url):
    for bad in ("eve@[poison.fr", "eve@poison", "a b@c.fr", "\"eve\"@c.fr", "eve@[1.2.3.4]", "é@exemple.fr",
                "x" * 250 + "@c.fr", "eve@c.fr\nBcc: x@y.fr"):
        with pytest.raises(ValidationError) as refused:
            accounts.signup_student(first_name="Ève", last_name="Test", lycee_id=None, email=bad,
                                    password=PASSWORD, accepted_terms=True)
        assert "email" in refused.value.errors, bad
        with pytest.raises(ValidationError):
            password_reset.request_password_reset(bad)
        with pytest.raises(ValidationError):
            auth.create_user(role=Role.COORDINATOR, email=bad, password=PASSWORD)
    with read_session() as session:
        assert session.scalars(select(OutboxMail)).all() == []


def test_one_unsendable_mail_is_abandoned_and_the_others_are_delivered_once(db_url, flaky):
    # An address that slipped in before validation existed (old data): its message cannot be built.
    queue(["a@example.fr", "eve@[poison.fr", "b@example.fr", "c@example.fr"])
    assert mail.deliver_due() == 3
    assert flaky.recipients() == Counter({"a@example.fr": 1, "b@example.fr": 1, "c@example.fr": 1})
    assert statuses()["eve@[poison.fr"] == MailStatus.ABANDONED
    # Later runs send nothing again.
    assert mail.deliver_due(now=utcnow() + dt.timedelta(days=1)) == 0
    assert sum(flaky.recipients().values()) == 3


# --------------------------------------------------------------------------- 3. no user action waits on SMTP


def test_a_user_action_commits_and_returns_while_the_smtp_server_hangs(db_url, flaky):
    flaky.hold = threading.Event()  # the server accepts the connection, then does not answer
    done = threading.Event()

    def signup():
        accounts.signup_director(first_name="Hugues", last_name="Traver", function="Directeur (trice)",
                                 email="ce.0710020l@ac-dijon.fr", password=PASSWORD, accepted_terms=True)
        done.set()

    worker = threading.Thread(target=signup)
    worker.start()
    # Returns although the SMTP server has not answered yet (it would hang here if sent inline).
    assert done.wait(30), "the signup waited on the SMTP server"
    with read_session() as session:
        row = session.scalar(select(OutboxMail))
        assert row.status in {MailStatus.PENDING, MailStatus.SENDING}
    flaky.hold.set()
    wait_outbox_idle()
    assert flaky.recipients() == Counter({"ce.0710020l@ac-dijon.fr": 1})
    assert statuses()["ce.0710020l@ac-dijon.fr"] == MailStatus.SENT


# --------------------------------------------------------------------------- 4. retries, once each


def test_an_outage_then_recovery_delivers_every_mail_exactly_once(db_url, flaky):
    addresses = [f"eleve{i}@example.fr" for i in range(20)]
    queue(addresses)
    flaky.refuse = 45  # the server refuses the first 45 deliveries (two and a bit rounds)
    now = utcnow()
    for _minute in range(300):  # cron every minute for five hours
        mail.deliver_due(now=now)
        now += dt.timedelta(minutes=1)
    assert flaky.refused == 45
    assert flaky.recipients() == Counter({a: 1 for a in addresses})
    assert set(statuses().values()) == {MailStatus.SENT}


def test_user_actions_during_an_outage_do_not_use_up_the_retries(db_url, flaky):
    flaky.refuse = 10**6  # down for good
    queue(["a@example.fr"])
    now = utcnow()
    for _ in range(20):  # twenty user actions in the same minute: one attempt only, then the backoff
        mail.deliver_due(now=now)
    with read_session() as session:
        row = session.scalar(select(OutboxMail))
        assert row.attempts == 1 and row.status == MailStatus.FAILED
        assert row.next_attempt_at == now + dt.timedelta(minutes=1)


def test_a_mail_given_up_is_listed_to_the_coordinator_and_can_be_sent_again(db_url, flaky):
    coordinator = auth.load_user(make_user(Role.COORDINATOR, email="coord@ac-dijon.fr"))
    student = auth.load_user(make_user(Role.STUDENT))
    flaky.refuse = 10**6
    queue(["a@example.fr"])
    now = utcnow()
    for _ in range(mail.MAX_ATTEMPTS + 2):
        mail.deliver_due(now=now)
        now += dt.timedelta(hours=3)
    [abandoned] = mail.abandoned_mails(coordinator)
    assert abandoned.to == "a@example.fr" and abandoned.attempts == mail.MAX_ATTEMPTS and "451" in abandoned.error
    with pytest.raises(PermissionDenied):
        mail.abandoned_mails(student)
    with pytest.raises(PermissionDenied):
        mail.retry_mail(student, abandoned.id)
    flaky.refuse = 0
    assert "a@example.fr" in mail.retry_mail(coordinator, abandoned.id)
    wait_outbox_idle()
    assert flaky.recipients() == Counter({"a@example.fr": 1})
    assert mail.abandoned_mails(coordinator) == []


def test_a_sender_that_died_holding_mails_loses_its_claim(db_url, flaky):
    [mail_id] = queue(["a@example.fr"])
    with write_session() as session:
        row = session.get(OutboxMail, mail_id)
        row.status, row.claimed_by, row.claimed_at = MailStatus.SENDING, "dead", utcnow()
    assert mail.deliver_due() == 0  # still held
    assert mail.deliver_due(now=utcnow() + dt.timedelta(minutes=mail.CLAIM_MINUTES + 1)) == 1
    assert flaky.recipients() == Counter({"a@example.fr": 1})


def test_four_concurrent_send_outbox_send_each_mail_once(db_url, flaky):
    addresses = [f"eleve{i}@example.fr" for i in range(60)]
    queue(addresses)
    env = {**os.environ, "DATABASE_URL": db_url, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(flaky.port),
           "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "manage.py", "send-outbox"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    sent = sum(int(out.strip().rsplit(":", 1)[1]) for out, _err in outputs)
    assert sent == 60
    assert flaky.recipients() == Counter({a: 1 for a in addresses})
    assert set(statuses().values()) == {MailStatus.SENT}
