"""Catalogue: the offers a student may apply to (filtered, paginated) and one offer's details."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from db import read_session
from db.models import Candidature, Circonscription, Lycee, Offer, School
from stages.domain import candidatures as rules
from stages.domain.ids import parse_id
from stages.domain.text import clean_text
from stages.domain.timeutil import fmt_date, today_paris
from stages.services import campaigns
from stages.services.auth import CurrentUser
from stages.services.candidatures.common import (
    accepted_count,
    accepted_of_offer,
    period_label,
    require_student,
    resolve_now,
    visible_offers,
    withdrawals,
)
from stages.services.errors import NotFound
from stages.services.pagination import clamp, page_count, paginate

PER_PAGE = 10
DAY_NAMES = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"]


def _hours(daily_hours: dict | None) -> list[tuple[str, str]]:
    if not daily_hours:
        return []
    if "tous" in daily_hours:
        start, end = daily_hours["tous"]
        return [("Tous les jours", f"{start} – {end}")]
    return [(day.capitalize(), f"{daily_hours[day][0]} – {daily_hours[day][1]}")
            for day in DAY_NAMES if day in daily_hours and daily_hours[day]]


def _fold(value: str) -> str:
    """Lower case without accents, for searching ("Mâcon" matches "macon")."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", value.casefold()) if not unicodedata.combining(ch))


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


def list_offers(user: CurrentUser, *, commune: str | None = None, circonscription_id: int | None = None,
                text: str | None = None, page: int = 1, per_page: int = PER_PAGE,
                now: dt.datetime | None = None) -> OfferList:
    """The offers a student may apply to: published, current campaign, places left; filtered, paginated."""
    user = require_student(user)
    campaign = campaigns.current_campaign()
    if today_paris(resolve_now(now)) < campaign.students_access_on:
        return OfferList([], 0, 1, 1, [], {}, opens_on=fmt_date(campaign.students_access_on))
    accepted = accepted_of_offer()
    with read_session() as session:
        lycee = session.get(Lycee, user.lycee_id) if user.lycee_id else None
        base = (
            visible_offers(lycee, campaign.id)
            .join(School, School.id == Offer.school_id)
            .where(rules.has_places_clause(Offer.max_students, accepted))
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
        pages = page_count(total, per_page)
        page = clamp(page, total, per_page)
        rows = session.execute(paginate(
            query.add_columns(accepted)
            .options(selectinload(Offer.school).selectinload(School.circonscription))
            .order_by(Offer.published_at.desc(), Offer.id.desc()), page, per_page
        )).all()
        items = [
            OfferCard(
                id=offer.id, title=offer.title, place_name=offer.place_name, commune=offer.place_commune,
                circonscription=offer.school.circonscription.short_name if offer.school.circonscription else "",
                period_label=period_label(offer), max_students=offer.max_students,
                remaining=rules.remaining_places(offer.max_students, taken),
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
    user = require_student(user)
    now = resolve_now(now)
    if parse_id(offer_id) is None:
        raise NotFound("Cette offre n'est plus proposée aux élèves.")
    campaign = campaigns.current_campaign()
    with read_session() as session:
        lycee = session.get(Lycee, user.lycee_id) if user.lycee_id else None
        offer = session.scalar(visible_offers(lycee, campaign.id).where(Offer.id == offer_id))
        mine = session.scalar(select(Candidature).where(Candidature.offer_id == offer_id,
                                                        Candidature.student_id == user.id))
        if offer is None or (today_paris(now) < campaign.students_access_on and mine is None):
            raise NotFound("Cette offre n'est plus proposée aux élèves.")
        remaining = rules.remaining_places(offer.max_students, accepted_count(session, offer.id))
        return OfferDetail(
            id=offer.id, title=offer.title, description=offer.description, place_name=offer.place_name,
            address=" ".join(p for p in (offer.place_address, offer.place_postal_code or "") if p),
            commune=offer.place_commune, employer_name=offer.employer_name, sector=offer.sector or "",
            public_employer_type=(offer.public_employer_type or "") if offer.is_public else "",
            work_environment=offer.work_environment or "", accessibility=offer.accessibility or "",
            period_label=period_label(offer), hours=_hours(offer.daily_hours), lunch_break=offer.lunch_break,
            max_students=offer.max_students, remaining=remaining,
            my_candidature_status=(
                rules.LABELS[rules.effective_status(mine.status, mine.deadline_at, now)] if mine else None
            ),
            can_apply_again=bool(mine) and rules.can_apply_again(mine.status, withdrawals(session, mine.id)),
        )
