"""The DSDEN's view of the conventions: figures per circonscription (signed / in progress / not
started) and the table to act on (stages starting within 10 days whose convention is not signed,
with who is missing). Counts and schools only: no student's name. A coordinator sees the
département, an IEN their circonscription only (in every figure, table and export)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select

from db import read_session
from db.models import (Candidature, Circonscription, Convention, ConventionSignature, Lycee, Offer, Role, School,
                       User)
from stages.domain import conventions as rules
from stages.domain.conventions import Status
from stages.domain.timeutil import fmt_date, today_paris
from stages.services import campaigns, exports
from stages.services.auth import CurrentUser
from stages.services.errors import ValidationError
from stages.services.permissions import allowed_circonscription_ids, require_monitoring

FIGURE_COLUMNS = ["Circonscription", "Signées", "En cours", "Non commencées", "Total"]
URGENT_COLUMNS = ["N° de convention", "École d'accueil", "Commune", "Circonscription", "Lycée", "Début du stage",
                  "Jours restants", "État", "Ce qui manque"]


@dataclass(frozen=True)
class UrgentRow:
    convention_id: int
    values: list


def _rows(user: CurrentUser, circonscription_ids: list[int] | None):
    user = require_monitoring(user)
    allowed = allowed_circonscription_ids(user, circonscription_ids)
    campaign = campaigns.current_campaign(user.departement_code)
    query = (select(Convention, Offer.period, School.name, School.commune, School.departement_code,
                    Circonscription.short_name, Lycee.name)
             .join(Candidature, Candidature.id == Convention.candidature_id)
             .join(Offer, Offer.id == Candidature.offer_id)
             .join(School, School.id == Offer.school_id)
             .outerjoin(Circonscription, Circonscription.id == School.circonscription_id)
             .join(User, User.id == Candidature.student_id)
             .outerjoin(Lycee, Lycee.id == User.lycee_id)
             .where(Offer.campaign_id == campaign.id, School.departement_code == user.departement_code))
    if allowed is not None:
        query = query.where(School.circonscription_id.in_(allowed))
    return campaign, query


def can_record_offline(user: CurrentUser) -> bool:
    """Coordinators may record a convention signed on paper (by its number); IENs only watch."""
    return user.role == Role.COORDINATOR


def _category(status: str, conv: Convention) -> str:
    if status in Status.DONE:
        return "Signées"
    if status == Status.TO_COMPLETE and not (conv.host_part or conv.lycee_part or conv.student_part):
        return "Non commencées"
    return "En cours"


def figures(user: CurrentUser, circonscription_ids: list[int] | None = None) -> pd.DataFrame:
    """Conventions signed / in progress / not started per circonscription (cancelled ones left out)."""
    _campaign, query = _rows(user, circonscription_ids)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIGURE_COLUMNS[1:], 0))
    with read_session() as session:
        for conv, _period, _school, _commune, _dep, circ, _lycee in session.execute(query):
            status = rules.normalize_status(conv.status)
            if status == Status.CANCELLED:
                continue
            row = counts[circ or "Sans circonscription"]
            row[_category(status, conv)] += 1
            row["Total"] += 1
    frame = pd.DataFrame([[name, *values.values()] for name, values in sorted(counts.items())],
                         columns=FIGURE_COLUMNS)
    if len(frame):
        total = ["Total", *(int(frame[c].sum()) for c in FIGURE_COLUMNS[1:])]
        frame = pd.concat([frame, pd.DataFrame([total], columns=FIGURE_COLUMNS)], ignore_index=True)
    return frame


def urgent(user: CurrentUser, circonscription_ids: list[int] | None = None,
           now: dt.datetime | None = None) -> list[UrgentRow]:
    """Stages starting within 10 days whose convention is not signed, the soonest first."""
    campaign, query = _rows(user, circonscription_ids)
    today = today_paris(now)
    out = []
    with read_session() as session:
        found = []
        for conv, period, school, commune, dep, circ, lycee in session.execute(query):
            status = rules.normalize_status(conv.status)
            start, _end = campaign.period_dates(period)
            if rules.is_urgent(status, today, start):
                found.append((conv, period, school, commune, dep, circ, lycee, status, start))
        signed = defaultdict(set)
        ids = [f[0].id for f in found]
        for conv_id, party in (session.execute(select(ConventionSignature.convention_id, ConventionSignature.party)
                                               .where(ConventionSignature.convention_id.in_(ids),
                                                      ConventionSignature.invalidated_at.is_(None))) if ids else []):
            signed[conv_id].add(party)
        for conv, _period, school, commune, dep, circ, lycee, status, start in found:
            done = {p for p, part in (("host", conv.host_part), ("lycee", conv.lycee_part),
                                      ("student", conv.student_part)) if part}
            out.append(UrgentRow(conv.id, [
                rules.number(campaign.school_year, conv.id, dep), school, commune, circ or "", lycee or "",
                fmt_date(start), (start - today).days, rules.LABELS[status],
                rules.missing_text(status, done, signed[conv.id]),
            ]))
    return sorted(out, key=lambda r: (r.values[6], r.values[1]))


def urgent_frame(user: CurrentUser, circonscription_ids: list[int] | None = None,
                 now: dt.datetime | None = None) -> pd.DataFrame:
    return pd.DataFrame([r.values for r in urgent(user, circonscription_ids, now)], columns=URGENT_COLUMNS)


EXPORT_NAMES = {"figures": "conventions-par-circonscription", "urgent": "conventions-a-signer-sous-10-jours"}


def export(user: CurrentUser, table: str, fmt: str, circonscription_ids: list[int] | None = None,
           now: dt.datetime | None = None) -> exports.ExportFile:
    """"figures" or "urgent" as CSV (; BOM) or XLSX, formula-safe."""
    if table == "figures":
        frame = figures(user, circonscription_ids)
    elif table == "urgent":
        frame = urgent_frame(user, circonscription_ids, now)
    else:
        raise ValidationError("Tableau inconnu.")
    return exports.export_file(EXPORT_NAMES[table], frame, fmt, sheet_name="Conventions")
