"""Cron jobs: persist expiries and the lapse of unconfirmed acceptances, and tell those concerned;
remind directors of candidatures about to expire."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import select

from db import write_session
from db.models import Candidature
from stages.domain import candidatures as rules
from stages.domain.timeutil import fmt_datetime
from stages.services import mail, mail_templates, placements
from stages.services.candidatures.common import (
    Status,
    cancel_convention,
    record,
    reference,
    resolve_now,
    school_directors,
)


def _close_due(session, clause, after: str, comment: str, now: dt.datetime) -> list[Candidature]:
    """Lock the candidatures matching ``clause``, close them at their deadline with ``after``."""
    due = list(session.scalars(select(Candidature).where(clause).order_by(Candidature.id).with_for_update()))
    for cand in due:
        before = cand.status
        cand.status, cand.closed_at = after, cand.deadline_at
        record(session, cand, before, after, None, now, comment=comment)
    return due


def expire_candidatures(now: dt.datetime | None = None) -> int:
    """Persist the expiry of candidatures past their deadline and tell the students (idempotent)."""
    with write_session() as session:
        now = resolve_now(now)
        due = _close_due(session, rules.overdue_clause(Candidature, now), Status.EXPIRED,
                         "Délai de réponse dépassé", now)
        for cand in due:
            mail.queue_text(session, cand.student.email, mail_templates.candidature_expired(
                cand.student.first_name, cand.offer.title, cand.offer.id, reference(cand.offer), cand.offer.place_name,
                cand.deadline_at))
    if due:
        mail.send_now()
    return len(due)


def lapse_acceptances(now: dt.datetime | None = None) -> int:
    """Persist the acceptances not confirmed by their deadline; mail the student and the directors,
    and the directors again when students wait on the list (idempotent)."""
    with write_session() as session:
        now = resolve_now(now)
        due = _close_due(session, rules.unconfirmed_overdue_clause(Candidature, now), Status.LAPSED,
                         "Stage non confirmé dans le délai", now)
        for cand in due:
            cancel_convention(session, cand.id, None, now, "Stage non confirmé dans le délai")
            offer, student = cand.offer, cand.student
            ref = placements.offer_reference(offer)
            mail.queue_text(session, student.email, mail_templates.acceptance_lapsed_student(
                student.first_name, offer.title, ref, offer.place_name, cand.deadline_at))
            message = mail_templates.acceptance_lapsed_director(student.full_name, offer.id, ref, cand.deadline_at)
            for director in school_directors(session, offer.school_id):
                mail.queue_text(session, director.email, message)
            placements.notify_place_freed(session, offer, f"{student.full_name} n'a pas confirmé dans le délai.")
    if due:
        mail.send_now()
    return len(due)


def send_reminders(now: dt.datetime | None = None) -> int:
    """Mail each director once about the candidatures of their school expiring within 3 days.

    A candidature is mentioned in one reminder only (``reminder_sent_at``). Returns how many
    mails were queued."""
    sent = 0
    with write_session() as session:
        now = resolve_now(now)
        due = session.scalars(
            select(Candidature).where(rules.due_for_reminder_clause(Candidature, now))
            .order_by(Candidature.deadline_at).with_for_update()
        )
        by_school: dict[int, list[Candidature]] = defaultdict(list)
        for cand in due:
            by_school[cand.offer.school_id].append(cand)
        for school_id, cands in by_school.items():
            message = mail_templates.candidature_reminder([
                f"{c.student.full_name}, « {c.offer.title} » ({reference(c.offer)}) : annulée dans "
                f"{rules.countdown(c.deadline_at, now).text} (le {fmt_datetime(c.deadline_at)})"
                for c in cands
            ])
            for director in school_directors(session, school_id):
                mail.queue_text(session, director.email, message)
                sent += 1
            for cand in cands:
                cand.reminder_sent_at = now
    if sent:
        mail.send_now()
    return sent
