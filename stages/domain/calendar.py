"""The national rule for the dates of the stage de seconde.

The last Friday before 1 July ends the second week; the first week starts on the Monday
11 days before that Friday (2025: 16-27 June; 2026: 15-26 June; 2027: 14-25 June).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class StageDates:
    week1_start: dt.date
    week1_end: dt.date
    week2_start: dt.date
    week2_end: dt.date


def stage_dates(year: int) -> StageDates:
    """The periods of the stage held in June of ``year``."""
    july_first = dt.date(year, 7, 1)
    # Friday is weekday 4; "before 1 July" is strict.
    back = (july_first.weekday() - 4) % 7 or 7
    friday = july_first - dt.timedelta(days=back)
    monday = friday - dt.timedelta(days=11)
    return StageDates(
        week1_start=monday,
        week1_end=monday + dt.timedelta(days=4),
        week2_start=monday + dt.timedelta(days=7),
        week2_end=friday,
    )


def school_year_for(today: dt.date) -> str:
    """The school year a date belongs to, e.g. 29/11/2026 -> "2026-2027" (it turns on 1 September)."""
    start = today.year if today.month >= 9 else today.year - 1
    return f"{start}-{start + 1}"


def stage_year(school_year: str) -> int:
    """The calendar year of the June stage of a school year: "2026-2027" -> 2027."""
    return int(school_year.split("-")[1])


def next_school_year(school_year: str) -> str:
    start = int(school_year.split("-")[0]) + 1
    return f"{start}-{start + 1}"
