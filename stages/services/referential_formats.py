"""Reading the referential's files: the ministry's annuaire and the project's extracts.

Two formats are read:
- the official "Annuaire de l'éducation" CSV (``;``, official headers, every kind of
  establishment mixed): rows of the configured département are kept, écoles and lycées by
  ``Type_etablissement``, circonscriptions by ``code_nature`` 809;
- the project's own extracts in ``data/`` (``,``): ``ecoles_71.csv``, ``lycees_71.csv``,
  ``circonscriptions_71.csv``, recognised by their header.

Bad rows (missing or invalid UAI, ...) are listed with their line number and the reason.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stages.config import get_settings
from stages.domain.text import clean_text, normalize_phone

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


def read_file(data: bytes | str | Path, departement_code: str | None = None) -> ParsedFile:
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


def _contact_fields(row: dict, dep: str, academie: str) -> dict:
    """What every row of the extract files carries: address, phone, email, and where it belongs."""
    return {
        "address": _opt(row, "adresse"),
        "postal_code": _opt(row, "code_postal"),
        "commune": _text(row, "commune"),
        "phone": normalize_phone(row.get("telephone")),
        "email": (_opt(row, "mail") or "").lower() or None,
        "departement_code": dep,
        "academie_code": academie,
    }


def _site_fields(row: dict) -> dict:
    """Where an establishment (école, lycée) stands on the map, and whether it is open."""
    return {
        "latitude": _float(row.get("latitude")),
        "longitude": _float(row.get("longitude")),
        "state": _text(row, "etat") or "OUVERT",
    }


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
                    "address_complement": _opt(row, "adresse_complement"),
                    "code_commune": _opt(row, "code_commune"),
                    "rep": prio == "REP",
                    "rep_plus": prio == "REP+",
                    "circonscription_code": _text(row, "circonscription_code").upper() or None,
                    "circonscription_name": _text(row, "circonscription_nom") or None,
                    **_contact_fields(row, dep, academie),
                    **_site_fields(row),
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
                    "rep": _text(row, "education_prioritaire").upper() in {"REP", "REP+"},
                    **_contact_fields(row, dep, academie),
                    **_site_fields(row),
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
                    **_contact_fields(row, dep, academie),
                },
            )
        )
    return parsed
