"""What the candidature use cases share: the vocabulary alias, the history line, places taken,
the offers a student may see, the school's candidatures and directors, the period's label."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from db.models import Candidature, CandidatureStatus, Lycee, Offer, OfferStatus, Role, StatusChange, User
from stages.domain import candidatures as rules
from stages.domain.offer_reference import offer_reference
from stages.domain.timeutil import utcnow
from stages.services import campaigns
from stages.services.auth import CurrentUser
from stages.services.permissions import require_role
from stages.services.conventions import lifecycle

Status = CandidatureStatus
NOT_FOUND = "Candidature introuvable, ou elle ne concerne pas votre école."


def resolve_now(now: dt.datetime | None) -> dt.datetime:
    return now or utcnow()


def record(session: Session, cand: Candidature, before: str | None, after: str, author_id: int | None,
            at: dt.datetime, comment: str | None = None) -> None:
    session.add(StatusChange(entity_type="candidature", entity_id=cand.id, from_status=before, to_status=after,
                             author_id=author_id, at=at, comment=comment))


def holds_place(now: dt.datetime | None = None):
    """Confirmed, or accepted and still within the confirmation delay (``rules.holds_place``)."""
    return rules.holds_place_clause(Candidature, resolve_now(now))


def accepted_count(session: Session, offer_id: int, now: dt.datetime | None = None) -> int:
    """Places taken of the offer (confirmed, or accepted within the confirmation delay)."""
    return session.scalar(
        select(func.count()).select_from(Candidature)
        .where(Candidature.offer_id == offer_id, holds_place(now))
    ) or 0


def accepted_of_offer():
    """Places taken of the offer of the enclosing query (correlated: one index lookup per
    offer on ``ix_candidatures_offer_status``, never a count over the whole country)."""
    return (
        select(func.count(Candidature.id))
        .where(Candidature.offer_id == Offer.id, holds_place())
        .correlate(Offer)
        .scalar_subquery()
    )


def cancel_convention(session: Session, candidature_id: int, author_id: int | None, now: dt.datetime,
                      reason: str) -> None:
    """The stage will not happen (declined, lapsed, closed): its convention is cancelled, the legal
    representatives' links revoked (the conventions' own lifecycle, in the caller's transaction)."""
    lifecycle.cancel_for_candidature(session, candidature_id, author_id, now, reason)


def period_label(offer: Offer) -> str:
    return campaigns.to_view(offer.campaign).period_labels.get(offer.period, offer.period)


def reference(offer: Offer) -> str:
    """"offre n° 12, stage de 1 semaine (...)" (and the class level when it differs): two offers
    titled alike are told apart in the inbox, the export and the mails."""
    return offer_reference(offer.id, period_label(offer), offer.level_college, offer.level_lycee)


def withdrawals(session: Session, candidature_id: int) -> int:
    """How many times the student cancelled this candidature (from its history)."""
    return session.scalar(select(func.count(StatusChange.id)).where(
        StatusChange.entity_type == "candidature", StatusChange.entity_id == candidature_id,
        StatusChange.to_status == Status.WITHDRAWN)) or 0


def school_directors(session: Session, school_id: int) -> list[User]:
    return list(session.scalars(
        select(User).where(User.role == Role.DIRECTOR, User.school_id == school_id,
                           User.activated_at.is_not(None), User.deactivated_at.is_(None))
    ))


def require_student(user: CurrentUser | None) -> CurrentUser:
    return require_role(user, Role.STUDENT)


def visible_offers(student_lycee: Lycee | None, campaign_id: int) -> Select:
    """Published offers of the campaign open to this student (level, reserved lycée, REP, QPV)."""
    query = (
        select(Offer)
        .where(Offer.campaign_id == campaign_id, Offer.status == OfferStatus.PUBLISHED, Offer.level_lycee.is_(True))
    )
    lycee_id = student_lycee.id if student_lycee else None
    query = query.where(or_(Offer.reserved_lycee_id.is_(None), Offer.reserved_lycee_id == lycee_id))
    if not (student_lycee and student_lycee.rep):
        query = query.where(Offer.reserved_rep.is_(False))
    if not (student_lycee and student_lycee.qpv):
        query = query.where(Offer.reserved_qpv.is_(False))
    return query


def school_candidatures(user: CurrentUser, campaign_id: int | None = None) -> Select:
    """The candidatures to the offers of the director's school (of one campaign, if given)."""
    query = (
        select(Candidature)
        .join(Offer, Offer.id == Candidature.offer_id)
        .where(Offer.school_id == user.school_id)
    )
    return query.where(Offer.campaign_id == campaign_id) if campaign_id else query
