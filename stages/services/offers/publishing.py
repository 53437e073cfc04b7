"""Publishing an offer and changing its status: publish a draft once (a conditional UPDATE, so a
double click or two tabs publish it once), unpublish (hidden from students, candidatures kept) and
republish. Every change is recorded in ``StatusChange`` with its author."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, update

from db import write_session
from db.models import Offer, OfferStatus
from stages.domain import offers as rules
from stages.domain.timeutil import utcnow
from stages.services.auth import CurrentUser
from stages.services.errors import ValidationError
from stages.services.offers.common import OfferForm, full_errors, own_offer, record_change, refuse, to_form
from stages.services.permissions import require_director


@dataclass(frozen=True)
class PublishResult:
    form: OfferForm
    newly_published: bool  # False: it was already published (double click, another tab)



def publish(user: CurrentUser, offer_id: int, data: dict[str, Any] | None = None) -> PublishResult:
    """Save step 3 (when given) and publish the draft, once: a second call finds it published."""
    user = require_director(user)
    values: dict[str, Any] = {}
    if data is not None:
        values, errors = rules.validate_step3(data)
        refuse(errors, 3)
    with write_session() as session:
        offer = own_offer(session, user, offer_id, lock=True)
        if offer.status != OfferStatus.DRAFT:
            if offer.status == OfferStatus.PUBLISHED:
                return PublishResult(to_form(offer, offer.school, offer.campaign), False)
            raise ValidationError("Cette offre n'est pas un brouillon : utilisez « Republier » dans « Mes offres ».")
        for name, value in values.items():
            setattr(offer, name, value)
        if values:
            offer.step_reached = 3
        session.flush()
        problems = full_errors(offer)
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
            record_change(session, offer.id, OfferStatus.DRAFT, OfferStatus.PUBLISHED, user)
        session.flush()
        session.refresh(offer)
        return PublishResult(to_form(offer, offer.school, offer.campaign), newly)


# --------------------------------------------------------------------------- "Mes offres"


def _transition(user: CurrentUser, offer_id: int, before: str, after: str, refusal: str) -> OfferForm:
    user = require_director(user)
    with write_session() as session:
        offer = own_offer(session, user, offer_id, lock=True)
        if offer.status == after:
            return to_form(offer, offer.school, offer.campaign)
        if offer.status != before:
            raise ValidationError(refusal)
        if after == OfferStatus.PUBLISHED:
            problems = full_errors(offer)
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
            record_change(session, offer.id, before, after, user)
        session.flush()
        session.refresh(offer)
        return to_form(offer, offer.school, offer.campaign)


def unpublish(user: CurrentUser, offer_id: int) -> OfferForm:
    """Hide a published offer from students (its candidatures stay)."""
    return _transition(user, offer_id, OfferStatus.PUBLISHED, OfferStatus.UNPUBLISHED,
                       "Seule une offre publiée peut être dépubliée.")


def republish(user: CurrentUser, offer_id: int) -> OfferForm:
    return _transition(user, offer_id, OfferStatus.UNPUBLISHED, OfferStatus.PUBLISHED,
                       "Seule une offre dépubliée peut être republiée.")
