"""Référentiel: a coordinator previews, then imports, the annuaire CSV of the département.

Every function checks that the caller is a coordinator.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import select

from db import read_session
from db.models import Lycee, Role, School
from stages.services import referential
from stages.services.auth import CurrentUser
from stages.services.errors import ValidationError
from stages.services.permissions import require_role


@dataclass(frozen=True)
class ReferentialResult:
    dry_run: bool
    summary: list[str]
    differences: pd.DataFrame  # Changement, Type, UAI, Nom, Commune
    errors: pd.DataFrame  # Ligne, Motif
    counts: dict[str, int] = field(default_factory=dict)


def _parse(data: bytes):
    if not data:
        raise ValidationError("Le fichier est vide : choisissez le fichier CSV de l'annuaire.", field="file")
    try:
        return referential.parse_file(data)
    except ValueError as exc:
        raise ValidationError(str(exc), field="file") from exc


def _referential(user: CurrentUser, data: bytes, dry_run: bool, progress: Callable[[float], None] | None):
    require_role(user, Role.COORDINATOR)
    parsed = _parse(data)
    report = referential.import_parsed(parsed, dry_run=dry_run, progress=progress)
    names = {}
    for kind, rows in (("Circonscription", parsed.circonscriptions), ("École", parsed.schools),
                       ("Lycée", parsed.lycees)):
        for _line, values in rows:
            names[(kind, values.get("uai") or values.get("code"))] = (values.get("name", ""), values.get("commune") or "")
    gone_names = {}
    with read_session() as session:
        for model, kind, codes in ((School, "École", report.schools.gone), (Lycee, "Lycée", report.lycees.gone)):
            for start in range(0, len(codes), 500):
                for row in session.execute(select(model.uai, model.name, model.commune)
                                           .where(model.uai.in_(codes[start:start + 500]))):
                    gone_names[(kind, row.uai)] = (row.name, row.commune)
    records = []
    for kind, rep in (("Circonscription", report.circonscriptions), ("École", report.schools), ("Lycée", report.lycees)):
        for label, codes, lookup in (("Nouveau", rep.created, names), ("Modifié", rep.changed, names),
                                     ("Absent du fichier", rep.gone, gone_names)):
            for code in codes:
                name, commune = lookup.get((kind, code), ("", ""))
                records.append((label, kind, code, name, commune))
    counts = {
        "nouveaux": sum(len(r.created) for r in (report.circonscriptions, report.schools, report.lycees)),
        "modifiés": sum(len(r.changed) for r in (report.circonscriptions, report.schools, report.lycees)),
        "absents": len(report.schools.gone) + len(report.lycees.gone),
        "erreurs": len(report.errors),
    }
    return ReferentialResult(
        dry_run=dry_run,
        summary=report.lines(),
        differences=pd.DataFrame(records, columns=["Changement", "Type", "UAI", "Nom", "Commune"]),
        errors=pd.DataFrame(report.errors, columns=["Ligne", "Motif"]),
        counts=counts,
    )


def preview_referential(user: CurrentUser, data: bytes,
                        progress: Callable[[float], None] | None = None) -> ReferentialResult:
    """What an import of the annuaire would change (new, changed, gone) and its bad rows; nothing saved."""
    return _referential(user, data, True, progress)


def import_referential(user: CurrentUser, data: bytes,
                       progress: Callable[[float], None] | None = None) -> ReferentialResult:
    """Import the annuaire: good rows are saved, bad rows listed with their line number and reason.

    Establishments absent from the file are reported, never deleted (offers refer to them)."""
    return _referential(user, data, False, progress)
