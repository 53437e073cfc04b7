"""The retention of the privacy page, for conventions: when ``purge-personal-data`` anonymises the
students of a finished school year, their conventions lose the student's part (date of birth, PAI,
the legal representatives' names and addresses), the names, addresses and network addresses of the
signatures, the mailed links and the scanned signed copies. States and dates stay, so the DSDEN's
figures do not change."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from db.models import Candidature, Convention, ConventionFile, ConventionSignature, ConventionToken

ANONYMISED = "anonymisé"


def anonymise_students(session: Session, student_ids: list[int]) -> int:
    """In the caller's transaction; returns how many conventions were anonymised."""
    if not student_ids:
        return 0
    ids = list(session.scalars(select(Convention.id).join(Candidature, Candidature.id == Convention.candidature_id)
                               .where(Candidature.student_id.in_(student_ids))))
    if not ids:
        return 0
    session.execute(update(Convention).where(Convention.id.in_(ids))
                    .values(student_part={"anonymised": True}, document_hash=None))
    session.execute(update(ConventionSignature).where(ConventionSignature.convention_id.in_(ids))
                    .values(signer_name=ANONYMISED, signer_email=ANONYMISED, client_address=None))
    session.execute(delete(ConventionToken).where(ConventionToken.convention_id.in_(ids)))
    session.execute(delete(ConventionFile).where(ConventionFile.convention_id.in_(ids)))
    return len(ids)
