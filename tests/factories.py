"""Builders of test data straight through the models (no service rules applied).

Use the services themselves when the test is about them; use these to arrange the world.
"""

from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy import select

from db import write_session
from db.models import Candidature, CandidatureStatus, Lycee, Offer, OfferStatus, Period, Role, School, User
from stages.domain.passwords import hash_password
from stages.domain.timeutil import utcnow
from stages.services.campaigns import current_school_year, get_or_create_campaign

PASSWORD = "Mot-de-passe-2025!"
_seq = itertools.count(1)
_hash_cache: dict[str, str] = {}


def _hash(password: str) -> str:
    if password not in _hash_cache:
        _hash_cache[password] = hash_password(password)
    return _hash_cache[password]


def make_user(role: str = Role.STUDENT, *, email: str | None = None, uai: str | None = None,
              circonscription_id: int | None = None, activated: bool = True, password: str = PASSWORD,
              first_name: str = "Camille", last_name: str | None = None) -> int:
    n = next(_seq)
    with write_session() as session:
        school_id = lycee_id = None
        if role == Role.DIRECTOR:
            school = session.scalar(select(School).where(School.uai == (uai or "0711989B")))
            school_id = school.id
        if role == Role.STUDENT:
            lycee = session.scalar(select(Lycee).where(Lycee.voie_generale.is_(True)).order_by(Lycee.uai))
            lycee_id = lycee.id if lycee else None
        user = User(role=role, email=email or f"user{n}@example.fr", first_name=first_name,
                    last_name=last_name or f"Test{n}", password_hash=_hash(password), departement_code="71",
                    school_id=school_id, lycee_id=lycee_id, circonscription_id=circonscription_id,
                    activated_at=utcnow() if activated else None, function="Directeur (trice)" if role == Role.DIRECTOR else None)
        session.add(user)
        session.flush()
        return user.id


def make_offer(director_id: int, *, status: str = OfferStatus.PUBLISHED, max_students: int = 1,
               period: str = Period.TWO_WEEKS, title: str = "Professeur des écoles") -> int:
    with write_session() as session:
        director = session.get(User, director_id)
        school = session.get(School, director.school_id)
        campaign = get_or_create_campaign(session, current_school_year())
        now = utcnow()
        offer = Offer(
            campaign_id=campaign.id, school_id=school.id, created_by_id=director_id, status=status, step_reached=3,
            title=title, description="Observation de séances d'enseignement",
            place_name=f"{school.name} {school.commune}", place_address=school.address or "",
            place_postal_code=school.postal_code, place_commune=school.commune,
            latitude=school.latitude, longitude=school.longitude, manual_structure=True, is_public=True,
            public_employer_type="Ministère de l'Éducation nationale, de l'Enseignement supérieur et de la Recherche",
            sector="Enseignement", employer_name=f"{school.name} - Circonscription",
            head_office_address=campaign.head_office_address, depositor_phone=school.phone,
            level_college=False, level_lycee=True, period=period, max_students=max_students,
            same_hours=False, daily_hours={"lundi": ["08:30", "16:30"]}, lunch_break="Pas de possibilité de restauration",
            published_at=now if status == OfferStatus.PUBLISHED else None,
            first_published_at=now if status == OfferStatus.PUBLISHED else None,
        )
        session.add(offer)
        session.flush()
        return offer.id


def make_candidature(offer_id: int, student_id: int, *, submitted_at: dt.datetime | None = None,
                     status: str = CandidatureStatus.SUBMITTED, delay_days: int = 15) -> int:
    submitted_at = submitted_at or utcnow()
    with write_session() as session:
        cand = Candidature(offer_id=offer_id, student_id=student_id, motivation="Je suis très motivée.",
                           status=status, submitted_at=submitted_at,
                           deadline_at=submitted_at + dt.timedelta(days=delay_days))
        session.add(cand)
        session.flush()
        return cand.id


def user_by_email(email: str):
    """The ``CurrentUser`` of an address (tests only: the app never looks a user up this way)."""
    from stages.services.auth import to_current_user

    with write_session() as session:
        return to_current_user(session.scalar(select(User).where(User.email == email.strip().lower())))
