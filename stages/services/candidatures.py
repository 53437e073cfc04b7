"""Candidatures: students browse offers and apply; directors answer within the campaign's delay.

Rules (see ``stages.domain.candidatures``):
- the deadline is fixed at submission (submission + the campaign's delay, in real hours);
  from that minute the candidature is "Expirée" in every view, whether or not
  ``manage.py expire-candidatures`` has run, and no answer is accepted any more: the write
  transaction re-checks the deadline with the current time;
- an offer's remaining places = its number of students − its accepted candidatures; an accept
  locks the offer row (``SELECT … FOR UPDATE`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite)
  before counting, so two directors or a bulk accept can never over-book;
- one candidature per student and offer (unique constraint): a double click or a second tab
  gets the existing one back;
- every status change is stored in ``StatusChange`` with its author and time.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Select, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from db import read_session, write_session
from db.models import (
    Candidature,
    CandidatureStatus,
    Circonscription,
    Convention,
    Lycee,
    Offer,
    OfferStatus,
    Role,
    School,
    StatusChange,
    User,
)
from stages.config import get_settings
from stages.domain import candidatures as rules
from stages.domain.offer_reference import level_label, offer_reference
from stages.domain.text import clean_text
from stages.domain.timeutil import fmt_date, fmt_datetime, today_paris, utcnow
from stages.services import campaigns, drafts, exports, mail
from stages.services.auth import CurrentUser
from stages.services.errors import NotFound, ValidationError
from stages.services.permissions import require_director, require_role

Status = CandidatureStatus
PER_PAGE = 10
DAY_NAMES = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"]
NOT_FOUND = "Candidature introuvable, ou elle ne concerne pas votre école."


# --------------------------------------------------------------------------- helpers


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or utcnow()


def _link(path: str) -> str:
    return f"{get_settings().app_base_url.rstrip('/')}/{path}"


def _record(session: Session, cand: Candidature, before: str | None, after: str, author_id: int | None,
            at: dt.datetime, comment: str | None = None) -> None:
    session.add(StatusChange(entity_type="candidature", entity_id=cand.id, from_status=before, to_status=after,
                             author_id=author_id, at=at, comment=comment))


def _withdrawals(session: Session, candidature_id: int) -> int:
    """How many times the student cancelled this candidature (from its history)."""
    return session.scalar(select(func.count(StatusChange.id)).where(
        StatusChange.entity_type == "candidature", StatusChange.entity_id == candidature_id,
        StatusChange.to_status == Status.WITHDRAWN)) or 0


def _accepted_count(session: Session, offer_id: int) -> int:
    return session.scalar(
        select(func.count()).select_from(Candidature)
        .where(Candidature.offer_id == offer_id, Candidature.status == Status.ACCEPTED)
    ) or 0


def _accepted_of_offer():
    """Accepted candidatures of the offer of the enclosing query (correlated: one index lookup per
    offer on ``ix_candidatures_offer_status``, never a count over the whole country)."""
    return (
        select(func.count(Candidature.id))
        .where(Candidature.offer_id == Offer.id, Candidature.status == Status.ACCEPTED)
        .correlate(Offer)
        .scalar_subquery()
    )


def _period_label(offer: Offer) -> str:
    return campaigns.to_view(offer.campaign).period_labels.get(offer.period, offer.period)


def _reference(offer: Offer) -> str:
    """"offre n° 12, stage de 1 semaine (...)" (and the class level when it differs): two offers
    titled alike are told apart in the inbox, the export and the mails."""
    return offer_reference(offer.id, _period_label(offer), offer.level_college, offer.level_lycee)


def _hours(daily_hours: dict | None) -> list[tuple[str, str]]:
    if not daily_hours:
        return []
    if "tous" in daily_hours:
        start, end = daily_hours["tous"]
        return [("Tous les jours", f"{start} – {end}")]
    return [(day.capitalize(), f"{daily_hours[day][0]} – {daily_hours[day][1]}")
            for day in DAY_NAMES if day in daily_hours and daily_hours[day]]


def _school_directors(session: Session, school_id: int) -> list[User]:
    return list(session.scalars(
        select(User).where(User.role == Role.DIRECTOR, User.school_id == school_id,
                           User.activated_at.is_not(None), User.deactivated_at.is_(None))
    ))


def _fold(value: str) -> str:
    """Lower case without accents, for searching ("Mâcon" matches "macon")."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", value.casefold()) if not unicodedata.combining(ch))


def _require_student(user: CurrentUser | None) -> CurrentUser:
    return require_role(user, Role.STUDENT)


# --------------------------------------------------------------------------- students: offers


@dataclass(frozen=True)
class OfferCard:
    id: int
    title: str
    place_name: str
    commune: str
    circonscription: str
    period_label: str
    max_students: int
    remaining: int


@dataclass(frozen=True)
class OfferList:
    items: list[OfferCard]
    total: int
    page: int
    pages: int
    communes: list[str]
    circonscriptions: dict[int, str]  # id -> name, for the filter
    opens_on: str | None = None  # set when offers are not open to students yet


def _visible_offers(student_lycee: Lycee | None, campaign_id: int) -> Select:
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


def list_offers(user: CurrentUser, *, commune: str | None = None, circonscription_id: int | None = None,
                text: str | None = None, page: int = 1, per_page: int = PER_PAGE) -> OfferList:
    """The offers a student may apply to: published, current campaign, places left; filtered, paginated."""
    user = _require_student(user)
    campaign = campaigns.current_campaign()
    if today_paris() < campaign.students_access_on:
        return OfferList([], 0, 1, 1, [], {}, opens_on=fmt_date(campaign.students_access_on))
    accepted = _accepted_of_offer()
    with read_session() as session:
        lycee = session.get(Lycee, user.lycee_id) if user.lycee_id else None
        base = (
            _visible_offers(lycee, campaign.id)
            .join(School, School.id == Offer.school_id)
            .where(Offer.max_students > accepted)
        )
        options = session.execute(
            base.with_only_columns(Offer.place_commune, Circonscription.id, Circonscription.short_name)
            .outerjoin(Circonscription, Circonscription.id == School.circonscription_id)
            .distinct()
        ).all()
        communes = sorted({row[0] for row in options if row[0]})
        circs = dict(sorted(((row[1], row[2]) for row in options if row[1]), key=lambda kv: kv[1]))
        query = base
        if commune:
            query = query.where(Offer.place_commune == commune)
        if circonscription_id:
            query = query.where(School.circonscription_id == circonscription_id)
        words = _fold(clean_text(text or "", multiline=False)).split()[:8]
        if words:  # accent- and case-insensitive on both databases: matched in Python
            matches = [
                row[0] for row in session.execute(query.with_only_columns(
                    Offer.id, Offer.title, Offer.description, Offer.place_name, Offer.place_commune,
                    Offer.employer_name))
                if all(word in _fold(" ".join(str(v or "") for v in row[1:])) for word in words)
            ]
            query = query.where(Offer.id.in_(matches or [-1]))
        total = session.scalar(query.with_only_columns(func.count(Offer.id.distinct())).order_by(None)) or 0
        pages = max(1, math.ceil(total / per_page))
        page = min(max(1, page), pages)
        rows = session.execute(
            query.add_columns(accepted)
            .options(selectinload(Offer.school).selectinload(School.circonscription))
            .order_by(Offer.published_at.desc(), Offer.id.desc())
            .offset((page - 1) * per_page).limit(per_page)
        ).all()
        items = [
            OfferCard(
                id=offer.id, title=offer.title, place_name=offer.place_name, commune=offer.place_commune,
                circonscription=offer.school.circonscription.short_name if offer.school.circonscription else "",
                period_label=_period_label(offer), max_students=offer.max_students,
                remaining=offer.max_students - taken,
            )
            for offer, taken in rows
        ]
        return OfferList(items, total, page, pages, communes, circs)


@dataclass(frozen=True)
class OfferDetail:
    id: int
    title: str
    description: str
    place_name: str
    address: str
    commune: str
    employer_name: str
    sector: str
    public_employer_type: str
    work_environment: str
    accessibility: str
    period_label: str
    hours: list[tuple[str, str]]
    lunch_break: str
    max_students: int
    remaining: int
    my_candidature_status: str | None  # effective status label of the student's candidature, if any
    can_apply_again: bool = False  # cancelled by the student once: may be sent again (once)


def get_offer(user: CurrentUser, offer_id: int, now: dt.datetime | None = None) -> OfferDetail:
    """An offer as a student sees it (never the depositor's phone)."""
    user = _require_student(user)
    now = _now(now)
    campaign = campaigns.current_campaign()
    with read_session() as session:
        lycee = session.get(Lycee, user.lycee_id) if user.lycee_id else None
        offer = session.scalar(_visible_offers(lycee, campaign.id).where(Offer.id == offer_id))
        mine = session.scalar(select(Candidature).where(Candidature.offer_id == offer_id,
                                                        Candidature.student_id == user.id))
        if offer is None or (today_paris() < campaign.students_access_on and mine is None):
            raise NotFound("Cette offre n'est plus proposée aux élèves.")
        remaining = offer.max_students - _accepted_count(session, offer.id)
        return OfferDetail(
            id=offer.id, title=offer.title, description=offer.description, place_name=offer.place_name,
            address=" ".join(p for p in (offer.place_address, offer.place_postal_code or "") if p),
            commune=offer.place_commune, employer_name=offer.employer_name, sector=offer.sector or "",
            public_employer_type=(offer.public_employer_type or "") if offer.is_public else "",
            work_environment=offer.work_environment or "", accessibility=offer.accessibility or "",
            period_label=_period_label(offer), hours=_hours(offer.daily_hours), lunch_break=offer.lunch_break,
            max_students=offer.max_students, remaining=max(0, remaining),
            my_candidature_status=(
                rules.LABELS[rules.effective_status(mine.status, mine.deadline_at, now)] if mine else None
            ),
            can_apply_again=bool(mine) and rules.can_apply_again(mine.status, _withdrawals(session, mine.id)),
        )


@dataclass(frozen=True)
class ApplyResult:
    candidature_id: int
    created: bool
    status_label: str
    deadline: str


def apply(user: CurrentUser, offer_id: int, motivation: str, now: dt.datetime | None = None) -> ApplyResult:
    """Apply to an offer. A second submit (double click, another tab) returns the existing candidature."""
    user = _require_student(user)
    text = clean_text(motivation)
    problem = rules.motivation_problem(text)
    if problem:
        raise ValidationError(problem, field="motivation")
    campaign = campaigns.current_campaign()
    try:
        with write_session() as session:
            now = _now(now)
            lycee = session.get(Lycee, user.lycee_id) if user.lycee_id else None
            offer = session.scalar(
                _visible_offers(lycee, campaign.id).where(Offer.id == offer_id).with_for_update()
            )
            if offer is None:
                raise NotFound("Cette offre n'est plus proposée aux élèves.")
            existing = session.scalar(select(Candidature).where(Candidature.offer_id == offer_id,
                                                                Candidature.student_id == user.id))
            if existing is not None and existing.status != Status.WITHDRAWN:
                return _apply_result(existing, False, now)
            if existing is not None and not rules.can_apply_again(existing.status,
                                                                  _withdrawals(session, existing.id)):
                raise ValidationError("Vous avez déjà annulé deux fois votre candidature à cette offre : "
                                      "vous ne pouvez plus y postuler. Choisissez une autre offre.")
            if today_paris(now) < campaign.students_access_on:
                raise ValidationError(
                    f"Les candidatures ouvrent le {fmt_date(campaign.students_access_on)}.")
            if _accepted_count(session, offer.id) >= offer.max_students:
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
            _record(session, cand, before, Status.SUBMITTED, user.id, now)
            student = session.get(User, user.id)
            for director in _school_directors(session, offer.school_id):
                mail.queue_mail(
                    session, kind="new_candidature", to=director.email,
                    subject=f"Nouvelle candidature : {offer.title} (offre n° {offer.id})",
                    text=(f"Bonjour,\n\n{student.full_name} a postulé à votre offre « {offer.title} » "
                          f"({_reference(offer)}, {offer.place_name}).\n\nVous avez jusqu'au {fmt_datetime(deadline)} pour accepter ou "
                          f"refuser cette candidature (délai de {campaign.response_delay_days} jours). Au-delà, "
                          "elle sera annulée et vous ne pourrez plus y répondre."),
                    button=("Voir les candidatures", _link("espace")),
                )
            drafts.discard(user, drafts.motivation_key(offer_id), session)  # sent: the draft has done its job
            result = _apply_result(cand, True, now)
    except IntegrityError:
        # Another request of the same student (double click, second tab) inserted it first.
        with read_session() as session:
            existing = session.scalar(select(Candidature).where(Candidature.offer_id == offer_id,
                                                                Candidature.student_id == user.id))
            if existing is None:
                raise
            return _apply_result(existing, False, _now(now))
    mail.send_now()
    return result


def _apply_result(cand: Candidature, created: bool, now: dt.datetime) -> ApplyResult:
    status = rules.effective_status(cand.status, cand.deadline_at, now)
    return ApplyResult(cand.id, created, rules.LABELS[status], fmt_datetime(cand.deadline_at))


# --------------------------------------------------------------------------- students: their candidatures


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


def my_candidatures(user: CurrentUser, now: dt.datetime | None = None) -> list[StudentCandidature]:
    user = _require_student(user)
    now = _now(now)
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
                commune=cand.offer.place_commune, period_label=_period_label(cand.offer), status=status,
                status_label=rules.LABELS[status], submitted=fmt_datetime(cand.submitted_at),
                deadline=fmt_datetime(cand.deadline_at),
                countdown=rules.countdown(cand.deadline_at, now).text if pending else "",
                refusal_reason=cand.refusal_reason or "", motivation=cand.motivation,
                can_withdraw=pending, can_decline=status == Status.ACCEPTED,
            ))
        return out


def _own_candidature(session: Session, user: CurrentUser, candidature_id: int) -> Candidature:
    cand = session.scalar(select(Candidature).where(Candidature.id == candidature_id).with_for_update())
    if cand is None or cand.student_id != user.id:
        raise NotFound("Candidature introuvable.")
    return cand


def withdraw(user: CurrentUser, candidature_id: int, now: dt.datetime | None = None) -> None:
    """The student cancels a candidature not answered yet."""
    user = _require_student(user)
    with write_session() as session:
        now = _now(now)
        cand = _own_candidature(session, user, candidature_id)
        status = rules.effective_status(cand.status, cand.deadline_at, now)
        if status not in Status.PENDING:
            raise ValidationError(
                f"Cette candidature ne peut plus être annulée : elle est « {rules.LABELS[status]} »."
            )
        before = cand.status
        cand.status, cand.closed_at = Status.WITHDRAWN, now
        _record(session, cand, before, Status.WITHDRAWN, user.id, now)


def decline(user: CurrentUser, candidature_id: int, now: dt.datetime | None = None) -> None:
    """The student gives up an accepted candidature: the place is free again."""
    user = _require_student(user)
    with write_session() as session:
        now = _now(now)
        cand = _own_candidature(session, user, candidature_id)
        if cand.status != Status.ACCEPTED:
            status = rules.effective_status(cand.status, cand.deadline_at, now)
            raise ValidationError(
                f"Seule une candidature acceptée peut être déclinée ; celle-ci est « {rules.LABELS[status]} »."
            )
        cand.status, cand.closed_at = Status.DECLINED, now
        _record(session, cand, Status.ACCEPTED, Status.DECLINED, user.id, now)
        convention = session.scalar(select(Convention).where(Convention.candidature_id == cand.id))
        if convention is not None:
            convention.status = "cancelled"
        student = session.get(User, user.id)
        for director in _school_directors(session, cand.offer.school_id):
            mail.queue_mail(
                session, kind="candidature_declined", to=director.email,
                subject=f"Candidature déclinée : {cand.offer.title} (offre n° {cand.offer.id})",
                text=(f"Bonjour,\n\n{student.full_name} s'est désisté·e de votre offre « {cand.offer.title} » "
                      f"({_reference(cand.offer)}), "
                      "que vous aviez acceptée. La place est de nouveau disponible."),
                button=("Voir les candidatures", _link("espace")),
            )
    mail.send_now()


# --------------------------------------------------------------------------- directors: inbox


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


def _school_candidatures(user: CurrentUser, campaign_id: int | None = None) -> Select:
    """The candidatures to the offers of the director's school (of one campaign, if given)."""
    query = (
        select(Candidature)
        .join(Offer, Offer.id == Candidature.offer_id)
        .where(Offer.school_id == user.school_id)
    )
    return query.where(Offer.campaign_id == campaign_id) if campaign_id else query


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
        can_answer=pending,
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
    now = _now(now)
    with read_session() as session:
        query = (
            _school_candidatures(user, campaign.id)
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
    offer_reference: str = ""


def open_candidature(user: CurrentUser, candidature_id: int, now: dt.datetime | None = None) -> CandidatureDetail:
    """A candidature as its director sees it; opening a received one marks it read."""
    user = require_director(user)
    with write_session() as session:
        now = _now(now)
        cand = session.scalar(_school_candidatures(user).where(Candidature.id == candidature_id))
        if cand is None:
            raise NotFound(NOT_FOUND)
        status = rules.effective_status(cand.status, cand.deadline_at, now)
        if cand.status == Status.SUBMITTED and status == Status.SUBMITTED:
            cand.status, cand.read_at = Status.READ, now
            _record(session, cand, Status.SUBMITTED, Status.READ, user.id, now)
            status = Status.READ
        pending = status in Status.PENDING
        return CandidatureDetail(
            id=cand.id, student_name=cand.student.full_name, student_email=cand.student.email,
            lycee=cand.student.lycee.name if cand.student.lycee else "", offer_title=cand.offer.title,
            period_label=_period_label(cand.offer), offer_reference=_reference(cand.offer),
            motivation=cand.motivation, status=status,
            status_label=rules.LABELS[status], submitted=fmt_datetime(cand.submitted_at),
            deadline=fmt_datetime(cand.deadline_at),
            countdown=rules.countdown(cand.deadline_at, now).text if pending else "",
            refusal_reason=cand.refusal_reason or "", answered=fmt_datetime(cand.answered_at),
            can_answer=pending, why_not=rules.answer_refusal(cand.status, cand.deadline_at, now),
        )


def _lock_for_answer(session: Session, user: CurrentUser, candidature_id: int) -> tuple[Candidature, Offer]:
    """Lock the offer row, then the candidature; check the director's school."""
    offer_id = session.scalar(select(Candidature.offer_id).where(Candidature.id == candidature_id))
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
    _record(session, cand, before, status, user.id, now, comment=comment)


def _accept(session: Session, user: CurrentUser, candidature_id: int) -> str:
    cand, offer = _lock_for_answer(session, user, candidature_id)
    now = utcnow()  # the time of this write transaction, not of the page that was opened
    _check_answerable(cand, now)
    taken = _accepted_count(session, offer.id)
    if taken >= offer.max_students:
        raise ValidationError(
            f"Impossible d'accepter {cand.student.full_name} : l'offre « {offer.title} » n'a plus de place "
            f"disponible ({taken} élève(s) accepté(s) sur {offer.max_students}). Refusez cette candidature, "
            "ou augmentez le nombre d'élèves accueillis dans l'offre."
        )
    _set_answer(session, cand, Status.ACCEPTED, user, now)
    convention = session.scalar(select(Convention).where(Convention.candidature_id == cand.id))
    if convention is None:
        session.add(Convention(candidature_id=cand.id, created_at=now))
    mail.queue_mail(
        session, kind="candidature_accepted", to=cand.student.email,
        subject=f"Candidature acceptée : {offer.title} (offre n° {offer.id})",
        text=(f"Bonjour {cand.student.first_name},\n\nBonne nouvelle : votre candidature au stage « {offer.title} » "
              f"({_reference(offer)}, {offer.place_name}) a été acceptée.\n\nLa convention de stage vous sera "
              "transmise pour signature."),
        button=("Voir mes candidatures", _link("mes-candidatures")),
    )
    return cand.student.full_name


def _refuse(session: Session, user: CurrentUser, candidature_id: int, reason: str) -> str:
    cand, offer = _lock_for_answer(session, user, candidature_id)
    now = utcnow()
    _check_answerable(cand, now)
    cand.refusal_reason = reason
    _set_answer(session, cand, Status.REFUSED, user, now, comment=reason)
    mail.queue_mail(
        session, kind="candidature_refused", to=cand.student.email,
        subject=f"Candidature refusée : {offer.title} (offre n° {offer.id})",
        text=(f"Bonjour {cand.student.first_name},\n\nVotre candidature au stage « {offer.title} » "
              f"({_reference(offer)}, {offer.place_name}) n'a pas été retenue.\n\nMotif : {reason}\n\nD'autres offres vous attendent "
              "sur la plateforme."),
        button=("Voir les offres de stage", _link("offres")),
    )
    return cand.student.full_name


def _clean_reason(reason: str) -> str:
    text = clean_text(reason)
    problem = rules.refusal_problem(text)
    if problem:
        raise ValidationError(problem, field="reason")
    return text


def accept(user: CurrentUser, candidature_id: int) -> str:
    """Accept one candidature; returns the student's name. Refused when no place remains or too late."""
    user = require_director(user)
    with write_session() as session:
        name = _accept(session, user, candidature_id)
    mail.send_now()
    return name


def refuse(user: CurrentUser, candidature_id: int, reason: str) -> str:
    """Refuse one candidature with a required reason (sent to the student)."""
    user = require_director(user)
    text = _clean_reason(reason)
    with write_session() as session:
        name = _refuse(session, user, candidature_id, text)
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


def bulk_accept(user: CurrentUser, candidature_ids: list[int]) -> BulkResult:
    user = require_director(user)
    if not candidature_ids:
        raise ValidationError("Cochez au moins une candidature.")
    return _bulk(user, candidature_ids, lambda s, cid: _accept(s, user, cid))


def bulk_refuse(user: CurrentUser, candidature_ids: list[int], reason: str) -> BulkResult:
    user = require_director(user)
    if not candidature_ids:
        raise ValidationError("Cochez au moins une candidature.")
    text = _clean_reason(reason)
    return _bulk(user, candidature_ids, lambda s, cid: _refuse(s, user, cid, text))


# --------------------------------------------------------------------------- directors: export, conventions


EXPORT_COLUMNS = ["Nom de l'élève", "Adresse électronique", "Intitulé du stage", "N° offre", "Lieu du stage",
                  "Période", "Niveaux", "Statut", "Reçue le", "Réponse attendue avant le", "Répondue le", "Motif du refus", "Motivation"]


def candidatures_frame(user: CurrentUser, now: dt.datetime | None = None) -> pd.DataFrame:
    user = require_director(user)
    campaign_id = campaigns.current_campaign().id
    now = _now(now)
    with read_session() as session:
        rows = [
            [c.student.full_name, c.student.email, c.offer.title, c.offer.id, c.offer.place_name,
             _period_label(c.offer), level_label(c.offer.level_college, c.offer.level_lycee), rules.LABELS[rules.effective_status(c.status, c.deadline_at, now)], fmt_datetime(c.submitted_at),
             fmt_datetime(c.deadline_at), fmt_datetime(c.answered_at), c.refusal_reason or "", c.motivation]
            for c in session.scalars(_school_candidatures(user, campaign_id).order_by(Candidature.submitted_at))
        ]
    return pd.DataFrame(rows, columns=EXPORT_COLUMNS)


def export_candidatures(user: CurrentUser, fmt: str = "csv") -> bytes:
    """The director's candidatures as CSV (``;``, UTF-8 with BOM) or XLSX, formulas neutralised."""
    frame = candidatures_frame(user)
    if fmt == "xlsx":
        return exports.to_xlsx_bytes(frame, "Candidatures")
    return exports.to_csv_bytes(frame)


@dataclass(frozen=True)
class ConventionRow:
    candidature_id: int
    student_name: str
    student_email: str
    offer_title: str
    period_label: str
    accepted_on: str


def list_conventions(user: CurrentUser) -> list[ConventionRow]:
    """The accepted candidatures of the director's school (each has its convention to come)."""
    user = require_director(user)
    campaign_id = campaigns.current_campaign().id
    with read_session() as session:
        return [
            ConventionRow(c.id, c.student.full_name, c.student.email, c.offer.title, _period_label(c.offer),
                          fmt_date(c.answered_at))
            for c in session.scalars(
                _school_candidatures(user, campaign_id).where(Candidature.status == Status.ACCEPTED)
                .options(selectinload(Candidature.student), selectinload(Candidature.offer))  # no query per row
                .order_by(Candidature.answered_at.desc())
            )
        ]


# --------------------------------------------------------------------------- cron


def expire_candidatures(now: dt.datetime | None = None) -> int:
    """Persist the expiry of candidatures past their deadline and tell the students (idempotent)."""
    with write_session() as session:
        now = _now(now)
        due = list(session.scalars(
            select(Candidature).where(Candidature.status.in_(Status.PENDING), Candidature.deadline_at <= now)
            .order_by(Candidature.id).with_for_update()
        ))
        for cand in due:
            before = cand.status
            cand.status, cand.closed_at = Status.EXPIRED, cand.deadline_at
            _record(session, cand, before, Status.EXPIRED, None, now,
                    comment="Délai de réponse dépassé")
            mail.queue_mail(
                session, kind="candidature_expired", to=cand.student.email,
                subject=f"Candidature expirée : {cand.offer.title} (offre n° {cand.offer.id})",
                text=(f"Bonjour {cand.student.first_name},\n\nVotre candidature au stage « {cand.offer.title} » "
                      f"({_reference(cand.offer)}, {cand.offer.place_name}) n'a pas reçu de réponse avant le {fmt_datetime(cand.deadline_at)} : "
                      "elle est expirée.\n\nD'autres offres vous attendent sur la plateforme."),
                button=("Voir les offres de stage", _link("offres")),
            )
    if due:
        mail.send_now()
    return len(due)


def send_reminders(now: dt.datetime | None = None) -> int:
    """Mail each director once about the candidatures of their school expiring within 3 days.

    A candidature is mentioned in one reminder only (``reminder_sent_at``). Returns how many
    mails were queued."""
    sent = 0
    with write_session() as session:
        now = _now(now)
        horizon = now + dt.timedelta(days=rules.REMINDER_DAYS)
        due = list(session.scalars(
            select(Candidature).where(
                Candidature.status.in_(Status.PENDING), Candidature.reminder_sent_at.is_(None),
                Candidature.deadline_at > now, Candidature.deadline_at <= horizon,
            ).order_by(Candidature.deadline_at).with_for_update()
        ))
        by_school: dict[int, list[Candidature]] = defaultdict(list)
        for cand in due:
            if not rules.is_due_for_reminder(cand.status, cand.deadline_at, now, cand.reminder_sent_at):
                continue
            by_school[cand.offer.school_id].append(cand)
        for school_id, cands in by_school.items():
            lines = "\n".join(
                f"- {c.student.full_name}, « {c.offer.title} » ({_reference(c.offer)}) : annulée dans {rules.countdown(c.deadline_at, now).text}"
                f" (le {fmt_datetime(c.deadline_at)})"
                for c in cands
            )
            for director in _school_directors(session, school_id):
                mail.queue_mail(
                    session, kind="candidature_reminder", to=director.email,
                    subject=f"Rappel : {len(cands)} candidature(s) à traiter avant expiration",
                    text=("Bonjour,\n\nCes candidatures expirent dans moins de 3 jours. Sans réponse de votre part, "
                          f"elles seront annulées et vous ne pourrez plus y répondre :\n\n{lines}"),
                    button=("Répondre aux candidatures", _link("espace")),
                )
                sent += 1
            for cand in cands:
                cand.reminder_sent_at = now
    if sent:
        mail.send_now()
    return sent

