"""The convention follows its candidature: created on acceptance, cancelled when the student
declines (the place is freed by the candidature service, as before)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Convention, ConventionToken
from stages.domain import conventions as rules
from stages.domain.conventions import Status
from stages.services.conventions import common


def cancel_for_candidature(session: Session, candidature_id: int, author_id: int | None, now: dt.datetime) -> bool:
    """In the caller's transaction: mark the convention "Annulée" and revoke the legal representatives'
    links. Returns whether there was one to cancel."""
    conv = session.scalar(select(Convention).where(Convention.candidature_id == candidature_id))
    if conv is None or conv.status == Status.CANCELLED:
        return False
    before = rules.normalize_status(conv.status)
    conv.status, conv.cancelled_at = Status.CANCELLED, now
    for token in session.scalars(select(ConventionToken).where(
            ConventionToken.convention_id == conv.id, ConventionToken.used_at.is_(None),
            ConventionToken.revoked_at.is_(None))):
        token.revoked_at = now
    common.record(session, conv, before, Status.CANCELLED, author_id, now, "Candidature déclinée")
    return True


def tell_lycee_created(session: Session, candidature_id: int) -> None:
    """In the caller's transaction, after an acceptance: the student's lycée head has a part to complete."""
    conv = session.scalar(select(Convention).where(Convention.candidature_id == candidature_id))
    if conv is not None:
        common.tell(session, conv, [rules.Party.LYCEE],
                    subject=f"Nouvelle convention de stage à compléter : {common.title_of(conv)}",
                    text=("La candidature d'un élève de votre lycée à un stage d'observation a été acceptée. "
                          "Complétez la partie du lycée de sa convention (professeur référent, classe), puis "
                          "signez-la quand elle est prête."))
