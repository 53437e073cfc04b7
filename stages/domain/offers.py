"""Pure rules of an offer ("Déposer une offre de stage"): limits, lists, the DSDEN guidance.

Each ``validate_step*`` takes what the director typed (a plain dict) and returns the cleaned
values and a dict ``{field: message}`` of what to change (French, next to the field). Nothing
here touches the database or Streamlit.

Limits follow the national platform (``reference/plateforme-nationale.md``); the DSDEN 71
guide adds, for an offer of a school: lycéens only, the two-week period, school hours.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from stdnum.fr import siret

from stages.domain.text import clean_text, normalize_phone
from stages.domain.vocabulary import OfferStatus, Period

# --------------------------------------------------------------------------- limits

TITLE_MAX = 150
DESCRIPTION_MIN, DESCRIPTION_MAX = 10, 1500
PLACE_NAME_MAX = 200
PLACE_ADDRESS_MIN, PLACE_ADDRESS_MAX = 5, 250
PLACE_COMMUNE_MAX = 120
EMPLOYER_NAME_MAX = 150
HEAD_OFFICE_MIN, HEAD_OFFICE_MAX = 8, 200
ENVIRONMENT_MIN, ENVIRONMENT_MAX = 10, 1000
STUDENTS_MIN, STUDENTS_MAX = 1, 6000
LUNCH_MIN, LUNCH_MAX = 8, 250


DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi")
DAY_LABELS = {day: day.capitalize() for day in DAYS}
SAME_HOURS_KEY = "tous"

# --------------------------------------------------------------------------- defaults of a school

DEFAULT_TITLE = "Professeur des écoles"
DEFAULT_DESCRIPTION = "Observation de séances d'enseignement"
DEFAULT_LUNCH = "Pas de possibilité de restauration"
EDUCATION_MINISTRY = "Ministère de l'Éducation nationale, de l'Enseignement supérieur et de la Recherche"
EDUCATION_SECTOR = "Enseignement"
SCHOOL_TYPE_WORDS = ("maternelle", "élémentaire", "elementaire", "primaire")

# The sectors of activity of the national platform (its list, "Enseignement" among them).
SECTORS = (
    "Agroéquipement", "Architecture, urbanisme et paysage", "Armée - Défense", "Art et design",
    "Artisanat d'art", "Arts du spectacle", "Audiovisuel", "Automobile", "Banque et assurance",
    "Bâtiment et travaux publics (BTP)", "Bien-être", "Commerce et distribution", "Communication",
    "Comptabilité, gestion, ressources humaines", "Conseil et audit",
    "Construction aéronautique, ferroviaire et navale", "Culture et patrimoine", "Droit et justice",
    "Édition, librairie, bibliothèque", "Électronique", "Énergie", "Enseignement", "Environnement",
    "Filière bois", "Fonction publique", "Hôtellerie, restauration", "Immobilier, transactions immobilières",
    "Industrie alimentaire", "Industrie chimique", "Industrie, ingénierie industrielle",
    "Informatique et réseaux", "Jeu vidéo", "Journalisme", "Logistique et transport", "Maintenance",
    "Marketing, publicité", "Mécanique", "Métiers d'art", "Mode", "Papiers Cartons", "Paramédical",
    "Recherche", "Santé", "Sécurité", "Services postaux", "Social", "Sport", "Tourisme",
    "Traduction, interprétation", "Verre, béton, céramique",
)

# "Type d'employeur public": the ministries, then the other public employers.
PUBLIC_EMPLOYER_TYPES = (
    EDUCATION_MINISTRY,
    "Ministère de l'Agriculture et de la Souveraineté alimentaire",
    "Ministère des Armées",
    "Ministère de la Culture",
    "Ministère de l'Économie, des Finances et de la Souveraineté industrielle et numérique",
    "Ministère de l'Europe et des Affaires étrangères",
    "Ministère de l'Intérieur",
    "Ministère de la Justice",
    "Ministère du Travail, de la Santé et des Solidarités",
    "Ministère de la Transition écologique et de la Cohésion des territoires",
    "Ministère des Sports, de la Jeunesse et de la Vie associative",
    "Services du Premier ministre",
    "Collectivité territoriale (commune, département, région)",
    "Établissement public",
    "Fonction publique hospitalière",
)

# The DSDEN 71 guide's instructions, shown as help next to each field (section 3 of the guide).
GUIDANCE = {
    "title": "Renseigner « Professeur des écoles ».",
    "description": "Renseigner « Observation de séances d'enseignement » (éventuellement, si c'est le cas, "
    "« Observation des tâches liées à la direction d'école »).",
    "place": "Renseigner le nom et l'adresse de l'école, en précisant maternelle, élémentaire ou primaire.",
    "manual_structure": "Cliquer sur « Ajouter votre structure manuellement ».",
    "is_public": "Cliquer sur : Oui.",
    "public_employer_type": f"Dans le menu déroulant, chercher : {EDUCATION_MINISTRY}.",
    "sector": "Dans le menu déroulant, chercher : Enseignement.",
    "employer_name": "Renseigner le nom de l'école et la circonscription.",
    "head_office_address": "Renseigner l'adresse de la DSDEN 71.",
    "depositor_phone": "Renseigner le n° de téléphone de l'école.",
    "environment": "Informations facultatives : les champs relatifs à l'environnement de travail et à "
    "l'accessibilité ne sont pas nécessaires.",
    "levels": "ATTENTION ! Le niveau Collégiens ne doit pas être coché : les stages en école ne "
    "s'adressent qu'aux lycéens (classe de 2nde).",
    "period": "Cocher obligatoirement la période de 2 semaines.",
    "max_students": "Renseigner le nombre de stagiaires que l'école peut accueillir.",
    "same_hours": "Décocher la case pour pouvoir remplir les jours et horaires du stage.",
    "hours": "Renseigner les horaires (qui doivent correspondre exactement au temps scolaire = présence "
    "des élèves dans l'école).",
    "lunch_break": "Renseigner « Pas de possibilité de restauration ».",
    "reservations": "Rien à cocher : ces 3 éléments concernent uniquement l'établissement d'origine du stagiaire.",
}

COLLEGE_REFUSED = "Les stages en école ne s'adressent qu'aux lycéens (classe de 2nde)"


# --------------------------------------------------------------------------- small checks


def _length_problem(value: str, label: str, *, minimum: int = 0, maximum: int, required: bool = True) -> str | None:
    n = len(value)
    if not value:
        return f"{label} : ce champ est obligatoire." if required else None
    if n < minimum:
        return f"{label} : {n} caractère(s), il en faut au moins {minimum}. Complétez le texte."
    if n > maximum:
        return f"{label} : {n} caractères, c'est trop ({maximum} au plus). Raccourcissez le texte."
    return None


def siret_problem(value: str) -> str | None:
    """None when ``value`` is a valid SIRET: exactly 14 digits whose keys ``stdnum.fr.siret`` accepts
    (Luhn on the SIREN and the SIRET; La Poste's establishments: sum of the digits divisible by 5)."""
    digits = re.sub(r"\s", "", value)
    if not re.fullmatch(r"\d{14}", digits):
        return "Le SIRET doit compter exactement 14 chiffres (sans lettre ni symbole)."
    if not siret.is_valid(digits):
        return "Ce SIRET n'existe pas (la clé de contrôle ne correspond pas) : vérifiez les 14 chiffres."
    return None


def phone_problem(value: str) -> tuple[str | None, str | None]:
    """(normalised digits, problem): a French number of 10 digits starting with 0."""
    digits = normalize_phone(value)
    if digits and digits.startswith("33") and len(digits) == 11:
        digits = "0" + digits[2:]
    if not digits:
        return None, "Numéro de téléphone du dépositaire : ce champ est obligatoire."
    if not re.fullmatch(r"0[1-9]\d{8}", digits):
        return None, "Numéro de téléphone invalide : indiquez 10 chiffres commençant par 0 (ex. 03 85 38 36 06)."
    return digits, None


def parse_time(value: Any) -> dt.time | None:
    """A time from a ``datetime.time`` or an "HH:MM" string; None when empty or unreadable."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.time):
        return value
    match = re.fullmatch(r"\s*(\d{1,2})[:hH](\d{2})\s*", str(value))
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        return None
    return dt.time(hour, minute)


def fmt_time(value: dt.time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


def _hours_problem(label: str, start_raw: Any, end_raw: Any) -> tuple[list[str] | None, str | None]:
    start, end = parse_time(start_raw), parse_time(end_raw)
    if (start_raw not in (None, "") and start is None) or (end_raw not in (None, "") and end is None):
        return None, f"{label} : heure illisible, choisissez une heure au format HH:MM."
    if start is None and end is None:
        return None, None
    if start is None or end is None:
        return None, f"{label} : indiquez l'heure de début et l'heure de fin (ou aucune des deux)."
    for moment in (start, end):
        if moment.minute % 15 or moment.second:
            return None, f"{label} : les horaires se saisissent au quart d'heure (ex. 08:30, 16:45)."
    if start >= end:
        return None, f"{label} : l'heure de début ({fmt_time(start)}) doit précéder l'heure de fin ({fmt_time(end)})."
    return [fmt_time(start), fmt_time(end)], None


# --------------------------------------------------------------------------- steps


def validate_step1(data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Étape 1, Métier et localisation."""
    errors: dict[str, str] = {}
    title = clean_text(data.get("title"), multiline=False)
    description = clean_text(data.get("description"))
    place_name = clean_text(data.get("place_name"), multiline=False)
    place_address = clean_text(data.get("place_address"), multiline=False)
    postal_code = clean_text(data.get("place_postal_code"), multiline=False).replace(" ", "")
    commune = clean_text(data.get("place_commune"), multiline=False)
    checks = {
        "title": _length_problem(title, "Le ou les métiers", maximum=TITLE_MAX),
        "description": _length_problem(description, "Description des activités", minimum=DESCRIPTION_MIN,
                                       maximum=DESCRIPTION_MAX),
        "place_name": _length_problem(place_name, "Nom du lieu", maximum=PLACE_NAME_MAX),
        "place_address": _length_problem(place_address, "Adresse postale", minimum=PLACE_ADDRESS_MIN,
                                         maximum=PLACE_ADDRESS_MAX),
        "place_commune": _length_problem(commune, "Commune", maximum=PLACE_COMMUNE_MAX),
    }
    if postal_code and not re.fullmatch(r"\d{5}", postal_code):
        checks["place_postal_code"] = "Code postal : 5 chiffres (ex. 71000)."
    elif not postal_code:
        checks["place_postal_code"] = "Code postal : ce champ est obligatoire."
    errors.update({k: v for k, v in checks.items() if v})
    values = {
        "title": title, "description": description, "place_name": place_name, "place_address": place_address,
        "place_postal_code": postal_code or None, "place_commune": commune,
        "latitude": _float(data.get("latitude")), "longitude": _float(data.get("longitude")),
    }
    return values, errors


def _float(value: Any) -> float | None:
    try:
        return None if value in (None, "") else float(value)
    except (TypeError, ValueError):
        return None


def validate_step2(data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Étape 2, Votre entreprise."""
    errors: dict[str, str] = {}
    manual = bool(data.get("manual_structure", True))
    siret = re.sub(r"\s", "", clean_text(data.get("siret"), multiline=False))
    if siret:
        problem = siret_problem(siret)
        if problem:
            errors["siret"] = problem
    elif not manual:
        errors["siret"] = ("Indiquez le SIRET (14 chiffres) de la structure d'accueil, ou cliquez sur "
                           "« Ajouter votre structure manuellement ».")
    is_public = bool(data.get("is_public", True))
    employer_type = clean_text(data.get("public_employer_type"), multiline=False) or None
    if is_public:
        if employer_type is None:
            errors["public_employer_type"] = "Choisissez le type d'employeur public dans la liste."
        elif employer_type not in PUBLIC_EMPLOYER_TYPES:
            errors["public_employer_type"] = "Type d'employeur public inconnu : choisissez-le dans la liste."
    else:
        employer_type = None  # a private structure has no type of public employer
    sector = clean_text(data.get("sector"), multiline=False) or None
    if sector is None:
        errors["sector"] = "Indiquez le secteur d'activité de votre structure (choisissez-le dans la liste)."
    elif sector not in SECTORS:
        errors["sector"] = "Secteur d'activité inconnu : choisissez-le dans la liste."
    employer_name = clean_text(data.get("employer_name"), multiline=False)
    head_office = clean_text(data.get("head_office_address"), multiline=False)
    environment = clean_text(data.get("work_environment"))
    accessibility = clean_text(data.get("accessibility"))
    checks = {
        "employer_name": _length_problem(employer_name, "Nom (raison sociale)", maximum=EMPLOYER_NAME_MAX),
        "head_office_address": _length_problem(head_office, "Adresse du siège", minimum=HEAD_OFFICE_MIN,
                                               maximum=HEAD_OFFICE_MAX),
        "work_environment": _length_problem(environment, "Environnement de travail", minimum=ENVIRONMENT_MIN,
                                            maximum=ENVIRONMENT_MAX, required=False),
        "accessibility": _length_problem(accessibility, "Accessibilité du poste", minimum=ENVIRONMENT_MIN,
                                         maximum=ENVIRONMENT_MAX, required=False),
    }
    errors.update({k: v for k, v in checks.items() if v})
    phone, problem = phone_problem(str(data.get("depositor_phone") or ""))
    if problem:
        errors["depositor_phone"] = problem
    values = {
        "siret": siret or None, "manual_structure": manual, "is_public": is_public,
        "public_employer_type": employer_type, "sector": sector, "employer_name": employer_name,
        "head_office_address": head_office, "depositor_phone": phone,
        "work_environment": environment or None, "accessibility": accessibility or None,
    }
    return values, errors


def college_problem(level_college: bool, *, school: bool = True) -> str | None:
    """The collège rule: an offer of a school is for lycéens only (None: nothing to say)."""
    if school and level_college:
        return f"{COLLEGE_REFUSED} : décochez « Collégiens (4ème et 3ème) »."
    return None


def validate_step3(data: Mapping[str, Any], *, school: bool = True) -> tuple[dict[str, Any], dict[str, str]]:
    """Étape 3, Le planning. ``school``: the DSDEN guidance applies (an offer of an école)."""
    errors: dict[str, str] = {}
    level_college = bool(data.get("level_college", False))
    level_lycee = bool(data.get("level_lycee", True))
    college = college_problem(level_college, school=school)
    if college:
        errors["level_college"] = college
    if not level_lycee:
        errors["level_lycee"] = ("Cochez « Lycéens de 2de générale et technologique »"
                                 + (" : les stages en école s'adressent aux lycéens." if school else "."))
    period = data.get("period")
    if period not in Period.ALL:
        errors["period"] = "Choisissez la période du stage."
    elif school and period != Period.TWO_WEEKS:
        errors["period"] = "Cochez obligatoirement la période de 2 semaines (consigne de la DSDEN)."
    max_students = data.get("max_students")
    try:
        students = int(max_students)  # type: ignore[arg-type]
        if isinstance(max_students, float) and max_students != students:
            raise ValueError
    except (TypeError, ValueError):
        students = None
    if students is None or not STUDENTS_MIN <= students <= STUDENTS_MAX:
        errors["max_students"] = f"Nombre d'élèves : un nombre entier de {STUDENTS_MIN} à {STUDENTS_MAX}."
    same_hours = bool(data.get("same_hours", False))
    raw_hours = data.get("daily_hours") or {}
    hours: dict[str, list[str]] = {}
    if same_hours:
        pair = raw_hours.get(SAME_HOURS_KEY) or [None, None]
        value, problem = _hours_problem("Horaires", *(list(pair) + [None, None])[:2])
        if problem:
            errors["hours_" + SAME_HOURS_KEY] = problem
        elif value is None:
            errors["hours_" + SAME_HOURS_KEY] = "Indiquez les horaires du stage (heure de début et heure de fin)."
        else:
            hours[SAME_HOURS_KEY] = value
    else:
        for day in DAYS:
            pair = raw_hours.get(day) or [None, None]
            value, problem = _hours_problem(DAY_LABELS[day], *(list(pair) + [None, None])[:2])
            if problem:
                errors["hours_" + day] = problem
            elif value is not None:
                hours[day] = value
        if not hours and not any(key.startswith("hours_") for key in errors):
            errors["hours"] = ("Indiquez les horaires d'au moins un jour (heure de début et heure de fin), "
                               "au temps scolaire.")
    lunch = clean_text(data.get("lunch_break"))
    problem = _length_problem(lunch, "Pause déjeuner", minimum=LUNCH_MIN, maximum=LUNCH_MAX)
    if problem:
        errors["lunch_break"] = problem
    reserved_one = bool(data.get("reserved_one", False))
    reserved_lycee_id = data.get("reserved_lycee_id") if reserved_one else None
    if reserved_one and not reserved_lycee_id:
        errors["reserved_lycee_id"] = "Choisissez l'établissement auquel le stage est réservé, ou décochez la case."
    values = {
        "level_college": level_college, "level_lycee": level_lycee, "period": period,
        "max_students": students, "same_hours": same_hours, "daily_hours": hours, "lunch_break": lunch,
        "reserved_lycee_id": int(reserved_lycee_id) if reserved_lycee_id else None,
        "reserved_rep": bool(data.get("reserved_rep", False)), "reserved_qpv": bool(data.get("reserved_qpv", False)),
    }
    return values, errors


STEP_VALIDATORS = {1: validate_step1, 2: validate_step2, 3: validate_step3}


# --------------------------------------------------------------------------- guidance


def _get(offer_like: Any, name: str, default: Any = None) -> Any:
    if isinstance(offer_like, Mapping):
        return offer_like.get(name, default)
    return getattr(offer_like, name, default)


# Every field the guidance reads: a query that checks offers selects these (and nothing less).
GUIDANCE_FIELDS = (
    "level_college", "level_lycee", "period", "daily_hours", "is_public", "public_employer_type", "sector",
    "place_name", "reserved_lycee_id", "reserved_rep", "reserved_qpv",
)
# The offers the dashboard's "Offres hors consignes" checks (a draft is not finished yet).
GUIDANCE_STATUSES = (OfferStatus.PUBLISHED, OfferStatus.UNPUBLISHED)


def guidance_problems(offer_like: Any) -> list[str]:
    """What an offer of a school does differently from the DSDEN 71 guide, in French.

    ``offer_like``: an ORM ``Offer``, a dataclass or a dict with the offer's field names.
    An empty list: the offer follows the guide.
    """
    problems: list[str] = []
    if _get(offer_like, "level_college"):
        problems.append(f"{COLLEGE_REFUSED} : le niveau « Collégiens » est coché.")
    if not _get(offer_like, "level_lycee", True):
        problems.append("Le niveau « Lycéens de 2de générale et technologique » n'est pas coché.")
    if _get(offer_like, "period") != Period.TWO_WEEKS:
        problems.append("La période n'est pas celle de 2 semaines (consigne : cocher obligatoirement 2 semaines).")
    hours = _get(offer_like, "daily_hours") or {}
    if not any(isinstance(v, list | tuple) and len(v) == 2 and all(v) for v in hours.values()):
        problems.append("Aucun horaire n'est renseigné (consigne : le temps scolaire, jour par jour).")
    if _get(offer_like, "is_public") is False:
        problems.append("La structure n'est pas déclarée publique (consigne : « Oui »).")
    elif _get(offer_like, "public_employer_type") not in (None, EDUCATION_MINISTRY):
        problems.append("Le type d'employeur public n'est pas le ministère de l'Éducation nationale.")
    if _get(offer_like, "sector") not in (None, EDUCATION_SECTOR):
        problems.append("Le secteur d'activité n'est pas « Enseignement ».")
    place = f"{_get(offer_like, 'place_name') or ''}".lower()
    if place and not any(word in place for word in SCHOOL_TYPE_WORDS):
        problems.append("Le nom du lieu ne précise pas maternelle, élémentaire ou primaire.")
    if _get(offer_like, "reserved_lycee_id") or _get(offer_like, "reserved_rep") or _get(offer_like, "reserved_qpv"):
        problems.append("Une réservation (établissement, REP ou QPV) est cochée (consigne : rien à cocher).")
    return problems


def autosave_snapshot(step: int, data: Mapping[str, Any]) -> tuple[int, str]:
    """What the autosave compares between two reruns of a step: the step and its values."""
    return step, repr(sorted(data.items()))


def autosave_due(previous: tuple[int, str] | None, current: tuple[int, str]) -> bool:
    """Save the draft when a value changed on the same step since the last rerun.

    Not on the first rerun of a step (nothing typed yet: the values are those just loaded) nor
    when the step changed (the step's own "Suivant" saves it).
    """
    return previous is not None and previous[0] == current[0] and previous != current


def resume_step(step_reached: int, status: str) -> int:
    """The step a form opens on: the one after the last validated, or step 1 for a published offer."""
    if status != OfferStatus.DRAFT:
        return 1
    return min(max(step_reached, 0) + 1, 3)


def count_label(value: str | None, maximum: int, *, short: bool = False) -> str:
    """The guide's counters: "38 caractères / 1500", or "0/1000 caractères"."""
    n = len(clean_text(value)) if value else 0
    return f"{n}/{maximum} caractères" if short else f"{n} caractères / {maximum}"
