"""The retention the privacy page promises: students anonymised after their school year,
inactive accounts after 2 years, expired links deleted; twice changes nothing."""

import datetime as dt

from sqlalchemy import func, select

from db import read_session, write_session
from db.models import Candidature, OutboxMail, RateLimit, Role, User, UserToken
from stages.services import auth, mail, retention
from stages.services.errors import ServiceError
from tests.factories import PASSWORD, make_candidature, make_offer, make_user


def test_past_students_and_inactive_accounts_are_anonymised(db_url):
    today = dt.date(2026, 11, 29)  # school year 2026-2027 began on 1 September 2026
    director = make_user(Role.DIRECTOR, uai="0711989B", email="ce.0711989b@ac-dijon.fr")
    offer = make_offer(director)
    old_student = make_user(Role.STUDENT, email="ancienne@example.fr")
    new_student = make_user(Role.STUDENT, email="nouvelle@example.fr")
    dormant = make_user(Role.COORDINATOR, email="dormant@ac-dijon.fr")
    with write_session() as session:
        session.get(User, old_student).created_at = dt.datetime(2025, 10, 1)
        session.get(User, new_student).created_at = dt.datetime(2026, 10, 1)
        session.get(User, dormant).created_at = dt.datetime(2023, 1, 1)
        session.get(User, dormant).last_login_at = dt.datetime(2024, 6, 1)
        session.get(User, director).last_login_at = dt.datetime(2026, 11, 1)
        mail.queue_mail(session, kind="test", to="ancienne@example.fr", subject="Candidature", text="Bonjour Léa")
        session.add(UserToken(user_id=new_student, purpose="activation", token_hash="a" * 64,
                              expires_at=dt.datetime(2026, 1, 1)))
    old_cand = make_candidature(offer, old_student)
    new_cand = make_candidature(offer, new_student)

    preview = retention.purge_personal_data(today=today, dry_run=True)
    assert (preview.students_anonymised, preview.inactive_accounts_anonymised) == (1, 1)
    with read_session() as session:
        assert session.get(User, old_student).email == "ancienne@example.fr"  # the preview changed nothing

    report = retention.purge_personal_data(today=today)
    assert (report.students_anonymised, report.inactive_accounts_anonymised, report.motivations_cleared,
            report.mails_deleted, report.tokens_deleted) == (1, 1, 1, 1, 1)
    with read_session() as session:
        old = session.get(User, old_student)
        assert old.email.endswith("@anonyme.invalid") and "ancienne" not in old.email
        assert old.first_name == "Compte" and old.deactivated_at is not None
        assert old.lycee_id is not None  # figures per lycée stay
        assert session.get(Candidature, old_cand).motivation == retention.ANONYMISED_MOTIVATION
        assert session.get(Candidature, old_cand).status == "submitted"
        assert session.get(Candidature, new_cand).motivation == "Je suis très motivée."
        assert session.get(User, new_student).email == "nouvelle@example.fr"
        assert session.get(User, director).email == "ce.0711989b@ac-dijon.fr"
        assert session.get(User, dormant).email.endswith("@anonyme.invalid")
        assert session.scalar(select(func.count()).select_from(OutboxMail)) == 0
    # Nobody can log in to an anonymised account, not even with the old password.
    for address in ("ancienne@example.fr", f"compte-{old_student}@anonyme.invalid"):
        try:
            auth.authenticate(address, PASSWORD)
        except ServiceError:
            pass
        else:
            raise AssertionError("an anonymised account logged in")

    again = retention.purge_personal_data(today=today)
    assert (again.students_anonymised, again.inactive_accounts_anonymised, again.motivations_cleared,
            again.mails_deleted, again.tokens_deleted) == (0, 0, 0, 0, 0)


def test_idle_rate_limit_counters_are_forgotten_by_the_purge(db_url):
    today = dt.date(2026, 11, 29)
    now = dt.datetime(2026, 11, 29, 2, 0)  # 03:00 in Paris, when the purge runs for ``today``
    with write_session() as session:
        session.add(RateLimit(key="login:old", window_start=now - dt.timedelta(days=2), count=3))
        session.add(RateLimit(key="reset:addr:recent", window_start=now - dt.timedelta(hours=2), count=1))
        session.add(RateLimit(key="login:blocked", window_start=now - dt.timedelta(days=2), count=8,
                              blocked_until=now + dt.timedelta(minutes=10)))

    preview = retention.purge_personal_data(today=today, dry_run=True)
    assert preview.counters_deleted == 1
    with read_session() as session:
        assert session.scalar(select(func.count()).select_from(RateLimit)) == 3  # the preview changed nothing

    report = retention.purge_personal_data(today=today)
    assert report.counters_deleted == 1
    with read_session() as session:
        assert set(session.scalars(select(RateLimit.key))) == {"reset:addr:recent", "login:blocked"}
    assert retention.purge_personal_data(today=today).counters_deleted == 0
