"""What every convention use case shares: loading with a lock, who the caller is to a convention,
the document's content and fingerprint, the state refresh, and the mails of the circuit."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import (
    Candidature,
    Convention,
    ConventionSignature,
    ConventionToken,
    Lycee,
    Offer,
    Role,
    School,
    StatusChange,
    User,
)
from stages.config import get_settings
from stages.documents.convention import load_articles
from stages.domain import conventions as rules
from stages.domain.conventions import Party, Status
from stages.domain.timeutil import fmt_date, fmt_datetime, utcnow
from stages.services import campaigns, mail
from stages.services.auth import CurrentUser
from stages.services.errors import NotFound

NOT_FOUND = "Convention introuvable, ou elle ne vous concerne pas."
SIGN_URL = "signature-convention"


def now_or(now: dt.datetime | None) -> dt.datetime:
    return now or utcnow()


def link(path: str) -> str:
    return f"{get_settings().app_base_url.rstrip('/')}/{path}"


def party_of(user: CurrentUser, conv: Convention) -> str | None:
    """The party the caller is to this convention (host, student, lycée), or None."""
    cand = conv.candidature
    if user.role == Role.DIRECTOR and user.school_id is not None and cand.offer.school_id == user.school_id:
        return Party.HOST
    if user.role == Role.STUDENT and cand.student_id == user.id:
        return Party.STUDENT
    if user.role == Role.LYCEE_HEAD and user.lycee_id is not None and cand.student.lycee_id == user.lycee_id:
        return Party.LYCEE
    return None


def is_coordinator_of(user: CurrentUser, conv: Convention) -> bool:
    return user.role == Role.COORDINATOR and conv.candidature.offer.school.departement_code == user.departement_code


def lock(session: Session, convention_id: int) -> Convention:
    """The convention row locked for this write transaction (``FOR UPDATE``; ``BEGIN IMMEDIATE`` on SQLite)."""
    conv = session.scalar(select(Convention).where(Convention.id == convention_id).with_for_update()
                          .execution_options(populate_existing=True))
    if conv is None:
        raise NotFound(NOT_FOUND)
    return conv


def get_for(session: Session, user: CurrentUser, convention_id: int, *, for_update: bool = False,
            allow_coordinator: bool = False) -> tuple[Convention, str | None]:
    """The convention and the caller's party; NotFound (same message) when it is not theirs."""
    conv = lock(session, convention_id) if for_update else session.get(Convention, convention_id)
    if conv is None:
        raise NotFound(NOT_FOUND)
    party = party_of(user, conv)
    if party is None and not (allow_coordinator and is_coordinator_of(user, conv)):
        raise NotFound(NOT_FOUND)
    return conv, party


def valid_signatures(session: Session, conv: Convention) -> list[ConventionSignature]:
    return list(session.scalars(
        select(ConventionSignature)
        .where(ConventionSignature.convention_id == conv.id, ConventionSignature.invalidated_at.is_(None))
        .order_by(ConventionSignature.signed_at, ConventionSignature.id)
        .execution_options(populate_existing=True)
    ))


def parts_done(conv: Convention) -> set[str]:
    return {p for p, part in ((Party.HOST, conv.host_part), (Party.LYCEE, conv.lycee_part),
                              (Party.STUDENT, conv.student_part)) if part}


def state(conv: Convention, signed: set[str]) -> str:
    return rules.compute_status(parts_done(conv), signed, offline=conv.status == Status.SIGNED_OFFLINE,
                                cancelled=conv.status == Status.CANCELLED)


def record(session: Session, conv: Convention, before: str | None, after: str, author_id: int | None,
           at: dt.datetime, comment: str | None = None) -> None:
    if before != after or comment:
        session.add(StatusChange(entity_type="convention", entity_id=conv.id, from_status=before, to_status=after,
                                 author_id=author_id, at=at, comment=comment))


def refresh(session: Session, conv: Convention, author_id: int | None, now: dt.datetime,
            comment: str | None = None) -> str:
    """Recompute the state from the parts and the valid signatures; record a change."""
    before = rules.normalize_status(conv.status)
    after = state(conv, {s.party for s in valid_signatures(session, conv)})
    conv.status = after
    conv.signed_at = now if after == Status.SIGNED and conv.signed_at is None else conv.signed_at
    if after not in Status.DONE:
        conv.signed_at = None
    record(session, conv, before, after, author_id, now, comment)
    return after


# --------------------------------------------------------------------------- the document


def stage_dates(offer: Offer) -> tuple[dt.date, dt.date]:
    return campaigns.to_view(offer.campaign).period_dates(offer.period)


def _address(*parts: str | None) -> str:
    return ", ".join(p for p in parts if p)


def content_number(conv: Convention) -> str:
    offer = conv.candidature.offer
    return rules.number(offer.campaign.school_year, conv.id, offer.school.departement_code)


def content(session: Session, conv: Convention) -> dict:
    """Everything the document says, from the data (the dict its fingerprint is computed on)."""
    cand: Candidature = conv.candidature
    offer: Offer = cand.offer
    school: School = offer.school
    student: User = cand.student
    lycee: Lycee | None = student.lycee
    host, lyc, stu = conv.host_part or {}, conv.lycee_part or {}, conv.student_part or {}
    start, end = stage_dates(offer)
    view = campaigns.to_view(offer.campaign)
    reps = [{"name": stu[f"rep{i}_name"], "email": stu[f"rep{i}_email"]} for i in (1, 2) if stu.get(f"rep{i}_name")]
    birth = dt.date.fromisoformat(stu["birth_date"]) if stu.get("birth_date") else None
    tutor = {"name": host.get("tutor_name", ""), "function": host.get("tutor_function", ""),
             "email": host.get("tutor_email", "")}
    referent = {"name": lyc.get("referent_name", ""), "email": lyc.get("referent_email", "")}
    hours = rules.hours_rows(offer.daily_hours)
    period = view.period_labels.get(offer.period, offer.period)
    lieu = _address(offer.place_name, offer.place_address, offer.place_postal_code, offer.place_commune)
    values = {
        "ecole": f"{school.name} ({school.commune})", "lycee": lycee.name if lycee else "lycée de l'élève",
        "eleve": student.full_name, "periode": period, "lieu": lieu,
        "horaires": "; ".join(f"{d} {h}" for d, h in hours) or "selon l'offre",
        "activites": offer.description, "tuteur": tutor["name"] or "(à compléter)",
        "referent": referent["name"] or "(à compléter)",
        "restauration": host.get("meals") or rules.DEFAULT_MEALS,
    }
    return {
        "number": content_number(conv),
        "school_year": offer.campaign.school_year,
        "host": {"name": f"{school.name} ({school.commune})", "uai": school.uai,
                 "address": _address(school.address, school.postal_code, school.commune),
                 "director": host.get("director_name", "")},
        "lycee": {"name": lycee.name if lycee else "—", "uai": lycee.uai if lycee else "—",
                  "address": _address(lycee.address, lycee.postal_code, lycee.commune) if lycee else "",
                  "head": lyc.get("head_name", "")},
        "student": {"name": student.full_name, "email": student.email, "birth_date": fmt_date(birth),
                    "class": lyc.get("student_class") or stu.get("student_class", ""),
                    "pai": ("Oui" if stu.get("pai") else "Non") if stu else "—", "reps": reps},
        "stage": {"title": offer.title, "place": offer.place_name, "address": lieu, "period": period,
                  "start": fmt_date(start), "end": fmt_date(end), "hours": hours, "lunch_break": offer.lunch_break,
                  "activities": offer.description},
        "tutor": tutor,
        "referent": referent,
        "articles": load_articles(values),
    }


def signature_lines(session: Session, conv: Convention) -> list[rules.SignatureLine]:
    return [rules.SignatureLine(s.party, s.signer_name, rules.PARTY_SIGNER_ROLES[s.party], fmt_datetime(s.signed_at),
                                s.document_hash)
            for s in valid_signatures(session, conv)]


# --------------------------------------------------------------------------- mails and links


def directors(session: Session, school_id: int) -> list[User]:
    return list(session.scalars(select(User).where(
        User.role == Role.DIRECTOR, User.school_id == school_id, User.activated_at.is_not(None),
        User.deactivated_at.is_(None))))


def lycee_heads(session: Session, lycee_id: int | None) -> list[User]:
    if lycee_id is None:
        return []
    return list(session.scalars(select(User).where(
        User.role == Role.LYCEE_HEAD, User.lycee_id == lycee_id, User.activated_at.is_not(None),
        User.deactivated_at.is_(None))))


def recipients(session: Session, conv: Convention, party: str) -> list[tuple[str, str]]:
    """(name, address) of who acts for a party (the legal representatives from the student part)."""
    cand = conv.candidature
    if party == Party.HOST:
        return [(u.full_name, u.email) for u in directors(session, cand.offer.school_id)]
    if party == Party.LYCEE:
        return [(u.full_name, u.email) for u in lycee_heads(session, cand.student.lycee_id)]
    if party == Party.STUDENT:
        return [(cand.student.full_name, cand.student.email)]
    stu = conv.student_part or {}
    return [(stu[f"rep{i}_name"], stu[f"rep{i}_email"]) for i in (1, 2) if stu.get(f"rep{i}_email")]


PAGE_OF = {Party.HOST: "espace", Party.STUDENT: "mes-candidatures", Party.LYCEE: "conventions-lycee"}


def title_of(conv: Convention) -> str:
    cand = conv.candidature
    return f"{cand.student.full_name} — {cand.offer.title}"


def issue_legal_rep_links(session: Session, conv: Convention, now: dt.datetime, reason: str) -> int:
    """Revoke the links not used yet, then mail a new one to each legal representative."""
    for token in session.scalars(select(ConventionToken).where(
            ConventionToken.convention_id == conv.id, ConventionToken.used_at.is_(None),
            ConventionToken.revoked_at.is_(None))):
        token.revoked_at = now
    start, _end = stage_dates(conv.candidature.offer)
    expires = rules.token_expiry(start)
    if expires <= now:
        return 0
    sent = 0
    for name, address in recipients(session, conv, Party.LEGAL_REP):
        raw = secrets.token_urlsafe(32)
        session.add(ConventionToken(convention_id=conv.id, token_hash=rules.token_hash(raw), name=name,
                                    email=address, created_at=now, expires_at=expires))
        cand = conv.candidature
        mail.queue_mail(
            session, kind="convention_legal_rep", to=address,
            subject=f"Convention de stage de {cand.student.full_name} : votre signature",
            text=(f"Bonjour {name},\n\n{reason}\n\nLa convention du stage d'observation de {cand.student.full_name} "
                  f"(« {cand.offer.title} », {cand.offer.place_name}) attend votre signature en tant que "
                  "représentant légal. Le lien ci-dessous vous permet de lire la convention puis de la signer, "
                  f"une seule fois ; il est valable jusqu'au {fmt_date(start - dt.timedelta(days=1))} inclus."),
            button=("Lire et signer la convention", link(f"{SIGN_URL}?token={raw}")),
        )
        sent += 1
    return sent


def tell(session: Session, conv: Convention, parties: list[str], subject: str, text: str,
         kind: str = "convention") -> None:
    """Mail the users acting for ``parties`` (not the legal representatives: they get links)."""
    for party in parties:
        if party == Party.LEGAL_REP:
            continue
        for name, address in recipients(session, conv, party):
            mail.queue_mail(session, kind=kind, to=address, subject=subject, text=f"Bonjour {name},\n\n{text}",
                            button=("Voir la convention", link(PAGE_OF[party])))


@dataclass(frozen=True)
class BulkResult:
    done: list[str]
    errors: list[str]
