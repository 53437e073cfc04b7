"""Inbox: the director's four tabs of candidatures, and one candidature opened (marked read)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from db import read_session, write_session
from db.models import Candidature, Offer, User
from stages.domain import candidatures as rules
from stages.domain import placements as placement_rules
from stages.domain.offer_reference import offer_reference
from stages.domain.timeutil import fmt_datetime
from stages.services import campaigns
from stages.services.auth import CurrentUser
from stages.services.candidatures.common import (
    NOT_FOUND,
    Status,
    period_label,
    record,
    reference,
    resolve_now,
    school_candidatures,
)
from stages.services.errors import NotFound
from stages.services.permissions import require_director


@dataclass(frozen=True)
class InboxRow:
    id: int
    student_name: str
    offer_title: str
    status: str
    status_label: str
    countdown: str  # "4 j 6 h" for a pending one, "" otherwise
    level: str  # "red" | "orange" | "normal" | "expired" | ""
    seconds_left: float
    submitted: str
    deadline: str
    unread: bool
    can_answer: bool
    offer_reference: str = ""  # "offre n° 12, stage de 1 semaine (...)": offers titled alike told apart


@dataclass(frozen=True)
class Inbox:
    delay_days: int
    tabs: dict[str, list[InboxRow]] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        return {tab: len(rows) for tab, rows in self.tabs.items()}


def _inbox_row(row, now: dt.datetime, period_labels: dict[str, str] | None = None) -> InboxRow:
    """``row``: the columns selected by :func:`director_inbox` (no ORM object, no lazy load)."""
    status = rules.effective_status(row.status, row.deadline_at, now)
    pending = status in Status.PENDING
    left = rules.countdown(row.deadline_at, now) if pending else None
    return InboxRow(
        id=row.id, student_name=f"{row.first_name} {row.last_name}".strip(), offer_title=row.title, status=status,
        status_label=rules.LABELS[status], countdown=left.text if left else "", level=left.level if left else "",
        seconds_left=left.seconds_left if left else 0.0, submitted=fmt_datetime(row.submitted_at),
        deadline=fmt_datetime(row.deadline_at), unread=row.status == Status.SUBMITTED and pending,
        can_answer=status in rules.ANSWERABLE,
        offer_reference=offer_reference(row.offer_id, (period_labels or {}).get(row.period, row.period),
                                        row.level_college, row.level_lycee),
    )


def director_inbox(user: CurrentUser, now: dt.datetime | None = None) -> Inbox:
    """The four tabs of "Les candidatures" of the director's school; "Reçues" most urgent first.

    One query: the columns shown, with the student's name and the offer's title joined (the
    motivation and other long texts are read only when a candidature is opened).
    """
    user = require_director(user)
    campaign = campaigns.current_campaign()
    now = resolve_now(now)
    with read_session() as session:
        query = (
            school_candidatures(user, campaign.id)
            .join(User, User.id == Candidature.student_id)
            .with_only_columns(Candidature.id, Candidature.status, Candidature.deadline_at, Candidature.submitted_at,
                               User.first_name, User.last_name, Offer.title, Offer.id.label("offer_id"),
                               Offer.period, Offer.level_college, Offer.level_lycee)
            .order_by(Candidature.submitted_at.desc())
        )
        rows = [_inbox_row(r, now, campaign.period_labels) for r in session.execute(query)]
    tabs: dict[str, list[InboxRow]] = {tab: [] for tab in rules.TABS}
    for row in rows:
        tabs[rules.tab_of(row.status)].append(row)
    tabs["Reçues"].sort(key=lambda r: r.seconds_left)
    return Inbox(delay_days=campaign.response_delay_days, tabs=tabs)


@dataclass(frozen=True)
class CandidatureDetail:
    id: int
    student_name: str
    student_email: str
    lycee: str
    offer_title: str
    period_label: str
    motivation: str
    status: str
    status_label: str
    submitted: str
    deadline: str
    countdown: str
    refusal_reason: str
    answered: str
    can_answer: bool
    why_not: str | None  # why no answer is possible, in French
    can_waitlist: bool = False  # « Mettre en liste d'attente »
    offer_id: int = 0
    offer_reference: str = ""


def open_candidature(user: CurrentUser, candidature_id: int, now: dt.datetime | None = None) -> CandidatureDetail:
    """A candidature as its director sees it; opening a received one marks it read."""
    user = require_director(user)
    with write_session() as session:
        now = resolve_now(now)
        cand = session.scalar(school_candidatures(user).where(Candidature.id == candidature_id))
        if cand is None:
            raise NotFound(NOT_FOUND)
        status = rules.effective_status(cand.status, cand.deadline_at, now)
        if cand.status == Status.SUBMITTED and status == Status.SUBMITTED:
            cand.status, cand.read_at = Status.READ, now
            record(session, cand, Status.SUBMITTED, Status.READ, user.id, now)
            status = Status.READ
        pending = status in Status.PENDING
        return CandidatureDetail(
            id=cand.id, student_name=cand.student.full_name, student_email=cand.student.email,
            lycee=cand.student.lycee.name if cand.student.lycee else "", offer_title=cand.offer.title,
            period_label=period_label(cand.offer), offer_reference=reference(cand.offer),
            motivation=cand.motivation, status=status,
            status_label=rules.LABELS[status], submitted=fmt_datetime(cand.submitted_at),
            deadline=fmt_datetime(cand.deadline_at),
            countdown=rules.countdown(cand.deadline_at, now).text if pending else "",
            refusal_reason=cand.refusal_reason or "", answered=fmt_datetime(cand.answered_at),
            can_answer=status in rules.ANSWERABLE, why_not=rules.answer_refusal(cand.status, cand.deadline_at, now),
            can_waitlist=placement_rules.can_waitlist(status), offer_id=cand.offer_id,
        )
