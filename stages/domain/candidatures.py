"""Rules of a candidature's life: deadlines, effective status, expiring soon, remaining places.

A candidature not answered by its deadline (submission + the campaign's response delay) is
"Expirée" from that minute on, whether or not ``manage.py expire-candidatures`` has run:
every view computes the *effective* status with :func:`effective_status`. Likewise an accepted
candidature the student has not confirmed by its confirmation deadline (issue 13: ``deadline_at``
then holds acceptance + the campaign's confirmation delay) is "Non confirmée dans le délai" and
its place is free (:func:`is_lapsed`, :func:`holds_place`).

Each rule a query needs has its SQL twin right below it (``*_clause`` / ``*_sql``). They take
the mapped class (or any object with the same column attributes: ``status``, ``deadline_at``)
so that this module never imports the database layer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, literal, or_

from stages.domain.vocabulary import CandidatureStatus

LABELS = {
    CandidatureStatus.SUBMITTED: "Reçue",
    CandidatureStatus.READ: "Lue",
    CandidatureStatus.ACCEPTED: "Acceptée — en attente de confirmation",
    CandidatureStatus.REFUSED: "Refusée",
    CandidatureStatus.EXPIRED: "Expirée",
    CandidatureStatus.WITHDRAWN: "Annulée par l'élève",
    CandidatureStatus.DECLINED: "Déclinée par l'élève",
    CandidatureStatus.WAITLISTED: "En liste d'attente",
    CandidatureStatus.CONFIRMED: "Confirmée",
    CandidatureStatus.LAPSED: "Non confirmée dans le délai",
    CandidatureStatus.CLOSED_ELSEWHERE: "Close : stage confirmé ailleurs",
}
RED_DAYS = 3
ORANGE_DAYS = 7
DEFAULT_RESPONSE_DELAY_DAYS = 15  # the campaign's delay to answer, unless the coordinator changes it
MIN_RESPONSE_DELAY_DAYS, MAX_RESPONSE_DELAY_DAYS = 1, 60
EXPIRING_DAYS = 3  # "à échéance": the dashboard's list and the directors' reminder mail


def deadline_for(submitted_at: dt.datetime, delay_days: int) -> dt.datetime:
    """Deadline in naive UTC. 15 days are 15 × 24 hours of real time: a change of
    daylight-saving time inside the delay moves the Paris wall-clock hour, not the instant."""
    return submitted_at + dt.timedelta(days=delay_days)


def is_overdue(status: str, deadline_at: dt.datetime, now: dt.datetime) -> bool:
    """Still waiting for an answer, and its deadline has passed (expired, not yet recorded as such)."""
    return status in CandidatureStatus.PENDING and now >= deadline_at


def overdue_clause(cand: Any, now: dt.datetime):
    """SQL twin of :func:`is_overdue` (``cand``: the ``Candidature`` class)."""
    return and_(cand.status.in_(CandidatureStatus.PENDING), cand.deadline_at <= now)


def is_expired(status: str, deadline_at: dt.datetime, now: dt.datetime) -> bool:
    return status == CandidatureStatus.EXPIRED or is_overdue(status, deadline_at, now)


def expired_clause(cand: Any, now: dt.datetime):
    """SQL twin of :func:`is_expired`."""
    return or_(cand.status == CandidatureStatus.EXPIRED, overdue_clause(cand, now))


def is_lapsed(status: str, deadline_at: dt.datetime, now: dt.datetime) -> bool:
    """Accepted and not confirmed by its confirmation deadline (exact to the minute), or already
    recorded so by ``manage.py expire-candidatures``."""
    return status == CandidatureStatus.LAPSED or (status == CandidatureStatus.ACCEPTED and now >= deadline_at)


def unconfirmed_overdue_clause(cand: Any, now: dt.datetime):
    """SQL twin of :func:`is_lapsed` for a row still stored as accepted (not yet recorded)."""
    return and_(cand.status == CandidatureStatus.ACCEPTED, cand.deadline_at <= now)


def holds_place(status: str, deadline_at: dt.datetime, now: dt.datetime) -> bool:
    """Does this candidature take one of the offer's places now? Confirmed, or accepted and still
    within its confirmation delay."""
    return status == CandidatureStatus.CONFIRMED or (status == CandidatureStatus.ACCEPTED and now < deadline_at)


def holds_place_clause(cand: Any, now: dt.datetime):
    """SQL twin of :func:`holds_place` (uses the (status, offer_id) and (status, deadline) indexes)."""
    return or_(cand.status == CandidatureStatus.CONFIRMED,
               and_(cand.status == CandidatureStatus.ACCEPTED, cand.deadline_at > now))


def effective_status(status: str, deadline_at: dt.datetime, now: dt.datetime) -> str:
    """The status at ``now``: expired past the response deadline, lapsed past the confirmation one."""
    if is_expired(status, deadline_at, now):
        return CandidatureStatus.EXPIRED
    if is_lapsed(status, deadline_at, now):
        return CandidatureStatus.LAPSED
    return status


def effective_status_sql(cand: Any, now: dt.datetime):
    """SQL twin of :func:`effective_status`: a CASE giving the stored status, ``expired`` or ``lapsed``."""
    return case((overdue_clause(cand, now), literal(CandidatureStatus.EXPIRED.value)),
                (unconfirmed_overdue_clause(cand, now), literal(CandidatureStatus.LAPSED.value)),
                else_=cand.status)


def is_expiring(status: str, deadline_at: dt.datetime, now: dt.datetime, days: int = EXPIRING_DAYS) -> bool:
    """Still waiting, not expired, and its deadline falls within ``days`` days."""
    return status in CandidatureStatus.PENDING and now < deadline_at <= now + dt.timedelta(days=days)


def expiring_clause(cand: Any, now: dt.datetime, days: int = EXPIRING_DAYS):
    """SQL twin of :func:`is_expiring`."""
    return and_(cand.status.in_(CandidatureStatus.PENDING), cand.deadline_at > now,
                cand.deadline_at <= now + dt.timedelta(days=days))


def remaining_places(max_students: int, accepted: int) -> int:
    """Places an offer still has: its number of students minus the candidatures holding a place
    (:func:`holds_place`: confirmed, or accepted within the confirmation delay), never < 0."""
    return max(0, int(max_students) - int(accepted))


def remaining_places_sql(max_students: Any, accepted: Any):
    """SQL twin of :func:`remaining_places` (two SQL expressions in, one out)."""
    return case((max_students > accepted, max_students - accepted), else_=0)


def has_places_clause(max_students: Any, accepted: Any):
    """SQL: the offer has at least one remaining place."""
    return max_students > accepted


@dataclass(frozen=True)
class Countdown:
    text: str  # "4 j 6 h", "5 h", "Expirée"
    level: str  # "red" | "orange" | "normal" | "expired"
    seconds_left: float


def countdown(deadline_at: dt.datetime, now: dt.datetime) -> Countdown:
    """Time left before the candidature is cancelled, in days and hours, with its urgency."""
    left = (deadline_at - now).total_seconds()
    if left <= 0:
        return Countdown("Expirée", "expired", 0.0)
    days, rest = divmod(int(left), 86400)
    hours = rest // 3600
    if days:
        text = f"{days} j {hours} h"
    elif hours:
        text = f"{hours} h"
    else:
        text = f"{max(1, rest // 60)} min"
    level = "red" if left <= RED_DAYS * 86400 else "orange" if left <= ORANGE_DAYS * 86400 else "normal"
    return Countdown(text, level, left)


# --------------------------------------------------------------------------- motivation, tabs, actions

MOTIVATION_MIN = 10
MOTIVATION_MAX = 2000
REFUSAL_MIN = 3
REFUSAL_MAX = 1000
REMINDER_DAYS = EXPIRING_DAYS  # directors are reminded of what the dashboard lists as "à échéance"


def motivation_problem(text: str) -> str | None:
    """What is wrong with a motivation message (already cleaned), or None."""
    if not text:
        return "Écrivez un message de motivation : il est obligatoire pour postuler."
    if len(text) < MOTIVATION_MIN:
        return f"Le message de motivation est trop court : au moins {MOTIVATION_MIN} caractères ({len(text)} saisis)."
    if len(text) > MOTIVATION_MAX:
        return (f"Le message de motivation est trop long : au plus {MOTIVATION_MAX} caractères "
                f"({len(text)} saisis). Raccourcissez-le.")
    return None


def refusal_problem(text: str) -> str | None:
    if not text or len(text) < REFUSAL_MIN:
        return "Indiquez le motif du refus : il est obligatoire et sera transmis à l'élève."
    if len(text) > REFUSAL_MAX:
        return f"Le motif du refus est trop long : au plus {REFUSAL_MAX} caractères ({len(text)} saisis)."
    return None


# The director's four tabs, by *effective* status. A candidature cancelled by the student
# (withdrawn before an answer, or declined after acceptance) is closed without a stage: it is
# listed with the refused ones, its "Statut" saying who closed it.
# The waiting list has its own tab, so that a freed place is given from it first; closed by a
# confirmation elsewhere is listed with the refused ones, a lapsed acceptance with the expired.
TABS: dict[str, tuple[str, ...]] = {
    "Reçues": CandidatureStatus.PENDING,
    "Liste d'attente": (CandidatureStatus.WAITLISTED,),
    "Acceptées": CandidatureStatus.PLACED,
    "Refusées": (CandidatureStatus.REFUSED, CandidatureStatus.WITHDRAWN, CandidatureStatus.DECLINED,
                 CandidatureStatus.CLOSED_ELSEWHERE),
    "Expirées": (CandidatureStatus.EXPIRED, CandidatureStatus.LAPSED),
}


def tab_of(status: str) -> str:
    for tab, statuses in TABS.items():
        if status in statuses:
            return tab
    raise ValueError(status)


ANSWERABLE = (*CandidatureStatus.PENDING, CandidatureStatus.WAITLISTED)


def can_answer(status: str, deadline_at: dt.datetime, now: dt.datetime) -> bool:
    """A director may accept or refuse a pending candidature strictly before its deadline, or one
    on the waiting list (no deadline runs there)."""
    return effective_status(status, deadline_at, now) in ANSWERABLE


def answer_refusal(status: str, deadline_at: dt.datetime, now: dt.datetime) -> str | None:
    """Why a director can no longer answer this candidature (French), or None."""
    effective = effective_status(status, deadline_at, now)
    if effective in ANSWERABLE:
        return None
    if effective == CandidatureStatus.EXPIRED:
        return ("Le délai de réponse est dépassé : cette candidature est expirée, "
                "vous ne pouvez plus y répondre.")
    if effective in CandidatureStatus.PLACED:
        return "Cette candidature a déjà été acceptée."
    if effective == CandidatureStatus.LAPSED:
        return "L'élève n'a pas confirmé ce stage dans le délai : la candidature est close."
    if effective == CandidatureStatus.CLOSED_ELSEWHERE:
        return "Cette candidature est close : l'élève a confirmé un autre stage sur ces semaines."
    if effective == CandidatureStatus.REFUSED:
        return "Cette candidature a déjà été refusée."
    return f"Cette candidature a été close par l'élève ({LABELS[effective].lower()}) : vous ne pouvez plus y répondre."


def is_due_for_reminder(status: str, deadline_at: dt.datetime, now: dt.datetime,
                        reminder_sent_at: dt.datetime | None) -> bool:
    """Pending, not expired, expiring within REMINDER_DAYS, and not reminded yet."""
    return reminder_sent_at is None and is_expiring(status, deadline_at, now, REMINDER_DAYS)


def due_for_reminder_clause(cand: Any, now: dt.datetime):
    """SQL twin of :func:`is_due_for_reminder`."""
    return and_(cand.reminder_sent_at.is_(None), expiring_clause(cand, now, REMINDER_DAYS))


# A student who cancelled a candidature ("Annuler ma candidature") may send it again once: a
# second cancellation of the same candidature is final (the director is not asked forever).
MAX_WITHDRAWALS_BEFORE_FINAL = 2


def can_apply_again(status: str, withdrawals: int) -> bool:
    """Whether a student's existing candidature to an offer may be sent again (``withdrawals``:
    how many times it was cancelled by the student)."""
    return status == CandidatureStatus.WITHDRAWN and withdrawals < MAX_WITHDRAWALS_BEFORE_FINAL

