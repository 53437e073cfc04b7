"""Pure rules of an offer: limits of each step, SIRET, hours, the DSDEN guidance."""

from __future__ import annotations

import datetime as dt

import pytest

from stages.domain import offers as rules

STEP1 = {"title": "Professeur des écoles", "description": "Observation de séances d'enseignement",
         "place_name": "Ecole primaire Allériot", "place_address": "2 rue du Bourg", "place_postal_code": "71380",
         "place_commune": "Allériot", "latitude": 46.8, "longitude": 4.9}
STEP2 = {"siret": "", "manual_structure": True, "is_public": True, "public_employer_type": rules.EDUCATION_MINISTRY,
         "sector": "Enseignement", "employer_name": "Ecole primaire Allériot - Circonscription de Louhans",
         "head_office_address": "DSDEN 71 - Cité Administrative - 24 bd Henri Dunant - 71000 Mâcon",
         "depositor_phone": "03 85 94 14 81", "work_environment": "", "accessibility": ""}
STEP3 = {"level_college": False, "level_lycee": True, "period": "two_weeks", "max_students": 1, "same_hours": False,
         "daily_hours": {"lundi": ["08:30", "16:30"]}, "lunch_break": "Pas de possibilité de restauration"}


def test_the_prefilled_values_of_a_school_are_valid():
    assert rules.validate_step1(STEP1)[1] == {}
    values, errors = rules.validate_step2(STEP2)
    assert errors == {} and values["depositor_phone"] == "0385941481"
    assert values["work_environment"] is None and values["siret"] is None
    assert rules.validate_step3(STEP3)[1] == {}


def test_lists():
    assert "Enseignement" in rules.SECTORS and len(rules.SECTORS) >= 50 and len(set(rules.SECTORS)) == len(rules.SECTORS)
    assert rules.PUBLIC_EMPLOYER_TYPES[0] == \
        "Ministère de l'Éducation nationale, de l'Enseignement supérieur et de la Recherche"


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("title", "", "obligatoire"),
        ("title", "x" * 151, "151 caractères, c'est trop (150 au plus)"),
        ("description", "Observer", "il en faut au moins 10"),
        ("description", "x" * 1501, "1500 au plus"),
        ("description", "x" * 10_000, "10000 caractères"),
        ("place_postal_code", "7138", "5 chiffres"),
        ("place_address", "", "obligatoire"),
    ],
)
def test_step1_limits(field, value, words):
    assert words in rules.validate_step1(STEP1 | {field: value})[1][field]


def test_step1_boundaries_and_cleaning():
    values, errors = rules.validate_step1(STEP1 | {"title": "é" * 150, "description": "x" * 1500})
    assert errors == {}
    values, errors = rules.validate_step1(STEP1 | {"description": " \x00\x07Observation\x1b de la classe 🎒 "})
    assert errors == {} and values["description"] == "Observation de la classe 🎒"
    values, _ = rules.validate_step1(STEP1 | {"title": "=cmd|' /C calc'!A0", "place_name": "<script>x</script>"})
    assert values["title"] == "=cmd|' /C calc'!A0" and values["place_name"] == "<script>x</script>"
    values, _ = rules.validate_step1(STEP1 | {"title": "Professeur\ndes écoles"})
    assert values["title"] == "Professeur des écoles"  # a single-line field loses its line breaks


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("siret", "1234567890123", "exactement 14 chiffres"),
        ("siret", "7328293200007A", "exactement 14 chiffres"),
        ("siret", "73282932000075", "clé de contrôle"),
        ("public_employer_type", None, "type d'employeur public"),
        ("public_employer_type", "Ministère de la Magie", "inconnu"),
        ("sector", None, "secteur d'activité"),
        ("sector", "x", "dans la liste"),
        ("employer_name", "x" * 151, "150 au plus"),
        ("employer_name", "", "obligatoire"),
        ("head_office_address", "1234567", "au moins 8"),
        ("head_office_address", "x" * 201, "200 au plus"),
        ("depositor_phone", "", "obligatoire"),
        ("depositor_phone", "0085941481", "10 chiffres"),
        ("depositor_phone", "<b>", "obligatoire"),
        ("work_environment", "Calme", "au moins 10"),
        ("accessibility", "x" * 1001, "1000 au plus"),
    ],
)
def test_step2_limits(field, value, words):
    assert words in rules.validate_step2(STEP2 | {field: value})[1][field]


def test_step2_siret_and_public_rules():
    assert rules.siret_problem("73282932000074") is None  # a real SIRET
    assert rules.siret_problem("356 000 000 00048") is None  # La Poste's own key
    assert rules.siret_problem("35600000049837") is None  # a La Poste establishment: digits sum to a multiple of 5
    assert rules.siret_problem("35600000049838") is not None
    assert "SIRET" in rules.validate_step2(STEP2 | {"manual_structure": False})[1]["siret"]
    values, errors = rules.validate_step2(STEP2 | {"is_public": False, "public_employer_type": "Ministère des Armées"})
    assert errors == {} and values["public_employer_type"] is None
    values, errors = rules.validate_step2(STEP2 | {"depositor_phone": "+33 3 85 94 14 81"})
    assert errors == {} and values["depositor_phone"] == "0385941481"
    values, errors = rules.validate_step2(STEP2 | {"work_environment": "x" * 1000, "accessibility": "y" * 10})
    assert errors == {}


@pytest.mark.parametrize(
    ("over", "field", "words"),
    [
        ({"level_college": True}, "level_college", "Les stages en école ne s'adressent qu'aux lycéens (classe de 2nde)"),
        ({"level_lycee": False}, "level_lycee", "Lycéens de 2de"),
        ({"period": "week_2"}, "period", "obligatoirement la période de 2 semaines"),
        ({"period": "x"}, "period", "Choisissez"),
        ({"max_students": 0}, "max_students", "de 1 à 6000"),
        ({"max_students": 6001}, "max_students", "de 1 à 6000"),
        ({"max_students": "deux"}, "max_students", "entier"),
        ({"max_students": 1.5}, "max_students", "entier"),
        ({"daily_hours": {}}, "hours", "au moins un jour"),
        ({"daily_hours": {"lundi": ["08:30", "08:30"]}}, "hours_lundi", "doit précéder"),
        ({"daily_hours": {"mardi": ["08:20", "16:30"]}}, "hours_mardi", "quart d'heure"),
        ({"daily_hours": {"jeudi": [None, "16:30"]}}, "hours_jeudi", "heure de début et l'heure de fin"),
        ({"daily_hours": {"samedi": ["8h30", "25:00"]}}, "hours_samedi", "illisible"),
        ({"same_hours": True, "daily_hours": {}}, "hours_tous", "Indiquez les horaires"),
        ({"lunch_break": "Cantine"}, "lunch_break", "au moins 8"),
        ({"lunch_break": "x" * 251}, "lunch_break", "250 au plus"),
        ({"reserved_one": True}, "reserved_lycee_id", "Choisissez l'établissement"),
    ],
)
def test_step3_rules(over, field, words):
    assert words in rules.validate_step3(STEP3 | over)[1][field]


def test_step3_values():
    values, errors = rules.validate_step3(STEP3 | {"daily_hours": {"lundi": [dt.time(8, 30), dt.time(11, 45)],
                                                                  "mardi": [None, None]}, "max_students": 6000})
    assert errors == {} and values["daily_hours"] == {"lundi": ["08:30", "11:45"]} and values["max_students"] == 6000
    values, errors = rules.validate_step3(STEP3 | {"same_hours": True, "daily_hours": {"tous": ["09:00", "12:00"]}})
    assert errors == {} and values["daily_hours"] == {"tous": ["09:00", "12:00"]}
    # Outside a school, collégiens and one week are allowed.
    assert rules.validate_step3(STEP3 | {"level_college": True, "period": "week_1"}, school=False)[1] == {}


def test_guidance_problems():
    good = STEP1 | STEP2 | STEP3
    assert rules.guidance_problems(good) == []
    bad = good | {"level_college": True, "period": "week_1", "daily_hours": {}, "sector": "Sport",
                  "place_name": "Ecole Jules Ferry", "reserved_rep": True}
    problems = rules.guidance_problems(bad)
    assert len(problems) == 6
    assert any("ne s'adressent qu'aux lycéens" in p for p in problems)


def test_counters_and_resume():
    assert rules.count_label("Observation de séances d'enseignement", 1500) == "37 caractères / 1500"
    assert rules.count_label("", 1000, short=True) == "0/1000 caractères"
    assert rules.resume_step(1, "draft") == 2 and rules.resume_step(3, "draft") == 3
    assert rules.resume_step(3, "published") == 1


def test_the_college_rule_and_the_autosave_decision():
    assert rules.college_problem(True).startswith(rules.COLLEGE_REFUSED)
    assert rules.college_problem(True, school=False) is None and rules.college_problem(False) is None
    first = rules.autosave_snapshot(2, {"sector": "Enseignement"})
    typed = rules.autosave_snapshot(2, {"sector": "Santé"})
    assert not rules.autosave_due(None, first)  # first rerun of the step: values just loaded
    assert not rules.autosave_due(first, first)  # nothing changed
    assert rules.autosave_due(first, typed)  # a value changed on the same step
    assert not rules.autosave_due(rules.autosave_snapshot(1, {}), typed)  # the step changed: "Suivant" saved it
