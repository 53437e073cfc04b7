"""Placement rules: every student placed once (issue 13).

- **Confirmation**: once a director accepts, the student has the campaign's confirmation delay
  (default 15 days, in real hours like the response delay) to confirm ("Je confirme ce stage").
  The candidature's ``deadline_at`` then holds that confirmation deadline: from that minute an
  acceptance not confirmed is "Non confirmée dans le délai" in every view, and its place is free,
  whether or not ``manage.py expire-candidatures`` has run.
- **One stage per week**: a student holds at most one confirmed stage per week of the campaign.
  Two periods overlap when they share a week (the 2-week period overlaps both 1-week ones).
- **Waiting list**: a pending candidature may be put on the waiting list; no deadline runs
  there, and the director may still accept or refuse it.
- **Places**: an offer's place is held by a confirmed candidature, or by an accepted one until
  its confirmation deadline.

No database access here. The lapse and the holding of a place change the effective status and
the remaining places, so they live with those rules and their SQL twins in
``stages.domain.candidatures`` (``is_lapsed``, ``holds_place`` and their clauses).
"""

from __future__ import annotations

import datetime as dt

from stages.domain.vocabulary import CandidatureStatus as S
from stages.domain.vocabulary import Period

DEFAULT_CONFIRMATION_DAYS = 15
CONFIRM_MIN_DAYS = 1
CONFIRM_MAX_DAYS = 60

# --------------------------------------------------------------------------- confirmation


def confirmation_deadline(accepted_at: dt.datetime, delay_days: int) -> dt.datetime:
    """When an acceptance lapses if the student has not confirmed (naive UTC, real hours)."""
    return accepted_at + dt.timedelta(days=delay_days)


def can_confirm(effective: str) -> bool:
    return effective == S.ACCEPTED


def confirm_refusal(effective: str) -> str | None:
    """Why the student cannot confirm this candidature now (French), or None."""
    if effective == S.ACCEPTED:
        return None
    if effective == S.CONFIRMED:
        return "Vous avez déjà confirmé ce stage."
    if effective == S.LAPSED:
        return ("Le délai de confirmation est dépassé : la place a été libérée pour un autre élève. "
                "Vous pouvez postuler à d'autres offres.")
    if effective == S.CLOSED_ELSEWHERE:
        return "Cette candidature est close : vous avez confirmé un autre stage pour ces semaines."
    return "Seule une candidature acceptée peut être confirmée."


# --------------------------------------------------------------------------- weeks of the campaign

WEEKS: dict[str, frozenset[int]] = {
    Period.TWO_WEEKS: frozenset({1, 2}),
    Period.WEEK_1: frozenset({1}),
    Period.WEEK_2: frozenset({2}),
}


def weeks_of(period: str) -> frozenset[int]:
    return WEEKS[period]


def periods_overlap(first: str, second: str) -> bool:
    """Do two offers' periods share a week of the campaign?"""
    return bool(weeks_of(first) & weeks_of(second))


def overlapping_periods(period: str) -> tuple[str, ...]:
    """Every period sharing a week with ``period`` (for an ``IN`` in SQL)."""
    return tuple(p for p in Period.ALL if periods_overlap(period, p))


# Candidatures a confirmation elsewhere closes ("Close : stage confirmé ailleurs").
CLOSABLE = (*S.PENDING, S.WAITLISTED, S.ACCEPTED)


def closes_on_confirmation(effective: str) -> bool:
    return effective in CLOSABLE


def confirmed_elsewhere_message(student_name: str, period_label: str) -> str:
    return (f"Impossible d'accepter {student_name} : cet élève a déjà confirmé un autre stage sur ces semaines "
            f"({period_label}). Un élève ne peut faire qu'un stage par semaine.")


APPLY_CONFIRMED_ELSEWHERE = ("Vous avez déjà confirmé un stage sur ces semaines : vous ne pouvez pas postuler "
                             "à une offre de la même période. Choisissez une offre de l'autre semaine.")

# --------------------------------------------------------------------------- waiting list


def can_waitlist(effective: str) -> bool:
    """Only a candidature still waiting for an answer (before its deadline) goes on the list."""
    return effective in S.PENDING


def waitlist_refusal(effective: str) -> str | None:
    if effective in S.PENDING:
        return None
    if effective == S.WAITLISTED:
        return "Cette candidature est déjà en liste d'attente."
    return "Seule une candidature reçue, sans réponse, peut être mise en liste d'attente."


def frees_place(before: str) -> bool:
    """Leaving this status frees one of the offer's places (decline, lapse, closing)."""
    return before in S.PLACED


# --------------------------------------------------------------------------- mails


def validate_confirmation_delay(days: int) -> str | None:
    if not CONFIRM_MIN_DAYS <= days <= CONFIRM_MAX_DAYS:
        return (f"Le délai de confirmation doit être compris entre {CONFIRM_MIN_DAYS} et {CONFIRM_MAX_DAYS} jours "
                f"({days} saisi).")
    return None
