"""Applications: a student applies, follows, withdraws or declines their candidatures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db import read_session, write_session
from db.models import Candidature, Lycee, Offer, User
from stages.domain import candidatures as rules
from stages.domain.text import clean_text
from stages.domain.timeutil import fmt_date, fmt_datetime, today_paris
from stages.domain import placements as placement_rules
from stages.services import campaigns, drafts, mail, mail_templates, placements
from stages.services.auth import CurrentUser
from stages.services.candidatures.common import (
    Status,
    accepted_count,
    cancel_convention,
    period_label,
    record,
    reference,
    require_student,
    resolve_now,
    school_directors,
    visible_offers,
    withdrawals,
)
from stages.services.errors import NotFound, ValidationError


@dataclass(frozen=True)
class ApplyResult:
    candidature_id: int
    created: bool
    status_label: str
    deadline: str


def apply(user: CurrentUser, offer_id: int, motivation: str, now: dt.datetime | None = None) -> ApplyResult:
    """Apply to an offer. A second submit (double click, another tab) returns the existing candidature."""
    user = require_student(user)
    text = clean_text(motivation)
    problem = rules.motivation_problem(text)
    if problem:
        raise ValidationError(problem, field="motivation")
    campaign = campaigns.current_campaign()
    try:
        with write_session() as session:
            now = resolve_now(now)
            lycee = session.get(Lycee, user.lycee_id) if user.lycee_id else None
            offer = session.scalar(
                visible_offers(lycee, campaign.id).where(Offer.id == offer_id).with_for_update()
            )
            if offer is None:
                raise NotFound("Cette offre n'est plus proposée aux élèves.")
            existing = session.scalar(select(Candidature).where(Candidature.offer_id == offer_id,
                                                                Candidature.student_id == user.id))
            if existing is not None and existing.status != Status.WITHDRAWN:
                return _apply_result(existing, False, now)
            if existing is not None and not rules.can_apply_again(existing.status, withdrawals(session, existing.id)):
                raise ValidationError("Vous avez déjà annulé deux fois votre candidature à cette offre : "
                                      "vous ne pouvez plus y postuler. Choisissez une autre offre.")
            placements.check_can_apply(session, user.id, offer)
            if today_paris(now) < campaign.students_access_on:
                raise ValidationError(
                    f"Les candidatures ouvrent le {fmt_date(campaign.students_access_on)}.")
            if accepted_count(session, offer.id, now) >= offer.max_students:
                raise ValidationError("Cette offre n'a plus de place disponible : choisissez une autre offre.")
            deadline = rules.deadline_for(now, campaign.response_delay_days)
            if existing is not None:  # withdrawn earlier: the student applies again
                before = existing.status
                cand = existing
                cand.status, cand.motivation, cand.submitted_at, cand.deadline_at = Status.SUBMITTED, text, now, deadline
                cand.read_at = cand.closed_at = cand.reminder_sent_at = None
            else:
                before = None
                cand = Candidature(offer_id=offer.id, student_id=user.id, motivation=text, status=Status.SUBMITTED,
                                   submitted_at=now, deadline_at=deadline)
                session.add(cand)
            session.flush()
            record(session, cand, before, Status.SUBMITTED, user.id, now)
            student = session.get(User, user.id)
            for director in school_directors(session, offer.school_id):
                mail.queue_text(session, director.email, mail_templates.new_candidature(
                    student.full_name, offer.title, offer.id, reference(offer), offer.place_name, deadline,
                    campaign.response_delay_days))
            drafts.discard(user, drafts.motivation_key(offer_id), session)  # sent: the draft has done its job
            result = _apply_result(cand, True, now)
    except IntegrityError:
        # Another request of the same student (double click, second tab) inserted it first.
        with read_session() as session:
            existing = session.scalar(select(Candidature).where(Candidature.offer_id == offer_id,
                                                                Candidature.student_id == user.id))
            if existing is None:
                raise
            return _apply_result(existing, False, resolve_now(now))
    mail.send_now()
    return result


def _apply_result(cand: Candidature, created: bool, now: dt.datetime) -> ApplyResult:
    status = rules.effective_status(cand.status, cand.deadline_at, now)
    return ApplyResult(cand.id, created, rules.LABELS[status], fmt_datetime(cand.deadline_at))


@dataclass(frozen=True)
class StudentCandidature:
    id: int
    offer_id: int
    offer_title: str
    place_name: str
    commune: str
    period_label: str
    status: str
    status_label: str
    submitted: str
    deadline: str
    countdown: str
    refusal_reason: str
    motivation: str
    can_withdraw: bool
    can_decline: bool
    can_confirm: bool = False  # « Je confirme ce stage », before ``deadline``


def my_candidatures(user: CurrentUser, now: dt.datetime | None = None) -> list[StudentCandidature]:
    user = require_student(user)
    now = resolve_now(now)
    with read_session() as session:
        rows = session.scalars(
            select(Candidature).where(Candidature.student_id == user.id).order_by(Candidature.submitted_at.desc())
        )
        out = []
        for cand in rows:
            status = rules.effective_status(cand.status, cand.deadline_at, now)
            pending = status in Status.PENDING
            out.append(StudentCandidature(
                id=cand.id, offer_id=cand.offer_id, offer_title=cand.offer.title, place_name=cand.offer.place_name,
                commune=cand.offer.place_commune, period_label=period_label(cand.offer), status=status,
                status_label=rules.LABELS[status], submitted=fmt_datetime(cand.submitted_at),
                deadline=fmt_datetime(cand.deadline_at),
                countdown=(rules.countdown(cand.deadline_at, now).text
                           if pending or placement_rules.can_confirm(status) else ""),
                refusal_reason=cand.refusal_reason or "", motivation=cand.motivation,
                can_withdraw=pending or status == Status.WAITLISTED, can_decline=status in Status.PLACED,
                can_confirm=placement_rules.can_confirm(status),
            ))
        return out


def _own_candidature(session: Session, user: CurrentUser, candidature_id: int) -> Candidature:
    cand = session.scalar(select(Candidature).where(Candidature.id == candidature_id).with_for_update())
    if cand is None or cand.student_id != user.id:
        raise NotFound("Candidature introuvable.")
    return cand


def withdraw(user: CurrentUser, candidature_id: int, now: dt.datetime | None = None) -> None:
    """The student cancels a candidature not answered yet."""
    user = require_student(user)
    with write_session() as session:
        now = resolve_now(now)
        cand = _own_candidature(session, user, candidature_id)
        status = rules.effective_status(cand.status, cand.deadline_at, now)
        if status not in (*Status.PENDING, Status.WAITLISTED):
            raise ValidationError(
                f"Cette candidature ne peut plus être annulée : elle est « {rules.LABELS[status]} »."
            )
        before = cand.status
        cand.status, cand.closed_at = Status.WITHDRAWN, now
        record(session, cand, before, Status.WITHDRAWN, user.id, now)
        placements.notify_student_left(session, cand, session.get(User, user.id), Status.WITHDRAWN)
    mail.send_now()


def decline(user: CurrentUser, candidature_id: int, now: dt.datetime | None = None) -> None:
    """The student gives up an accepted candidature: the place is free again."""
    user = require_student(user)
    with write_session() as session:
        now = resolve_now(now)
        cand = _own_candidature(session, user, candidature_id)
        status = rules.effective_status(cand.status, cand.deadline_at, now)
        if status not in Status.PLACED:
            raise ValidationError(
                f"Seule une candidature acceptée peut être déclinée ; celle-ci est « {rules.LABELS[status]} »."
            )
        before = cand.status
        cand.status, cand.closed_at = Status.DECLINED, now
        record(session, cand, before, Status.DECLINED, user.id, now)
        cancel_convention(session, cand.id, user.id, now, "Candidature déclinée")
        student = session.get(User, user.id)
        placements.notify_student_left(session, cand, student, Status.DECLINED)
        placements.notify_place_freed(session, cand.offer, f"{student.full_name} s'est désisté·e.")
    mail.send_now()
