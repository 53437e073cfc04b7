"""Placements: the student confirms an accepted stage, one confirmed stage per week, the waiting
list, and the mails that tell each director what happened to their offer (issue 13).

Rules: ``stages.domain.placements``. Locking: every write that may create a confirmed or an
accepted candidature locks the *student's* row first (``SELECT … FOR UPDATE`` on PostgreSQL;
SQLite's ``BEGIN IMMEDIATE`` serialises every write), then the offer, then the candidature,
in that order everywhere, so that a student confirming in two tabs, or a director accepting
while the student confirms elsewhere, never ends with two confirmed stages on one week, and
never deadlocks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import write_session
from db.models import Campaign, Candidature, CandidatureStatus, Offer, Role, User
from stages.domain import candidatures as cand_rules
from stages.domain import placements as rules
from stages.services import mail, mail_templates
from stages.services.auth import CurrentUser
from stages.services.candidatures.common import cancel_convention, period_label, resolve_now, school_directors
from stages.services.candidatures.common import reference as offer_reference
from stages.services.candidatures.common import record as _record
from stages.services.errors import NotFound, ValidationError
from stages.services.permissions import require_director, require_role

S = CandidatureStatus
NOT_FOUND = "Candidature introuvable."


# --------------------------------------------------------------------------- helpers (also used by candidatures)


def lock_student(session: Session, student_id: int) -> None:
    """Serialise every placement decision about one student (first lock of the transaction)."""
    session.execute(select(User.id).where(User.id == student_id).with_for_update())


def confirmation_delay(session: Session, campaign_id: int) -> int:
    return session.scalar(select(Campaign.confirmation_delay_days).where(Campaign.id == campaign_id)) \
        or rules.DEFAULT_CONFIRMATION_DAYS


def confirmed_overlapping(session: Session, student_id: int, offer: Offer, exclude_id: int | None = None
                          ) -> Candidature | None:
    """The student's confirmed candidature of the same campaign sharing a week with ``offer``."""
    query = (
        select(Candidature).join(Offer, Offer.id == Candidature.offer_id)
        .where(Candidature.student_id == student_id, Candidature.status == S.CONFIRMED,
               Offer.campaign_id == offer.campaign_id, Offer.period.in_(rules.overlapping_periods(offer.period)))
    )
    if exclude_id is not None:
        query = query.where(Candidature.id != exclude_id)
    return session.scalar(query.limit(1))


def check_not_confirmed_elsewhere(session: Session, cand: Candidature, offer: Offer) -> None:
    """A director's accept: refused when the student already confirmed a stage on these weeks."""
    if confirmed_overlapping(session, cand.student_id, offer, exclude_id=cand.id) is not None:
        raise ValidationError(rules.confirmed_elsewhere_message(cand.student.full_name, period_label(offer)))


def check_can_apply(session: Session, student_id: int, offer: Offer) -> None:
    if confirmed_overlapping(session, student_id, offer) is not None:
        raise ValidationError(rules.APPLY_CONFIRMED_ELSEWHERE)


def on_accept(session: Session, cand: Candidature, offer: Offer, now: dt.datetime) -> dt.datetime:
    """An acceptance starts the student's confirmation delay; returns its deadline."""
    cand.deadline_at = rules.confirmation_deadline(now, confirmation_delay(session, offer.campaign_id))
    cand.waitlisted_at = None
    return cand.deadline_at


def notify_place_freed(session: Session, offer: Offer, why: str) -> int:
    """A place of ``offer`` is free again: tell its directors when students wait on the list."""
    waiting = session.scalar(
        select(Candidature.id).where(Candidature.offer_id == offer.id, Candidature.status == S.WAITLISTED).limit(1)
    )
    if waiting is None:
        return 0
    count = len(list(session.scalars(
        select(Candidature.id).where(Candidature.offer_id == offer.id, Candidature.status == S.WAITLISTED))))
    for director in school_directors(session, offer.school_id):
        mail.queue_text(session, director.email, mail_templates.place_freed(offer.id, offer_reference(offer), why, count))
    return count


def notify_student_left(session: Session, cand: Candidature, student: User, kind: str) -> None:
    """Mail the directors when a student withdraws (``withdrawn``) or declines (``declined``)."""
    offer = cand.offer
    template = mail_templates.candidature_withdrawn if kind == S.WITHDRAWN else mail_templates.candidature_declined
    message = template(student.full_name, offer.id, offer_reference(offer))
    for director in school_directors(session, offer.school_id):
        mail.queue_text(session, director.email, message)


# --------------------------------------------------------------------------- the student confirms


@dataclass(frozen=True)
class ConfirmResult:
    offer_title: str
    closed: int  # the student's other candidatures closed because they share a week


def confirm(user: CurrentUser, candidature_id: int, now: dt.datetime | None = None) -> ConfirmResult:
    """« Je confirme ce stage »: before the confirmation deadline; closes the student's other
    candidatures on the same weeks (their directors are mailed, the places freed)."""
    user = require_role(user, Role.STUDENT)
    with write_session() as session:
        lock_student(session, user.id)
        now = resolve_now(now)
        cand = session.scalar(
            select(Candidature).where(Candidature.id == candidature_id).with_for_update()
            .execution_options(populate_existing=True)
        )
        if cand is None or cand.student_id != user.id:
            raise NotFound(NOT_FOUND)
        effective = cand_rules.effective_status(cand.status, cand.deadline_at, now)
        why = rules.confirm_refusal(effective)
        if why:
            raise ValidationError(why)
        offer = cand.offer
        if confirmed_overlapping(session, user.id, offer, exclude_id=cand.id) is not None:
            raise ValidationError("Vous avez déjà confirmé un autre stage sur ces semaines.")
        cand.status, cand.confirmed_at = S.CONFIRMED, now
        _record(session, cand, S.ACCEPTED, S.CONFIRMED, user.id, now)
        student = session.get(User, user.id)
        message = mail_templates.candidature_confirmed(student.full_name, offer.id, offer_reference(offer))
        for director in school_directors(session, offer.school_id):
            mail.queue_text(session, director.email, message)
        closed = _close_overlapping(session, cand, offer, student, now)
        title = offer.title
    mail.send_now()
    return ConfirmResult(title, closed)


def _close_overlapping(session: Session, confirmed: Candidature, offer: Offer, student: User,
                       now: dt.datetime) -> int:
    others = list(session.scalars(
        select(Candidature).join(Offer, Offer.id == Candidature.offer_id)
        .where(Candidature.student_id == student.id, Candidature.id != confirmed.id,
               Offer.campaign_id == offer.campaign_id, Offer.period.in_(rules.overlapping_periods(offer.period)),
               Candidature.status.in_(rules.CLOSABLE))
        .order_by(Candidature.id).with_for_update()
    ))
    closed = 0
    for other in others:
        before = other.status
        if not rules.closes_on_confirmation(cand_rules.effective_status(before, other.deadline_at, now)):
            continue  # expired or lapsed at this minute: already closed, the cron will persist it
        other.status, other.closed_at = S.CLOSED_ELSEWHERE, now
        _record(session, other, before, S.CLOSED_ELSEWHERE, student.id, now,
                comment=f"Stage confirmé ailleurs (candidature {confirmed.id})")
        closed += 1
        message = mail_templates.candidature_closed_elsewhere(student.full_name, other.offer.id,
                                                              offer_reference(other.offer), rules.frees_place(before))
        for director in school_directors(session, other.offer.school_id):
            mail.queue_text(session, director.email, message)
        if rules.frees_place(before):
            cancel_convention(session, other.id, student.id, now, "Stage confirmé ailleurs")
            notify_place_freed(session, other.offer, f"{student.full_name} a confirmé un autre stage.")
    return closed


# --------------------------------------------------------------------------- the director's waiting list


def waitlist(user: CurrentUser, candidature_id: int, now: dt.datetime | None = None) -> str:
    """Put a received candidature « En liste d'attente » (its deadline stops); the student is told."""
    user = require_director(user)
    with write_session() as session:
        offer_id, student_id = session.execute(
            select(Candidature.offer_id, Candidature.student_id).where(Candidature.id == candidature_id)
        ).first() or (None, None)
        if offer_id is None:
            raise NotFound("Candidature introuvable, ou elle ne concerne pas votre école.")
        lock_student(session, student_id)
        offer = session.scalar(select(Offer).where(Offer.id == offer_id).with_for_update())
        if offer is None or offer.school_id != user.school_id:
            raise NotFound("Candidature introuvable, ou elle ne concerne pas votre école.")
        cand = session.scalar(select(Candidature).where(Candidature.id == candidature_id).with_for_update()
                              .execution_options(populate_existing=True))
        now = resolve_now(now)
        why = rules.waitlist_refusal(cand_rules.effective_status(cand.status, cand.deadline_at, now))
        if why:
            raise ValidationError(f"{cand.student.full_name} : {why}")
        before = cand.status
        cand.status, cand.waitlisted_at, cand.read_at = S.WAITLISTED, now, cand.read_at or now
        cand.answered_by_id = user.id
        _record(session, cand, before, S.WAITLISTED, user.id, now)
        mail.queue_text(session, cand.student.email, mail_templates.candidature_waitlisted(
            cand.student.first_name, offer.title, offer_reference(offer), offer.place_name))
        name = cand.student.full_name
    mail.send_now()
    return name
