"""Sessions and links die with a password change (issue 10, item 6)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from db.models import Role
from stages.domain.timeutil import utcnow
from stages.services import accounts, auth, login_sessions, mail, password_reset
from stages.services.errors import ValidationError
from tests.factories import PASSWORD, make_user

NEW = "Nouveau-mot-2025?"
OTHER = "Encore-un-mot-2025#"


def last_token(to: str) -> str:
    return re.search(r"token=([\w-]+)", mail.outbox(to=to, limit=1)[0].body_text).group(1)


def test_password_change_reset_and_logout_move_the_session_generation(db_url):
    user_id = make_user(Role.STUDENT, email="lea@example.fr")
    first = auth.load_user(user_id).session_generation
    accounts.change_password(auth.load_user(user_id), current_password=PASSWORD, new_password=NEW)
    second = auth.load_user(user_id).session_generation
    assert second > first
    password_reset.request_password_reset("lea@example.fr")
    password_reset.reset_password(last_token("lea@example.fr"), OTHER)
    third = auth.load_user(user_id).session_generation
    assert third > second
    login_sessions.logout(user_id)
    assert auth.load_user(user_id).session_generation > third


def test_a_reset_link_issued_before_a_password_change_dies_with_it(db_url):
    user_id = make_user(Role.STUDENT, email="lea@example.fr")
    password_reset.request_password_reset("lea@example.fr", now=utcnow())
    stolen = last_token("lea@example.fr")
    accounts.change_password(auth.load_user(user_id), current_password=PASSWORD, new_password=NEW,
                             now=utcnow() + dt.timedelta(minutes=5))
    with pytest.raises(ValidationError):
        password_reset.check_reset_token(stolen, now=utcnow() + dt.timedelta(minutes=6))
    with pytest.raises(ValidationError):
        password_reset.reset_password(stolen, OTHER, now=utcnow() + dt.timedelta(minutes=6))
    auth.authenticate("lea@example.fr", NEW)


def test_one_activation_link_valid_at_a_time(db_url):
    accounts.signup_student(first_name="Léa", last_name="Martin", lycee_id=_lycee_id(), email="lea@example.fr",
                            password=PASSWORD, accepted_terms=True)
    old = last_token("lea@example.fr")
    accounts.resend_activation("lea@example.fr")
    new = last_token("lea@example.fr")
    assert old != new
    with pytest.raises(ValidationError):
        accounts.activate(old)
    assert accounts.activate(new).already_active is False


def _lycee_id() -> int:
    from stages.services import referential

    return referential.general_lycees()[0].id
