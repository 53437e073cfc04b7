"""The three-step form "Déposer une offre de stage": open it, save each validated step as a draft
(idempotent creation: one row per ``form_key``, one open draft per director and campaign), and
autosave what was typed before a step is validated."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from db import read_session, write_session
from db.models import Offer, OfferStatus, School
from stages.domain import offers as rules
from stages.domain.timeutil import utcnow
from stages.services.auth import CurrentUser
from stages.services.candidatures.common import accepted_count
from stages.services.errors import PermissionDenied, ValidationError
from stages.services.offers.common import (
    STEP_FIELDS,
    OfferForm,
    current_campaign,
    new_form,
    open_draft,
    own_offer,
    record_change,
    refuse,
    school_defaults,
    to_form,
)
from stages.services.permissions import require_director


def load_form(user: CurrentUser, offer_id: int | None = None) -> OfferForm:
    """The form to show: a given offer (``?offre=<id>``), else the director's open draft of the
    current campaign, else a new form prefilled from the referential (not saved until step 1)."""
    user = require_director(user)
    if offer_id is not None:
        with read_session() as session:
            offer = own_offer(session, user, offer_id)
            return to_form(offer, offer.school, offer.campaign)
    with write_session() as session:  # may create the campaign of the year
        campaign = current_campaign(session)
        school = session.get(School, user.school_id)
        draft = open_draft(session, user, campaign.id)
        if draft is not None:
            return to_form(draft, school, campaign)
        return new_form(school, campaign)


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
    refuse(errors, step)
    with write_session() as session:
        if offer_id is not None:
            offer = own_offer(session, user, offer_id, lock=True)
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
        return to_form(offer, offer.school, offer.campaign)


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
        offer = own_offer(session, user, offer_id, lock=True)
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
    campaign = current_campaign(session)
    draft = open_draft(session, user, campaign.id)
    if draft is not None:
        return draft
    school = session.get(School, user.school_id)
    offer = Offer(campaign_id=campaign.id, school_id=school.id, created_by_id=user.id, status=OfferStatus.DRAFT,
                  step_reached=0, form_key=form_key or None, **school_defaults(school, campaign))
    session.add(offer)
    session.flush()
    record_change(session, offer.id, None, OfferStatus.DRAFT, user)
    return offer
