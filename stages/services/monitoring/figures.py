"""The dashboard's figures: totals, one row per circonscription, weekly publications, the map."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import case, func, select

from db.models import Campaign, Circonscription, Offer, School
from stages.domain import schools as school_rules
from stages.domain.timeutil import as_date, fmt_date
from stages.services import campaigns
from stages.services.auth import CurrentUser
from stages.services.monitoring.cache import memo, resolve_now
from stages.services.monitoring.scope import NO_CIRCONSCRIPTION, Filters, Scope, resolve_scope, school_where
from stages.services.monitoring.sql import COUNTED, school_stats


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


CIRC_COLUMNS = [
    "circonscription_id", "circonscription", "schools", "schools_with_offer", "coverage", "published_offers",
    "places_offered", *COUNTED, "places_filled", "places_remaining",
]
SUMMED = [name for name in CIRC_COLUMNS if name not in ("circonscription_id", "circonscription", "coverage")]


def dashboard(user: CurrentUser, filters: Filters | None = None, now: dt.datetime | None = None) -> Dashboard:
    """Figures, per-circonscription rows, weekly publications and the map of the schools."""
    scope = resolve_scope(user, filters)
    now = resolve_now(now)
    return memo("dashboard", (scope, now), lambda session: _dashboard(session, scope, now))


def _dashboard(session, scope: Scope, now: dt.datetime) -> Dashboard:
    campaign = campaigns.to_view(session.get(Campaign, scope.campaign_id))
    ss = school_stats(scope, now)
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
        .where(*school_where(scope))
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


def _weekly(session, scope: Scope, campaign: campaigns.CampaignView) -> pd.DataFrame:
    """Offers first published each week (Monday to Sunday, UTC days), every offer ever published."""
    day = func.date(Offer.first_published_at)
    rows = session.execute(
        select(day.label("day"), func.count(Offer.id).label("offers"))
        .join(School, School.id == Offer.school_id)
        .where(Offer.campaign_id == scope.campaign_id, Offer.first_published_at.is_not(None), *school_where(scope))
        .group_by(day)
    ).all()
    per_week: dict[dt.date, int] = {}
    for row in rows:
        d = as_date(row.day)
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
        .where(*school_where(scope))
        .order_by(School.uai)
    ).all()
    frame = school_rules.place_without_coordinates(pd.DataFrame(
        [tuple(r) for r in rows],
        columns=["uai", "name", "commune", "lat", "lon", "circonscription", "offers", "places"],
    ))
    frame["offers"] = frame["offers"].astype(int)
    frame["places"] = frame["places"].astype(int)
    return frame
