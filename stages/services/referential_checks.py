"""Per-column checks of the rows read from a referential file, the same on SQLite and PostgreSQL.

Every value is checked against its column's length (and addresses by ``email-validator``): a bad
row is listed with its line and left out, the good rows are kept.
"""

from __future__ import annotations

from db.models import Circonscription, Lycee, School
from stages.domain.emails import email_problem
from stages.services.referential_formats import ParsedFile

_ROW_KINDS = (("circonscriptions", Circonscription), ("schools", School), ("lycees", Lycee))


def check_columns(parsed: ParsedFile) -> ParsedFile:
    for attribute, model in _ROW_KINDS:
        kept = []
        for line, values in getattr(parsed, attribute):
            problems = []
            for name, value in values.items():
                column = model.__table__.c.get(name)
                length = getattr(column.type, "length", None) if column is not None else None
                if name == "email" and value:
                    if email_problem(value) is not None:
                        problems.append(f"adresse électronique invalide ({value[:60]})")
                        continue
                if length and isinstance(value, str) and len(value) > length:
                    label = COLUMN_LABELS.get(name, name)
                    problems.append(f"{label} trop long ({len(value)} caractères, {length} au plus)")
            if problems:
                parsed.errors.append((line, f"{values.get('uai') or values.get('code')} : " + " ; ".join(problems)))
            else:
                kept.append((line, values))
        setattr(parsed, attribute, kept)
    parsed.errors.sort(key=lambda e: e[0])
    return parsed


COLUMN_LABELS = {
    "name": "nom", "short_name": "nom court", "address": "adresse", "address_complement": "complément d'adresse",
    "postal_code": "code postal", "commune": "commune", "code_commune": "code commune", "phone": "téléphone",
    "email": "adresse électronique", "sector": "secteur", "nature": "nature", "school_type": "type d'école",
    "private_contract": "contrat privé", "state": "état", "academie_code": "code académie",
}
