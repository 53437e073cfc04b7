"""Historique: every status change (offers, candidatures, accounts, campaigns), filtered, paginated and
exported, and the history of one account.

Every function checks that the caller is a coordinator. Students appear as "Élève", never by name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import String, and_, cast, func, or_, select
from sqlalchemy.orm import aliased

from db import read_session
from db.models import Candidature, Offer, Role, School, StatusChange, User
from stages.domain.candidatures import LABELS as CANDIDATURE_LABELS
from stages.domain.text import clean_text
from stages.domain.timeutil import fmt_datetime, paris_to_utc
from stages.services.admin.account_management import find_account
from stages.services.auth import ROLE_LABELS, CurrentUser
from stages.services.errors import ValidationError
from stages.services.exports import ExportFile, export_file
from stages.services.monitoring.tables import OFFER_STATUS_LABELS
from stages.services.pagination import DEFAULT_PAGE_SIZE, Page, count_rows, paginate
from stages.services.permissions import require_role

USER_STATUS_LABELS = {"active": "Actif", "created": "Créé (non activé)", "deactivated": "Désactivé",
                      "updated": "Modifiée"}
ENTITY_LABELS = {"offer": "Offre", "candidature": "Candidature", "user": "Compte", "campaign": "Campagne"}
HISTORY_COLUMNS = ["Date", "Type", "N°", "Objet", "De", "Vers", "Auteur", "Commentaire"]


def _status_label(entity_type: str, status: str | None) -> str:
    if status is None:
        return ""
    if entity_type == "offer":
        return OFFER_STATUS_LABELS.get(status, status)
    if entity_type == "candidature":
        return CANDIDATURE_LABELS.get(status, status)
    return USER_STATUS_LABELS.get(status, status)


def _history_query():
    author = aliased(User)
    target_user = aliased(User)
    offer = aliased(Offer)
    cand_offer = aliased(Offer)
    school = aliased(School)
    cand_school = aliased(School)
    query = (
        select(StatusChange.id, StatusChange.at, StatusChange.entity_type, StatusChange.entity_id,
               StatusChange.from_status, StatusChange.to_status, StatusChange.comment,
               author.first_name.label("a_first"), author.last_name.label("a_last"), author.role.label("a_role"),
               offer.title.label("o_title"), school.name.label("o_school"), school.uai.label("o_uai"),
               cand_offer.id.label("c_offer"), cand_offer.title.label("c_title"), cand_school.name.label("c_school"),
               cand_school.uai.label("c_uai"), target_user.email.label("u_email"), target_user.role.label("u_role"))
        .select_from(StatusChange)
        .outerjoin(author, author.id == StatusChange.author_id)
        .outerjoin(offer, and_(StatusChange.entity_type == "offer", offer.id == StatusChange.entity_id))
        .outerjoin(school, school.id == offer.school_id)
        .outerjoin(Candidature, and_(StatusChange.entity_type == "candidature",
                                     Candidature.id == StatusChange.entity_id))
        .outerjoin(cand_offer, cand_offer.id == Candidature.offer_id)
        .outerjoin(cand_school, cand_school.id == cand_offer.school_id)
        .outerjoin(target_user, and_(StatusChange.entity_type == "user", target_user.id == StatusChange.entity_id))
        .order_by(StatusChange.at.desc(), StatusChange.id.desc())
    )
    return query, author


def _history_frame(rows) -> pd.DataFrame:
    records = []
    for r in rows:
        if r.entity_type == "offer":
            subject = f"{r.o_title or ''} — {r.o_school or ''} ({r.o_uai or ''})"
        elif r.entity_type == "candidature":
            subject = f"Offre n° {r.c_offer or ''} {r.c_title or ''} — {r.c_school or ''} ({r.c_uai or ''})"
        elif r.entity_type == "user":
            # Students' addresses stay out of the history (and of its export).
            subject = "Compte élève" if r.u_role == Role.STUDENT else (r.u_email or "")
        else:
            subject = ""
        if r.a_role is None:
            who = "Système"
        elif r.a_role == Role.STUDENT:
            who = "Élève"
        else:
            who = f"{r.a_first} {r.a_last} ({ROLE_LABELS.get(r.a_role, r.a_role)})"
        records.append((fmt_datetime(r.at), ENTITY_LABELS.get(r.entity_type, r.entity_type), r.entity_id, subject,
                        _status_label(r.entity_type, r.from_status), _status_label(r.entity_type, r.to_status), who,
                        r.comment or ""))
    return pd.DataFrame(records, columns=HISTORY_COLUMNS)


@dataclass(frozen=True)
class HistoryFilters:
    entity_types: tuple[str, ...] = ("offer", "candidature")
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    author: str = ""


def history(user: CurrentUser, filters: HistoryFilters | None = None, page: int = 1,
            page_size: int | None = DEFAULT_PAGE_SIZE) -> Page:
    """Every status change (offers and candidatures by default), newest first, filtered and paginated.

    Dates are Paris days, inclusive. Students appear as "Élève", never by name."""
    require_role(user, Role.COORDINATOR)
    filters = filters or HistoryFilters()
    unknown = [t for t in filters.entity_types if t not in ENTITY_LABELS]
    if unknown:
        raise ValidationError("Type d'historique inconnu.", field="entity_types")
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise ValidationError("La date de début doit précéder la date de fin.", field="date_to")
    query, author = _history_query()
    if filters.entity_types:
        query = query.where(StatusChange.entity_type.in_(filters.entity_types))
    if filters.date_from:
        query = query.where(StatusChange.at >= paris_to_utc(dt.datetime.combine(filters.date_from, dt.time())))
    if filters.date_to:
        end = dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time())
        query = query.where(StatusChange.at < paris_to_utc(end))
    words = clean_text(filters.author, multiline=False).lower()
    if words:
        pattern = f"%{words}%"
        query = query.where(author.role != Role.STUDENT, or_(
            func.lower(author.first_name + " " + author.last_name).like(pattern), author.email.like(pattern),
            func.lower(cast(author.role, String)).like(pattern)))
    with read_session() as session:
        total = count_rows(session, query)
        query = paginate(query, page, page_size)
        frame = _history_frame(session.execute(query).all())
    return Page(frame, total, page, page_size)


def export_history(user: CurrentUser, fmt: str, filters: HistoryFilters | None = None) -> ExportFile:
    return export_file("historique", history(user, filters, page_size=None).rows, fmt)


def user_history(user: CurrentUser, target_id: int, limit: int = 500) -> pd.DataFrame:
    """The changes of an account (created, activated, deactivated…) and what it changed itself."""
    user = require_role(user, Role.COORDINATOR)
    with read_session() as session:
        find_account(session, user, target_id)
        query, _author = _history_query()
        query = query.where(or_(and_(StatusChange.entity_type == "user", StatusChange.entity_id == target_id),
                                StatusChange.author_id == target_id)).limit(limit)
        return _history_frame(session.execute(query).all())
