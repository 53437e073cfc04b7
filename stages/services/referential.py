"""The referential: circonscriptions, écoles and lycées, imported from the ministry's annuaire.

Two formats are read:
- the official "Annuaire de l'éducation" CSV (``;``, official headers, every kind of
  establishment mixed): rows of the configured département are kept, écoles and lycées by
  ``Type_etablissement``, circonscriptions by ``code_nature`` 809;
- the project's own extracts in ``data/`` (``,``): ``ecoles_71.csv``, ``lycees_71.csv``,
  ``circonscriptions_71.csv``, recognised by their header.

Import is an upsert by UAI: running it twice changes nothing. Bad rows are reported with
their line number and the reason, and good rows are still imported.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from db import read_session, write_session
from db.models import Circonscription, Lycee, School
from stages.config import ROOT, get_settings
from stages.domain.emails import email_problem
from stages.domain.text import clean_text, normalize_phone

DATA_DIR = ROOT / "data"
UAI_RE = re.compile(r"^\d{7}[A-Z]$")
CIRCONSCRIPTION_NATURE = "809"
_UAI_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"  # 23 letters: I, O and Q are never used


def uai_is_valid(uai: str) -> bool:
    """Seven digits and the check letter (the digits modulo 23)."""
    if not UAI_RE.match(uai):
        return False
    return _UAI_LETTERS[int(uai[:7]) % 23] == uai[7]


def short_circonscription_name(name: str) -> str:
    """"Circonscription d'inspection du 1er degré du Creusot" -> "Le Creusot"."""
    short = re.sub(r"^Circonscription d'inspection du 1er degr[ée]\s+", "", name.strip())
    if short.startswith("du "):
        short = "Le " + short[3:]
    elif short.startswith("de "):
        short = short[3:]
    elif short.startswith("d'"):
        short = short[2:]
    short = re.sub(r"^Chalon sur Saône", "Chalon-sur-Saône", short)
    short = re.sub(r"^Montceau les Mines", "Montceau-les-Mines", short)
    return short


# --------------------------------------------------------------------------- parsing


@dataclass
class ParsedFile:
    fmt: str  # "annuaire" | "ecoles" | "lycees" | "circonscriptions"
    circonscriptions: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    schools: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    lycees: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    skipped: int = 0  # rows of other kinds or other départements
    errors: list[tuple[int, str]] = field(default_factory=list)


def _flag(value: str | None) -> bool:
    return (value or "").strip() in {"1", "1.0", "Oui", "oui", "true"}


def _float(value: str | None) -> float | None:
    value = (value or "").strip().replace(",", ".")
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        return None


def _school_type(maternelle: bool, elementaire: bool, nature: str) -> str:
    if maternelle and elementaire:
        return "primaire"
    if maternelle:
        return "maternelle"
    if elementaire:
        return "élémentaire"
    return "maternelle" if "MATERNELLE" in nature.upper() else "élémentaire"


def _text(row: dict[str, str], key: str) -> str:
    return clean_text(row.get(key), multiline=False)


def _opt(row: dict[str, str], key: str) -> str | None:
    return _text(row, key) or None


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def parse_file(data: bytes | str | Path, departement_code: str | None = None) -> ParsedFile:
    """Read one referential file; raises ``ValueError`` (French message) when it is not one.

    Every value is checked against its column's length (and addresses by ``email-validator``)
    here, the same way for SQLite and PostgreSQL: a bad row is listed with its line and left out,
    the good rows are imported.
    """
    # The csv module refuses a field over 131,072 characters with a bare csv.Error; read it, then refuse its row.
    csv.field_size_limit(max(csv.field_size_limit(), 64 * 1024 * 1024))
    try:
        parsed = _parse_file(data, departement_code)
    except csv.Error as exc:
        raise ValueError(f"Fichier CSV illisible : {exc}.") from exc
    return _check_columns(parsed)


_ROW_KINDS = (("circonscriptions", Circonscription), ("schools", School), ("lycees", Lycee))


def _check_columns(parsed: ParsedFile) -> ParsedFile:
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


def _parse_file(data: bytes | str | Path, departement_code: str | None = None) -> ParsedFile:
    if isinstance(data, Path):
        data = data.read_bytes()
    text = _decode(data) if isinstance(data, bytes) else data.lstrip("\ufeff")
    first_line = text.split("\n", 1)[0]
    dep = departement_code or get_settings().departement_code
    if "Identifiant_de_l_etablissement" in first_line:
        return _parse_annuaire(text, dep)
    reader = csv.DictReader(io.StringIO(text), delimiter=",")
    header = set(reader.fieldnames or [])
    if {"uai", "circonscription_code", "ecole_maternelle"} <= header:
        return _parse_extract_schools(reader, dep)
    if {"uai", "voie_generale", "voie_technologique"} <= header:
        return _parse_extract_lycees(reader, dep)
    if {"circonscription_code", "circonscription_nom", "adresse"} <= header:
        return _parse_extract_circonscriptions(reader, dep)
    raise ValueError(
        "Fichier non reconnu : attendu l'annuaire de l'éducation (CSV « ; » avec la colonne "
        "Identifiant_de_l_etablissement) ou un extrait du projet (ecoles, lycees, circonscriptions)."
    )


def _check_uai(uai: str, line: int, parsed: ParsedFile) -> bool:
    if not uai:
        parsed.errors.append((line, "UAI manquant"))
        return False
    if not uai_is_valid(uai):
        parsed.errors.append((line, f"UAI invalide : {uai}"))
        return False
    return True


def _parse_annuaire(text: str, dep: str) -> ParsedFile:
    parsed = ParsedFile(fmt="annuaire")
    reader = csv.DictReader(io.StringIO(text), delimiter=";")
    seen: dict[str, set[str]] = {"school": set(), "lycee": set(), "circ": set()}
    for line, row in enumerate(reader, start=2):
        if (row.get("Code_departement") or "").strip().zfill(2) != dep.zfill(2):
            parsed.skipped += 1
            continue
        kind = (row.get("Type_etablissement") or "").strip()
        nature = (row.get("code_nature") or "").strip()
        uai = _text(row, "Identifiant_de_l_etablissement").upper()
        if kind == "Ecole":
            target, bucket = parsed.schools, "school"
        elif kind == "Lycée":
            target, bucket = parsed.lycees, "lycee"
        elif nature == CIRCONSCRIPTION_NATURE:
            target, bucket = parsed.circonscriptions, "circ"
        else:
            parsed.skipped += 1
            continue
        if not _check_uai(uai, line, parsed):
            continue
        if uai in seen[bucket]:
            # Establishments with several sites appear on several rows: the first one counts.
            parsed.errors.append((line, f"UAI en double (site secondaire ignoré) : {uai}"))
            continue
        seen[bucket].add(uai)
        common = {
            "uai": uai,
            "name": _text(row, "Nom_etablissement"),
            "sector": _text(row, "Statut_public_prive") or "Public",
            "address": _opt(row, "Adresse_1"),
            "postal_code": _opt(row, "Code_postal"),
            "commune": _text(row, "Nom_commune"),
            "phone": normalize_phone(row.get("Telephone")),
            "email": (_opt(row, "Mail") or "").lower() or None,
            "latitude": _float(row.get("latitude")),
            "longitude": _float(row.get("longitude")),
            "state": _text(row, "etat") or "OUVERT",
            "departement_code": dep,
            "academie_code": _text(row, "Code_academie") or get_settings().academie_code,
        }
        if not common["name"]:
            parsed.errors.append((line, f"Nom manquant pour {uai}"))
            continue
        if bucket == "circ":
            parsed.circonscriptions.append(
                (
                    line,
                    {
                        "code": uai,
                        "name": common["name"],
                        "short_name": short_circonscription_name(common["name"]),
                        "address": common["address"],
                        "postal_code": common["postal_code"],
                        "commune": common["commune"],
                        "phone": common["phone"],
                        "email": common["email"],
                        "departement_code": dep,
                        "academie_code": common["academie_code"],
                    },
                )
            )
        elif bucket == "school":
            prio = _text(row, "Appartenance_Education_Prioritaire").upper()
            maternelle, elementaire = _flag(row.get("Ecole_maternelle")), _flag(row.get("Ecole_elementaire"))
            contract = _opt(row, "Type_contrat_prive")
            target.append(
                (
                    line,
                    {
                        **common,
                        "school_type": _school_type(maternelle, elementaire, _text(row, "libelle_nature")),
                        "private_contract": None if contract == "SANS OBJET" else contract,
                        "address_complement": _opt(row, "Adresse_2"),
                        "code_commune": _opt(row, "Code_commune"),
                        "rep": prio == "REP",
                        "rep_plus": prio == "REP+",
                        "circonscription_code": _text(row, "code_circonscription").upper() or None,
                        "circonscription_name": _text(row, "nom_circonscription") or None,
                    },
                )
            )
        else:
            prio = _text(row, "Appartenance_Education_Prioritaire").upper()
            target.append(
                (
                    line,
                    {
                        **common,
                        "nature": _opt(row, "libelle_nature"),
                        "voie_generale": _flag(row.get("Voie_generale")),
                        "voie_technologique": _flag(row.get("Voie_technologique")),
                        "voie_professionnelle": _flag(row.get("Voie_professionnelle")),
                        "rep": prio in {"REP", "REP+"},
                    },
                )
            )
    return parsed


def _parse_extract_schools(reader: csv.DictReader, dep: str) -> ParsedFile:
    parsed = ParsedFile(fmt="ecoles")
    academie = get_settings().academie_code
    for line, row in enumerate(reader, start=2):
        uai = _text(row, "uai").upper()
        if not _check_uai(uai, line, parsed):
            continue
        prio = _text(row, "education_prioritaire").upper()
        contract = _opt(row, "type_contrat_prive")
        parsed.schools.append(
            (
                line,
                {
                    "uai": uai,
                    "name": _text(row, "nom"),
                    "school_type": _text(row, "type")
                    or _school_type(_flag(row.get("ecole_maternelle")), _flag(row.get("ecole_elementaire")), ""),
                    "sector": _text(row, "statut") or "Public",
                    "private_contract": None if contract == "SANS OBJET" else contract,
                    "address": _opt(row, "adresse"),
                    "address_complement": _opt(row, "adresse_complement"),
                    "postal_code": _opt(row, "code_postal"),
                    "commune": _text(row, "commune"),
                    "code_commune": _opt(row, "code_commune"),
                    "phone": normalize_phone(row.get("telephone")),
                    "email": (_opt(row, "mail") or "").lower() or None,
                    "latitude": _float(row.get("latitude")),
                    "longitude": _float(row.get("longitude")),
                    "state": _text(row, "etat") or "OUVERT",
                    "rep": prio == "REP",
                    "rep_plus": prio == "REP+",
                    "circonscription_code": _text(row, "circonscription_code").upper() or None,
                    "circonscription_name": _text(row, "circonscription_nom") or None,
                    "departement_code": dep,
                    "academie_code": academie,
                },
            )
        )
    return parsed


def _parse_extract_lycees(reader: csv.DictReader, dep: str) -> ParsedFile:
    parsed = ParsedFile(fmt="lycees")
    academie = get_settings().academie_code
    for line, row in enumerate(reader, start=2):
        uai = _text(row, "uai").upper()
        if not _check_uai(uai, line, parsed):
            continue
        parsed.lycees.append(
            (
                line,
                {
                    "uai": uai,
                    "name": _text(row, "nom"),
                    "sector": _text(row, "statut") or "Public",
                    "nature": _opt(row, "libelle_nature"),
                    "voie_generale": _flag(row.get("voie_generale")),
                    "voie_technologique": _flag(row.get("voie_technologique")),
                    "voie_professionnelle": _flag(row.get("voie_professionnelle")),
                    "address": _opt(row, "adresse"),
                    "postal_code": _opt(row, "code_postal"),
                    "commune": _text(row, "commune"),
                    "phone": normalize_phone(row.get("telephone")),
                    "email": (_opt(row, "mail") or "").lower() or None,
                    "rep": _text(row, "education_prioritaire").upper() in {"REP", "REP+"},
                    "latitude": _float(row.get("latitude")),
                    "longitude": _float(row.get("longitude")),
                    "state": _text(row, "etat") or "OUVERT",
                    "departement_code": dep,
                    "academie_code": academie,
                },
            )
        )
    return parsed


def _parse_extract_circonscriptions(reader: csv.DictReader, dep: str) -> ParsedFile:
    parsed = ParsedFile(fmt="circonscriptions")
    academie = get_settings().academie_code
    for line, row in enumerate(reader, start=2):
        code = _text(row, "circonscription_code").upper()
        if not _check_uai(code, line, parsed):
            continue
        name = _text(row, "circonscription_nom")
        parsed.circonscriptions.append(
            (
                line,
                {
                    "code": code,
                    "name": name,
                    "short_name": short_circonscription_name(name),
                    "address": _opt(row, "adresse"),
                    "postal_code": _opt(row, "code_postal"),
                    "commune": _text(row, "commune"),
                    "phone": normalize_phone(row.get("telephone")),
                    "email": (_opt(row, "mail") or "").lower() or None,
                    "departement_code": dep,
                    "academie_code": academie,
                },
            )
        )
    return parsed


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
