"""Accounts created by manage.py can log in; the demo and the campaign are built on the referential."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from db import read_session
from db.models import Campaign, Candidature, CandidatureStatus, Offer, OfferStatus, Role, User
from stages.domain.candidatures import effective_status
from stages.domain.timeutil import utcnow
from stages.seed import demo
from stages.services import auth, campaigns, maintenance
from stages.services.errors import ValidationError

PASSWORD = "Mot-de-passe-2025!"


def test_created_users_can_log_in_with_their_links(db_url):
    director = auth.create_user(role=Role.DIRECTOR, email="CE.0711989B@ac-dijon.fr", password=PASSWORD,
                                uai="0711989b", first_name="Hugues", last_name="Traver")
    assert director.email == "ce.0711989b@ac-dijon.fr"
    assert director.school_uai == "0711989B" and director.circonscription_name == "Mâcon Nord"
    assert director.space_name == "Hugues.Traver"
    ien = auth.create_user(role=Role.IEN, email="ien@ac-dijon.fr", password=PASSWORD, circonscription_code="0710098W")
    assert ien.circonscription_name == "Mâcon Nord"
    logged = auth.authenticate("  Ce.0711989b@AC-DIJON.fr ", PASSWORD)
    assert logged.id == director.id and logged.role == Role.DIRECTOR


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"role": "boss"}, "role"),
        ({"email": "pas-une-adresse"}, "email"),
        ({"password": "court"}, "password"),
        ({"role": Role.DIRECTOR, "uai": None}, "uai"),
        ({"role": Role.DIRECTOR, "uai": "0000000A"}, "uai"),
        ({"role": Role.IEN}, "circonscription"),
    ],
)
def test_create_user_refuses_bad_input(db_url, kwargs, field):
    args = {"role": Role.COORDINATOR, "email": "x@ac-dijon.fr", "password": PASSWORD, **kwargs}
    with pytest.raises(ValidationError) as info:
        auth.create_user(**args)
    assert field in info.value.errors
    with read_session() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 0


def test_same_email_in_another_case_is_refused(db_url):
    auth.create_user(role=Role.COORDINATOR, email="a@ac-dijon.fr", password=PASSWORD)
    with pytest.raises(ValidationError, match="existe déjà"):
        auth.create_user(role=Role.COORDINATOR, email="A@AC-DIJON.FR", password=PASSWORD)


def test_wrong_password_and_unknown_email_get_the_same_message(db_url):
    auth.create_user(role=Role.COORDINATOR, email="a@ac-dijon.fr", password=PASSWORD)
    with pytest.raises(auth.LoginRefused) as wrong:
        auth.authenticate("a@ac-dijon.fr", "Autre-mot-de-passe-1")
    with pytest.raises(auth.LoginRefused) as unknown:
        auth.authenticate("personne@ac-dijon.fr", "Autre-mot-de-passe-1")
    assert wrong.value.message == unknown.value.message


def test_current_campaign_uses_the_rule(db_url):
    campaign = campaigns.current_campaign(today=dt.date(2026, 11, 29))
    assert campaign.school_year == "2026-2027"
    assert (campaign.week1_start, campaign.week2_end) == (dt.date(2027, 6, 14), dt.date(2027, 6, 25))
    assert campaign.response_delay_days == 15
    assert campaign.period_labels["two_weeks"] == "stage de 2 semaines (du 14 au 25 juin 2027)"
    assert campaign.period_labels["week_1"] == "stage de 1 semaine (du 14 au 18 juin 2027)"
    assert campaign.period_labels["week_2"] == "stage de 1 semaine (du 21 au 25 juin 2027)"
    assert campaign.head_office_address.startswith("DSDEN 71 - Cité Administrative")
    with read_session() as session:
        assert session.scalar(select(func.count()).select_from(Campaign)) == 1


def test_demo_shows_every_tab_and_colour_and_is_loaded_once(db_url):
    report = demo.seed_demo()
    assert report.created and report.candidatures == 18  # 12, and 6 with a convention in every state
    assert not demo.seed_demo().created
    now = utcnow()
    with read_session() as session:
        roles = dict(session.execute(select(User.role, func.count()).group_by(User.role)).all())
        assert roles == {Role.COORDINATOR: 1, Role.IEN: 1, Role.DIRECTOR: 5, Role.STUDENT: 12, Role.LYCEE_HEAD: 3}
        assert session.scalar(select(func.count()).select_from(Offer).where(Offer.status == OfferStatus.DRAFT)) == 1
        statuses, levels = set(), set()
        for cand in session.scalars(select(Candidature)):
            statuses.add(effective_status(cand.status, cand.deadline_at, now))
            assert cand.submitted_at >= now - dt.timedelta(days=20)
            left = (cand.deadline_at - now).total_seconds() / 86400
            if cand.status in CandidatureStatus.PENDING and left > 0:
                levels.add("red" if left <= 3 else "orange" if left <= 7 else "normal")
        assert {CandidatureStatus.ACCEPTED, CandidatureStatus.REFUSED, CandidatureStatus.EXPIRED,
                CandidatureStatus.SUBMITTED} <= statuses
        assert levels == {"red", "orange", "normal"}
    assert auth.authenticate(demo.COORDINATOR[0], demo.DEMO_PASSWORD).role == Role.COORDINATOR


def test_backup(db_url, tmp_path):
    target = maintenance.backup(tmp_path / "copy.backup")
    if db_url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(target) as conn:
            assert conn.execute("select count(*) from schools").fetchone()[0] == 525
    else:
        assert target.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
