"""Demo data on the real referential: accounts, offers and candidatures of every kind.

Candidatures are submitted at various times over the last 20 days so that every tab of the
director's inbox ("Reçues", "Acceptées", "Refusées", "Expirées") and every deadline colour
(red at 3 days or less, orange at 7 or less) shows. Logins are listed in the README.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from db import write_session
from db.models import (
    Candidature,
    CandidatureStatus,
    Circonscription,
    Convention,
    Lycee,
    Offer,
    OfferStatus,
    Period,
    Role,
    School,
    StatusChange,
    User,
)
from stages.config import get_settings
from stages.domain.passwords import hash_password
from stages.domain.timeutil import utcnow
from stages.services import referential
from stages.services.campaigns import current_school_year, get_or_create_campaign
from stages.domain.text import circonscription_of

DEMO_PASSWORD = "Stage2de-Demo!"

COORDINATOR = ("coordinateur.dsden71@ac-dijon.fr", "Claire", "Martin", "Coordinatrice stages de seconde")
IEN = ("ien.macon-nord@ac-dijon.fr", "Paul", "Bernard", "IEN", "0710098W")
# (uai, first name, last name, number of published offers)
DIRECTORS = [
    ("0711989B", "Hugues", "Traver", 2),
    ("0710433K", "Sophie", "Lambert", 1),
    ("0711728T", "Karim", "Benali", 1),
    ("0710677A", "Anne", "Moreau", 1),
    ("0711046B", "Julien", "Petit", 0),  # a school with an account but no offer yet
]
STUDENTS = [
    ("lea.dupont@example.fr", "Léa", "Dupont"),
    ("hugo.robert@example.fr", "Hugo", "Robert"),
    ("chloe.richard@example.fr", "Chloé", "Richard"),
    ("nathan.durand@example.fr", "Nathan", "Durand"),
    ("ines.lefebvre@example.fr", "Inès", "Lefebvre"),
    ("tom.garnier@example.fr", "Tom", "Garnier"),
]
SCHOOL_HOURS = {day: ["08:30", "16:30"] for day in ("lundi", "mardi", "jeudi", "vendredi")}
LUNCH = "Pas de possibilité de restauration"


@dataclass
class DemoReport:
    created: bool
    users: int
    offers: int
    candidatures: int

    def lines(self) -> list[str]:
        if not self.created:
            return ["Données de démonstration déjà présentes : rien n'a été ajouté."]
        return [
            f"Comptes créés : {self.users} (mot de passe commun : {DEMO_PASSWORD})",
            f"Offres créées : {self.offers}",
            f"Candidatures créées : {self.candidatures}",
        ]


def is_seeded() -> bool:
    from db import read_session

    with read_session() as session:
        return session.scalar(select(User.id).where(User.email == COORDINATOR[0])) is not None


def seed_demo(now: dt.datetime | None = None) -> DemoReport:
    """Load the referential if missing, then the demo accounts, offers and candidatures (once)."""
    now = now or utcnow()
    if referential.counts().schools == 0:
        referential.import_project_extracts()
    if is_seeded():
        return DemoReport(False, 0, 0, 0)
    settings = get_settings()
    password_hash = hash_password(DEMO_PASSWORD)
    with write_session() as session:
        campaign = get_or_create_campaign(session, current_school_year())

        def user(role: str, email: str, first: str, last: str, **links) -> User:
            obj = User(
                role=role, email=email, first_name=first, last_name=last, password_hash=password_hash,
                departement_code=settings.departement_code, activated_at=now - dt.timedelta(days=30),
                terms_accepted_at=now - dt.timedelta(days=30), password_changed_at=now - dt.timedelta(days=30),
                **links,
            )
            session.add(obj)
            return obj

        email, first, last, function = COORDINATOR
        user(Role.COORDINATOR, email, first, last, function=function)
        email, first, last, function, circ_code = IEN
        circ = session.scalar(select(Circonscription).where(Circonscription.code == circ_code))
        user(Role.IEN, email, first, last, function=function, circonscription_id=circ.id if circ else None)

        lycees = list(
            session.scalars(
                select(Lycee).where(Lycee.voie_generale.is_(True), Lycee.departement_code == settings.departement_code)
                .order_by(Lycee.uai).limit(3)
            )
        )
        students = [
            user(Role.STUDENT, email, first, last, lycee_id=lycees[i % len(lycees)].id if lycees else None)
            for i, (email, first, last) in enumerate(STUDENTS)
        ]

        offers: list[Offer] = []
        directors: list[User] = []
        for uai, first, last, n_offers in DIRECTORS:
            school = session.scalar(select(School).where(School.uai == uai))
            if school is None:
                continue
            director = user(Role.DIRECTOR, f"ce.{uai.lower()}@ac-dijon.fr", first, last,
                            function="Directeur (trice)", school_id=school.id)
            directors.append(director)
            session.flush()
            circ_name = school.circonscription.short_name if school.circonscription else ""
            for index in range(n_offers):
                published = now - dt.timedelta(days=25 - 4 * index - len(offers))
                offer = Offer(
                    campaign_id=campaign.id, school_id=school.id, created_by_id=director.id,
                    status=OfferStatus.PUBLISHED, step_reached=3,
                    title="Professeur des écoles",
                    description="Observation de séances d'enseignement"
                    + (", observation des tâches liées à la direction d'école" if index else ""),
                    place_name=f"{school.name} {school.commune}",
                    place_address=school.address or "", place_postal_code=school.postal_code,
                    place_commune=school.commune, latitude=school.latitude, longitude=school.longitude,
                    manual_structure=True, is_public=True,
                    public_employer_type="Ministère de l'Éducation nationale, de l'Enseignement supérieur et de la Recherche",
                    sector="Enseignement",
                    employer_name=f"{school.name} {school.commune} - {circonscription_of(circ_name)}",
                    head_office_address=campaign.head_office_address, depositor_phone=school.phone,
                    level_college=False, level_lycee=True,
                    period=Period.TWO_WEEKS if index == 0 else Period.WEEK_2,
                    max_students=2 if index == 0 else 1, same_hours=False, daily_hours=SCHOOL_HOURS,
                    lunch_break=LUNCH, published_at=published, first_published_at=published,
                    created_at=published - dt.timedelta(hours=1),
                )
                session.add(offer)
                offers.append(offer)
        # A draft stopped at step 2, to show "Mes offres" resuming it.
        if directors:
            school = session.get(School, directors[-1].school_id)
            session.add(Offer(
                campaign_id=campaign.id, school_id=school.id, created_by_id=directors[-1].id,
                status=OfferStatus.DRAFT, step_reached=1, title="Professeur des écoles",
                description="Observation de séances d'enseignement", place_name=f"{school.name} {school.commune}",
                place_address=school.address or "", place_postal_code=school.postal_code,
                place_commune=school.commune, latitude=school.latitude, longitude=school.longitude,
            ))
        session.flush()

        delay = dt.timedelta(days=campaign.response_delay_days)
        # (offer index, student index, days ago, status)
        plan = [
            (0, 0, 13.5, CandidatureStatus.SUBMITTED),  # red: 1.5 days left
            (0, 1, 9.0, CandidatureStatus.READ),  # orange: 6 days left
            (0, 2, 2.0, CandidatureStatus.SUBMITTED),  # 13 days left
            (0, 3, 18.0, CandidatureStatus.EXPIRED),  # expired
            (1, 0, 12.2, CandidatureStatus.SUBMITTED),  # red: 2.8 days left
            (1, 4, 6.0, CandidatureStatus.ACCEPTED),
            (1, 5, 16.0, CandidatureStatus.SUBMITTED),  # past its deadline: shown "Expirée" without the cron
            (2, 1, 11.0, CandidatureStatus.REFUSED),
            (2, 2, 4.0, CandidatureStatus.SUBMITTED),
            (3, 3, 7.5, CandidatureStatus.READ),  # orange: 7.5 -> 7 days left... sits on the boundary
            (4, 5, 1.0, CandidatureStatus.SUBMITTED),
            (3, 4, 19.5, CandidatureStatus.ACCEPTED),
        ]
        count = 0
        for offer_index, student_index, days_ago, status in plan:
            if offer_index >= len(offers):
                continue
            offer, student = offers[offer_index], students[student_index]
            submitted = now - dt.timedelta(days=days_ago)
            cand = Candidature(
                offer_id=offer.id, student_id=student.id, status=status, submitted_at=submitted,
                deadline_at=submitted + delay,
                motivation=(
                    f"Bonjour, je suis élève de 2de et je souhaite devenir professeur des écoles. "
                    f"Je serais heureux·se d'observer la classe de votre école à {offer.place_commune}."
                ),
            )
            session.add(cand)
            session.flush()
            history = [(None, CandidatureStatus.SUBMITTED, student.id, submitted)]
            director_id = offer.created_by_id
            if status == CandidatureStatus.READ:
                cand.read_at = submitted + dt.timedelta(days=1)
                history.append((CandidatureStatus.SUBMITTED, status, director_id, cand.read_at))
            elif status in (CandidatureStatus.ACCEPTED, CandidatureStatus.REFUSED):
                cand.read_at = submitted + dt.timedelta(days=1)
                cand.answered_at = submitted + dt.timedelta(days=2)
                cand.answered_by_id = director_id
                if status == CandidatureStatus.REFUSED:
                    cand.refusal_reason = "Le nombre de places est déjà atteint pour cette période."
                history.append((CandidatureStatus.SUBMITTED, status, director_id, cand.answered_at))
                if status == CandidatureStatus.ACCEPTED:
                    session.add(Convention(candidature_id=cand.id, created_at=cand.answered_at))
            elif status == CandidatureStatus.EXPIRED:
                cand.closed_at = cand.deadline_at
                history.append((CandidatureStatus.SUBMITTED, status, None, cand.deadline_at))
            for before, after, author, at in history:
                session.add(StatusChange(entity_type="candidature", entity_id=cand.id, from_status=before,
                                         to_status=after, author_id=author, at=at))
            count += 1
        for offer in offers:
            session.add(StatusChange(entity_type="offer", entity_id=offer.id, from_status=OfferStatus.DRAFT,
                                     to_status=OfferStatus.PUBLISHED, author_id=offer.created_by_id,
                                     at=offer.published_at))
        extra_offers = len(offers) + (1 if directors else 0)
    from stages.seed import demo_conventions  # a convention in every state, and the lycée heads

    demo_conventions.seed(DEMO_PASSWORD, now)
    with write_session() as session:
        users = session.scalar(select(func.count()).select_from(User)) or 0
        return DemoReport(True, users, extra_offers + 1, count + len(demo_conventions.STUDENTS))
