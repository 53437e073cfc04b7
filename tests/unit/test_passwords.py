"""The guide's password rules, the bcrypt limit, and the school address of a director."""

import pytest

from stages.domain.passwords import check_rules, hash_password, password_problems, verify_password
from stages.services.accounts import director_uai_from_email
from stages.services.tokens import token_hash
from stages.ui.password_field import rules_markdown

GOOD = "Mot-de-passe-2025!"


def test_the_five_rules_have_the_guides_labels():
    assert [r.label for r in check_rules("")] == [
        "12 caractères", "1 minuscule", "1 majuscule", "1 chiffre", "1 caractère spécial"]
    assert all(r.ok for r in check_rules(GOOD))


@pytest.mark.parametrize(
    ("password", "missing"),
    [
        ("Court-1!", "12 caractères"),
        ("MOT-DE-PASSE-2025!", "1 minuscule"),
        ("mot-de-passe-2025!", "1 majuscule"),
        ("Mot-de-passe-deux!", "1 chiffre"),
        ("Motdepasse2025abc", "1 caractère spécial"),
    ],
)
def test_a_password_missing_one_rule_is_refused_naming_it(password, missing):
    rules = {r.label: r.ok for r in check_rules(password)}
    assert rules[missing] is False
    assert sum(not ok for ok in rules.values()) == 1
    assert password_problems(password) == [f"Il manque : {missing}."]


def test_underscore_and_accents_count():
    assert {r.label: r.ok for r in check_rules("é")}["1 minuscule"]
    assert {r.label: r.ok for r in check_rules("É")}["1 majuscule"]
    assert {r.label: r.ok for r in check_rules("_")}["1 caractère spécial"]


def test_over_72_bytes_is_refused_not_truncated():
    long_ascii = "Aa1!" + "x" * 69  # 73 bytes
    assert any("72 octets" in p for p in password_problems(long_ascii))
    accented = "Éé1!" + "é" * 34  # 38 characters but 74 bytes
    assert len(accented) < 72 and any("72 octets" in p for p in password_problems(accented))
    with pytest.raises(ValueError):
        hash_password(long_ascii)
    assert any("128" in p for p in password_problems("Aa1!" + "x" * 200))


def test_hash_and_verify():
    hashed = hash_password(GOOD, rounds=4)
    assert hashed != GOOD and hashed.startswith("$2")
    assert verify_password(GOOD, hashed)
    assert not verify_password("Mot-de-passe-2025?", hashed)
    assert not verify_password(GOOD, None)
    assert not verify_password(GOOD, "not a hash")


def test_rules_list_says_which_are_met_without_showing_the_password():
    assert rules_markdown("") .count("✓") == 0 and "12 caractères" in rules_markdown("")
    text = rules_markdown("abcdefghijkl")
    assert "✓ 12 caractères" in text and "✓ 1 minuscule" in text and "✗ 1 majuscule" in text
    assert "abcdefghijkl" not in text


@pytest.mark.parametrize(
    ("email", "uai"),
    [
        ("0711989B@ac-dijon.fr", "0711989B"),
        ("ce.0711989b@ac-dijon.fr", "0711989B"),
        ("  CE.0710020L@AC-DIJON.FR ", "0710020L"),
        ("ce.0711989b@gmail.com", None),
        ("directeur@ac-dijon.fr", None),
        ("ce.071198b@ac-dijon.fr", None),
        ("ce.0711989b@ac-dijon.fr.evil.com", None),
        ("x.0711989b@ac-dijon.fr", None),
    ],
)
def test_director_uai_from_the_school_address(email, uai):
    assert director_uai_from_email(email, "ac-dijon.fr") == uai


def test_tokens_are_stored_as_sha256():
    assert token_hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
