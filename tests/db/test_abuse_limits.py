"""Enumeration, forced lockout and mail flooding (issue 10, items 8 and 9)."""

from __future__ import annotations

import datetime as dt

import pytest

from db.models import Role
from stages.domain.timeutil import utcnow
from stages.services import accounts, auth, mail, password_reset, ratelimit
from stages.services.errors import ValidationError
from tests.factories import PASSWORD, make_user

WRONG = "Mauvais-mot-2025!"


def attempts(email: str, n: int, *, client: str | None, now: dt.datetime) -> list[auth.LoginRefused]:
    out = []
    for _ in range(n):
        with pytest.raises(auth.LoginRefused) as refused:
            auth.authenticate(email, WRONG, now=now, client=client)
        out.append(refused.value)
    return out


def test_unknown_addresses_get_the_same_answers_as_real_accounts(db_url):
    make_user(Role.COORDINATOR, email="coord@ac-dijon.fr")
    now = utcnow()
    real = attempts("coord@ac-dijon.fr", 9, client="198.51.100.7", now=now)
    ghost = attempts("personne@ac-dijon.fr", 9, client="198.51.100.7", now=now)
    assert [(r.message, r.reason, r.remaining_attempts) for r in real] == \
        [(g.message, g.reason, g.remaining_attempts) for g in ghost]
    assert "une seule tentative" in real[6].message and real[7].reason == real[8].reason == "locked"


def test_a_stranger_cannot_lock_the_coordinator_out(db_url):
    make_user(Role.COORDINATOR, email="coord@ac-dijon.fr")
    now = utcnow()
    refused = attempts("coord@ac-dijon.fr", 8, client="203.0.113.66", now=now)
    assert refused[-1].reason == "locked"
    with pytest.raises(auth.LoginRefused):  # the stranger's client stays locked, even with the right password
        auth.authenticate("coord@ac-dijon.fr", PASSWORD, now=now, client="203.0.113.66")
    # The coordinator, from her own browser, logs in.
    assert auth.authenticate("coord@ac-dijon.fr", PASSWORD, now=now, client="192.0.2.10").role == Role.COORDINATOR


def test_mails_on_request_are_limited_per_address_and_per_client(db_url):
    make_user(Role.STUDENT, email="lea@example.fr")
    now = utcnow()
    for _ in range(20):
        assert password_reset.request_password_reset("lea@example.fr", now=now, client="198.51.100.7") == password_reset.RESET_SENT
    assert len(mail.outbox(to="lea@example.fr", limit=100)) == ratelimit.MAILS_PER_ADDRESS
    with pytest.raises(ValidationError, match="Trop de demandes"):
        password_reset.request_password_reset("autre@example.fr", now=now, client="198.51.100.7")
    # Another client, and the next hour, are not affected.
    password_reset.request_password_reset("autre@example.fr", now=now, client="192.0.2.10")
    password_reset.request_password_reset("lea@example.fr", now=now + dt.timedelta(hours=1, seconds=1), client="192.0.2.10")
    assert len(mail.outbox(to="lea@example.fr", limit=100)) == ratelimit.MAILS_PER_ADDRESS + 1


def test_signup_and_resend_are_limited_too(db_url):
    from stages.services import referential

    lycee = referential.general_lycees()[0].id
    for _ in range(8):
        accounts.signup_student(first_name="Léa", last_name="Martin", lycee_id=lycee, email="lea@example.fr",
                                password=PASSWORD, accepted_terms=True, client="198.51.100.7")
    for _ in range(8):
        accounts.resend_activation("lea@example.fr", client="198.51.100.7")
    kinds = [m.kind for m in mail.outbox(to="lea@example.fr", limit=100)]
    assert len(kinds) == 2 * ratelimit.MAILS_PER_ADDRESS
