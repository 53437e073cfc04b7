"""Accounts at the service level: signup, activation, login and lockout, reset, Mon compte, remembered logins."""

import datetime as dt
import re
import threading

import pytest
from sqlalchemy import func, inspect, select, text

from db import get_engine, read_session, write_session
from db.models import AuthSession, Lycee, Role, School, TokenPurpose, User, UserToken
from stages.domain import security
from stages.domain.passwords import hash_password
from stages.domain.timeutil import utcnow
from stages.services import accounts, auth, login_sessions, mail, password_reset, referential, tokens
from stages.services.errors import ValidationError
from tests.conftest import mail_text, wait_outbox_idle

PASSWORD = "Mot-de-passe-2025!"
NEW_PASSWORD = "Nouveau-mot-2025?"
DIRECTOR_EMAIL = "ce.0710020l@ac-dijon.fr"  # école primaire Clos Jovet, Autun


def director(email=DIRECTOR_EMAIL, **kwargs):
    values = dict(first_name="Hugues", last_name="Traver", function="Directeur (trice)", email=email,
                  password=PASSWORD, accepted_terms=True)
    values.update(kwargs)
    return accounts.signup_director(**values)


def link_in_last_mail(to: str, path: str) -> str:
    body = mail.outbox(to=to, limit=1)[0].body_text
    match = re.search(rf"https?://\S+/{path}\?token=([\w-]+)", body)
    assert match, body
    return match.group(1)


def user_row(email: str):
    """The user's columns (a detached snapshot)."""
    from types import SimpleNamespace

    with read_session() as session:
        user = session.scalar(select(User).where(User.email == email))
        if user is None:
            return None
        return SimpleNamespace(**{c.key: getattr(user, c.key) for c in User.__mapper__.column_attrs})


def count_users(email: str) -> int:
    with read_session() as session:
        return session.scalar(select(func.count()).select_from(User).where(func.lower(User.email) == email.lower()))


# --------------------------------------------------------------------------- signup


def test_director_signup_links_the_school_and_mails_the_activation(db_url):
    result = director(email="CE.0710020L@AC-DIJON.FR ")
    assert result.full_name == "Hugues Traver" and result.email == DIRECTOR_EMAIL
    row = user_row(DIRECTOR_EMAIL)
    assert row.role == Role.DIRECTOR and row.activated_at is None and row.terms_accepted_at is not None
    assert row.function == "Directeur (trice)"
    with read_session() as session:
        assert session.get(School, row.school_id).uai == "0710020L"
    entry = mail.outbox(to=DIRECTOR_EMAIL)[0]
    assert "Bienvenue Hugues Traver" in entry.body_text and "Votre compte a bien été enregistré !" in entry.body_text
    assert re.search(r"Activer mon compte : http://localhost:8501/activation\?token=[\w-]{40,}", entry.body_text)
    with pytest.raises(auth.LoginRefused) as refused:
        auth.authenticate(DIRECTOR_EMAIL, PASSWORD)
    assert refused.value.reason == "not_activated"


def test_director_address_without_ce_prefix_is_accepted(db_url):
    director(email="0710020L@ac-dijon.fr")
    assert user_row("0710020l@ac-dijon.fr").school_id is not None


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        ("ce.0719999z@ac-dijon.fr", "Aucune école de Saône-et-Loire ne porte l'UAI 0719999Z"),
        ("ce.0710020l@gmail.com", "Utilisez l'adresse électronique de votre école"),
        ("hugues.traver@ac-dijon.fr", "Utilisez l'adresse électronique de votre école"),
        ("pas-une-adresse", "Adresse électronique invalide"),
    ],
)
def test_director_signup_refuses_other_addresses(db_url, email, expected):
    with pytest.raises(ValidationError) as refused:
        director(email=email)
    assert expected in refused.value.errors["email"]
    assert count_users(email.strip()) == 0


def test_the_allowed_domain_is_a_setting(db_url, monkeypatch):
    from stages.config import reset_settings

    monkeypatch.setenv("DIRECTOR_EMAIL_DOMAIN", "ac-exemple.fr")
    reset_settings()
    with pytest.raises(ValidationError):
        director()
    director(email="ce.0710020l@ac-exemple.fr")
    assert user_row("ce.0710020l@ac-exemple.fr") is not None


@pytest.mark.parametrize(
    ("kwargs", "field", "expected"),
    [
        ({"password": "Court-1!"}, "password", "Il manque : 12 caractères."),
        ({"password": "mot-de-passe-2025!"}, "password", "Il manque : 1 majuscule."),
        ({"password": "MOT-DE-PASSE-2025!"}, "password", "Il manque : 1 minuscule."),
        ({"password": "Mot-de-passe-deux!"}, "password", "Il manque : 1 chiffre."),
        ({"password": "Motdepasse2025abc"}, "password", "Il manque : 1 caractère spécial."),
        ({"password": "Aa1!" + "é" * 40}, "password", "72 octets"),
        ({"accepted_terms": False}, "terms", "conditions d'utilisation"),
        ({"first_name": "  "}, "first_name", "prénom"),
        ({"last_name": ""}, "last_name", "nom"),
        ({"function": "Di"}, "function", "3 caractères"),
        ({"function": "x" * 151}, "function", "150"),
    ],
)
def test_signup_refuses_each_broken_rule(db_url, kwargs, field, expected):
    with pytest.raises(ValidationError) as refused:
        director(**kwargs)
    assert expected in refused.value.errors[field]
    assert count_users(DIRECTOR_EMAIL) == 0
    assert mail.outbox(to=DIRECTOR_EMAIL) == []


def test_signing_up_twice_in_any_case_makes_one_account(db_url):
    director()
    accounts.activate(link_in_last_mail(DIRECTOR_EMAIL, "activation"))
    result = director(email="Ce.0710020L@Ac-Dijon.Fr", first_name="Autre", password="Autre-mot-2025!")
    assert result.email == DIRECTOR_EMAIL  # the page answers the same: the form does not reveal accounts
    assert count_users(DIRECTOR_EMAIL) == 1
    row = user_row(DIRECTOR_EMAIL)
    assert row.first_name == "Hugues"
    auth.authenticate(DIRECTOR_EMAIL, PASSWORD)  # the first password still holds
    latest = mail.outbox(to=DIRECTOR_EMAIL, limit=1)[0]
    assert latest.kind == "signup_existing" and "un compte existe déjà" in latest.body_text


def test_signing_up_again_before_activation_sends_a_new_activation_link(db_url):
    director()
    director()
    assert count_users(DIRECTOR_EMAIL) == 1
    assert [m.kind for m in mail.outbox(to=DIRECTOR_EMAIL)] == ["activation", "activation"]


def test_concurrent_signups_with_one_address_make_one_account(db_url):
    errors = []
    barrier = threading.Barrier(4)

    def signup(i):
        try:
            barrier.wait()
            director(email=DIRECTOR_EMAIL.upper() if i % 2 else DIRECTOR_EMAIL)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=signup, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert count_users(DIRECTOR_EMAIL) == 1


def test_integrity_error_between_check_and_insert_is_handled(db_url, monkeypatch):
    """The race itself: the row appears after our check; the unique index refuses; no error reaches the user."""
    from sqlalchemy.orm import Session

    director()
    real_scalar = Session.scalar
    calls = {"n": 0}

    def blind_scalar(self, statement, *args, **kwargs):
        entity = statement.column_descriptions[0].get("entity") if hasattr(statement, "column_descriptions") else None
        if entity is User:
            calls["n"] += 1
            if calls["n"] == 1:  # the existence check of the second signup sees nothing
                return None
        return real_scalar(self, statement, *args, **kwargs)

    monkeypatch.setattr(Session, "scalar", blind_scalar)
    director(email=DIRECTOR_EMAIL.upper())
    monkeypatch.setattr(Session, "scalar", real_scalar)
    assert calls["n"] == 2  # blind check, then the lookup after the IntegrityError
    assert count_users(DIRECTOR_EMAIL) == 1
    assert mail.outbox(to=DIRECTOR_EMAIL, limit=1)[0].kind == "activation"  # not activated yet: a new link


def test_student_signup_with_any_address_and_a_general_lycee(db_url):
    choices = referential.general_lycees()
    assert choices
    result = accounts.signup_student(first_name="Léa", last_name="Martin", lycee_id=choices[0].id,
                                     email="Lea.Martin@Example.fr", password=PASSWORD, accepted_terms=True)
    row = user_row("lea.martin@example.fr")
    assert result.full_name == "Léa Martin" and row.role == Role.STUDENT and row.lycee_id == choices[0].id
    assert row.function is None and row.school_id is None
    assert link_in_last_mail("lea.martin@example.fr", "activation")


def test_student_must_choose_a_general_or_technological_lycee(db_url):
    with read_session() as session:
        pro_only = session.scalar(select(Lycee.id).where(Lycee.voie_generale.is_(False),
                                                         Lycee.voie_technologique.is_(False)))
    for lycee_id in (None, pro_only, 999_999):
        if lycee_id is None and pro_only is None:
            continue
        with pytest.raises(ValidationError) as refused:
            accounts.signup_student(first_name="Léa", last_name="Martin", lycee_id=lycee_id, email="lea@example.fr",
                                    password=PASSWORD, accepted_terms=True)
        assert "lycée" in refused.value.errors["lycee"]


# --------------------------------------------------------------------------- activation


def test_activation_link_is_single_use_hashed_and_valid_72_hours(db_url):
    director()
    token = link_in_last_mail(DIRECTOR_EMAIL, "activation")
    with read_session() as session:
        row = session.scalar(select(UserToken).where(UserToken.purpose == TokenPurpose.ACTIVATION))
        assert row.token_hash == tokens.token_hash(token) and token not in row.token_hash
        assert row.expires_at - row.created_at == dt.timedelta(hours=72)
    result = accounts.activate(token)
    assert result.full_name == "Hugues Traver" and not result.already_active
    assert auth.authenticate(DIRECTOR_EMAIL, PASSWORD).school_uai == "0710020L"
    assert accounts.activate(token).already_active  # a second click says so, nothing else changes


def test_expired_or_unknown_activation_link_is_refused_and_a_new_one_works(db_url):
    now = utcnow()
    director(now=now)
    token = link_in_last_mail(DIRECTOR_EMAIL, "activation")
    with pytest.raises(ValidationError, match="expiré"):
        accounts.activate(token, now=now + dt.timedelta(hours=72, seconds=1))
    with pytest.raises(ValidationError, match="pas valable"):
        accounts.activate("inconnu")
    with pytest.raises(ValidationError, match="pas valable"):
        accounts.activate(None)
    message = accounts.resend_activation("CE.0710020L@ac-dijon.fr", now=now + dt.timedelta(hours=73))
    assert "nouveau message" in message
    fresh = link_in_last_mail(DIRECTOR_EMAIL, "activation")
    assert fresh != token
    accounts.activate(fresh, now=now + dt.timedelta(hours=74))
    assert user_row(DIRECTOR_EMAIL).activated_at is not None


def test_resend_activation_answers_the_same_for_unknown_and_active_accounts(db_url):
    director()
    accounts.activate(link_in_last_mail(DIRECTOR_EMAIL, "activation"))
    before = len(mail.outbox(limit=100))
    assert accounts.resend_activation(DIRECTOR_EMAIL) == accounts.resend_activation("personne@example.fr")
    assert len(mail.outbox(limit=100)) == before


# --------------------------------------------------------------------------- login and lockout


def active_director() -> int:
    director()
    accounts.activate(link_in_last_mail(DIRECTOR_EMAIL, "activation"))
    return user_row(DIRECTOR_EMAIL).id


def test_wrong_password_and_unknown_email_get_the_same_message(db_url):
    active_director()
    with pytest.raises(auth.LoginRefused) as wrong:
        auth.authenticate(DIRECTOR_EMAIL, "Mauvais-mot-2025!")
    with pytest.raises(auth.LoginRefused) as unknown:
        auth.authenticate("personne@ac-dijon.fr", "Mauvais-mot-2025!")
    assert wrong.value.message == unknown.value.message == auth.INVALID_CREDENTIALS


def test_eight_failures_lock_for_15_minutes_with_a_warning_before_the_last(db_url):
    active_director()
    now = utcnow()
    messages = []
    for _ in range(8):
        with pytest.raises(auth.LoginRefused) as refused:
            auth.authenticate(DIRECTOR_EMAIL, "Mauvais-mot-2025!", now=now)
        messages.append(refused.value)
    assert all("Attention" not in m.message for m in messages[:6])
    assert "il vous reste une seule tentative" in messages[6].message and messages[6].remaining_attempts == 1
    assert messages[7].reason == "locked" and "15 minutes" in messages[7].message
    with pytest.raises(auth.LoginRefused) as locked:  # even the right password is refused while locked
        auth.authenticate(DIRECTOR_EMAIL, PASSWORD, now=now + dt.timedelta(minutes=14))
    assert locked.value.reason == "locked"
    user = auth.authenticate(DIRECTOR_EMAIL, PASSWORD, now=now + dt.timedelta(minutes=15, seconds=1))
    assert user.email == DIRECTOR_EMAIL
    row = user_row(DIRECTOR_EMAIL)
    assert row.failed_login_count == 0 and row.locked_until is None


def test_the_failure_counter_is_shared_by_concurrent_processes(db_url):
    """Attempts from several threads (as from several app processes) all count, in the database."""
    active_director()
    barrier = threading.Barrier(6)

    def attempt():
        barrier.wait()
        with pytest.raises(auth.LoginRefused):
            auth.authenticate(DIRECTOR_EMAIL, "Mauvais-mot-2025!")

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert user_row(DIRECTOR_EMAIL).failed_login_count == 6


def test_login_with_remember_prepares_a_handoff(db_url):
    active_director()
    assert login_sessions.login(DIRECTOR_EMAIL, PASSWORD).handoff_token is None
    result = login_sessions.login(DIRECTOR_EMAIL, PASSWORD, remember=True)
    assert result.user.email == DIRECTOR_EMAIL and result.handoff_token


# --------------------------------------------------------------------------- remembered logins


def test_remembered_login_lifecycle(db_url):
    user_id = active_director()
    now = utcnow()
    handoff = login_sessions.login(DIRECTOR_EMAIL, PASSWORD, remember=True, now=now).handoff_token
    cookie, expires = login_sessions.open_remembered_session(handoff, "Chromium", now=now)
    assert expires - now == dt.timedelta(days=14)
    assert login_sessions.open_remembered_session(handoff, now=now) is None  # single use
    # Used every few days (the idle limit is 7 days), it lasts its 14 days.
    assert login_sessions.restore_session(cookie, now=now + dt.timedelta(days=6)).id == user_id
    assert login_sessions.restore_session(cookie, now=now + dt.timedelta(days=12)).id == user_id
    assert login_sessions.is_session_valid(cookie, now=now + dt.timedelta(days=13))
    assert login_sessions.restore_session(cookie, now=now + dt.timedelta(days=14, seconds=1)) is None
    assert login_sessions.restore_session("inconnu") is None and login_sessions.restore_session(None) is None
    with read_session() as session:
        row = session.scalar(select(AuthSession))
        assert row.token_hash == tokens.token_hash(cookie) and row.user_agent == "Chromium"
        assert row.last_seen_at > row.created_at  # the restore recorded the activity


def test_a_remembered_login_unused_for_a_week_ends(db_url):
    """Issue 10: remembered logins get an idle limit too."""
    active_director()
    now = utcnow()
    handoff = login_sessions.login(DIRECTOR_EMAIL, PASSWORD, remember=True, now=now).handoff_token
    cookie, _expires = login_sessions.open_remembered_session(handoff, now=now)
    idle = now + dt.timedelta(days=security.REMEMBER_IDLE_DAYS, minutes=1)
    assert not login_sessions.is_session_valid(cookie, now=idle)
    assert login_sessions.restore_session(cookie, now=idle) is None


def test_handoff_expires_after_60_seconds_and_is_bound_to_its_action(db_url):
    user_id = active_director()
    now = utcnow()
    late = login_sessions.create_handoff(user_id, "remember", now=now)
    assert login_sessions.open_remembered_session(late, now=now + dt.timedelta(seconds=61)) is None
    logout_token = login_sessions.create_handoff(user_id, "logout", now=now)
    assert login_sessions.open_remembered_session(logout_token, now=now) is None
    remember = login_sessions.create_handoff(user_id, "remember", now=now)
    assert not login_sessions.close_session_from_route(remember, now=now)


def test_logout_ends_every_remembered_login_of_the_account(db_url):
    user_id = active_director()
    cookies = [login_sessions.open_remembered_session(login_sessions.create_handoff(user_id, "remember"))[0] for _ in range(2)]
    other = auth.create_user(role=Role.COORDINATOR, email="coord@ac-dijon.fr", password=PASSWORD)
    other_cookie = login_sessions.open_remembered_session(login_sessions.create_handoff(other.id, "remember"))[0]
    token = login_sessions.logout(user_id, clear_cookie=True)
    assert all(login_sessions.restore_session(c) is None for c in cookies)
    assert login_sessions.restore_session(other_cookie).id == other.id
    assert login_sessions.close_session_from_route(token)
    assert not login_sessions.close_session_from_route(token)  # single use
    assert login_sessions.logout(user_id) is None


def test_a_deactivated_account_loses_its_remembered_logins(db_url):
    user_id = active_director()
    cookie = login_sessions.open_remembered_session(login_sessions.create_handoff(user_id, "remember"))[0]
    with write_session() as session:
        session.get(User, user_id).deactivated_at = utcnow()
    assert login_sessions.restore_session(cookie) is None
    assert login_sessions.open_remembered_session(login_sessions.create_handoff(user_id, "remember")) is None


# --------------------------------------------------------------------------- password reset


def test_password_reset_never_reveals_whether_the_address_exists(db_url):
    active_director()
    before = len(mail.outbox(limit=100))
    assert password_reset.request_password_reset("personne@ac-dijon.fr") == password_reset.request_password_reset(DIRECTOR_EMAIL)
    assert len(mail.outbox(limit=100)) == before + 1
    with pytest.raises(ValidationError):
        password_reset.request_password_reset("pas-une-adresse")


def test_password_reset_link_is_single_use_valid_2_hours_and_ends_remembered_logins(db_url):
    user_id = active_director()
    cookie = login_sessions.open_remembered_session(login_sessions.create_handoff(user_id, "remember"))[0]
    now = utcnow()
    password_reset.request_password_reset(DIRECTOR_EMAIL, now=now)
    token = link_in_last_mail(DIRECTOR_EMAIL, "mot-de-passe-oublie")
    with pytest.raises(ValidationError, match="expiré"):
        password_reset.check_reset_token(token, now=now + dt.timedelta(hours=2, seconds=1))
    with pytest.raises(ValidationError, match="Il manque"):
        password_reset.reset_password(token, "faible", now=now)
    password_reset.check_reset_token(token, now=now)
    assert password_reset.reset_password(token, NEW_PASSWORD, now=now) == DIRECTOR_EMAIL
    with pytest.raises(ValidationError, match="déjà servi"):
        password_reset.reset_password(token, "Encore-un-2025!", now=now)
    assert login_sessions.restore_session(cookie) is None
    auth.authenticate(DIRECTOR_EMAIL, NEW_PASSWORD)
    with pytest.raises(auth.LoginRefused):
        auth.authenticate(DIRECTOR_EMAIL, PASSWORD)


def test_bcrypt_runs_outside_any_transaction(db_url, monkeypatch):
    """A login holds no pool connection (nor the account's row lock) while bcrypt works, for a real
    account and an unknown address alike."""
    active_director()
    pool = get_engine().pool
    held = []
    real_verify, real_burn = auth.verify_password, auth.burn_time

    def verify(password, hashed):
        held.append(pool.checkedout())
        return real_verify(password, hashed)

    def burn(password):
        held.append(pool.checkedout())
        return real_burn(password)

    monkeypatch.setattr(auth, "verify_password", verify)
    monkeypatch.setattr(auth, "burn_time", burn)
    assert auth.authenticate(DIRECTOR_EMAIL, PASSWORD).email == DIRECTOR_EMAIL
    for email in (DIRECTOR_EMAIL, "personne@ac-dijon.fr"):
        with pytest.raises(auth.LoginRefused):
            auth.authenticate(email, "Mauvais-mot-2025!")
    assert held == [0, 0, 0]


def test_concurrent_failures_from_one_client_lock_at_exactly_the_limit(db_url):
    """Checks that run in parallel outside the transaction are still counted one by one: of 11
    simultaneous wrong passwords, 7 are refused, the 8th locks, the rest find the lock; the right
    password is then refused too, from that client only."""
    active_director()
    n = security.MAX_FAILED_LOGINS + 3
    barrier = threading.Barrier(n)
    refusals: list[auth.LoginRefused] = []

    def attempt():
        barrier.wait()
        try:
            auth.authenticate(DIRECTOR_EMAIL, "Mauvais-mot-2025!", client="198.51.100.7")
        except auth.LoginRefused as exc:
            refusals.append(exc)

    threads = [threading.Thread(target=attempt) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    reasons = sorted(r.reason for r in refusals)
    assert reasons == ["invalid"] * (security.MAX_FAILED_LOGINS - 1) + ["locked"] * 4
    assert sorted(r.remaining_attempts for r in refusals if r.reason == "invalid") == list(
        range(1, security.MAX_FAILED_LOGINS))
    with pytest.raises(auth.LoginRefused) as locked:
        auth.authenticate(DIRECTOR_EMAIL, PASSWORD, client="198.51.100.7")
    assert locked.value.reason == "locked"
    assert auth.authenticate(DIRECTOR_EMAIL, PASSWORD, client="192.0.2.10").email == DIRECTOR_EMAIL


def test_a_password_changed_during_the_check_is_the_one_that_counts(db_url, monkeypatch):
    """The account's password changes while a login checks the old one outside the transaction:
    the old password is then refused (and counted), the new one accepted."""
    active_director()
    real_verify = auth.verify_password
    change_to: list[str] = []  # the password set during the next check

    def verify_then_change(password, hashed):
        result = real_verify(password, hashed)
        if change_to:
            with write_session() as session:
                user = session.scalar(select(User).where(User.email == DIRECTOR_EMAIL))
                user.password_hash = hash_password(change_to.pop())
        return result

    monkeypatch.setattr(auth, "verify_password", verify_then_change)
    change_to.append(NEW_PASSWORD)
    with pytest.raises(auth.LoginRefused) as refused:  # right when read, wrong when counted
        auth.authenticate(DIRECTOR_EMAIL, PASSWORD)
    assert refused.value.reason == "invalid" and refused.value.remaining_attempts == security.MAX_FAILED_LOGINS - 1
    change_to.append(PASSWORD)
    assert auth.authenticate(DIRECTOR_EMAIL, PASSWORD).email == DIRECTOR_EMAIL  # wrong when read, right when counted


def test_password_reset_lifts_a_lockout(db_url):
    active_director()
    for _ in range(8):
        with pytest.raises(auth.LoginRefused):
            auth.authenticate(DIRECTOR_EMAIL, "Mauvais-mot-2025!")
    password_reset.request_password_reset(DIRECTOR_EMAIL)
    password_reset.reset_password(link_in_last_mail(DIRECTOR_EMAIL, "mot-de-passe-oublie"), NEW_PASSWORD)
    assert auth.authenticate(DIRECTOR_EMAIL, NEW_PASSWORD).email == DIRECTOR_EMAIL


# --------------------------------------------------------------------------- Mon compte


def test_profile_change(db_url):
    active_director()
    user = auth.authenticate(DIRECTOR_EMAIL, PASSWORD)
    updated = accounts.update_profile(user, first_name=" Hugo ", last_name="Travers", function="Directeur d'école")
    assert (updated.first_name, updated.last_name, updated.function) == ("Hugo", "Travers", "Directeur d'école")
    profile = accounts.get_profile(updated)
    assert profile.has_function and "0710020L" in profile.attachment
    with pytest.raises(ValidationError) as refused:
        accounts.update_profile(user, first_name="", last_name="Travers", function="x")
    assert set(refused.value.errors) == {"first_name", "function"}


def test_change_password_asks_for_the_current_one_and_ends_remembered_logins(db_url):
    user_id = active_director()
    user = auth.authenticate(DIRECTOR_EMAIL, PASSWORD)
    cookie = login_sessions.open_remembered_session(login_sessions.create_handoff(user_id, "remember"))[0]
    with pytest.raises(ValidationError) as wrong:
        accounts.change_password(user, current_password="Mauvais-mot-2025!", new_password=NEW_PASSWORD)
    assert "current_password" in wrong.value.errors
    with pytest.raises(ValidationError) as weak:
        accounts.change_password(user, current_password=PASSWORD, new_password="faible")
    assert "new_password" in weak.value.errors
    assert login_sessions.restore_session(cookie) is not None
    accounts.change_password(user, current_password=PASSWORD, new_password=NEW_PASSWORD)
    assert login_sessions.restore_session(cookie) is None
    assert auth.authenticate(DIRECTOR_EMAIL, NEW_PASSWORD).id == user_id


def test_create_user_for_coordinators_and_iens_stays_correct(db_url):
    ien = auth.create_user(role=Role.IEN, email="IEN.Test@ac-dijon.fr", password=PASSWORD,
                           circonscription_code="0710098W", first_name="Paul", last_name="Bernard")
    assert ien.email == "ien.test@ac-dijon.fr" and ien.circonscription_id is not None
    assert auth.authenticate("ien.test@ac-dijon.fr", PASSWORD).id == ien.id
    with pytest.raises(ValidationError) as duplicate:
        auth.create_user(role=Role.COORDINATOR, email="ien.TEST@ac-dijon.fr", password=PASSWORD)
    assert "existe déjà" in duplicate.value.errors["email"]
    with pytest.raises(ValidationError) as weak:
        auth.create_user(role=Role.COORDINATOR, email="c@ac-dijon.fr", password="faible")
    assert "password" in weak.value.errors


# --------------------------------------------------------------------------- real mail, nothing in clear


def test_activation_mail_goes_through_a_real_smtp_server(db_url, smtp_server):
    director()
    message = smtp_server.wait_for(DIRECTOR_EMAIL)[0]
    body = mail_text(message)
    assert "Activer mon compte : http" in body and "/activation?token=" in body
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Activer mon compte" in html and "Vous pouvez aussi copier/coller le lien suivant" in html


def link_in_smtp(smtp_server, to: str, path: str, count: int) -> str:
    body = mail_text(smtp_server.wait_for(to, count)[count - 1])
    match = re.search(rf"https?://\S+/{path}\?token=([\w-]+)", body)
    assert match, body
    return match.group(1)


def test_the_database_holds_no_password_or_token_in_clear(db_url, smtp_server):
    """After a whole journey with a real SMTP server, no column of any table (the outbox included)
    contains a password or a token: tokens are stored hashed, and mails lose their link's token once sent."""
    secrets_seen = [PASSWORD, NEW_PASSWORD]
    director()
    activation = link_in_smtp(smtp_server, DIRECTOR_EMAIL, "activation", 1)
    secrets_seen.append(activation)
    accounts.activate(activation)
    handoff = login_sessions.login(DIRECTOR_EMAIL, PASSWORD, remember=True).handoff_token
    cookie, _ = login_sessions.open_remembered_session(handoff)
    secrets_seen += [handoff, cookie]
    password_reset.request_password_reset(DIRECTOR_EMAIL)
    reset = link_in_smtp(smtp_server, DIRECTOR_EMAIL, "mot-de-passe-oublie", 2)
    secrets_seen.append(reset)
    password_reset.reset_password(reset, NEW_PASSWORD)
    secrets_seen.append(login_sessions.logout(user_row(DIRECTOR_EMAIL).id, clear_cookie=True))
    wait_outbox_idle()  # the background sender records (and masks) after the SMTP server has the mail
    engine = get_engine()
    found, scanned = [], 0
    with engine.connect() as conn:
        for table in inspect(engine).get_table_names():
            if table in {"schools", "lycees", "circonscriptions"}:
                continue  # the public referential
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                scanned += 1
                blob = " ".join(str(v) for v in row)
                found += [(table, s[:8]) for s in secrets_seen if s and s in blob]
    assert scanned > 5 and found == []
    with read_session() as session:
        hashes = list(session.scalars(select(UserToken.token_hash))) + list(session.scalars(select(AuthSession.token_hash)))
    assert hashes and all(re.fullmatch(r"[0-9a-f]{64}", h) for h in hashes)
    assert "token=(masqué après envoi)" in mail.outbox(to=DIRECTOR_EMAIL, limit=1)[0].body_text
