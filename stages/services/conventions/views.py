"""What each party sees: one row per convention (a light per party, what is missing in words, the
action that is theirs) and the detail of one convention."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from db import read_session
from db.models import Candidature, Convention, ConventionFile, Offer, Role, User
from stages.domain import conventions as rules
from stages.domain.conventions import Party, Status
from stages.domain.timeutil import fmt_date, fmt_datetime, today_paris
from stages.services import campaigns
from stages.services.auth import CurrentUser
from stages.services.conventions import common
from stages.services.permissions import require_role


@dataclass(frozen=True)
class Row:
    id: int
    candidature_id: int
    number: str
    student_name: str
    school_name: str
    lycee_name: str
    offer_title: str
    period_label: str
    start: str
    status: str
    status_label: str
    lights: dict[str, str]  # party -> green | orange | grey
    missing: str
    action: str  # what is the caller's to do, in words
    my_party: str | None
    can_complete: bool
    can_sign: bool
    urgent: bool


@dataclass(frozen=True)
class Detail:
    row: Row
    parts: dict[str, dict]  # party -> its saved values ({} when not completed)
    signatures: list[rules.SignatureLine]
    document_hash: str
    offline_file: str  # "convention.pdf, déposé le …" or ""
    can_upload: bool
    stage_start: dt.date
    history: list[tuple[str, str]] = field(default_factory=list)


def _action(party: str | None, status: str, done: set[str], signed: set[str]) -> str:
    if party is None:
        return ""
    if status == Status.CANCELLED:
        return "Aucune : convention annulée"
    if status in Status.DONE:
        return "Télécharger la convention"
    if party not in done:
        return "Compléter votre partie"
    if status == Status.TO_COMPLETE:
        return "Attendre les autres parties"
    if party not in signed:
        return "Lire et signer la convention"
    return "Attendre les autres signatures"


def to_row(conv: Convention, user: CurrentUser | None, today: dt.date) -> Row:
    cand = conv.candidature
    offer = cand.offer
    view = campaigns.to_view(offer.campaign)
    start, _end = view.period_dates(offer.period)
    status = rules.normalize_status(conv.status)
    done = common.parts_done(conv)
    signed = {s.party for s in conv.signatures if s.invalidated_at is None}
    party = common.party_of(user, conv) if user else None
    open_ = status not in Status.CLOSED
    lycee = cand.student.lycee
    return Row(
        id=conv.id, candidature_id=conv.candidature_id, number=rules.number(offer.campaign.school_year, conv.id, offer.school.departement_code),
        student_name=cand.student.full_name, school_name=f"{offer.school.name} ({offer.school.commune})",
        lycee_name=lycee.name if lycee else "—", offer_title=offer.title,
        period_label=view.period_labels.get(offer.period, offer.period), start=fmt_date(start), status=status,
        status_label=rules.LABELS[status], lights=rules.lights(status, done, signed),
        missing=rules.missing_text(status, done, signed), action=_action(party, status, done, signed),
        my_party=party, can_complete=party is not None and open_,
        can_sign=party is not None and status in (Status.READY, Status.SIGNING) and party not in signed,
        urgent=rules.is_urgent(status, today, start),
    )


def _query(user: CurrentUser):
    query = (select(Convention).join(Candidature, Candidature.id == Convention.candidature_id)
             .join(Offer, Offer.id == Candidature.offer_id)
             .options(selectinload(Convention.signatures),
                      selectinload(Convention.candidature).selectinload(Candidature.offer).selectinload(Offer.school),
                      selectinload(Convention.candidature).selectinload(Candidature.offer)
                      .selectinload(Offer.campaign),
                      selectinload(Convention.candidature).selectinload(Candidature.student)
                      .selectinload(User.lycee)))
    if user.role == Role.STUDENT:
        return query.where(Candidature.student_id == user.id)
    campaign_id = campaigns.current_campaign().id
    query = query.where(Offer.campaign_id == campaign_id)
    if user.role == Role.DIRECTOR:
        return query.where(Offer.school_id == user.school_id)
    return query.join(User, User.id == Candidature.student_id).where(User.lycee_id == user.lycee_id)


def list_for(user: CurrentUser, now: dt.datetime | None = None) -> list[Row]:
    """The caller's conventions: the director's school's, the student's own, the lycée's students'."""
    user = require_role(user, Role.DIRECTOR, Role.STUDENT, Role.LYCEE_HEAD)
    if user.role == Role.DIRECTOR and user.school_id is None or user.role == Role.LYCEE_HEAD and user.lycee_id is None:
        return []
    today = today_paris(now)
    with read_session() as session:
        convs = session.scalars(_query(user).order_by(Convention.id)).all()
        rows = [to_row(c, user, today) for c in convs]
    order = {Status.READY: 0, Status.SIGNING: 0, Status.TO_COMPLETE: 1, Status.SIGNED: 2, Status.SIGNED_OFFLINE: 2,
             Status.CANCELLED: 3}
    return sorted(rows, key=lambda r: (order[r.status], not r.action.startswith(("Compléter", "Lire")), r.student_name))


def for_candidature(user: CurrentUser, candidature_id: int, now: dt.datetime | None = None) -> Row | None:
    """The student's convention row of one candidature (None when it has none)."""
    user = require_role(user, Role.STUDENT)
    return next((row for row in list_for(user, now) if row.candidature_id == candidature_id), None)


def detail(user: CurrentUser, convention_id: int, now: dt.datetime | None = None) -> Detail:
    user = require_role(user, Role.DIRECTOR, Role.STUDENT, Role.LYCEE_HEAD)
    with read_session() as session:
        conv, party = common.get_for(session, user, convention_id)
        row = to_row(conv, user, today_paris(now))
        content = common.content(session, conv)
        stu = dict(conv.student_part or {})
        if stu.get("birth_date"):
            stu["birth_date"] = dt.date.fromisoformat(stu["birth_date"])
        parts = {Party.HOST: dict(conv.host_part or {}), Party.LYCEE: dict(conv.lycee_part or {}),
                 Party.STUDENT: stu}
        file = session.scalar(select(ConventionFile).where(ConventionFile.convention_id == conv.id)
                              .order_by(ConventionFile.id.desc()))
        offline = f"{file.filename}, déposé le {fmt_datetime(file.uploaded_at)}" if file else ""
        start, _end = common.stage_dates(conv.candidature.offer)
        return Detail(row=row, parts=parts, signatures=common.signature_lines(session, conv),
                      document_hash=rules.document_hash(content), offline_file=offline,
                      can_upload=party in (Party.HOST, Party.LYCEE) and row.status not in Status.CLOSED,
                      stage_start=start)
