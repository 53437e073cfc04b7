"""What the offer's use cases share: the form's fields and view, the school's defaults, the
ownership check (an offer of the director's school, else one answer for missing and foreign), the
status history and the validation of every step before a publication."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from db.models import Campaign, Offer, OfferStatus, Period, School, StatusChange
from stages.domain import offers as rules
from stages.domain.ids import parse_id
from stages.domain.text import circonscription_of
from stages.services import campaigns
from stages.services.auth import CurrentUser
from stages.services.errors import NotFound, PermissionDenied, ValidationError

STATUS_LABELS = {
    OfferStatus.DRAFT: "Brouillon",
    OfferStatus.PUBLISHED: "Publiée",
    OfferStatus.UNPUBLISHED: "Dépubliée",
    OfferStatus.ARCHIVED: "Archivée",
}

STEP1_FIELDS = ("title", "description", "place_name", "place_address", "place_postal_code", "place_commune",
                "latitude", "longitude")
STEP2_FIELDS = ("siret", "manual_structure", "is_public", "public_employer_type", "sector", "employer_name",
                "head_office_address", "depositor_phone", "work_environment", "accessibility")
STEP3_FIELDS = ("level_college", "level_lycee", "period", "max_students", "same_hours", "daily_hours",
                "lunch_break", "reserved_lycee_id", "reserved_rep", "reserved_qpv")
STEP_FIELDS = {1: STEP1_FIELDS, 2: STEP2_FIELDS, 3: STEP3_FIELDS}


@dataclass(frozen=True)
class OfferForm:
    """Every field of the three steps, plus where the form stands. ``id`` None: not saved yet."""

    id: int | None
    status: str
    step_reached: int
    campaign_id: int
    school_year: str
    period_labels: dict[str, str]
    school_name: str
    # Étape 1
    title: str = ""
    description: str = ""
    place_name: str = ""
    place_address: str = ""
    place_postal_code: str | None = None
    place_commune: str = ""
    latitude: float | None = None
    longitude: float | None = None
    # Étape 2
    siret: str | None = None
    manual_structure: bool = True
    is_public: bool = True
    public_employer_type: str | None = None
    sector: str | None = None
    employer_name: str = ""
    head_office_address: str = ""
    depositor_phone: str | None = None
    work_environment: str | None = None
    accessibility: str | None = None
    # Étape 3
    level_college: bool = False
    level_lycee: bool = True
    period: str = Period.TWO_WEEKS
    max_students: int = 1
    same_hours: bool = False
    daily_hours: dict[str, list[str]] = field(default_factory=dict)
    lunch_break: str = ""
    reserved_lycee_id: int | None = None
    reserved_rep: bool = False
    reserved_qpv: bool = False
    published_at: dt.datetime | None = None

    @property
    def resume_step(self) -> int:
        return 1 if self.id is None else rules.resume_step(self.step_reached, self.status)

    @property
    def is_draft(self) -> bool:
        return self.status == OfferStatus.DRAFT

    def values(self, step: int) -> dict[str, Any]:
        return {name: getattr(self, name) for name in STEP_FIELDS[step]}



def school_defaults(school: School, campaign: Campaign) -> dict[str, Any]:
    """What the DSDEN guide tells a director to type, taken from the referential and the campaign."""
    circ = school.circonscription.short_name if school.circonscription else ""
    name = school.name.strip()
    if name.isupper():
        name = name.capitalize()
    kind = school.school_type or ""
    if kind and not any(word in name.lower() for word in rules.SCHOOL_TYPE_WORDS):
        name = f"{name} {kind}"
    place_name = f"{name} {school.commune}".strip()
    employer = f"{place_name} - {circonscription_of(circ)}" if circ else place_name
    return {
        "title": rules.DEFAULT_TITLE,
        "description": rules.DEFAULT_DESCRIPTION,
        "place_name": place_name[: rules.PLACE_NAME_MAX],
        "place_address": (school.address or "")[: rules.PLACE_ADDRESS_MAX],
        "place_postal_code": school.postal_code,
        "place_commune": school.commune or "",
        "latitude": school.latitude,
        "longitude": school.longitude,
        "siret": None,
        "manual_structure": True,
        "is_public": True,
        "public_employer_type": rules.EDUCATION_MINISTRY,
        "sector": rules.EDUCATION_SECTOR,
        "employer_name": employer[: rules.EMPLOYER_NAME_MAX],
        "head_office_address": campaign.head_office_address,
        "depositor_phone": school.phone,
        "work_environment": None,
        "accessibility": None,
        "level_college": False,
        "level_lycee": True,
        "period": Period.TWO_WEEKS,
        "max_students": 1,
        "same_hours": False,
        "daily_hours": {},
        "lunch_break": rules.DEFAULT_LUNCH,
        "reserved_lycee_id": None,
        "reserved_rep": False,
        "reserved_qpv": False,
    }


def _school_label(school: School) -> str:
    return f"{school.name} ({school.commune})"


def to_form(offer: Offer, school: School, campaign: Campaign) -> OfferForm:
    view = campaigns.to_view(campaign)
    values: dict[str, Any] = {}
    defaults = school_defaults(school, campaign)
    for step, names in STEP_FIELDS.items():
        for name in names:
            value = getattr(offer, name)
            # Steps not validated yet show the prefilled values where nothing was saved.
            if step > offer.step_reached and offer.status == OfferStatus.DRAFT and value in (None, "", {}):
                value = defaults[name]
            values[name] = value
    values["daily_hours"] = dict(values["daily_hours"] or {})
    return OfferForm(
        id=offer.id, status=offer.status, step_reached=offer.step_reached, campaign_id=campaign.id,
        school_year=campaign.school_year, period_labels=view.period_labels, school_name=_school_label(school),
        published_at=offer.published_at, **values,
    )


def new_form(school: School, campaign: Campaign) -> OfferForm:
    view = campaigns.to_view(campaign)
    return OfferForm(
        id=None, status=OfferStatus.DRAFT, step_reached=0, campaign_id=campaign.id, school_year=campaign.school_year,
        period_labels=view.period_labels, school_name=_school_label(school), **school_defaults(school, campaign),
    )


NOT_YOURS = "Cette offre n'existe pas, ou n'est pas une offre de votre école."


def own_offer(session, user: CurrentUser, offer_id: int, *, lock: bool = False) -> Offer:
    """The offer, if it belongs to the director's school. A missing offer and another school's get
    the same answer, so that trying ids tells nothing about which offers exist."""
    offer_id = parse_id(offer_id)
    offer = None
    if offer_id is not None:
        query = select(Offer).where(Offer.id == offer_id)
        if lock:
            query = query.with_for_update()
        offer = session.scalar(query)
    if offer is None:
        raise NotFound(NOT_YOURS)
    if offer.school_id != user.school_id:
        raise PermissionDenied(NOT_YOURS)
    return offer


def record_change(session, offer_id: int, before: str | None, after: str, author: CurrentUser, comment: str | None = None):
    session.add(StatusChange(entity_type="offer", entity_id=offer_id, from_status=before, to_status=after,
                             author_id=author.id, comment=comment))


def open_draft(session, user: CurrentUser, campaign_id: int) -> Offer | None:
    return session.scalar(
        select(Offer)
        .where(Offer.school_id == user.school_id, Offer.created_by_id == user.id, Offer.campaign_id == campaign_id,
               Offer.status == OfferStatus.DRAFT)
        .order_by(Offer.updated_at.desc(), Offer.id.desc())
        .limit(1)
    )


def current_campaign(session) -> Campaign:
    return campaigns.get_or_create_campaign(session, campaigns.current_school_year())


def refuse(errors: dict[str, str], step: int | None = None) -> None:
    if errors:
        where = f" à l'étape {step}" if step else ""
        count = len(errors)
        message = (f"{count} champ(s) à corriger{where} : voir les messages sous les champs."
                   if count > 1 else next(iter(errors.values())))
        raise ValidationError(message, field=next(iter(errors)), errors=errors)


def full_errors(offer: Offer) -> dict[int, dict[str, str]]:
    """Errors of each step of a saved offer (before a publication)."""
    out: dict[int, dict[str, str]] = {}
    for step, names in STEP_FIELDS.items():
        data = {name: getattr(offer, name) for name in names}
        if step == 3:
            data["reserved_one"] = offer.reserved_lycee_id is not None
        _, errors = rules.STEP_VALIDATORS[step](data)
        if errors:
            out[step] = errors
    return out


# --------------------------------------------------------------------------- the form
