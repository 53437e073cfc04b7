"""Monitoring of a campaign ("Tableau de bord"): offers, places and coverage per circonscription.

Who sees what: a coordinator sees the whole département; an IEN sees their own
circonscription only, whatever ids they pass (``permissions.allowed_circonscription_ids``),
in every figure, table and export.

Every figure is an SQL aggregate (GROUP BY in the database); long tables are paginated.
Definitions (the README's "Monitoring" section says the same):

- *scope*: the schools of the user's département in the chosen circonscriptions and school
  types; the *campaign*: the chosen one, by default the current school year's;
- *schools in the referential*: every school of the scope (whatever its state);
- *published offer*: an offer of the campaign whose status is ``published`` now;
- *schools with an offer*: schools of the scope with at least one published offer;
  *coverage rate* = schools with an offer / schools in the referential;
- *places offered*: sum of ``max_students`` of the published offers;
- *candidatures received*: every candidature (any status) to an offer of the campaign, whatever
  the offer's status now (a candidature can only be sent to a published offer);
- the status of a candidature is its *effective* status: ``expired`` when it is, or when it is
  still waiting (``submitted``/``read``) and its deadline has passed, computed in SQL with the
  current UTC time, so the figures are right without the expiry cron;
- *places filled*: accepted candidatures; *places remaining*: over the published offers, the sum
  of ``max(0, max_students - accepted candidatures of the offer)``.

Caching: results are memoised per (database, function, scope, filters, page, minute) and a
*data version* read with one small query (index lookups: latest ids and ``updated_at`` of
offers, candidatures, schools and campaigns, count of offers, latest status change): any write
changes the version. The version itself is kept for 2 s, and dropped at once after any commit
made by this process, so a write here is seen on the next rerun and one made by another process
within 2 s; the minute in the key keeps the expiry of deadlines exact to the minute.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from math import ceil

import pandas as pd
from sqlalchemy import String, and_, case, cast, exists, func, literal, or_, select

from db import read_session
from db.models import (
    Campaign,
    Candidature,
    CandidatureStatus,
    Circonscription,
    Offer,
    OfferStatus,
    Period,
    School,
    StatusChange,
)
from db.session import write_generation
from stages.config import get_settings
from stages.domain import schools as school_rules
from stages.domain.text import fmt_phone
from stages.domain.timeutil import fmt_date, fmt_datetime, utcnow
from stages.lru import LruCache
from stages.services import campaigns, exports
from stages.services.auth import CurrentUser
from stages.services.errors import NotFound, PermissionDenied, ValidationError
from stages.services.permissions import allowed_circonscription_ids, require_monitoring

SCHOOL_TYPES = ("maternelle", "élémentaire", "primaire")
EXPIRING_DAYS = 3
DEFAULT_PAGE_SIZE = 50
OFFER_STATUS_LABELS = {
    OfferStatus.DRAFT: "Brouillon",
    OfferStatus.PUBLISHED: "Publiée",
    OfferStatus.UNPUBLISHED: "Dépubliée",
    OfferStatus.ARCHIVED: "Archivée",
}
NO_CIRCONSCRIPTION = "Sans circonscription"


# --------------------------------------------------------------------------- inputs and outputs


@dataclass(frozen=True)
class Filters:
    """What the dashboard's filters chose. Empty tuples mean "all"."""

    campaign_id: int | None = None
    circonscription_ids: tuple[int, ...] = ()
    school_types: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()  # "Public" / "Privé" (issue 14)


@dataclass(frozen=True)
class Scope:
    """Filters resolved against the user's rights (``circonscription_ids`` None: the département)."""

    departement_code: str
    campaign_id: int
    circonscription_ids: tuple[int, ...] | None
    school_types: tuple[str, ...]
    sectors: tuple[str, ...] = ()


@dataclass(frozen=True)
class Figures:
    schools: int = 0
    schools_with_offer: int = 0
    published_offers: int = 0
    places_offered: int = 0
    received: int = 0
    accepted: int = 0
    refused: int = 0
    expired: int = 0
    pending: int = 0
    withdrawn: int = 0
    declined: int = 0
    places_filled: int = 0
    places_remaining: int = 0

    @property
    def coverage(self) -> float:
        """Share of the schools with at least one published offer (0..1)."""
        return self.schools_with_offer / self.schools if self.schools else 0.0


@dataclass(frozen=True)
class Dashboard:
    campaign: campaigns.CampaignView
    figures: Figures
    # One row per circonscription, sorted by coverage ascending (the weakest first).
    by_circonscription: pd.DataFrame
    # week_start (date), label, offers: offers first published each week of the campaign.
    weekly: pd.DataFrame
    # One row per school with coordinates: name, commune, circonscription, lat, lon, offers, places.
    schools_map: pd.DataFrame
    now: dt.datetime


@dataclass(frozen=True)
class Page:
    rows: pd.DataFrame
    total: int
    page: int = 1
    page_size: int | None = DEFAULT_PAGE_SIZE

    @property
    def pages(self) -> int:
        if not self.page_size:
            return 1
        return max(1, ceil(self.total / self.page_size))


@dataclass(frozen=True)
class ExportFile:
    file_name: str
    mime: str
    data: bytes


@dataclass(frozen=True)
class CampaignChoice:
    id: int
    label: str


@dataclass(frozen=True)
class FilterChoices:
    campaigns: list[CampaignChoice]
    default_campaign_id: int
    circonscriptions: list[tuple[int, str]] = field(default_factory=list)
    fixed_circonscription: str | None = None  # an IEN: the only circonscription they see
    school_types: tuple[str, ...] = SCHOOL_TYPES


# --------------------------------------------------------------------------- cache


CACHE_SIZE = 256
_cache = LruCache(CACHE_SIZE)


def clear_cache() -> None:
    _cache.clear()
    _version_memo.clear()


VERSION_TTL = 2.0  # seconds: how late another process's write may show (this process's: at once)
_version_memo: dict[str, tuple[int, float, tuple]] = {}


def data_version(session) -> tuple:
    """A cheap fingerprint of what the figures depend on: any write changes it.

    Rows of candidatures, status changes and schools are never deleted, so their ``max(id)`` (one
    index lookup) shows an insert, and ``max(updated_at)`` (indexed) an update; offers can be
    deleted (drafts), hence their count too (the deletion also records a status change).
    Memoised per database for ``VERSION_TTL`` seconds and per write generation of this process
    (``db.session.write_generation``): a commit in this process changes it at once, so the
    version is read at most once per rerun.
    """
    url = get_settings().database_url
    generation = write_generation()
    now = time.monotonic()
    memo = _version_memo.get(url)
    if memo is not None and memo[0] == generation and now - memo[1] < VERSION_TTL:
        return memo[2]

    def sub(stmt):
        return stmt.scalar_subquery()

    row = session.execute(
        select(
            sub(select(func.count(Offer.id))),
            sub(select(func.max(Offer.updated_at))),
            sub(select(func.max(Candidature.id))),
            sub(select(func.max(Candidature.updated_at))),
            sub(select(func.max(StatusChange.id))),
            sub(select(func.max(School.id))),
            sub(select(func.max(School.updated_at))),
            sub(select(func.max(Campaign.updated_at))),
            sub(select(func.max(Circonscription.updated_at))),
        )
    ).one()
    version = tuple(str(v) for v in row)
    _version_memo[url] = (generation, now, version)
    return version


def _memo(name: str, key: tuple, compute: Callable[[object], object]):
    """``compute(session)`` memoised under (database, name, key, data version)."""
    with read_session() as session:
        full_key = (get_settings().database_url, name, key, data_version(session))
        return _cache.get_or_compute(full_key, lambda: compute(session))


def _now(now: dt.datetime | None) -> dt.datetime:
    """The instant the figures are computed at: the current minute unless a test fixes it."""
    return now or utcnow().replace(second=0, microsecond=0)


# --------------------------------------------------------------------------- scope


def filter_choices(user: CurrentUser) -> FilterChoices:
    """The campaigns, circonscriptions and school types a monitoring user may filter on."""
    user = require_monitoring(user)
    current = campaigns.current_campaign(user.departement_code)  # may create it: outside the memo
    allowed = allowed_circonscription_ids(user, None)
    dep = user.departement_code

    def compute(session) -> tuple[list[CampaignChoice], list[tuple[int, str]]]:
        rows = session.scalars(
            select(Campaign).where(Campaign.departement_code == dep).order_by(Campaign.school_year.desc()))
        choices = [CampaignChoice(c.id, f"Campagne {c.school_year}") for c in rows]
        query = (
            select(Circonscription.id, Circonscription.short_name)
            .where(Circonscription.departement_code == dep)
            .where(exists().where(School.circonscription_id == Circonscription.id))
            .order_by(Circonscription.short_name)
        )
        if allowed is not None:
            query = query.where(Circonscription.id.in_(allowed))
        return choices, [(row.id, row.short_name) for row in session.execute(query)]

    key = (dep, None if allowed is None else tuple(sorted(allowed)))
    choices, circs = _memo("filter_choices", key, compute)
    fixed = circs[0][1] if allowed is not None and circs else None
    return FilterChoices(list(choices), current.id, list(circs), fixed)


def resolve_scope(user: CurrentUser, filters: Filters | None = None) -> Scope:
    """Check the user may monitor, and narrow the filters to what they may see."""
    user = require_monitoring(user)
    filters = filters or Filters()
    unknown = [t for t in filters.school_types if t not in SCHOOL_TYPES]
    if unknown:
        raise ValidationError(f"Type d'école inconnu : {', '.join(unknown)}.", field="school_types")
    if any(sector not in school_rules.SECTORS for sector in filters.sectors):
        raise ValidationError("Secteur inconnu : choisissez public ou privé.", field="sectors")
    if filters.campaign_id is None:
        campaign_id = campaigns.current_campaign(user.departement_code).id
    else:
        with read_session() as session:
            campaign = session.get(Campaign, filters.campaign_id)
            if campaign is None or campaign.departement_code != user.departement_code:
                raise NotFound("Campagne introuvable.")
            campaign_id = campaign.id
    allowed = allowed_circonscription_ids(user, list(filters.circonscription_ids))
    return Scope(
        departement_code=user.departement_code,
        campaign_id=campaign_id,
        circonscription_ids=tuple(sorted(set(allowed))) if allowed is not None else None,
        school_types=tuple(sorted(set(filters.school_types))),
        sectors=tuple(sorted(set(filters.sectors))),
    )


def _school_where(scope: Scope) -> list:
    conditions = [School.departement_code == scope.departement_code]
    if scope.circonscription_ids is not None:
        conditions.append(School.circonscription_id.in_(scope.circonscription_ids))
    if scope.school_types:
        conditions.append(School.school_type.in_(scope.school_types))
    if scope.sectors:
        conditions.append(School.sector.in_(scope.sectors))
    return conditions


def effective_status(now: dt.datetime):
    """SQL expression of a candidature's effective status (expired once its deadline passed)."""
    return case(
        (
            and_(Candidature.status.in_(CandidatureStatus.PENDING), Candidature.deadline_at <= now),
            literal(CandidatureStatus.EXPIRED),
        ),
        else_=Candidature.status,
    )


def _offer_stats(scope: Scope, now: dt.datetime):
    """One row per offer of the campaign in scope, with its candidatures counted by effective status."""
    eff = effective_status(now)

    def count_if(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    return (
        select(
            Offer.id.label("offer_id"),
            Offer.school_id.label("school_id"),
            Offer.status.label("status"),
            Offer.max_students.label("max_students"),
            func.count(Candidature.id).label("received"),
            count_if(eff == CandidatureStatus.ACCEPTED).label("accepted"),
            count_if(eff == CandidatureStatus.REFUSED).label("refused"),
            count_if(eff == CandidatureStatus.EXPIRED).label("expired"),
            count_if(eff.in_(CandidatureStatus.PENDING)).label("pending"),
            count_if(eff == CandidatureStatus.WITHDRAWN).label("withdrawn"),
            count_if(eff == CandidatureStatus.DECLINED).label("declined"),
        )
        .select_from(Offer)
        .join(School, School.id == Offer.school_id)
        .outerjoin(Candidature, Candidature.offer_id == Offer.id)
        .where(Offer.campaign_id == scope.campaign_id, *_school_where(scope))
        .group_by(Offer.id, Offer.school_id, Offer.status, Offer.max_students)
        .subquery("offer_stats")
    )


COUNTED = ("received", "accepted", "refused", "expired", "pending", "withdrawn", "declined")


def _school_stats(scope: Scope, now: dt.datetime):
    """One row per school having offers in the campaign: offers, places and candidatures."""
    o = _offer_stats(scope, now)
    published = o.c.status == OfferStatus.PUBLISHED
    return (
        select(
            o.c.school_id,
            func.sum(case((published, 1), else_=0)).label("published_offers"),
            func.sum(case((published, o.c.max_students), else_=0)).label("places_offered"),
            *[func.sum(getattr(o.c, name)).label(name) for name in COUNTED],
            func.sum(
                case(
                    (and_(published, o.c.max_students > o.c.accepted), o.c.max_students - o.c.accepted),
                    else_=0,
                )
            ).label("places_remaining"),
        )
        .group_by(o.c.school_id)
        .subquery("school_stats")
    )


# --------------------------------------------------------------------------- dashboard


CIRC_COLUMNS = [
    "circonscription_id", "circonscription", "schools", "schools_with_offer", "coverage", "published_offers",
    "places_offered", *COUNTED, "places_filled", "places_remaining",
]
SUMMED = [name for name in CIRC_COLUMNS if name not in ("circonscription_id", "circonscription", "coverage")]


def dashboard(user: CurrentUser, filters: Filters | None = None, now: dt.datetime | None = None) -> Dashboard:
    """Figures, per-circonscription rows, weekly publications and the map of the schools."""
    scope = resolve_scope(user, filters)
    now = _now(now)
    return _memo("dashboard", (scope, now), lambda session: _dashboard(session, scope, now))


def _dashboard(session, scope: Scope, now: dt.datetime) -> Dashboard:
    campaign = campaigns.to_view(session.get(Campaign, scope.campaign_id))
    ss = _school_stats(scope, now)
    with_offer = case((ss.c.published_offers > 0, 1), else_=0)

    def total(column):
        return func.coalesce(func.sum(column), 0)

    rows = session.execute(
        select(
            School.circonscription_id,
            func.count(School.id).label("schools"),
            func.coalesce(func.sum(with_offer), 0).label("schools_with_offer"),
            total(ss.c.published_offers).label("published_offers"),
            total(ss.c.places_offered).label("places_offered"),
            *[total(getattr(ss.c, name)).label(name) for name in COUNTED],
            total(ss.c.places_remaining).label("places_remaining"),
        )
        .select_from(School)
        .outerjoin(ss, ss.c.school_id == School.id)
        .where(*_school_where(scope))
        .group_by(School.circonscription_id)
    ).all()
    names = dict(session.execute(select(Circonscription.id, Circonscription.short_name)).all())
    records = []
    for row in rows:
        record = {name: int(getattr(row, name)) for name in SUMMED if hasattr(row, name)}
        record["circonscription_id"] = row.circonscription_id
        record["circonscription"] = names.get(row.circonscription_id, NO_CIRCONSCRIPTION)
        record["places_filled"] = record["accepted"]
        record["coverage"] = record["schools_with_offer"] / record["schools"] if record["schools"] else 0.0
        records.append(record)
    by_circ = pd.DataFrame(records, columns=CIRC_COLUMNS)
    if not by_circ.empty:
        by_circ = by_circ.sort_values(["coverage", "circonscription"], kind="stable").reset_index(drop=True)
    sums = {name: int(by_circ[name].sum()) if not by_circ.empty else 0 for name in SUMMED}
    figures = Figures(**sums)
    return Dashboard(
        campaign=campaign,
        figures=figures,
        by_circonscription=by_circ,
        weekly=_weekly(session, scope, campaign),
        schools_map=_schools_map(session, scope, ss),
        now=now,
    )


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _weekly(session, scope: Scope, campaign: campaigns.CampaignView) -> pd.DataFrame:
    """Offers first published each week (Monday to Sunday, UTC days), every offer ever published."""
    day = func.date(Offer.first_published_at)
    rows = session.execute(
        select(day.label("day"), func.count(Offer.id).label("offers"))
        .join(School, School.id == Offer.school_id)
        .where(Offer.campaign_id == scope.campaign_id, Offer.first_published_at.is_not(None), *_school_where(scope))
        .group_by(day)
    ).all()
    per_week: dict[dt.date, int] = {}
    for row in rows:
        d = _as_date(row.day)
        monday = d - dt.timedelta(days=d.weekday())
        per_week[monday] = per_week.get(monday, 0) + int(row.offers)
    if not per_week:
        return pd.DataFrame(columns=["week_start", "label", "offers"])
    start = min(per_week)
    opening = campaign.offers_open_on - dt.timedelta(days=campaign.offers_open_on.weekday())
    start = min(start, opening) if opening <= max(per_week) else start
    weeks = []
    week = start
    while week <= max(per_week):
        weeks.append({"week_start": week, "label": f"Semaine du {fmt_date(week)}", "offers": per_week.get(week, 0)})
        week += dt.timedelta(days=7)
    return pd.DataFrame(weeks, columns=["week_start", "label", "offers"])


def _schools_map(session, scope: Scope, ss) -> pd.DataFrame:
    rows = session.execute(
        select(
            School.uai, School.name, School.commune, School.latitude, School.longitude,
            func.coalesce(Circonscription.short_name, NO_CIRCONSCRIPTION).label("circonscription"),
            func.coalesce(ss.c.published_offers, 0).label("offers"),
            func.coalesce(ss.c.places_offered, 0).label("places"),
        )
        .select_from(School)
        .outerjoin(Circonscription, Circonscription.id == School.circonscription_id)
        .outerjoin(ss, ss.c.school_id == School.id)
        .where(*_school_where(scope))
        .order_by(School.uai)
    ).all()
    frame = school_rules.place_without_coordinates(pd.DataFrame(
        [tuple(r) for r in rows],
        columns=["uai", "name", "commune", "lat", "lon", "circonscription", "offers", "places"],
    ))
    frame["offers"] = frame["offers"].astype(int)
    frame["places"] = frame["places"].astype(int)
    return frame


# --------------------------------------------------------------------------- tables to act on


def _paginate(query, page: int, page_size: int | None):
    if page_size:
        page = max(1, int(page))
        return query.limit(page_size).offset((page - 1) * page_size)
    return query


def _count(session, query) -> int:
    return int(session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0)


SCHOOLS_WITHOUT_OFFER_COLUMNS = [
    "Circonscription", "UAI", "École", "Type", "Commune", "Téléphone", "Courriel", "Offre en cours de saisie",
]


def schools_without_offer(user: CurrentUser, filters: Filters | None = None, page: int = 1,
                          page_size: int | None = DEFAULT_PAGE_SIZE, now: dt.datetime | None = None) -> Page:
    """Schools of the scope without any published offer in the campaign, with whom to call."""
    scope = resolve_scope(user, filters)
    now = _now(now)

    def compute(session) -> Page:
        published = exists().where(
            Offer.school_id == School.id, Offer.campaign_id == scope.campaign_id, Offer.status == OfferStatus.PUBLISHED
        )
        draft = exists().where(
            Offer.school_id == School.id, Offer.campaign_id == scope.campaign_id, Offer.status == OfferStatus.DRAFT
        )
        query = (
            select(
                func.coalesce(Circonscription.short_name, NO_CIRCONSCRIPTION).label("circ"),
                School.uai, School.name, School.school_type, School.commune, School.phone, School.email,
                draft.label("draft"),
            )
            .select_from(School)
            .outerjoin(Circonscription, Circonscription.id == School.circonscription_id)
            .where(~published, *_school_where(scope))
            .order_by(Circonscription.short_name, School.commune, School.name, School.uai)
        )
        total = _count(session, query)
        rows = session.execute(_paginate(query, page, page_size)).all()
        frame = pd.DataFrame(
            [(r.circ, r.uai, r.name, r.school_type, r.commune, fmt_phone(r.phone), r.email or "",
              "Oui" if r.draft else "Non") for r in rows],
            columns=SCHOOLS_WITHOUT_OFFER_COLUMNS,
        )
        return Page(frame, total, page, page_size)

    return _memo("schools_without_offer", (scope, page, page_size, now), compute)


EXPIRING_COLUMNS = [
    "Circonscription", "UAI", "École", "Commune", "Téléphone", "Courriel", "Candidatures à échéance",
    "Première échéance",
]


def expiring_candidatures(user: CurrentUser, filters: Filters | None = None, page: int = 1,
                          page_size: int | None = DEFAULT_PAGE_SIZE, now: dt.datetime | None = None,
                          days: int = EXPIRING_DAYS) -> Page:
    """Per school, the candidatures still waiting for an answer whose deadline falls within ``days``.

    No student data: the coordinator calls the school, not the student.
    """
    scope = resolve_scope(user, filters)
    now = _now(now)

    def compute(session) -> Page:
        first = func.min(Candidature.deadline_at)
        query = (
            select(
                func.coalesce(Circonscription.short_name, NO_CIRCONSCRIPTION).label("circ"),
                School.uai, School.name, School.commune, School.phone, School.email,
                func.count(Candidature.id).label("n"), first.label("first"),
            )
            .select_from(Candidature)
            .join(Offer, Offer.id == Candidature.offer_id)
            .join(School, School.id == Offer.school_id)
            .outerjoin(Circonscription, Circonscription.id == School.circonscription_id)
            .where(
                Offer.campaign_id == scope.campaign_id,
                Candidature.status.in_(CandidatureStatus.PENDING),
                Candidature.deadline_at > now,
                Candidature.deadline_at <= now + dt.timedelta(days=days),
                *_school_where(scope),
            )
            .group_by(Circonscription.short_name, School.id, School.uai, School.name, School.commune,
                      School.phone, School.email)
            .order_by(first, School.uai)
        )
        total = _count(session, query)
        rows = session.execute(_paginate(query, page, page_size)).all()
        frame = pd.DataFrame(
            [(r.circ, r.uai, r.name, r.commune, fmt_phone(r.phone), r.email or "", int(r.n), fmt_datetime(r.first))
             for r in rows],
            columns=EXPIRING_COLUMNS,
        )
        return Page(frame, total, page, page_size)

    return _memo("expiring", (scope, page, page_size, now, days), compute)


# The DSDEN's guidance (guide "Déposer une offre", step 3): lycéens only, the two weeks, hours given.
GUIDANCE_LEVEL = "Niveau « Collégiens » coché"
GUIDANCE_PERIOD = "Période autre que les 2 semaines"
GUIDANCE_HOURS = "Horaires manquants"


def _hours_missing(daily_hours) -> bool:
    """No day with both a start and an end time."""
    if not isinstance(daily_hours, dict):
        return True
    return not any(isinstance(v, list | tuple) and len(v) == 2 and all(v) for v in daily_hours.values())


def guidance_problems(level_college: bool, period: str, daily_hours) -> list[str]:
    """What breaks the DSDEN's guidance on level, period and hours (empty list: nothing).

    The offers' own rule (``stages.domain.offers.guidance_problems``) decides when it exists;
    given only these three fields, it checks only them.
    """
    try:
        from stages.domain.offers import guidance_problems as offer_rule
    except ImportError:  # pragma: no cover - the offers module ships with the app
        offer_rule = None
    if offer_rule is not None:
        return list(offer_rule({"level_college": level_college, "period": period, "daily_hours": daily_hours}))
    problems = []
    if level_college:
        problems.append(GUIDANCE_LEVEL)
    if period != Period.TWO_WEEKS:
        problems.append(GUIDANCE_PERIOD)
    if _hours_missing(daily_hours):
        problems.append(GUIDANCE_HOURS)
    return problems


GUIDANCE_COLUMNS = ["Circonscription", "UAI", "École", "Commune", "N° offre", "Intitulé", "Statut", "Problèmes"]


def guidance_offers(user: CurrentUser, filters: Filters | None = None, page: int = 1,
                    page_size: int | None = DEFAULT_PAGE_SIZE, now: dt.datetime | None = None) -> Page:
    """Published or unpublished offers that break the DSDEN's guidance (level, period, hours).

    SQL keeps the candidates (collégiens, another period, hours empty or with an empty value);
    the exact rule then runs on those few rows.
    """
    scope = resolve_scope(user, filters)
    now = _now(now)

    def compute(session) -> Page:
        hours_text = cast(Offer.daily_hours, String)
        query = (
            select(
                func.coalesce(Circonscription.short_name, NO_CIRCONSCRIPTION).label("circ"),
                School.uai, School.name, School.commune, Offer.id, Offer.title, Offer.status,
                Offer.level_college, Offer.period, Offer.daily_hours,
            )
            .select_from(Offer)
            .join(School, School.id == Offer.school_id)
            .outerjoin(Circonscription, Circonscription.id == School.circonscription_id)
            .where(
                Offer.campaign_id == scope.campaign_id,
                Offer.status.in_((OfferStatus.PUBLISHED, OfferStatus.UNPUBLISHED)),
                or_(
                    Offer.level_college.is_(True),
                    Offer.period != Period.TWO_WEEKS,
                    Offer.daily_hours.is_(None),
                    hours_text.in_(("null", "{}", "[]", "")),
                    hours_text.like('%""%'),
                    hours_text.like("%null%"),
                ),
                *_school_where(scope),
            )
            .order_by(Circonscription.short_name, School.name, Offer.id)
        )
        records = []
        for r in session.execute(query):
            problems = guidance_problems(bool(r.level_college), r.period, r.daily_hours)
            if problems:
                records.append((r.circ, r.uai, r.name, r.commune, r.id, r.title,
                                OFFER_STATUS_LABELS.get(r.status, r.status), " ; ".join(problems)))
        total = len(records)
        if page_size:
            start = (max(1, page) - 1) * page_size
            records = records[start : start + page_size]
        return Page(pd.DataFrame(records, columns=GUIDANCE_COLUMNS), total, page, page_size)

    return _memo("guidance", (scope, page, page_size, now), compute)


DRILL_COLUMNS = [
    "UAI", "École", "Type", "Commune", "Offres publiées", "Places offertes", "Candidatures reçues", "Acceptées",
    "Refusées", "Expirées", "En attente", "Places pourvues", "Places restantes",
]


def circonscription_schools(user: CurrentUser, circonscription_id: int | None, filters: Filters | None = None,
                            page: int = 1, page_size: int | None = DEFAULT_PAGE_SIZE,
                            now: dt.datetime | None = None) -> Page:
    """Drill-down: the schools of one circonscription with their offers, places and candidatures."""
    scope = resolve_scope(user, filters)
    if scope.circonscription_ids is not None and circonscription_id not in scope.circonscription_ids:
        raise PermissionDenied("Cette circonscription n'est pas dans votre périmètre.")
    now = _now(now)

    def compute(session) -> Page:
        ss = _school_stats(scope, now)

        def v(name):
            return func.coalesce(getattr(ss.c, name), 0).label(name)

        circ_condition = (
            School.circonscription_id.is_(None) if circonscription_id is None
            else School.circonscription_id == circonscription_id
        )
        query = (
            select(
                School.uai, School.name, School.school_type, School.commune, v("published_offers"),
                v("places_offered"), v("received"), v("accepted"), v("refused"), v("expired"), v("pending"),
                v("places_remaining"),
            )
            .select_from(School)
            .outerjoin(ss, ss.c.school_id == School.id)
            .where(circ_condition, *_school_where(scope))
            .order_by(School.commune, School.name, School.uai)
        )
        total = _count(session, query)
        rows = session.execute(_paginate(query, page, page_size)).all()
        frame = pd.DataFrame(
            [(r.uai, r.name, r.school_type, r.commune, int(r.published_offers), int(r.places_offered),
              int(r.received), int(r.accepted), int(r.refused), int(r.expired), int(r.pending), int(r.accepted),
              int(r.places_remaining)) for r in rows],
            columns=DRILL_COLUMNS,
        )
        return Page(frame, total, page, page_size)

    return _memo("drill", (scope, circonscription_id, page, page_size, now), compute)


OFFER_COLUMNS = [
    "Circonscription", "UAI", "École", "Commune", "N° offre", "Intitulé", "Statut", "Période", "Places",
    "Candidatures reçues", "Acceptées", "Places restantes", "Collégiens", "Première publication",
    "Dernière modification",
]


def all_offers(user: CurrentUser, filters: Filters | None = None, page: int = 1,
               page_size: int | None = DEFAULT_PAGE_SIZE, now: dt.datetime | None = None) -> Page:
    """Every offer of the campaign in scope (drafts included), one row each, with its candidatures."""
    scope = resolve_scope(user, filters)
    now = _now(now)

    def compute(session) -> Page:
        campaign = campaigns.to_view(session.get(Campaign, scope.campaign_id))
        o = _offer_stats(scope, now)
        query = (
            select(
                func.coalesce(Circonscription.short_name, NO_CIRCONSCRIPTION).label("circ"),
                School.uai, School.name.label("school"), School.commune, Offer.id, Offer.title, Offer.status,
                Offer.period, Offer.max_students, o.c.received, o.c.accepted, Offer.level_college,
                Offer.first_published_at, Offer.updated_at,
            )
            .select_from(Offer)
            .join(o, o.c.offer_id == Offer.id)
            .join(School, School.id == Offer.school_id)
            .outerjoin(Circonscription, Circonscription.id == School.circonscription_id)
            .order_by(Circonscription.short_name, School.name, Offer.id)
        )
        total = _count(session, query)
        rows = session.execute(_paginate(query, page, page_size)).all()
        labels = campaign.period_labels
        frame = pd.DataFrame(
            [(r.circ, r.uai, r.school, r.commune, r.id, r.title, OFFER_STATUS_LABELS.get(r.status, r.status),
              labels.get(r.period, r.period), int(r.max_students), int(r.received), int(r.accepted),
              max(0, int(r.max_students) - int(r.accepted)) if r.status == OfferStatus.PUBLISHED else 0,
              "Oui" if r.level_college else "Non", fmt_date(r.first_published_at), fmt_datetime(r.updated_at))
             for r in rows],
            columns=OFFER_COLUMNS,
        )
        return Page(frame, total, page, page_size)

    return _memo("offers", (scope, page, page_size, now), compute)


CIRC_EXPORT_LABELS = {
    "circonscription": "Circonscription", "schools": "Écoles", "schools_with_offer": "Écoles avec une offre",
    "coverage": "Taux de couverture (%)", "published_offers": "Offres publiées", "places_offered": "Places offertes",
    "received": "Candidatures reçues", "accepted": "Acceptées", "refused": "Refusées", "expired": "Expirées",
    "pending": "En attente", "withdrawn": "Annulées par l'élève", "declined": "Déclinées par l'élève",
    "places_filled": "Places pourvues", "places_remaining": "Places restantes",
}


def circonscription_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The per-circonscription rows with French headers (coverage in %)."""
    out = frame[list(CIRC_EXPORT_LABELS)].copy()
    out["coverage"] = (out["coverage"] * 100).round(1)
    return out.rename(columns=CIRC_EXPORT_LABELS)


# --------------------------------------------------------------------------- exports

EXPORTS = {
    "circonscriptions": "synthese-circonscriptions",
    "schools_without_offer": "ecoles-sans-offre",
    "expiring": "candidatures-a-echeance",
    "guidance": "offres-hors-consignes",
    "drilldown": "ecoles-de-la-circonscription",
    "offers": "toutes-les-offres",
}


def export_file(name: str, frame: pd.DataFrame, fmt: str) -> ExportFile:
    if fmt == "csv":
        return ExportFile(f"{name}.csv", "text/csv", exports.to_csv_bytes(frame))
    if fmt == "xlsx":
        return ExportFile(
            f"{name}.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            exports.to_xlsx_bytes(frame, sheet_name=name),
        )
    raise ValidationError("Format d'export inconnu : choisissez CSV ou XLSX.", field="format")


def export_table(user: CurrentUser, table: str, fmt: str, filters: Filters | None = None,
                 circonscription_id: int | None = None, now: dt.datetime | None = None) -> ExportFile:
    """A whole table (every page) as CSV (``;``, UTF-8 with BOM) or XLSX, formula-safe.

    The same permission checks as on screen apply: an IEN's export holds their circonscription only.
    """
    if table not in EXPORTS:
        raise ValidationError("Tableau inconnu.", field="table")
    if table == "circonscriptions":
        frame = circonscription_table(dashboard(user, filters, now).by_circonscription)
    elif table == "schools_without_offer":
        frame = schools_without_offer(user, filters, page_size=None, now=now).rows
    elif table == "expiring":
        frame = expiring_candidatures(user, filters, page_size=None, now=now).rows
    elif table == "guidance":
        frame = guidance_offers(user, filters, page_size=None, now=now).rows
    elif table == "drilldown":
        frame = circonscription_schools(user, circonscription_id, filters, page_size=None, now=now).rows
    else:
        frame = all_offers(user, filters, page_size=None, now=now).rows
    return export_file(EXPORTS[table], frame, fmt)
