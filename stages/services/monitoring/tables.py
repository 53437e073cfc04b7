"""The lists to act on, paginated: schools without an offer, candidatures about to expire,
offers outside the DSDEN's guidance, the schools of one circonscription, every offer."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import exists, func, select

from db.models import Campaign, Candidature, Circonscription, Offer, OfferStatus, School
from stages.domain import candidatures as rules
from stages.domain import offers as offer_rules
from stages.domain.text import fmt_phone
from stages.domain.timeutil import fmt_date, fmt_datetime
from stages.services import campaigns
from stages.services.auth import CurrentUser
from stages.services.errors import PermissionDenied
from stages.services.monitoring.cache import memo, resolve_now
from stages.services.monitoring.scope import NO_CIRCONSCRIPTION, Filters, resolve_scope, school_where
from stages.services.monitoring.sql import offer_stats, school_stats
from stages.services.pagination import DEFAULT_PAGE_SIZE, Page, count_rows, paginate, slice_rows

OFFER_STATUS_LABELS = {
    OfferStatus.DRAFT: "Brouillon",
    OfferStatus.PUBLISHED: "Publiée",
    OfferStatus.UNPUBLISHED: "Dépubliée",
    OfferStatus.ARCHIVED: "Archivée",
}


SCHOOLS_WITHOUT_OFFER_COLUMNS = [
    "Circonscription", "UAI", "École", "Type", "Commune", "Téléphone", "Courriel", "Offre en cours de saisie",
]


def schools_without_offer(user: CurrentUser, filters: Filters | None = None, page: int = 1,
                          page_size: int | None = DEFAULT_PAGE_SIZE, now: dt.datetime | None = None) -> Page:
    """Schools of the scope without any published offer in the campaign, with whom to call."""
    scope = resolve_scope(user, filters)
    now = resolve_now(now)

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
            .where(~published, *school_where(scope))
            .order_by(Circonscription.short_name, School.commune, School.name, School.uai)
        )
        total = count_rows(session, query)
        rows = session.execute(paginate(query, page, page_size)).all()
        frame = pd.DataFrame(
            [(r.circ, r.uai, r.name, r.school_type, r.commune, fmt_phone(r.phone), r.email or "",
              "Oui" if r.draft else "Non") for r in rows],
            columns=SCHOOLS_WITHOUT_OFFER_COLUMNS,
        )
        return Page(frame, total, page, page_size)

    return memo("schools_without_offer", (scope, page, page_size, now), compute)


EXPIRING_COLUMNS = [
    "Circonscription", "UAI", "École", "Commune", "Téléphone", "Courriel", "Candidatures à échéance",
    "Première échéance",
]


def expiring_candidatures(user: CurrentUser, filters: Filters | None = None, page: int = 1,
                          page_size: int | None = DEFAULT_PAGE_SIZE, now: dt.datetime | None = None,
                          days: int = rules.EXPIRING_DAYS) -> Page:
    """Per school, the candidatures still waiting for an answer whose deadline falls within ``days``.

    No student data: the coordinator calls the school, not the student.
    """
    scope = resolve_scope(user, filters)
    now = resolve_now(now)

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
                rules.expiring_clause(Candidature, now, days),
                *school_where(scope),
            )
            .group_by(Circonscription.short_name, School.id, School.uai, School.name, School.commune,
                      School.phone, School.email)
            .order_by(first, School.uai)
        )
        total = count_rows(session, query)
        rows = session.execute(paginate(query, page, page_size)).all()
        frame = pd.DataFrame(
            [(r.circ, r.uai, r.name, r.commune, fmt_phone(r.phone), r.email or "", int(r.n), fmt_datetime(r.first))
             for r in rows],
            columns=EXPIRING_COLUMNS,
        )
        return Page(frame, total, page, page_size)

    return memo("expiring", (scope, page, page_size, now, days), compute)


GUIDANCE_COLUMNS = ["Circonscription", "UAI", "École", "Commune", "N° offre", "Intitulé", "Statut", "Problèmes"]


def guidance_offers(user: CurrentUser, filters: Filters | None = None, page: int = 1,
                    page_size: int | None = DEFAULT_PAGE_SIZE, now: dt.datetime | None = None) -> Page:
    """Published or unpublished offers that break the DSDEN's guidance, with the reasons.

    The reasons are those of the director's card: the one rule ``stages.domain.offers.guidance_problems``
    runs on every field it reads (``GUIDANCE_FIELDS``) of each offer of the scope.
    """
    scope = resolve_scope(user, filters)
    now = resolve_now(now)

    def compute(session) -> Page:
        fields = [getattr(Offer, name) for name in offer_rules.GUIDANCE_FIELDS]
        query = (
            select(
                func.coalesce(Circonscription.short_name, NO_CIRCONSCRIPTION).label("circ"),
                School.uai, School.name.label("school_name"), School.commune, Offer.id.label("offer_id"),
                Offer.title, Offer.status, *fields,
            )
            .select_from(Offer)
            .join(School, School.id == Offer.school_id)
            .outerjoin(Circonscription, Circonscription.id == School.circonscription_id)
            .where(
                Offer.campaign_id == scope.campaign_id,
                Offer.status.in_(offer_rules.GUIDANCE_STATUSES),
                *school_where(scope),
            )
            .order_by(Circonscription.short_name, School.name, Offer.id)
        )
        records = []
        for r in session.execute(query).mappings():
            problems = offer_rules.guidance_problems(r)
            if problems:
                records.append((r["circ"], r["uai"], r["school_name"], r["commune"], r["offer_id"], r["title"],
                                OFFER_STATUS_LABELS.get(r["status"], r["status"]), " ; ".join(problems)))
        frame = pd.DataFrame(slice_rows(records, page, page_size), columns=GUIDANCE_COLUMNS)
        return Page(frame, len(records), page, page_size)

    return memo("guidance", (scope, page, page_size, now), compute)


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
    now = resolve_now(now)

    def compute(session) -> Page:
        ss = school_stats(scope, now)

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
            .where(circ_condition, *school_where(scope))
            .order_by(School.commune, School.name, School.uai)
        )
        total = count_rows(session, query)
        rows = session.execute(paginate(query, page, page_size)).all()
        frame = pd.DataFrame(
            [(r.uai, r.name, r.school_type, r.commune, int(r.published_offers), int(r.places_offered),
              int(r.received), int(r.accepted), int(r.refused), int(r.expired), int(r.pending), int(r.accepted),
              int(r.places_remaining)) for r in rows],
            columns=DRILL_COLUMNS,
        )
        return Page(frame, total, page, page_size)

    return memo("drill", (scope, circonscription_id, page, page_size, now), compute)


OFFER_COLUMNS = [
    "Circonscription", "UAI", "École", "Commune", "N° offre", "Intitulé", "Statut", "Période", "Places",
    "Candidatures reçues", "Acceptées", "Places restantes", "Collégiens", "Première publication",
    "Dernière modification",
]


def all_offers(user: CurrentUser, filters: Filters | None = None, page: int = 1,
               page_size: int | None = DEFAULT_PAGE_SIZE, now: dt.datetime | None = None) -> Page:
    """Every offer of the campaign in scope (drafts included), one row each, with its candidatures."""
    scope = resolve_scope(user, filters)
    now = resolve_now(now)

    def compute(session) -> Page:
        campaign = campaigns.to_view(session.get(Campaign, scope.campaign_id))
        o = offer_stats(scope, now)
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
        total = count_rows(session, query)
        rows = session.execute(paginate(query, page, page_size)).all()
        labels = campaign.period_labels
        frame = pd.DataFrame(
            [(r.circ, r.uai, r.school, r.commune, r.id, r.title, OFFER_STATUS_LABELS.get(r.status, r.status),
              labels.get(r.period, r.period), int(r.max_students), int(r.received), int(r.accepted),
              rules.remaining_places(r.max_students, r.accepted) if r.status == OfferStatus.PUBLISHED else 0,
              "Oui" if r.level_college else "Non", fmt_date(r.first_published_at), fmt_datetime(r.updated_at))
             for r in rows],
            columns=OFFER_COLUMNS,
        )
        return Page(frame, total, page, page_size)

    return memo("offers", (scope, page, page_size, now), compute)
