"""Campagne: a coordinator sets a school year's campaign (periods, delays, opening dates, head office).

Every function checks that the caller is a coordinator and works within the caller's département.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from db import read_session, write_session
from db.models import Campaign, Role, StatusChange
from stages.domain import candidatures as candidature_rules
from stages.domain import placements as placement_rules
from stages.domain.calendar import school_year_for
from stages.domain.text import clean_text
from stages.domain.timeutil import fmt_date, today_paris
from stages.services import campaigns
from stages.services.auth import CurrentUser
from stages.services.errors import ValidationError
from stages.services.permissions import require_role

MIN_DELAY, MAX_DELAY = candidature_rules.MIN_RESPONSE_DELAY_DAYS, candidature_rules.MAX_RESPONSE_DELAY_DAYS
ADDRESS_MIN, ADDRESS_MAX = 8, 200

CAMPAIGN_FIELDS = ("week1_start", "week1_end", "week2_start", "week2_end", "response_delay_days",
                   "offers_open_on", "students_access_on", "head_office_address",
                   "confirmation_delay_days")  # the last: issue 13
FIELD_LABELS = {
    "week1_start": "début de la 1re semaine", "week1_end": "fin de la 1re semaine",
    "week2_start": "début de la 2e semaine", "week2_end": "fin de la 2e semaine",
    "response_delay_days": "délai de réponse", "offers_open_on": "ouverture du dépôt des offres",
    "students_access_on": "accès des élèves", "head_office_address": "adresse du siège",
    "confirmation_delay_days": "délai de confirmation des élèves",
}


@dataclass(frozen=True)
class CampaignForm:
    school_year: str
    values: dict
    defaults: dict  # the national rule's dates for that year
    exists: bool


def school_years(user: CurrentUser) -> list[str]:
    """The school years a coordinator may set: existing campaigns, this year and the next."""
    user = require_role(user, Role.COORDINATOR)
    current = school_year_for(today_paris())
    start = int(current[:4])
    years = {c.school_year for c in campaigns.list_campaigns(user.departement_code)}
    years |= {current, f"{start + 1}-{start + 2}"}
    return sorted(years, reverse=True)


def campaign_form(user: CurrentUser, school_year: str | None = None) -> CampaignForm:
    """The saved settings of a school year's campaign, or the rule's defaults when it has none yet."""
    user = require_role(user, Role.COORDINATOR)
    school_year = school_year or school_year_for(today_paris())
    _check_year(school_year)
    defaults = campaigns.default_campaign_values(school_year)
    with read_session() as session:
        campaign = session.scalar(select(Campaign).where(Campaign.departement_code == user.departement_code,
                                                         Campaign.school_year == school_year))
        if campaign is None:
            return CampaignForm(school_year, dict(defaults), defaults, False)
        values = {name: getattr(campaign, name) for name in CAMPAIGN_FIELDS}
    return CampaignForm(school_year, values, defaults, True)


def _check_year(school_year: str) -> None:
    parts = school_year.split("-")
    if len(parts) != 2 or not all(p.isdigit() and len(p) == 4 for p in parts) or int(parts[1]) != int(parts[0]) + 1:
        raise ValidationError("Année scolaire invalide (format attendu : 2026-2027).", field="school_year")


def validate_campaign(school_year: str, values: dict) -> tuple[dict, dict[str, str]]:
    """Clean and check a campaign's settings; returns (clean values, errors by field)."""
    errors: dict[str, str] = {}
    clean = dict(values)
    start_year = int(school_year[:4])
    first_day, last_day = dt.date(start_year, 9, 1), dt.date(start_year + 1, 8, 31)
    for name in CAMPAIGN_FIELDS:
        if name not in ("response_delay_days", "head_office_address", "confirmation_delay_days") and not isinstance(values.get(name), dt.date):
            errors[name] = f"Indiquez la date ({FIELD_LABELS[name]})."
    if not errors:
        w1s, w1e, w2s, w2e = (values[n] for n in ("week1_start", "week1_end", "week2_start", "week2_end"))
        if w1s.weekday() != 0:
            errors["week1_start"] = f"La 1re semaine doit commencer un lundi (le {fmt_date(w1s)} n'en est pas un)."
        elif w1e != w1s + dt.timedelta(days=4):
            errors["week1_end"] = f"La 1re semaine doit finir le vendredi {fmt_date(w1s + dt.timedelta(days=4))}."
        if w2s != w1s + dt.timedelta(days=7):
            errors["week2_start"] = (f"La 2e semaine doit suivre la 1re : elle commence le lundi "
                                     f"{fmt_date(w1s + dt.timedelta(days=7))}.")
        elif w2e != w2s + dt.timedelta(days=4):
            errors["week2_end"] = f"La 2e semaine doit finir le vendredi {fmt_date(w2s + dt.timedelta(days=4))}."
        if not first_day <= w1s <= last_day or not first_day <= w2e <= last_day:
            errors.setdefault("week1_start", f"Les semaines de stage doivent être dans l'année scolaire {school_year} "
                                             f"(du {fmt_date(first_day)} au {fmt_date(last_day)}).")
        if values["students_access_on"] < values["offers_open_on"]:
            errors["students_access_on"] = "Les élèves ne peuvent pas accéder aux offres avant l'ouverture du dépôt."
        if values["offers_open_on"] >= w1s:
            errors["offers_open_on"] = "Le dépôt des offres doit ouvrir avant le début du stage."
        elif values["students_access_on"] >= w1s:
            errors.setdefault("students_access_on", "L'accès des élèves doit ouvrir avant le début du stage.")
    try:
        delay = int(values.get("response_delay_days"))
    except (TypeError, ValueError):
        delay = None
    if delay is None or not MIN_DELAY <= delay <= MAX_DELAY:
        errors["response_delay_days"] = f"Le délai de réponse doit être entre {MIN_DELAY} et {MAX_DELAY} jours."
    clean["response_delay_days"] = delay
    try:
        confirm = int(values.get("confirmation_delay_days", placement_rules.DEFAULT_CONFIRMATION_DAYS))
    except (TypeError, ValueError):
        confirm = 0
    problem = placement_rules.validate_confirmation_delay(confirm)
    if problem:
        errors["confirmation_delay_days"] = problem
    clean["confirmation_delay_days"] = confirm
    address = clean_text(values.get("head_office_address"), multiline=False)
    if not ADDRESS_MIN <= len(address) <= ADDRESS_MAX:
        errors["head_office_address"] = (f"L'adresse du siège doit faire entre {ADDRESS_MIN} et {ADDRESS_MAX} "
                                         f"caractères ({len(address)} saisis).")
    clean["head_office_address"] = address
    return clean, errors


def save_campaign(user: CurrentUser, school_year: str, values: dict) -> campaigns.CampaignView:
    """Create or update a school year's campaign. Existing offers keep their own head-office
    address; their period labels follow the new dates; deadlines already set stay."""
    user = require_role(user, Role.COORDINATOR)
    _check_year(school_year)
    clean, errors = validate_campaign(school_year, values)
    if errors:
        raise ValidationError(next(iter(errors.values())), errors=errors)
    with write_session() as session:
        campaign = campaigns.get_or_create_campaign(session, school_year, user.departement_code)
        changes = []
        for name in CAMPAIGN_FIELDS:
            if getattr(campaign, name) != clean[name]:
                old = getattr(campaign, name)
                changes.append(f"{FIELD_LABELS[name]} : {fmt_date(old) if isinstance(old, dt.date) else old} → "
                               f"{fmt_date(clean[name]) if isinstance(clean[name], dt.date) else clean[name]}")
                setattr(campaign, name, clean[name])
        if changes:
            session.add(StatusChange(entity_type="campaign", entity_id=campaign.id, from_status=None,
                                     to_status="updated", author_id=user.id, comment=" ; ".join(changes)))
        session.flush()
        return campaigns.to_view(campaign)
