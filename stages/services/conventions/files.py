"""The convention's PDF (every party, at every state) and the scanned PDF of a convention
"signée hors plateforme" (uploaded by the director, the lycée head or a coordinator)."""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import select

from db import read_session, write_session
from db.models import Convention, ConventionFile, ConventionToken, Role
from stages.documents.convention import render_pdf
from stages.domain import conventions as rules
from stages.domain.conventions import Party, Status
from stages.domain.timeutil import fmt_datetime
from stages.services import mail
from stages.services.auth import CurrentUser
from stages.services.conventions import common
from stages.services.errors import NotFound, ValidationError
from stages.services.permissions import require_role


def pdf(user: CurrentUser, convention_id: int) -> tuple[str, bytes]:
    """(file name, PDF bytes) of the convention as it reads now, with its valid signatures."""
    user = require_role(user, Role.DIRECTOR, Role.STUDENT, Role.LYCEE_HEAD)
    with read_session() as session:
        conv, _party = common.get_for(session, user, convention_id)
        content = common.content(session, conv)
        status = rules.normalize_status(conv.status)
        note = {Status.CANCELLED: "CONVENTION ANNULÉE",
                Status.SIGNED_OFFLINE: "Convention signée hors plateforme : l'exemplaire signé fait foi."}.get(status, "")
        data = render_pdf(content, rules.document_hash(content), common.signature_lines(session, conv), note)
        return f"{content['number']}.pdf", data


def upload_signed(user: CurrentUser, convention_id: int, filename: str, data: bytes,
                  now: dt.datetime | None = None) -> str:
    """Mark the convention "Signée hors plateforme" with the scanned signed PDF (PDF only, 5 Mo at most)."""
    user = require_role(user, Role.DIRECTOR, Role.LYCEE_HEAD, Role.COORDINATOR)
    problem = rules.upload_problem(filename, data)
    if problem:
        raise ValidationError(problem, field="file")
    with write_session() as session:
        now = common.now_or(now)
        conv, party = common.get_for(session, user, convention_id, for_update=True, allow_coordinator=True)
        if party == Party.STUDENT:
            raise NotFound(common.NOT_FOUND)
        status = rules.normalize_status(conv.status)
        if status == Status.CANCELLED:
            raise ValidationError("Cette convention est annulée : aucun exemplaire signé ne peut y être joint.")
        if status == Status.SIGNED_OFFLINE:
            raise ValidationError("Un exemplaire signé hors plateforme est déjà enregistré pour cette convention.")
        name = (filename or "convention.pdf").replace("/", "_").replace("\\", "_")[-200:]
        session.add(ConventionFile(convention_id=conv.id, filename=name, content=data, size=len(data),
                                   sha256=hashlib.sha256(data).hexdigest(), uploaded_by_id=user.id, uploaded_at=now))
        for token in session.scalars(select(ConventionToken).where(
                ConventionToken.convention_id == conv.id, ConventionToken.used_at.is_(None),
                ConventionToken.revoked_at.is_(None))):
            token.revoked_at = now
        conv.status, conv.signed_at = Status.SIGNED_OFFLINE, now
        common.record(session, conv, status, Status.SIGNED_OFFLINE, user.id, now, f"Exemplaire signé : {name}")
        common.tell(session, conv, [Party.HOST, Party.STUDENT, Party.LYCEE],
                    subject=f"Convention signée hors plateforme : {common.title_of(conv)}",
                    text=("La convention de stage a été signée hors plateforme : l'exemplaire signé a été "
                          "enregistré. Il n'y a plus rien à signer en ligne."))
        label = common.title_of(conv)
    mail.send_now()
    return label


def upload_signed_by_number(user: CurrentUser, number: str, filename: str, data: bytes,
                            now: dt.datetime | None = None) -> str:
    """The coordinator's upload, by the number printed on the convention (CONV-071-2026-2027-000042)."""
    user = require_role(user, Role.COORDINATOR)
    parsed = rules.parse_number(number)
    if parsed is None:
        raise ValidationError("Numéro de convention invalide (format attendu : CONV-071-2026-2027-000042).",
                              field="number")
    with read_session() as session:
        conv = session.get(Convention, parsed[2])
        if conv is None or not common.is_coordinator_of(user, conv) or \
                common.content_number(conv) != number.strip().upper():
            raise NotFound("Aucune convention de votre département ne porte ce numéro.")
    upload_signed(user, parsed[2], filename, data, now)
    return number.strip().upper()


def signed_file(user: CurrentUser, convention_id: int) -> tuple[str, bytes, str]:
    """(file name, bytes, "déposé le …") of the scanned signed convention."""
    user = require_role(user, Role.DIRECTOR, Role.STUDENT, Role.LYCEE_HEAD, Role.COORDINATOR)
    with read_session() as session:
        conv, _party = common.get_for(session, user, convention_id, allow_coordinator=True)
        row = session.scalar(select(ConventionFile).where(ConventionFile.convention_id == conv.id)
                             .order_by(ConventionFile.id.desc()))
        if row is None:
            raise NotFound("Aucun exemplaire signé hors plateforme n'est enregistré pour cette convention.")
        return row.filename, row.content, f"déposé le {fmt_datetime(row.uploaded_at)}"
