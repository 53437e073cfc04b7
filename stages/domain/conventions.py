"""Conventions de stage: vocabulary and rules of the four-party signature circuit.

A convention belongs to an accepted candidature. Three *parts* are completed, in any order:
the host's (the école: the tutor), the lycée's (the referent teacher, the class) and the
student's (date of birth, class, PAI, legal representatives). When all three are complete the
convention is *prête à signer*; four *signatures* are then collected, in any order: the host
(the director), the student, a legal representative (through a link sent by mail) and the lycée
(the chef d'établissement). A signature is valid for the document it signed (its hash): an edit
of any part after a signature invalidates the signatures already given.

This module imports neither ``db`` nor streamlit: the services apply these rules.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass

from stages.domain.text import clean_text, is_valid_email, normalize_email


class ConventionStatus:
    TO_COMPLETE = "to_complete"
    READY = "ready"  # every part complete, no signature yet
    SIGNING = "signing"  # at least one signature
    SIGNED = "signed"  # signed by all four parties on the platform
    SIGNED_OFFLINE = "signed_offline"  # a scanned signed PDF was uploaded
    CANCELLED = "cancelled"  # the candidature was declined or withdrawn
    LEGACY_TO_GENERATE = "to_generate"  # rows written before the circuit existed: "à compléter"
    ALL = (TO_COMPLETE, READY, SIGNING, SIGNED, SIGNED_OFFLINE, CANCELLED)
    DONE = (SIGNED, SIGNED_OFFLINE)
    CLOSED = (SIGNED, SIGNED_OFFLINE, CANCELLED)


Status = ConventionStatus

LABELS = {
    Status.TO_COMPLETE: "À compléter",
    Status.READY: "Prête à signer",
    Status.SIGNING: "Signatures en cours",
    Status.SIGNED: "Signée par tous",
    Status.SIGNED_OFFLINE: "Signée hors plateforme",
    Status.CANCELLED: "Annulée",
}


class Party:
    HOST = "host"
    LYCEE = "lycee"
    STUDENT = "student"
    LEGAL_REP = "legal_rep"
    SIGNATORIES = (HOST, STUDENT, LEGAL_REP, LYCEE)
    WITH_PART = (HOST, LYCEE, STUDENT)


PARTY_LABELS = {
    Party.HOST: "École d'accueil",
    Party.LYCEE: "Lycée",
    Party.STUDENT: "Élève",
    Party.LEGAL_REP: "Représentant légal",
}

PARTY_SIGNER_ROLES = {
    Party.HOST: "Directeur(trice) d'école",
    Party.LYCEE: "Chef d'établissement",
    Party.STUDENT: "Élève",
    Party.LEGAL_REP: "Représentant légal",
}

# The fields of each part, in the order of the forms.
PART_FIELDS = {
    Party.HOST: ("tutor_name", "tutor_function", "tutor_email", "meals"),
    Party.LYCEE: ("referent_name", "referent_email", "student_class"),
    Party.STUDENT: ("birth_date", "student_class", "pai", "rep1_name", "rep1_email", "rep2_name", "rep2_email"),
}

FIELD_LABELS = {
    "tutor_name": "Nom et prénom du tuteur",
    "tutor_function": "Fonction du tuteur",
    "tutor_email": "Adresse électronique du tuteur",
    "meals": "Restauration (annexe pratique)",
    "referent_name": "Nom et prénom du professeur référent",
    "referent_email": "Adresse électronique du professeur référent",
    "student_class": "Classe de l'élève",
    "birth_date": "Date de naissance",
    "pai": "Projet d'accueil individualisé (PAI)",
    "rep1_name": "Nom et prénom du représentant légal",
    "rep1_email": "Adresse électronique du représentant légal",
    "rep2_name": "Nom et prénom du second représentant légal",
    "rep2_email": "Adresse électronique du second représentant légal",
}

APPROVAL_TEXT = "J'ai lu et j'approuve la convention"
DEFAULT_MEALS = "Pas de possibilité de restauration"
REMINDER_EVERY_DAYS = 3
DAILY_REMINDERS_WITHIN_DAYS = 10
URGENT_WITHIN_DAYS = 10
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
NAME_MAX = 120


# --------------------------------------------------------------------------- parts


def _name(value, label: str, errors: dict, key: str, required: bool = True) -> str:
    text = clean_text(value or "", multiline=False)
    if not text:
        if required:
            errors[key] = f"Indiquez : {label.lower()}."
        return ""
    if len(text) < 2 or len(text) > NAME_MAX:
        errors[key] = f"{label} : entre 2 et {NAME_MAX} caractères."
    return text


def _email(value, label: str, errors: dict, key: str, required: bool = True) -> str:
    text = normalize_email(value or "")
    if not text:
        if required:
            errors[key] = f"Indiquez : {label.lower()}."
        return ""
    if not is_valid_email(text):
        errors[key] = f"{label} invalide (format attendu : nom@domaine.fr)."
    return text


CLASS_RE = re.compile(r"^[0-9A-Za-zÀ-ÿ][0-9A-Za-zÀ-ÿ .°/-]{0,19}$")


def _class(value, errors: dict) -> str:
    text = clean_text(value or "", multiline=False)
    if not text:
        errors["student_class"] = "Indiquez la classe de l'élève (par exemple : 2de 3)."
    elif not CLASS_RE.match(text):
        errors["student_class"] = "Classe invalide : 20 caractères au plus, par exemple « 2de 3 »."
    return text


def clean_host_part(data: dict) -> tuple[dict, dict[str, str]]:
    """The host part (tutor) cleaned, and the errors per field."""
    errors: dict[str, str] = {}
    out = {
        "tutor_name": _name(data.get("tutor_name"), FIELD_LABELS["tutor_name"], errors, "tutor_name"),
        "tutor_function": _name(data.get("tutor_function"), FIELD_LABELS["tutor_function"], errors, "tutor_function"),
        "tutor_email": _email(data.get("tutor_email"), FIELD_LABELS["tutor_email"], errors, "tutor_email"),
        "meals": clean_text(data.get("meals") or "", multiline=False)[:250] or DEFAULT_MEALS,
    }
    return out, errors


def clean_lycee_part(data: dict) -> tuple[dict, dict[str, str]]:
    errors: dict[str, str] = {}
    out = {
        "referent_name": _name(data.get("referent_name"), FIELD_LABELS["referent_name"], errors, "referent_name"),
        "referent_email": _email(data.get("referent_email"), FIELD_LABELS["referent_email"], errors, "referent_email"),
        "student_class": _class(data.get("student_class"), errors),
    }
    return out, errors


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def clean_student_part(data: dict, stage_start: dt.date) -> tuple[dict, dict[str, str]]:
    """The student part. The birth date is a ``date`` or "JJ/MM/AAAA"; the student is 13 to 20
    on the stage's first day; a second representative is optional but complete if given."""
    errors: dict[str, str] = {}
    birth = data.get("birth_date")
    if isinstance(birth, str):
        try:
            birth = dt.datetime.strptime(birth.strip(), "%d/%m/%Y").date()
        except ValueError:
            errors["birth_date"] = "Date de naissance invalide (format attendu : JJ/MM/AAAA)."
            birth = None
    if birth is None and "birth_date" not in errors:
        errors["birth_date"] = "Indiquez la date de naissance de l'élève."
    elif isinstance(birth, dt.date) and not 13 <= age_on(birth, stage_start) <= 20:
        errors["birth_date"] = "Date de naissance invraisemblable pour un élève de 2de (13 à 20 ans au début du stage)."
    pai = data.get("pai")
    if pai not in (True, False):
        errors["pai"] = "Indiquez si l'élève bénéficie d'un PAI (oui ou non)."
    out = {
        "birth_date": birth.isoformat() if isinstance(birth, dt.date) else "",
        "student_class": _class(data.get("student_class"), errors),
        "pai": bool(pai),
        "rep1_name": _name(data.get("rep1_name"), FIELD_LABELS["rep1_name"], errors, "rep1_name"),
        "rep1_email": _email(data.get("rep1_email"), FIELD_LABELS["rep1_email"], errors, "rep1_email"),
    }
    second = bool(clean_text(data.get("rep2_name") or "", multiline=False) or (data.get("rep2_email") or "").strip())
    out["rep2_name"] = _name(data.get("rep2_name"), FIELD_LABELS["rep2_name"], errors, "rep2_name", required=second)
    out["rep2_email"] = _email(data.get("rep2_email"), FIELD_LABELS["rep2_email"], errors, "rep2_email",
                               required=second)
    if second and out["rep2_email"] and out["rep2_email"] == out["rep1_email"]:
        errors["rep2_email"] = "Les deux représentants légaux doivent avoir des adresses différentes."
    return out, errors


DAY_NAMES = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"]


def hours_rows(daily_hours: dict | None) -> list[list[str]]:
    """The offer's days and hours as [["Lundi", "08:30 – 16:30"], ...] ("Tous les jours" when the same)."""
    if not daily_hours:
        return []
    if daily_hours.get("tous"):
        start, end = daily_hours["tous"]
        return [["Tous les jours", f"{start} – {end}"]]
    return [[day.capitalize(), f"{daily_hours[day][0]} – {daily_hours[day][1]}"]
            for day in DAY_NAMES if daily_hours.get(day)]


def normalize_status(status: str | None) -> str:
    return Status.TO_COMPLETE if status in (None, "", Status.LEGACY_TO_GENERATE) else status


def compute_status(parts_done: set[str], signed: set[str], *, offline: bool = False, cancelled: bool = False) -> str:
    """The state of a convention from what is done (the one rule for every view)."""
    if cancelled:
        return Status.CANCELLED
    if offline:
        return Status.SIGNED_OFFLINE
    if not set(Party.WITH_PART) <= parts_done:
        return Status.TO_COMPLETE
    if set(Party.SIGNATORIES) <= signed:
        return Status.SIGNED
    return Status.SIGNING if signed else Status.READY


# --------------------------------------------------------------------------- tracking


GREEN, ORANGE, GREY = "green", "orange", "grey"
LIGHT_LABELS = {GREEN: "fait", ORANGE: "à faire", GREY: "pas encore possible"}


def lights(status: str, parts_done: set[str], signed: set[str]) -> dict[str, str]:
    """A light per signatory: green signed, orange to do now (part or signature), grey not yet possible.

    Before every part is complete, a party whose part is missing is orange, the others grey
    (nobody can sign yet); the legal representative is grey until the convention is ready."""
    status = normalize_status(status)
    if status == Status.SIGNED_OFFLINE:
        return {p: GREEN for p in Party.SIGNATORIES}
    if status == Status.CANCELLED:
        return {p: GREY for p in Party.SIGNATORIES}
    out = {}
    ready = set(Party.WITH_PART) <= parts_done
    for party in Party.SIGNATORIES:
        if party in signed and ready:
            out[party] = GREEN
        elif not ready:
            out[party] = ORANGE if party in Party.WITH_PART and party not in parts_done else GREY
        else:
            out[party] = ORANGE
    return out


def missing(status: str, parts_done: set[str], signed: set[str]) -> list[str]:
    """What is missing, in words ("Partie du lycée à compléter", "Signature du représentant légal")."""
    status = normalize_status(status)
    if status in Status.CLOSED:
        return []
    out = [f"Partie {_of(p)} à compléter" for p in Party.WITH_PART if p not in parts_done]
    if out:
        return out
    return [f"Signature {_of(p)}" for p in Party.SIGNATORIES if p not in signed]


def _of(party: str) -> str:
    return {Party.HOST: "de l'école d'accueil", Party.LYCEE: "du lycée", Party.STUDENT: "de l'élève",
            Party.LEGAL_REP: "du représentant légal"}[party]


def missing_text(status: str, parts_done: set[str], signed: set[str]) -> str:
    status = normalize_status(status)
    if status == Status.CANCELLED:
        return "Convention annulée (candidature déclinée ou retirée)"
    if status in Status.DONE:
        return "Rien : la convention est signée"
    return " ; ".join(missing(status, parts_done, signed))


def parties_to_remind(status: str, parts_done: set[str], signed: set[str]) -> list[str]:
    """The parties whose part or signature is missing now (orange)."""
    return [p for p, light in lights(status, parts_done, signed).items() if light == ORANGE]


def reminder_due(last_sent: dt.datetime | None, now: dt.datetime, today: dt.date, stage_start: dt.date) -> bool:
    """A party is reminded at most once every 3 days, and every day in the last 10 days before the
    stage; never from the stage's first day on. ``last_sent`` and ``now`` are naive UTC;
    ``today`` is the Paris date of ``now``."""
    days_left = (stage_start - today).days
    if days_left <= 0:
        return False
    if last_sent is None:
        return True
    every = 1 if days_left <= DAILY_REMINDERS_WITHIN_DAYS else REMINDER_EVERY_DAYS
    # 1 hour of slack so that a daily cron that runs a few minutes earlier one day still sends.
    return now - last_sent >= dt.timedelta(days=every) - dt.timedelta(hours=1)


def is_urgent(status: str, today: dt.date, stage_start: dt.date) -> bool:
    """A stage starting within 10 days whose convention is not signed (the DSDEN's table to act on)."""
    return normalize_status(status) not in Status.CLOSED and 0 <= (stage_start - today).days <= URGENT_WITHIN_DAYS


# --------------------------------------------------------------------------- signing


def signature_problem(approved: bool, typed_name: str, expected_name: str) -> str | None:
    """The approval box must be ticked and the full name typed (case and accents aside)."""
    if not approved:
        return f"Cochez « {APPROVAL_TEXT} » pour signer."
    typed = _fold(typed_name)
    if not typed:
        return "Tapez votre nom complet pour signer."
    if expected_name and typed != _fold(expected_name) and set(typed.split()) != set(_fold(expected_name).split()):
        return f"Le nom tapé ne correspond pas au signataire attendu ({expected_name})."
    return None


def _fold(value: str) -> str:
    import unicodedata

    text = "".join(c for c in unicodedata.normalize("NFKD", (value or "").casefold()) if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def document_hash(content: dict) -> str:
    """SHA-256 of the document's content (every field and article text, canonical JSON)."""
    raw = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def number(school_year: str, convention_id: int, departement_code: str = "71") -> str:
    """The unique number printed on each page: CONV-071-2026-2027-000042."""
    return f"CONV-{departement_code.zfill(3)}-{school_year}-{convention_id:06d}"


NUMBER_RE = re.compile(r"^\s*CONV-(\d{3})-(\d{4}-\d{4})-(\d{6})\s*$", re.IGNORECASE)


def parse_number(text: str) -> tuple[str, str, int] | None:
    """(département, school year, id) of a typed convention number, or None."""
    match = NUMBER_RE.match(text or "")
    if not match:
        return None
    return match.group(1), match.group(2), int(match.group(3))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_expiry(stage_start: dt.date) -> dt.datetime:
    """A legal representative's link is valid until the stage's first day (00:00 Paris, as naive UTC)."""
    from stages.domain.timeutil import paris_to_utc

    return paris_to_utc(dt.datetime.combine(stage_start, dt.time(0, 0)))


PDF_MAGIC = b"%PDF-"


def upload_problem(filename: str, content: bytes) -> str | None:
    """A "signée hors plateforme" upload: a PDF (name and content), not empty, at most 5 Mo."""
    if not content:
        return "Le fichier est vide."
    if len(content) > MAX_UPLOAD_BYTES:
        return f"Le fichier dépasse la taille maximale de {MAX_UPLOAD_BYTES // (1024 * 1024)} Mo."
    if not (filename or "").lower().endswith(".pdf") or not content.startswith(PDF_MAGIC):
        return "Seul un fichier PDF est accepté (la convention signée, numérisée au format PDF)."
    return None


@dataclass(frozen=True)
class SignatureLine:
    party: str
    name: str
    role: str
    at: str  # "16/06/2025 à 14:05" Paris time
    digest: str = ""  # the SHA-256 of the document signed
