"""Campaigns: one per département and school year, with the dates of the national rule."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from db import read_session, write_session
from db.models import Campaign
from stages.domain.vocabulary import Period
from stages.config import get_settings
from stages.domain import candidatures as candidature_rules
from stages.domain.calendar import school_year_for, stage_dates, stage_year
from stages.domain.timeutil import fmt_date, fmt_range, today_paris

DEFAULT_HEAD_OFFICE = "DSDEN 71 - Cité Administrative - 24 bd Henri Dunant - 71000 Mâcon"


@dataclass(frozen=True)
class CampaignView:
    id: int
    departement_code: str
    school_year: str
    week1_start: dt.date
    week1_end: dt.date
    week2_start: dt.date
    week2_end: dt.date
    response_delay_days: int
    offers_open_on: dt.date
    students_access_on: dt.date
    head_office_address: str

    @property
    def period_labels(self) -> dict[str, str]:
        """The three periods in the guide's words."""
        return {
            Period.TWO_WEEKS: f"stage de 2 semaines ({fmt_range(self.week1_start, self.week2_end)})",
            Period.WEEK_1: f"stage de 1 semaine ({fmt_range(self.week1_start, self.week1_end)})",
            Period.WEEK_2: f"stage de 1 semaine ({fmt_range(self.week2_start, self.week2_end)})",
        }

    def period_dates(self, period: str) -> tuple[dt.date, dt.date]:
        return {
            Period.TWO_WEEKS: (self.week1_start, self.week2_end),
            Period.WEEK_1: (self.week1_start, self.week1_end),
            Period.WEEK_2: (self.week2_start, self.week2_end),
        }[period]

    def calendar_rows(self, today: dt.date | None = None) -> list[tuple[str, str]]:
        """The guide's "Calendrier": what opens when."""
        today = today or today_paris()

        def when(day: dt.date) -> str:
            return "Dès maintenant" if day <= today else f"À partir du {fmt_date(day)}"

        return [
            ("Dépôt des offres par les établissements", when(self.offers_open_on)),
            ("Accessibilité des offres pour les élèves", when(self.students_access_on)),
            ("Période de stage des élèves", f"{fmt_date(self.week1_start)} → {fmt_date(self.week2_end)}"),
        ]


def _view(c: Campaign) -> CampaignView:
    return CampaignView(
        id=c.id,
        departement_code=c.departement_code,
        school_year=c.school_year,
        week1_start=c.week1_start,
        week1_end=c.week1_end,
        week2_start=c.week2_start,
        week2_end=c.week2_end,
        response_delay_days=c.response_delay_days,
        offers_open_on=c.offers_open_on,
        students_access_on=c.students_access_on,
        head_office_address=c.head_office_address,
    )


def to_view(c: Campaign) -> CampaignView:
    return _view(c)


def default_campaign_values(school_year: str) -> dict:
    dates = stage_dates(stage_year(school_year))
    start = int(school_year.split("-")[0])
    return {
        "school_year": school_year,
        "week1_start": dates.week1_start,
        "week1_end": dates.week1_end,
        "week2_start": dates.week2_start,
        "week2_end": dates.week2_end,
        "response_delay_days": candidature_rules.DEFAULT_RESPONSE_DELAY_DAYS,
        "offers_open_on": dt.date(start, 9, 1),
        "students_access_on": dt.date(start, 9, 1),
        "head_office_address": DEFAULT_HEAD_OFFICE,
    }


def get_or_create_campaign(session, school_year: str, departement_code: str | None = None) -> Campaign:
    """The campaign of a school year, created with the rule's dates if missing (inside a unit of work)."""
    settings = get_settings()
    dep = departement_code or settings.departement_code
    campaign = session.scalar(
        select(Campaign).where(Campaign.departement_code == dep, Campaign.school_year == school_year)
    )
    if campaign is None:
        campaign = Campaign(departement_code=dep, academie_code=settings.academie_code, **default_campaign_values(school_year))
        session.add(campaign)
        session.flush()
    return campaign


def current_school_year(today: dt.date | None = None) -> str:
    return school_year_for(today or today_paris())


def current_campaign(departement_code: str | None = None, today: dt.date | None = None) -> CampaignView:
    """The campaign of the current school year (created with the default dates on first use)."""
    year = current_school_year(today)
    dep = departement_code or get_settings().departement_code
    with read_session() as session:
        campaign = session.scalar(
            select(Campaign).where(Campaign.departement_code == dep, Campaign.school_year == year)
        )
        if campaign is not None:
            return _view(campaign)
    with write_session() as session:
        return _view(get_or_create_campaign(session, year, dep))


def list_campaigns(departement_code: str | None = None) -> list[CampaignView]:
    dep = departement_code or get_settings().departement_code
    with read_session() as session:
        rows = session.scalars(
            select(Campaign).where(Campaign.departement_code == dep).order_by(Campaign.school_year.desc())
        )
        return [_view(c) for c in rows]
