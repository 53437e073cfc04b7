"""The SQL aggregates the figures and tables share: per offer, then per school, of a scope.

A candidature counts under its *effective* status (``stages.domain.candidatures``'s SQL twin),
and remaining places follow the domain's rule (never below zero), over published offers only.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import case, func, select

from db.models import Candidature, CandidatureStatus, Offer, OfferStatus, School
from stages.domain import candidatures as rules
from stages.services.monitoring.scope import Scope, school_where


def offer_stats(scope: Scope, now: dt.datetime):
    """One row per offer of the campaign in scope, with its candidatures counted by effective status."""
    eff = rules.effective_status_sql(Candidature, now)

    def count_if(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    return (
        select(
            Offer.id.label("offer_id"),
            Offer.school_id.label("school_id"),
            Offer.status.label("status"),
            Offer.max_students.label("max_students"),
            func.count(Candidature.id).label("received"),
            count_if(eff == CandidatureStatus.ACCEPTED).label("accepted"),
            count_if(eff == CandidatureStatus.REFUSED).label("refused"),
            count_if(eff == CandidatureStatus.EXPIRED).label("expired"),
            count_if(eff.in_(CandidatureStatus.PENDING)).label("pending"),
            count_if(eff == CandidatureStatus.WITHDRAWN).label("withdrawn"),
            count_if(eff == CandidatureStatus.DECLINED).label("declined"),
        )
        .select_from(Offer)
        .join(School, School.id == Offer.school_id)
        .outerjoin(Candidature, Candidature.offer_id == Offer.id)
        .where(Offer.campaign_id == scope.campaign_id, *school_where(scope))
        .group_by(Offer.id, Offer.school_id, Offer.status, Offer.max_students)
        .subquery("offer_stats")
    )


COUNTED = ("received", "accepted", "refused", "expired", "pending", "withdrawn", "declined")


def school_stats(scope: Scope, now: dt.datetime):
    """One row per school having offers in the campaign: offers, places and candidatures."""
    o = offer_stats(scope, now)
    published = o.c.status == OfferStatus.PUBLISHED
    return (
        select(
            o.c.school_id,
            func.sum(case((published, 1), else_=0)).label("published_offers"),
            func.sum(case((published, o.c.max_students), else_=0)).label("places_offered"),
            *[func.sum(getattr(o.c, name)).label(name) for name in COUNTED],
            func.sum(
                case((published, rules.remaining_places_sql(o.c.max_students, o.c.accepted)), else_=0)
            ).label("places_remaining"),
        )
        .group_by(o.c.school_id)
        .subquery("school_stats")
    )
