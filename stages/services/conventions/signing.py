"""Signing: a simple electronic signature (the signatory read the PDF, ticked « J'ai lu et j'approuve
la convention » and typed their full name). Stored: who, when, the hash of the document signed and
the client's address. The convention row is locked first, so two parties signing at the same
moment are serialised and both count."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import read_session, write_session
from db.models import Convention, ConventionSignature, ConventionToken, Role
from stages.documents.convention import render_pdf
from stages.domain import conventions as rules
from stages.domain.conventions import Party, Status
from stages.domain.timeutil import fmt_date
from stages.services import mail
from stages.services.auth import CurrentUser
from stages.services.conventions import common
from stages.services.errors import NotFound, ValidationError
from stages.services.permissions import require_role

CHANGED = ("La convention a été modifiée depuis que vous l'avez ouverte : relisez la nouvelle version "
           "avant de signer.")
BAD_LINK = ("Ce lien de signature n'est pas valable. Utilisez le lien du dernier courriel reçu, ou demandez à l'élève "
            "de vérifier votre adresse dans la convention.")


def _sign(session: Session, conv: Convention, party: str, *, user_id: int | None, name: str, email: str,
          approved: bool, typed_name: str, document_hash: str | None, client_address: str | None,
          now: dt.datetime) -> str:
    status = rules.normalize_status(conv.status)
    label = common.title_of(conv)
    if status == Status.TO_COMPLETE:
        missing = rules.missing_text(status, common.parts_done(conv), set())
        raise ValidationError(f"{label} : la convention n'est pas encore prête à signer ({missing}).")
    if status in Status.CLOSED:
        raise ValidationError(f"{label} : la convention est « {rules.LABELS[status]} », elle ne se signe plus.")
    signed = {s.party for s in common.valid_signatures(session, conv)}
    if party in signed:
        raise ValidationError(f"{label} : vous avez déjà signé cette convention.")
    problem = rules.signature_problem(approved, typed_name, name)
    if problem:
        raise ValidationError(problem, field="typed_name" if approved else "approved")
    current = rules.document_hash(common.content(session, conv))  # the text as it reads now
    conv.document_hash = current
    if document_hash is not None and document_hash != current:
        raise ValidationError(CHANGED)
    session.add(ConventionSignature(convention_id=conv.id, party=party, user_id=user_id, signer_name=name,
                                    signer_email=email, signed_at=now, document_hash=current,
                                    client_address=(client_address or "")[:64] or None))
    session.flush()
    after = common.refresh(session, conv, user_id, now, comment=f"Signature : {rules.PARTY_LABELS[party]}")
    if after == Status.SIGNED:
        common.tell(session, conv, [Party.HOST, Party.STUDENT, Party.LYCEE],
                    subject=f"Convention signée par tous : {label}",
                    text="La convention de stage est signée par toutes les parties. Vous pouvez la télécharger.")
        for rep_name, address in common.recipients(session, conv, Party.LEGAL_REP):
            mail.queue_mail(session, kind="convention", to=address, subject=f"Convention signée par tous : {label}",
                            text=(f"Bonjour {rep_name},\n\nLa convention de stage est signée par toutes les "
                                  "parties. L'élève peut vous en remettre un exemplaire (PDF)."))
    return label


def sign(user: CurrentUser, convention_id: int, *, approved: bool, typed_name: str, document_hash: str | None,
         client_address: str | None = None, now: dt.datetime | None = None) -> str:
    """The director, the student or the lycée head signs the version they read (``document_hash``)."""
    user = require_role(user, Role.DIRECTOR, Role.STUDENT, Role.LYCEE_HEAD)
    with write_session() as session:
        now = common.now_or(now)
        conv, party = common.get_for(session, user, convention_id, for_update=True)
        label = _sign(session, conv, party, user_id=user.id, name=user.full_name, email=user.email,
                      approved=approved, typed_name=typed_name, document_hash=document_hash,
                      client_address=client_address, now=now)
    mail.send_now()
    return label


def bulk_sign(user: CurrentUser, convention_ids: list[int], *, approved: bool, typed_name: str,
              client_address: str | None = None, now: dt.datetime | None = None) -> common.BulkResult:
    """The lycée head signs several ready conventions at once: one signature record and one
    transaction each, so a refusal does not undo the others."""
    user = require_role(user, Role.LYCEE_HEAD)
    if not convention_ids:
        raise ValidationError("Cochez au moins une convention.")
    problem = rules.signature_problem(approved, typed_name, user.full_name)
    if problem:
        raise ValidationError(problem)
    done, errors = [], []
    for convention_id in dict.fromkeys(convention_ids):
        try:
            with write_session() as session:
                conv, party = common.get_for(session, user, convention_id, for_update=True)
                done.append(_sign(session, conv, party, user_id=user.id, name=user.full_name, email=user.email,
                                  approved=approved, typed_name=typed_name, document_hash=None,
                                  client_address=client_address, now=common.now_or(now)))
        except (ValidationError, NotFound) as exc:
            errors.append(exc.message)
    if done:
        mail.send_now()
    return common.BulkResult(done, errors)


# --------------------------------------------------------------------------- the legal representative


@dataclass(frozen=True)
class LegalRepView:
    number: str
    student_name: str
    offer_title: str
    place: str
    period: str
    signer_name: str
    document_hash: str
    valid_until: str
    pdf: bytes


def _token(session: Session, token: str, now: dt.datetime) -> ConventionToken:
    row = session.scalar(select(ConventionToken).where(ConventionToken.token_hash == rules.token_hash(token or ""))
                         .execution_options(populate_existing=True))
    if row is None or row.revoked_at is not None:
        raise ValidationError(BAD_LINK)
    if row.used_at is not None:
        raise ValidationError("Ce lien a déjà servi à signer la convention : il ne peut servir qu'une fois.")
    if now >= row.expires_at:
        raise ValidationError("Ce lien a expiré : il était valable jusqu'à la veille du premier jour du stage.")
    return row


def legal_rep_view(token: str, now: dt.datetime | None = None) -> LegalRepView:
    """What the public signing page shows: the document to read first (nothing without a valid link)."""
    with read_session() as session:
        now = common.now_or(now)
        row = _token(session, token, now)
        conv = session.get(Convention, row.convention_id)
        status = rules.normalize_status(conv.status)
        if status not in (Status.READY, Status.SIGNING):
            raise ValidationError(f"Cette convention est « {rules.LABELS[status]} » : elle ne se signe plus.")
        content = common.content(session, conv)
        digest = rules.document_hash(content)
        pdf = render_pdf(content, digest, common.signature_lines(session, conv))
        cand = conv.candidature
        return LegalRepView(content["number"], cand.student.full_name, cand.offer.title, cand.offer.place_name,
                            content["stage"]["period"], row.name, digest, fmt_date(row.expires_at), pdf)


def sign_as_legal_rep(token: str, *, approved: bool, typed_name: str, document_hash: str | None,
                      client_address: str | None = None, now: dt.datetime | None = None) -> str:
    """Sign through the mailed link: once, before the stage's first day. The other representative's
    link is revoked (one legal representative's signature is required)."""
    with write_session() as session:
        now = common.now_or(now)
        row = _token(session, token, now)
        conv = common.lock(session, row.convention_id)
        row = _token(session, token, now)  # re-read under the lock: a concurrent use is seen here
        label = _sign(session, conv, Party.LEGAL_REP, user_id=None, name=row.name, email=row.email,
                      approved=approved, typed_name=typed_name, document_hash=document_hash,
                      client_address=client_address, now=now)
        row.used_at = now
        for other in session.scalars(select(ConventionToken).where(
                ConventionToken.convention_id == conv.id, ConventionToken.id != row.id,
                ConventionToken.used_at.is_(None), ConventionToken.revoked_at.is_(None))):
            other.revoked_at = now
    mail.send_now()
    return label
