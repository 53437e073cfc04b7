"""Demo conventions: one in every state of the circuit, and a chef d'établissement account for each
demo lycée (``ce.<UAI>@ac-dijon.fr``, the demo password). Called by ``demo.seed_demo``."""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import select

from db import write_session
from db.models import (
    Candidature,
    CandidatureStatus,
    Convention,
    ConventionFile,
    ConventionSignature,
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
from stages.documents.convention import render_pdf
from stages.domain import conventions as rules
from stages.domain.conventions import Party, Status
from stages.domain.passwords import hash_password
from stages.services.campaigns import current_school_year, get_or_create_campaign
from stages.services.conventions import common

HEADS = [("Isabelle", "Fournier"), ("Marc", "Giraud"), ("Nadia", "Haddad")]
STUDENTS = [  # (email, first, last, state)
    ("emma.bonnet@example.fr", "Emma", "Bonnet", "partial"),
    ("lucas.mercier@example.fr", "Lucas", "Mercier", Status.READY),
    ("jade.blanc@example.fr", "Jade", "Blanc", Status.SIGNING),
    ("louis.faure@example.fr", "Louis", "Faure", Status.SIGNED),
    ("manon.andre@example.fr", "Manon", "André", Status.SIGNED_OFFLINE),
    ("adam.roux@example.fr", "Adam", "Roux", Status.CANCELLED),
]
HOURS = {day: ["08:30", "16:30"] for day in ("lundi", "mardi", "jeudi", "vendredi")}


def seed(password: str, now: dt.datetime, host_uai: str = "0711989B") -> int:
    """Create the demo lycée heads and conventions; returns how many conventions were made."""
    settings = get_settings()
    password_hash = hash_password(password)
    with write_session() as session:
        campaign = get_or_create_campaign(session, current_school_year())
        school = session.scalar(select(School).where(School.uai == host_uai))
        director = session.scalar(select(User).where(User.role == Role.DIRECTOR, User.school_id == school.id)) \
            if school else None
        lycees = list(session.scalars(select(Lycee).where(
            Lycee.voie_generale.is_(True), Lycee.departement_code == settings.departement_code)
            .order_by(Lycee.uai).limit(3)))
        if school is None or director is None or not lycees:
            return 0
        stamp = dict(departement_code=settings.departement_code, password_hash=password_hash,
                     activated_at=now - dt.timedelta(days=30), terms_accepted_at=now - dt.timedelta(days=30),
                     password_changed_at=now - dt.timedelta(days=30))
        heads = []
        for lycee, (first, last) in zip(lycees, HEADS):
            head = User(role=Role.LYCEE_HEAD, email=f"ce.{lycee.uai.lower()}@ac-dijon.fr", first_name=first,
                        last_name=last, function="Proviseur(e)", lycee_id=lycee.id, **stamp)
            session.add(head)
            heads.append(head)
        offer = Offer(
            campaign_id=campaign.id, school_id=school.id, created_by_id=director.id, status=OfferStatus.PUBLISHED,
            step_reached=3, title="Professeur des écoles (cycle 3)",
            description="Observation de séances d'enseignement en CM1 et CM2, préparation d'une séance avec le tuteur",
            place_name=f"{school.name} {school.commune}", place_address=school.address or "",
            place_postal_code=school.postal_code, place_commune=school.commune, latitude=school.latitude,
            longitude=school.longitude, manual_structure=True, is_public=True,
            public_employer_type="Ministère de l'Éducation nationale, de l'Enseignement supérieur et de la Recherche",
            sector="Enseignement", employer_name=school.name, head_office_address=campaign.head_office_address,
            level_college=False, level_lycee=True, period=Period.TWO_WEEKS, max_students=len(STUDENTS),
            same_hours=False, daily_hours=HOURS, lunch_break="Pas de possibilité de restauration",
            published_at=now - dt.timedelta(days=20), first_published_at=now - dt.timedelta(days=20),
        )
        session.add(offer)
        session.flush()
        count = 0
        for index, (email, first, last, state) in enumerate(STUDENTS):
            lycee, head = lycees[0], heads[0]  # one lycée: its head's demo page shows every state
            student = User(role=Role.STUDENT, email=email, first_name=first, last_name=last, lycee_id=lycee.id,
                           **stamp)
            session.add(student)
            session.flush()
            submitted = now - dt.timedelta(days=12 - index)
            answered = submitted + dt.timedelta(days=1)
            cand = Candidature(offer_id=offer.id, student_id=student.id, submitted_at=submitted,
                               deadline_at=submitted + dt.timedelta(days=campaign.response_delay_days),
                               read_at=answered, answered_at=answered, answered_by_id=director.id,
                               status=CandidatureStatus.ACCEPTED,
                               motivation="Je souhaite découvrir le métier de professeur des écoles.")
            session.add(cand)
            session.flush()
            session.add(StatusChange(entity_type="candidature", entity_id=cand.id, from_status=CandidatureStatus.SUBMITTED,
                                     to_status=CandidatureStatus.ACCEPTED, author_id=director.id, at=answered))
            conv = Convention(candidature_id=cand.id, created_at=answered, status=Status.TO_COMPLETE)
            session.add(conv)
            session.flush()
            conv.host_part = {"tutor_name": "Anne Martin", "tutor_function": "Professeure des écoles (CM2)",
                              "tutor_email": "anne.martin@ac-dijon.fr", "meals": rules.DEFAULT_MEALS,
                              "director_name": director.full_name}
            if state != "partial":
                conv.lycee_part = {"referent_name": "Paul Roy", "referent_email": "paul.roy@ac-dijon.fr",
                                   "student_class": "2de 4", "head_name": head.full_name}
                conv.student_part = {"birth_date": f"{2010 + index % 2}-0{index + 1}-1{index}", "student_class": "2de 4",
                                     "pai": index == 2, "rep1_name": f"Parent {last}",
                                     "rep1_email": f"parent.{email}", "rep2_name": "", "rep2_email": ""}
            session.flush()
            content = common.content(session, conv)
            conv.document_hash = rules.document_hash(content)
            signers = {Status.SIGNING: [Party.STUDENT],
                       Status.SIGNED: [Party.STUDENT, Party.LEGAL_REP, Party.HOST, Party.LYCEE]}.get(state, [])
            who = {Party.STUDENT: (student.id, student.full_name, student.email),
                   Party.LEGAL_REP: (None, f"Parent {last}", f"parent.{email}"),
                   Party.HOST: (director.id, director.full_name, director.email),
                   Party.LYCEE: (head.id, head.full_name, head.email)}
            for offset, party in enumerate(signers):
                user_id, name, address = who[party]
                session.add(ConventionSignature(convention_id=conv.id, party=party, user_id=user_id, signer_name=name,
                                                signer_email=address, document_hash=conv.document_hash,
                                                signed_at=answered + dt.timedelta(days=2, hours=offset),
                                                client_address="127.0.0.1"))
            if state == Status.SIGNED_OFFLINE:
                scan = render_pdf(content, conv.document_hash, [], "Exemplaire signé sur papier (démonstration)")
                session.add(ConventionFile(convention_id=conv.id, filename="convention-signee.pdf", content=scan,
                                           size=len(scan), sha256=hashlib.sha256(scan).hexdigest(),
                                           uploaded_by_id=director.id, uploaded_at=answered + dt.timedelta(days=3)))
            if state == Status.CANCELLED:
                cand.status, cand.closed_at = CandidatureStatus.DECLINED, answered + dt.timedelta(days=3)
                conv.cancelled_at = cand.closed_at
            session.flush()
            conv.status = common.state(conv, set(signers)) if state not in (
                Status.SIGNED_OFFLINE, Status.CANCELLED) else state
            if conv.status == Status.SIGNED:
                conv.signed_at = answered + dt.timedelta(days=2, hours=3)
            count += 1
        return count
