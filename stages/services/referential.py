"""The referential: circonscriptions, écoles and lycées, imported from the ministry's annuaire.

Reading the files is ``referential_formats``, the per-column row checks ``referential_checks``;
here: ``parse_file`` (both), the import and the lookups of the stored referential.

Import is an upsert by UAI: running it twice changes nothing. Bad rows are reported with
their line number and the reason, and good rows are still imported.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from db import read_session, write_session
from db.models import Circonscription, Lycee, School
from stages.config import ROOT, get_settings
from stages.services.referential_checks import check_columns
from stages.services.referential_formats import ParsedFile, read_file, short_circonscription_name

DATA_DIR = ROOT / "data"


def parse_file(data: bytes | str | Path, departement_code: str | None = None) -> ParsedFile:
    """Read one referential file; raises ``ValueError`` (French message) when it is not one.

    Every value is checked against its column's length (and addresses by ``email-validator``)
    here, the same way for SQLite and PostgreSQL: a bad row is listed with its line and left out,
    the good rows are imported.
    """
    # The csv module refuses a field over 131,072 characters with a bare csv.Error; read it, then refuse its row.
    csv.field_size_limit(max(csv.field_size_limit(), 64 * 1024 * 1024))
    try:
        parsed = read_file(data, departement_code)
    except csv.Error as exc:
        raise ValueError(f"Fichier CSV illisible : {exc}.") from exc
    return check_columns(parsed)


# --------------------------------------------------------------------------- import


@dataclass
class KindReport:
    created: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: int = 0
    gone: list[str] = field(default_factory=list)  # in the database, absent from the file


@dataclass
class ImportReport:
    fmt: str
    circonscriptions: KindReport = field(default_factory=KindReport)
    schools: KindReport = field(default_factory=KindReport)
    lycees: KindReport = field(default_factory=KindReport)
    skipped: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    dry_run: bool = False

    def lines(self) -> list[str]:
        out = [f"Format : {self.fmt}" + (" (aperçu, rien n'a été enregistré)" if self.dry_run else "")]
        for label, rep in (
            ("Circonscriptions", self.circonscriptions),
            ("Écoles", self.schools),
            ("Lycées", self.lycees),
        ):
            out.append(
                f"{label} : {len(rep.created)} créé(e)s, {len(rep.changed)} modifié(e)s, "
                f"{rep.unchanged} inchangé(e)s"
            )
        out.append(f"Lignes ignorées (autres types ou départements) : {self.skipped}")
        out.append(f"Lignes en erreur : {len(self.errors)}")
        return out


_SCHOOL_FIELDS = (
    "name", "school_type", "sector", "private_contract", "address", "address_complement", "postal_code",
    "commune", "code_commune", "phone", "email", "latitude", "longitude", "state", "rep", "rep_plus",
    "departement_code", "academie_code",
)
_LYCEE_FIELDS = (
    "name", "sector", "nature", "voie_generale", "voie_technologique", "voie_professionnelle", "address",
    "postal_code", "commune", "phone", "email", "rep", "latitude", "longitude", "state",
    "departement_code", "academie_code",
)
_CIRC_FIELDS = (
    "name", "short_name", "address", "postal_code", "commune", "phone", "email", "departement_code",
    "academie_code",
)


def _apply(obj: Any, values: dict[str, Any], fields: Iterable[str]) -> bool:
    changed = False
    for name in fields:
        if getattr(obj, name) != values[name]:
            setattr(obj, name, values[name])
            changed = True
    return changed


def import_parsed(
    parsed: ParsedFile,
    *,
    dry_run: bool = False,
    progress: Callable[[float], None] | None = None,
    url: str | None = None,
) -> ImportReport:
    """Upsert what ``parse_file`` read. With ``dry_run`` the differences are computed, then rolled back."""
    report = ImportReport(fmt=parsed.fmt, skipped=parsed.skipped, errors=list(parsed.errors), dry_run=dry_run)
    total = max(1, len(parsed.circonscriptions) + len(parsed.schools) + len(parsed.lycees))
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress and (done % 25 == 0 or done == total):
            progress(done / total)

    with write_session(url) as session:
        circs = {c.code: c for c in session.scalars(select(Circonscription))}
        for _line, values in parsed.circonscriptions:
            circ = circs.get(values["code"])
            if circ is None:
                circ = Circonscription(code=values["code"], **{k: values[k] for k in _CIRC_FIELDS})
                session.add(circ)
                circs[circ.code] = circ
                report.circonscriptions.created.append(values["code"])
            elif _apply(circ, values, _CIRC_FIELDS):
                report.circonscriptions.changed.append(values["code"])
            else:
                report.circonscriptions.unchanged += 1
            tick()
        session.flush()

        schools = {s.uai: s for s in session.scalars(select(School))}
        for line, values in parsed.schools:
            circ = None
            code = values.get("circonscription_code")
            if code:
                circ = circs.get(code)
                if circ is None and values.get("circonscription_name"):
                    # A circonscription known only from the schools' rows (an extract of écoles alone).
                    name = values["circonscription_name"]
                    circ = Circonscription(
                        code=code, name=name, short_name=short_circonscription_name(name),
                        departement_code=values["departement_code"], academie_code=values["academie_code"],
                    )
                    session.add(circ)
                    session.flush()
                    circs[code] = circ
                    report.circonscriptions.created.append(code)
            school = schools.get(values["uai"])
            if school is None:
                school = School(uai=values["uai"], **{k: values[k] for k in _SCHOOL_FIELDS})
                school.circonscription_id = circ.id if circ else None
                session.add(school)
                schools[school.uai] = school
                report.schools.created.append(values["uai"])
            else:
                changed = _apply(school, values, _SCHOOL_FIELDS)
                new_circ_id = circ.id if circ else None
                if code and school.circonscription_id != new_circ_id:
                    school.circonscription_id = new_circ_id
                    changed = True
                if changed:
                    report.schools.changed.append(values["uai"])
                else:
                    report.schools.unchanged += 1
            del line
            tick()

        lycees = {lyc.uai: lyc for lyc in session.scalars(select(Lycee))}
        for _line, values in parsed.lycees:
            lycee = lycees.get(values["uai"])
            if lycee is None:
                lycee = Lycee(uai=values["uai"], **{k: values[k] for k in _LYCEE_FIELDS})
                session.add(lycee)
                lycees[lycee.uai] = lycee
                report.lycees.created.append(values["uai"])
            elif _apply(lycee, values, _LYCEE_FIELDS):
                report.lycees.changed.append(values["uai"])
            else:
                report.lycees.unchanged += 1
            tick()

        # Absent from the file: in the database (same département) but not in the file, for every kind
        # the file describes in full (the annuaire: schools and lycées; an extract: its own kind).
        dep = (parsed.schools or parsed.lycees or parsed.circonscriptions or [(0, {"departement_code": None})])[0][1][
            "departement_code"
        ]
        full = {"annuaire": ("schools", "lycees"), "ecoles": ("schools",), "lycees": ("lycees",),
                "circonscriptions": ("circonscriptions",)}.get(parsed.fmt, ())
        if "schools" in full:
            in_file = {v["uai"] for _, v in parsed.schools}
            report.schools.gone = sorted(u for u, s in schools.items() if s.departement_code == dep and u not in in_file)
        if "lycees" in full:
            in_file = {v["uai"] for _, v in parsed.lycees}
            report.lycees.gone = sorted(u for u, s in lycees.items() if s.departement_code == dep and u not in in_file)
        if "circonscriptions" in full:
            in_file = {v["code"] for _, v in parsed.circonscriptions}
            report.circonscriptions.gone = sorted(c for c, circ in circs.items()
                                                  if circ.departement_code == dep and c not in in_file)
        session.flush()
        if dry_run:
            session.rollback()
    if progress:
        progress(1.0)
    return report


def import_file(
    data: bytes | str | Path,
    *,
    dry_run: bool = False,
    progress: Callable[[float], None] | None = None,
    url: str | None = None,
) -> ImportReport:
    return import_parsed(parse_file(data), dry_run=dry_run, progress=progress, url=url)


def import_project_extracts(url: str | None = None) -> list[ImportReport]:
    """Load the shipped extracts of ``data/`` (circonscriptions first, then écoles and lycées)."""
    return [
        import_file(DATA_DIR / name, url=url)
        for name in ("circonscriptions_71.csv", "ecoles_71.csv", "lycees_71.csv")
    ]


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class Counts:
    circonscriptions: int
    schools: int
    lycees: int


def counts(url: str | None = None) -> Counts:
    with read_session(url) as session:
        return Counts(
            circonscriptions=session.scalar(select(func.count()).select_from(Circonscription)) or 0,
            schools=session.scalar(select(func.count()).select_from(School)) or 0,
            lycees=session.scalar(select(func.count()).select_from(Lycee)) or 0,
        )


@dataclass(frozen=True)
class LyceeChoice:
    id: int
    label: str


def general_lycees(departement_code: str | None = None) -> list[LyceeChoice]:
    """Lycées généraux et technologiques, for a student's signup."""
    dep = departement_code or get_settings().departement_code
    with read_session() as session:
        rows = session.scalars(
            select(Lycee)
            .where(Lycee.departement_code == dep)
            .where((Lycee.voie_generale.is_(True)) | (Lycee.voie_technologique.is_(True)))
            .order_by(Lycee.commune, Lycee.name)
        )
        return [LyceeChoice(lyc.id, f"{lyc.name} ({lyc.commune})") for lyc in rows]


@dataclass(frozen=True)
class CirconscriptionChoice:
    id: int
    code: str
    label: str


def circonscriptions(departement_code: str | None = None) -> list[CirconscriptionChoice]:
    dep = departement_code or get_settings().departement_code
    with read_session() as session:
        rows = session.scalars(
            select(Circonscription).where(Circonscription.departement_code == dep).order_by(Circonscription.short_name)
        )
        return [CirconscriptionChoice(c.id, c.code, c.short_name) for c in rows]
