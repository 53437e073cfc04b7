"""Time: storage in naive UTC, display in Europe/Paris with French formats."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")

MONTHS = [
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
]
WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]


def utcnow() -> dt.datetime:
    """Now, as a naive UTC datetime (the storage convention)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def to_paris(value: dt.datetime) -> dt.datetime:
    """A stored naive-UTC datetime as an aware Europe/Paris one."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(PARIS)


def paris_to_utc(value: dt.datetime) -> dt.datetime:
    """A Paris wall-clock datetime (naive or aware) as naive UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=PARIS)
    return value.astimezone(dt.UTC).replace(tzinfo=None)


def today_paris(now: dt.datetime | None = None) -> dt.date:
    return to_paris(now or utcnow()).date()


def fmt_date(value: dt.date | dt.datetime | None) -> str:
    """16/06/2025."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = to_paris(value).date()
    return value.strftime("%d/%m/%Y")


def fmt_datetime(value: dt.datetime | None) -> str:
    """16/06/2025 à 14:05 (Paris time)."""
    if value is None:
        return ""
    local = to_paris(value)
    return f"{local:%d/%m/%Y} à {local:%H:%M}"


def fmt_day_month(value: dt.date) -> str:
    """16 juin."""
    return f"{value.day} {MONTHS[value.month - 1]}"


def fmt_long_date(value: dt.date) -> str:
    """16 juin 2025."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def fmt_range(start: dt.date, end: dt.date) -> str:
    """"du 16 au 27 juin 2025", "du 30 juin au 4 juillet 2025", "du 29 décembre 2025 au 2 janvier 2026"."""
    if start.year != end.year:
        return f"du {fmt_long_date(start)} au {fmt_long_date(end)}"
    if start.month != end.month:
        return f"du {fmt_day_month(start)} au {fmt_long_date(end)}"
    return f"du {start.day} au {fmt_long_date(end)}"


def as_date(value) -> dt.date:
    """A day read back from SQL: a date, a datetime, or an ISO text (SQLite)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])
