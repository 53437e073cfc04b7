"""Trend of a campaign: coverage and places by week of the campaign, against the previous
campaign of the département when there is one (issue 13).

Week *n* of a campaign is the n-th period of 7 days from the day the offers open
(``stages.domain.coverage.campaign_week``). At the end of each week: *coverage* = écoles of the
scope with at least one offer published by then ÷ écoles of the scope; *places* = places of the
offers published by then. An offer counts from its first publication (``first_published_at``),
even if it was unpublished later: the trend shows how fast the écoles answered, week after week.
Same scope as the dashboard (an IEN: their circonscription).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import func, select

from db import read_session
from db.models import Campaign, Offer, School
from stages.domain import coverage as rules
from stages.domain.timeutil import as_date, today_paris
from stages.services.monitoring.scope import Filters, Scope, resolve_scope, school_where
from stages.services.auth import CurrentUser

COLUMNS = ["campaign", "week", "label", "coverage", "places", "schools_with_offer"]


def _series(session, scope: Scope, campaign: Campaign, schools: int, last_day: dt.date) -> list[dict]:
    where = [Offer.campaign_id == campaign.id, Offer.first_published_at.is_not(None), *school_where(scope)]
    first_per_school = (
        select(Offer.school_id, func.min(Offer.first_published_at).label("first"))
        .join(School, School.id == Offer.school_id).where(*where).group_by(Offer.school_id).subquery()
    )
    school_days = session.execute(
        select(func.date(first_per_school.c.first), func.count()).group_by(func.date(first_per_school.c.first))
    ).all()
    place_days = session.execute(
        select(func.date(Offer.first_published_at), func.coalesce(func.sum(Offer.max_students), 0))
        .join(School, School.id == Offer.school_id).where(*where).group_by(func.date(Offer.first_published_at))
    ).all()
    weeks = max(1, rules.campaign_week(campaign.offers_open_on, last_day))
    new_schools = [0] * (weeks + 1)
    new_places = [0] * (weeks + 1)
    for day, n in school_days:
        new_schools[min(weeks, max(1, rules.campaign_week(campaign.offers_open_on, as_date(day))))] += int(n)
    for day, n in place_days:
        new_places[min(weeks, max(1, rules.campaign_week(campaign.offers_open_on, as_date(day))))] += int(n)
    out, with_offer, places = [], 0, 0
    for week in range(1, weeks + 1):
        with_offer += new_schools[week]
        places += new_places[week]
        out.append({"campaign": f"Campagne {campaign.school_year}", "week": week, "label": f"Semaine {week}",
                    "coverage": with_offer / schools if schools else 0.0, "places": places,
                    "schools_with_offer": with_offer})
    return out


def coverage_trend(user: CurrentUser, filters: Filters | None = None,
                   today: dt.date | None = None) -> pd.DataFrame:
    """One row per (campaign, week): the chosen campaign up to today (or its end), and the previous
    campaign of the département over its whole length."""
    scope = resolve_scope(user, filters)
    today = today or today_paris()
    with read_session() as session:
        current = session.get(Campaign, scope.campaign_id)
        previous = session.scalar(
            select(Campaign).where(Campaign.departement_code == scope.departement_code,
                                   Campaign.school_year < current.school_year)
            .order_by(Campaign.school_year.desc()).limit(1)
        )
        schools = int(session.scalar(select(func.count(School.id)).where(*school_where(scope))) or 0)
        rows = _series(session, scope, current, schools, min(max(today, current.offers_open_on), current.week2_end))
        if previous is not None:
            rows += _series(session, scope, previous, schools, previous.week2_end)
    return pd.DataFrame(rows, columns=COLUMNS)
