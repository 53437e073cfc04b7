"""Answers: a director accepts or refuses candidatures, one or several, before the deadline.

An accept locks the offer row before counting the places taken, so two directors or a bulk
accept can never over-book; the deadline is re-checked with the time of the write transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import write_session
from db.models import Candidature, Convention, Offer
from stages.domain import candidatures as rules
from stages.domain.text import clean_text
from stages.domain.timeutil import utcnow
from stages.services import mail, mail_templates, placements
from stages.services.auth import CurrentUser
from stages.services.candidatures.common import NOT_FOUND, Status, accepted_count, record, reference
from stages.services.conventions import lifecycle
from stages.services.errors import NotFound, ValidationError
from stages.services.permissions import require_director


def _lock_for_answer(session: Session, user: CurrentUser, candidature_id: int) -> tuple[Candidature, Offer]:
    """Lock the student's row, the offer row, then the candidature; check the director's school."""
    offer_id, student_id = session.execute(
        select(Candidature.offer_id, Candidature.student_id).where(Candidature.id == candidature_id)
    ).first() or (None, None)
    if student_id is not None:
        placements.lock_student(session, student_id)  # the order placements.confirm uses too
    offer = session.scalar(select(Offer).where(Offer.id == offer_id).with_for_update()) if offer_id else None
    if offer is None or offer.school_id != user.school_id:
        raise NotFound(NOT_FOUND)
    cand = session.scalar(
        select(Candidature).where(Candidature.id == candidature_id).with_for_update()
        .execution_options(populate_existing=True)
    )
    return cand, offer


def _check_answerable(cand: Candidature, now: dt.datetime) -> None:
    why = rules.answer_refusal(cand.status, cand.deadline_at, now)
    if why:
        raise ValidationError(f"{cand.student.full_name} : {why}")


def _set_answer(session: Session, cand: Candidature, status: str, user: CurrentUser, now: dt.datetime,
                comment: str | None = None) -> None:
    """The director's answer: status, time, author, read, and its line in the history."""
    before = cand.status
    cand.status, cand.answered_at, cand.answered_by_id = status, now, user.id
    cand.read_at = cand.read_at or now
    record(session, cand, before, status, user.id, now, comment=comment)


def _accept(session: Session, user: CurrentUser, candidature_id: int, now: dt.datetime | None = None) -> str:
    cand, offer = _lock_for_answer(session, user, candidature_id)
    now = now or utcnow()  # the time of this write transaction, not of the page that was opened
    _check_answerable(cand, now)
    taken = accepted_count(session, offer.id, now)
    if taken >= offer.max_students:
        raise ValidationError(
            f"Impossible d'accepter {cand.student.full_name} : l'offre « {offer.title} » n'a plus de place "
            f"disponible ({taken} élève(s) accepté(s) sur {offer.max_students}). Refusez cette candidature, "
            "ou augmentez le nombre d'élèves accueillis dans l'offre."
        )
    placements.check_not_confirmed_elsewhere(session, cand, offer)
    _set_answer(session, cand, Status.ACCEPTED, user, now)
    confirm_by = placements.on_accept(session, cand, offer, now)
    convention = session.scalar(select(Convention).where(Convention.candidature_id == cand.id))
    if convention is None:
        session.add(Convention(candidature_id=cand.id, created_at=now))
        session.flush()
        lifecycle.tell_lycee_created(session, cand.id)
    mail.queue_text(session, cand.student.email, mail_templates.candidature_accepted(
        cand.student.first_name, offer.title, offer.id, reference(offer), offer.place_name, confirm_by))
    return cand.student.full_name


def _refuse(session: Session, user: CurrentUser, candidature_id: int, reason: str,
            now: dt.datetime | None = None) -> str:
    cand, offer = _lock_for_answer(session, user, candidature_id)
    now = now or utcnow()
    _check_answerable(cand, now)
    cand.refusal_reason = reason
    _set_answer(session, cand, Status.REFUSED, user, now, comment=reason)
    mail.queue_text(session, cand.student.email, mail_templates.candidature_refused(
        cand.student.first_name, offer.title, offer.id, reference(offer), offer.place_name, reason))
    return cand.student.full_name


def _clean_reason(reason: str) -> str:
    text = clean_text(reason)
    problem = rules.refusal_problem(text)
    if problem:
        raise ValidationError(problem, field="reason")
    return text


def accept(user: CurrentUser, candidature_id: int, now: dt.datetime | None = None) -> str:
    """Accept one candidature (received, or on the waiting list); returns the student's name. Refused
    when no place remains, too late, or the student confirmed another stage on these weeks.

    ``now``: the clock (tests); by default the time of the write transaction."""
    user = require_director(user)
    with write_session() as session:
        name = _accept(session, user, candidature_id, now)
    mail.send_now()
    return name


def refuse(user: CurrentUser, candidature_id: int, reason: str, now: dt.datetime | None = None) -> str:
    """Refuse one candidature with a required reason (sent to the student)."""
    user = require_director(user)
    text = _clean_reason(reason)
    with write_session() as session:
        name = _refuse(session, user, candidature_id, text, now)
    mail.send_now()
    return name


@dataclass(frozen=True)
class BulkResult:
    done: list[str]  # students' names
    errors: list[str]  # one French message per candidature that could not be answered


def _bulk(user: CurrentUser, ids: list[int], action) -> BulkResult:
    done, errors = [], []
    for candidature_id in dict.fromkeys(ids):
        try:
            with write_session() as session:  # one transaction each: a refusal does not undo the others
                done.append(action(session, candidature_id))
        except (ValidationError, NotFound) as exc:
            errors.append(exc.message)
    if done:
        mail.send_now()
    return BulkResult(done, errors)


def bulk_accept(user: CurrentUser, candidature_ids: list[int], now: dt.datetime | None = None) -> BulkResult:
    user = require_director(user)
    if not candidature_ids:
        raise ValidationError("Cochez au moins une candidature.")
    return _bulk(user, candidature_ids, lambda s, cid: _accept(s, user, cid, now))


def bulk_refuse(user: CurrentUser, candidature_ids: list[int], reason: str,
                now: dt.datetime | None = None) -> BulkResult:
    user = require_director(user)
    if not candidature_ids:
        raise ValidationError("Cochez au moins une candidature.")
    text = _clean_reason(reason)
    return _bulk(user, candidature_ids, lambda s, cid: _refuse(s, user, cid, text, now))
