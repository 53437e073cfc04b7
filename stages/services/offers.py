"""Offers of a school: the three-step form "Déposer une offre de stage" and "Mes offres".

- Each step is saved as soon as it is validated (an ``Offer`` row with ``status="draft"`` and
  ``step_reached``), so leaving, reloading or losing the connection loses nothing: the form
  resumes the director's open draft of the campaign from the database.
- Draft creation is idempotent (``form_key``: one row per form instance; and one open draft per
  director and campaign, resumed rather than duplicated). Creation locks the school's row so two
  tabs on PostgreSQL cannot both create one (SQLite write transactions are already serialised).
- Publication is a conditional UPDATE (``draft -> published WHERE status='draft'``): a double
  click or two tabs publish one offer once.
- Every call checks that the offer belongs to the director's school. Every status change is
  recorded in ``StatusChange`` with its author.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, func, select, update

from db import read_session, write_session
from db.models import Campaign, Candidature, CandidatureStatus, Offer, OfferStatus, Period, School, StatusChange
from stages.domain import candidatures as candidature_rules
from stages.domain import offers as rules
from stages.domain.calendar import next_school_year
from stages.domain.ids import parse_id
from stages.domain.text import circonscription_of, fmt_phone
from stages.domain.timeutil import utcnow
from stages.services import campaigns
from stages.services.auth import CurrentUser
from stages.services.candidatures.common import accepted_count
from stages.services.errors import NotFound, PermissionDenied, ValidationError
from stages.services.permissions import require_director

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


@dataclass(frozen=True)
class PublishResult:
    form: OfferForm
    newly_published: bool  # False: it was already published (double click, another tab)


# --------------------------------------------------------------------------- helpers


def _school_defaults(school: School, campaign: Campaign) -> dict[str, Any]:
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


def _to_form(offer: Offer, school: School, campaign: Campaign) -> OfferForm:
    view = campaigns.to_view(campaign)
    values: dict[str, Any] = {}
    defaults = _school_defaults(school, campaign)
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


def _new_form(school: School, campaign: Campaign) -> OfferForm:
    view = campaigns.to_view(campaign)
    return OfferForm(
        id=None, status=OfferStatus.DRAFT, step_reached=0, campaign_id=campaign.id, school_year=campaign.school_year,
        period_labels=view.period_labels, school_name=_school_label(school), **_school_defaults(school, campaign),
    )


NOT_YOURS = "Cette offre n'existe pas, ou n'est pas une offre de votre école."


def _own(session, user: CurrentUser, offer_id: int, *, lock: bool = False) -> Offer:
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


def _history(session, offer_id: int, before: str | None, after: str, author: CurrentUser, comment: str | None = None):
    session.add(StatusChange(entity_type="offer", entity_id=offer_id, from_status=before, to_status=after,
                             author_id=author.id, comment=comment))


def _open_draft(session, user: CurrentUser, campaign_id: int) -> Offer | None:
    return session.scalar(
        select(Offer)
        .where(Offer.school_id == user.school_id, Offer.created_by_id == user.id, Offer.campaign_id == campaign_id,
               Offer.status == OfferStatus.DRAFT)
        .order_by(Offer.updated_at.desc(), Offer.id.desc())
        .limit(1)
    )


def _current_campaign(session) -> Campaign:
    return campaigns.get_or_create_campaign(session, campaigns.current_school_year())


def _refuse(errors: dict[str, str], step: int | None = None) -> None:
    if errors:
        where = f" à l'étape {step}" if step else ""
        count = len(errors)
        message = (f"{count} champ(s) à corriger{where} : voir les messages sous les champs."
                   if count > 1 else next(iter(errors.values())))
        raise ValidationError(message, field=next(iter(errors)), errors=errors)


def _full_errors(offer: Offer) -> dict[int, dict[str, str]]:
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


def load_form(user: CurrentUser, offer_id: int | None = None) -> OfferForm:
    """The form to show: a given offer (``?offre=<id>``), else the director's open draft of the
    current campaign, else a new form prefilled from the referential (not saved until step 1)."""
    user = require_director(user)
    if offer_id is not None:
        with read_session() as session:
            offer = _own(session, user, offer_id)
            return _to_form(offer, offer.school, offer.campaign)
    with write_session() as session:  # may create the campaign of the year
        campaign = _current_campaign(session)
        school = session.get(School, user.school_id)
        draft = _open_draft(session, user, campaign.id)
        if draft is not None:
            return _to_form(draft, school, campaign)
        return _new_form(school, campaign)


def save_step(user: CurrentUser, step: int, data: dict[str, Any], *, offer_id: int | None = None,
              form_key: str | None = None) -> OfferForm:
    """Validate one step and save it as a draft (or into the published offer being edited).

    Step 1 without ``offer_id`` creates the draft, idempotently: the same ``form_key`` lands on the
    same row, and a director's open draft of the campaign is resumed rather than duplicated.
    """
    user = require_director(user)
    if step not in STEP_FIELDS:
        raise ValidationError("Étape inconnue.")
    values, errors = rules.STEP_VALIDATORS[step](data)
    _refuse(errors, step)
    with write_session() as session:
        if offer_id is not None:
            offer = _own(session, user, offer_id, lock=True)
        elif step != 1:
            raise ValidationError("Enregistrez d'abord l'étape 1 (Métier et localisation).")
        else:
            offer = _find_or_create_draft(session, user, form_key)
        if offer.status == OfferStatus.ARCHIVED:
            raise ValidationError("Cette offre est archivée : dupliquez-la pour la proposer à nouveau.")
        if step == 3 and offer.status != OfferStatus.DRAFT:
            taken = accepted_count(session, offer.id)
            if values["max_students"] < taken:
                raise ValidationError(
                    f"Vous avez déjà accepté {taken} élève(s) : le nombre d'élèves ne peut pas être inférieur.",
                    field="max_students")
        for name, value in values.items():
            setattr(offer, name, value)
        offer.step_reached = max(offer.step_reached or 0, step)
        offer.updated_at = utcnow()
        session.flush()
        return _to_form(offer, offer.school, offer.campaign)


def autosave(user: CurrentUser, offer_id: int, step: int, data: dict[str, Any]) -> int:
    """Keep what was typed in a draft before its step is validated: every field of ``step`` that is
    valid on its own is saved, ``step_reached`` does not move. Returns the number of fields saved.

    Only drafts: a published offer changes when a step is validated, never half-way.
    """
    user = require_director(user)
    if step not in STEP_FIELDS:
        raise ValidationError("Étape inconnue.")
    values, errors = rules.STEP_VALIDATORS[step](data)
    bad = {("daily_hours" if key.startswith("hours") else key) for key in errors}
    with write_session() as session:
        offer = _own(session, user, offer_id, lock=True)
        if offer.status != OfferStatus.DRAFT:
            return 0
        count = 0
        for name, value in values.items():
            if name not in bad and getattr(offer, name) != value:
                setattr(offer, name, value)
                count += 1
        if count:
            offer.updated_at = utcnow()
        return count


def _find_or_create_draft(session, user: CurrentUser, form_key: str | None) -> Offer:
    # Serialise the creations of one school (PostgreSQL; SQLite writers already are).
    session.scalar(select(School.id).where(School.id == user.school_id).with_for_update())
    if form_key:
        offer = session.scalar(select(Offer).where(Offer.form_key == form_key))
        if offer is not None:
            if offer.school_id != user.school_id:
                raise PermissionDenied("Ce formulaire n'est pas celui de votre école.")
            return offer
    campaign = _current_campaign(session)
    draft = _open_draft(session, user, campaign.id)
    if draft is not None:
        return draft
    school = session.get(School, user.school_id)
    offer = Offer(campaign_id=campaign.id, school_id=school.id, created_by_id=user.id, status=OfferStatus.DRAFT,
                  step_reached=0, form_key=form_key or None, **_school_defaults(school, campaign))
    session.add(offer)
    session.flush()
    _history(session, offer.id, None, OfferStatus.DRAFT, user)
    return offer


def publish(user: CurrentUser, offer_id: int, data: dict[str, Any] | None = None) -> PublishResult:
    """Save step 3 (when given) and publish the draft, once: a second call finds it published."""
    user = require_director(user)
    values: dict[str, Any] = {}
    if data is not None:
        values, errors = rules.validate_step3(data)
        _refuse(errors, 3)
    with write_session() as session:
        offer = _own(session, user, offer_id, lock=True)
        if offer.status != OfferStatus.DRAFT:
            if offer.status == OfferStatus.PUBLISHED:
                return PublishResult(_to_form(offer, offer.school, offer.campaign), False)
            raise ValidationError("Cette offre n'est pas un brouillon : utilisez « Republier » dans « Mes offres ».")
        for name, value in values.items():
            setattr(offer, name, value)
        if values:
            offer.step_reached = 3
        session.flush()
        problems = _full_errors(offer)
        if problems:
            step = min(problems)
            raise ValidationError(
                f"L'étape {step} n'est pas complète : reprenez-la avant de publier. "
                + " ".join(problems[step].values()), errors=problems[step])
        now = utcnow()
        result = session.execute(
            update(Offer)
            .where(Offer.id == offer.id, Offer.status == OfferStatus.DRAFT)
            .values(status=OfferStatus.PUBLISHED, published_at=now, updated_at=now, step_reached=3,
                    first_published_at=func.coalesce(Offer.first_published_at, now))
            .execution_options(synchronize_session=False)
        )
        newly = result.rowcount == 1
        if newly:
            _history(session, offer.id, OfferStatus.DRAFT, OfferStatus.PUBLISHED, user)
        session.flush()
        session.refresh(offer)
        return PublishResult(_to_form(offer, offer.school, offer.campaign), newly)


# --------------------------------------------------------------------------- "Mes offres"


def list_offers(user: CurrentUser) -> list[OfferSummary]:
    """The offers of the director's school, current campaign first, with places and candidatures."""
    user = require_director(user)
    # Counted over the school's own offers only (not every candidature in the country).
    counts = (
        select(
            Candidature.offer_id.label("offer_id"),
            func.count(Candidature.id).label("total"),
            func.sum(case((Candidature.status == CandidatureStatus.ACCEPTED, 1), else_=0)).label("accepted"),
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


def _transition(user: CurrentUser, offer_id: int, before: str, after: str, refusal: str) -> OfferForm:
    user = require_director(user)
    with write_session() as session:
        offer = _own(session, user, offer_id, lock=True)
        if offer.status == after:
            return _to_form(offer, offer.school, offer.campaign)
        if offer.status != before:
            raise ValidationError(refusal)
        if after == OfferStatus.PUBLISHED:
            problems = _full_errors(offer)
            if problems:
                step = min(problems)
                raise ValidationError(f"Modifiez l'offre avant de la republier (étape {step}) : "
                                      + " ".join(problems[step].values()), errors=problems[step])
        now = utcnow()
        result = session.execute(
            update(Offer).where(Offer.id == offer.id, Offer.status == before)
            .values(status=after, updated_at=now,
                    **({"published_at": now} if after == OfferStatus.PUBLISHED else {"unpublished_at": now}))
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:
            _history(session, offer.id, before, after, user)
        session.flush()
        session.refresh(offer)
        return _to_form(offer, offer.school, offer.campaign)


def unpublish(user: CurrentUser, offer_id: int) -> OfferForm:
    """Hide a published offer from students (its candidatures stay)."""
    return _transition(user, offer_id, OfferStatus.PUBLISHED, OfferStatus.UNPUBLISHED,
                       "Seule une offre publiée peut être dépubliée.")


def republish(user: CurrentUser, offer_id: int) -> OfferForm:
    return _transition(user, offer_id, OfferStatus.UNPUBLISHED, OfferStatus.PUBLISHED,
                       "Seule une offre dépubliée peut être republiée.")


def delete_draft(user: CurrentUser, offer_id: int) -> None:
    """Delete a draft (a published offer is unpublished instead: its candidatures are kept)."""
    user = require_director(user)
    with write_session() as session:
        offer = _own(session, user, offer_id, lock=True)
        if offer.status != OfferStatus.DRAFT:
            raise ValidationError("Seul un brouillon peut être supprimé : dépubliez plutôt cette offre.")
        _history(session, offer.id, OfferStatus.DRAFT, "deleted", user)
        session.delete(offer)


def duplicate(user: CurrentUser, offer_id: int) -> OfferForm:
    """« Dupliquer » into the next campaign: a draft to check at step 3 (the new dates), then publish.

    Twice on the same offer gives the same draft.
    """
    user = require_director(user)
    with write_session() as session:
        source = _own(session, user, offer_id)
        session.scalar(select(School.id).where(School.id == user.school_id).with_for_update())
        target = campaigns.get_or_create_campaign(session, next_school_year(source.campaign.school_year),
                                                  source.campaign.departement_code)
        existing = session.scalar(
            select(Offer).where(Offer.duplicated_from_id == source.id, Offer.campaign_id == target.id,
                                Offer.status == OfferStatus.DRAFT)
        )
        if existing is not None:
            return _to_form(existing, existing.school, target)
        copied = {name: getattr(source, name) for names in STEP_FIELDS.values() for name in names}
        copied["daily_hours"] = dict(copied["daily_hours"] or {})
        copied["head_office_address"] = target.head_office_address
        copy = Offer(campaign_id=target.id, school_id=source.school_id, created_by_id=user.id,
                     status=OfferStatus.DRAFT, step_reached=2, duplicated_from_id=source.id, **copied)
        session.add(copy)
        session.flush()
        _history(session, copy.id, None, OfferStatus.DRAFT, user, comment=f"Dupliquée de l'offre n° {source.id}")
        return _to_form(copy, copy.school, target)


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


__all__ = [
    "OfferForm", "OfferSummary", "PublishResult", "STATUS_LABELS", "autosave", "delete_draft", "detail_lines", "duplicate",
    "get_offer", "list_offers", "load_form", "publish", "republish", "save_step", "unpublish",
]
