"""The director's list "Mes offres": the school's offers with places and candidatures, opening one,
deleting a draft, « Dupliquer » into the next campaign."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import case, func, select

from db import read_session, write_session
from db.models import Campaign, Candidature, Offer, OfferStatus, School
from stages.domain import candidatures as candidature_rules
from stages.domain import offers as rules
from stages.domain.calendar import next_school_year
from stages.domain.text import fmt_phone
from stages.domain.timeutil import utcnow
from stages.services import campaigns
from stages.services.auth import CurrentUser
from stages.services.errors import ValidationError
from stages.services.offers.common import STATUS_LABELS, STEP_FIELDS, OfferForm, own_offer, record_change, to_form
from stages.services.offers.drafting import load_form
from stages.services.permissions import require_director


@dataclass(frozen=True)
class OfferSummary:
    """One row of "Mes offres"."""

    id: int
    title: str
    status: str
    status_label: str
    school_year: str
    period_label: str
    places_offered: int
    places_taken: int
    places_remaining: int
    candidatures: int
    step_reached: int
    updated_at: dt.datetime
    published_at: dt.datetime | None
    is_current_campaign: bool
    guidance: list[str]


def list_offers(user: CurrentUser) -> list[OfferSummary]:
    """The offers of the director's school, current campaign first, with places and candidatures."""
    user = require_director(user)
    # Counted over the school's own offers only (not every candidature in the country).
    counts = (
        select(
            Candidature.offer_id.label("offer_id"),
            func.count(Candidature.id).label("total"),
            func.sum(case((candidature_rules.holds_place_clause(Candidature, utcnow()), 1),
                          else_=0)).label("accepted"),
        )
        .where(Candidature.offer_id.in_(select(Offer.id).where(Offer.school_id == user.school_id)))
        .group_by(Candidature.offer_id)
        .subquery()
    )
    current_year = campaigns.current_school_year()
    with read_session() as session:
        rows = session.execute(
            select(Offer, Campaign, counts.c.total, counts.c.accepted)
            .join(Campaign, Campaign.id == Offer.campaign_id)
            .outerjoin(counts, counts.c.offer_id == Offer.id)
            .where(Offer.school_id == user.school_id)
            .order_by(Campaign.school_year.desc(), Offer.updated_at.desc(), Offer.id.desc())
        ).all()
        out = []
        for offer, campaign, total, accepted in rows:
            taken = int(accepted or 0)
            labels = campaigns.to_view(campaign).period_labels
            out.append(OfferSummary(
                id=offer.id, title=offer.title or "(sans titre)", status=offer.status,
                status_label=STATUS_LABELS.get(offer.status, offer.status), school_year=campaign.school_year,
                period_label=labels.get(offer.period, ""), places_offered=offer.max_students,
                places_taken=taken, places_remaining=candidature_rules.remaining_places(offer.max_students, taken),
                candidatures=int(total or 0), step_reached=offer.step_reached, updated_at=offer.updated_at,
                published_at=offer.published_at, is_current_campaign=campaign.school_year == current_year,
                guidance=rules.guidance_problems(offer) if offer.status != OfferStatus.DRAFT else [],
            ))
        return out


def get_offer(user: CurrentUser, offer_id: int) -> OfferForm:
    """Open one offer of the school (read only)."""
    return load_form(user, offer_id)


def delete_draft(user: CurrentUser, offer_id: int) -> None:
    """Delete a draft (a published offer is unpublished instead: its candidatures are kept)."""
    user = require_director(user)
    with write_session() as session:
        offer = own_offer(session, user, offer_id, lock=True)
        if offer.status != OfferStatus.DRAFT:
            raise ValidationError("Seul un brouillon peut être supprimé : dépubliez plutôt cette offre.")
        record_change(session, offer.id, OfferStatus.DRAFT, "deleted", user)
        session.delete(offer)


def duplicate(user: CurrentUser, offer_id: int) -> OfferForm:
    """« Dupliquer » into the next campaign: a draft to check at step 3 (the new dates), then publish.

    Twice on the same offer gives the same draft.
    """
    user = require_director(user)
    with write_session() as session:
        source = own_offer(session, user, offer_id)
        session.scalar(select(School.id).where(School.id == user.school_id).with_for_update())
        target = campaigns.get_or_create_campaign(session, next_school_year(source.campaign.school_year),
                                                  source.campaign.departement_code)
        existing = session.scalar(
            select(Offer).where(Offer.duplicated_from_id == source.id, Offer.campaign_id == target.id,
                                Offer.status == OfferStatus.DRAFT)
        )
        if existing is not None:
            return to_form(existing, existing.school, target)
        copied = {name: getattr(source, name) for names in STEP_FIELDS.values() for name in names}
        copied["daily_hours"] = dict(copied["daily_hours"] or {})
        copied["head_office_address"] = target.head_office_address
        copy = Offer(campaign_id=target.id, school_id=source.school_id, created_by_id=user.id,
                     status=OfferStatus.DRAFT, step_reached=2, duplicated_from_id=source.id, **copied)
        session.add(copy)
        session.flush()
        record_change(session, copy.id, None, OfferStatus.DRAFT, user, comment=f"Dupliquée de l'offre n° {source.id}")
        return to_form(copy, copy.school, target)


def detail_lines(form: OfferForm) -> list[tuple[str, str]]:
    """The offer as (label, value) pairs for "Ouvrir" (values are user text: render as text)."""
    hours = form.daily_hours or {}
    if form.same_hours and rules.SAME_HOURS_KEY in hours:
        hours_text = "Tous les jours : de {} à {}".format(*hours[rules.SAME_HOURS_KEY])
    else:
        hours_text = " ; ".join(f"{rules.DAY_LABELS[d]} : de {hours[d][0]} à {hours[d][1]}"
                                for d in rules.DAYS if d in hours)
    levels = [label for flag, label in ((form.level_college, "Collégiens (4ème et 3ème)"),
                                        (form.level_lycee, "Lycéens de 2de générale et technologique")) if flag]
    return [
        ("Le ou les métiers", form.title),
        ("Activités proposées", form.description),
        ("Lieu", f"{form.place_name}, {form.place_address}, {form.place_postal_code or ''} {form.place_commune}"),
        ("Structure", form.employer_name),
        ("Secteur", form.sector or ""),
        ("Adresse du siège", form.head_office_address),
        ("Téléphone du dépositaire (non communiqué aux candidats)", fmt_phone(form.depositor_phone)),
        ("Niveaux", ", ".join(levels)),
        ("Période", form.period_labels.get(form.period, "")),
        ("Nombre d'élèves", str(form.max_students)),
        ("Horaires", hours_text),
        ("Pause déjeuner", form.lunch_break),
    ]

