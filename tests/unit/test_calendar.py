import datetime as dt

import pytest

from stages.domain.calendar import next_school_year, school_year_for, stage_dates, stage_year
from stages.domain.timeutil import fmt_date, fmt_datetime, fmt_range, paris_to_utc, to_paris


@pytest.mark.parametrize(
    ("year", "start", "end"),
    [(2025, dt.date(2025, 6, 16), dt.date(2025, 6, 27)), (2026, dt.date(2026, 6, 15), dt.date(2026, 6, 26)),
     (2027, dt.date(2027, 6, 14), dt.date(2027, 6, 25))],
)
def test_stage_dates_follow_the_national_rule(year, start, end):
    dates = stage_dates(year)
    assert (dates.week1_start, dates.week2_end) == (start, end)
    assert dates.week1_end == start + dt.timedelta(days=4)
    assert dates.week2_start == start + dt.timedelta(days=7)
    assert dates.week1_start.weekday() == 0 and dates.week2_end.weekday() == 4


def test_friday_before_first_of_july_is_strict():
    # 1 July 2022 was a Friday: the stage ends on the Friday before, 24 June.
    assert stage_dates(2022).week2_end == dt.date(2022, 6, 24)


def test_school_year_turns_on_first_september():
    assert school_year_for(dt.date(2026, 11, 29)) == "2026-2027"
    assert school_year_for(dt.date(2027, 6, 14)) == "2026-2027"
    assert school_year_for(dt.date(2027, 9, 1)) == "2027-2028"
    assert stage_year("2026-2027") == 2027
    assert next_school_year("2026-2027") == "2027-2028"


def test_french_formats():
    assert fmt_date(dt.date(2025, 6, 16)) == "16/06/2025"
    assert fmt_range(dt.date(2025, 6, 16), dt.date(2025, 6, 27)) == "du 16 au 27 juin 2025"
    assert fmt_range(dt.date(2025, 6, 30), dt.date(2025, 7, 4)) == "du 30 juin au 4 juillet 2025"
    # Stored naive UTC, shown in Paris time (UTC+2 in summer, UTC+1 in winter).
    assert fmt_datetime(dt.datetime(2025, 6, 16, 12, 5)) == "16/06/2025 à 14:05"
    assert fmt_datetime(dt.datetime(2025, 12, 16, 12, 5)) == "16/12/2025 à 13:05"
    assert to_paris(dt.datetime(2025, 6, 16, 22, 30)).date() == dt.date(2025, 6, 17)
    assert paris_to_utc(dt.datetime(2025, 6, 16, 14, 5)) == dt.datetime(2025, 6, 16, 12, 5)
