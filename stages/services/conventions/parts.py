"""Completing a part: the director (host: tutor, meals), the lycée head (referent, class), the student
(birth date, class, PAI, legal representatives). A change after a signature invalidates the
signatures already given, tells each signatory and mails the legal representatives a new link."""

from __future__ import annotations

import datetime as dt

from db import write_session
from db.models import Role
from stages.domain import conventions as rules
from stages.domain.conventions import Party, Status
from stages.services import mail
from stages.services.auth import CurrentUser
from stages.services.conventions import common
from stages.services.errors import ValidationError
from stages.services.permissions import require_role

ATTR = {Party.HOST: "host_part", Party.LYCEE: "lycee_part", Party.STUDENT: "student_part"}


def complete_part(user: CurrentUser, convention_id: int, data: dict, now: dt.datetime | None = None) -> str:
    """Save the caller's part; returns the convention's new state label. Bad input changes nothing."""
    user = require_role(user, Role.DIRECTOR, Role.STUDENT, Role.LYCEE_HEAD)
    with write_session() as session:
        now = common.now_or(now)
        conv, party = common.get_for(session, user, convention_id, for_update=True)
        status = rules.normalize_status(conv.status)
        if status == Status.CANCELLED:
            raise ValidationError("Cette convention est annulée : elle ne peut plus être modifiée.")
        if status == Status.SIGNED_OFFLINE:
            raise ValidationError("Cette convention a été signée hors plateforme : elle ne peut plus être modifiée.")
        if party == Party.HOST:
            part, errors = rules.clean_host_part(data)
            part["director_name"] = user.full_name
        elif party == Party.LYCEE:
            part, errors = rules.clean_lycee_part(data)
            part["head_name"] = user.full_name
        else:
            start, _end = common.stage_dates(conv.candidature.offer)
            part, errors = rules.clean_student_part(data, start)
        if errors:
            raise ValidationError(next(iter(errors.values())), errors=errors)
        attr = ATTR[party]
        if getattr(conv, attr) == part:
            return rules.LABELS[status]
        was_ready = status != Status.TO_COMPLETE
        setattr(conv, attr, part)
        conv.document_hash = rules.document_hash(common.content(session, conv))
        signatures = common.valid_signatures(session, conv)
        comment = f"Partie « {rules.PARTY_LABELS[party]} » complétée"
        if signatures:
            for signature in signatures:
                signature.invalidated_at = now
            comment += " : signatures précédentes annulées"
            cand = conv.candidature
            common.tell(
                session, conv, [s.party for s in signatures if s.party != Party.LEGAL_REP],
                subject=f"Convention modifiée : à signer de nouveau ({cand.student.full_name})",
                text=(f"La partie « {rules.PARTY_LABELS[party]} » de la convention de stage de "
                      f"{cand.student.full_name} (« {cand.offer.title} ») a été modifiée après votre signature. "
                      "Les signatures déjà données ne valent plus pour cette nouvelle version : relisez la "
                      "convention et signez-la de nouveau."),
            )
        after = common.refresh(session, conv, user.id, now, comment=comment)
        if after in (Status.READY, Status.SIGNING):
            reason = ("La convention a été modifiée : les signatures précédentes ne valent plus."
                      if signatures else "La convention est complète et prête à être signée.")
            common.issue_legal_rep_links(session, conv, now, reason)
            if not was_ready or signatures:
                others = [p for p in (Party.HOST, Party.STUDENT, Party.LYCEE)
                          if p != party and p not in {s.party for s in signatures}]
                if not was_ready:
                    common.tell(session, conv, others,
                                subject=f"Convention prête à signer : {common.title_of(conv)}",
                                text=("Toutes les parties de la convention de stage sont complétées : "
                                      "elle est prête à être signée. Lisez-la puis signez-la."))
        label = rules.LABELS[after]
    mail.send_now()
    return label
