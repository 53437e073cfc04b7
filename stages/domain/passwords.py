"""Password policy and hashing (bcrypt)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import bcrypt

from stages.config import get_settings

MIN_LENGTH = 12
MAX_LENGTH = 128
MAX_BYTES = 72  # bcrypt reads no further: a longer password is refused, never truncated


@dataclass(frozen=True)
class Rule:
    label: str  # as listed under the field in the guide
    ok: bool


def check_rules(password: str) -> list[Rule]:
    """The five rules of the guide, each with whether ``password`` meets it."""
    return [
        Rule("12 caractères", len(password) >= MIN_LENGTH),
        Rule("1 minuscule", re.search(r"[a-zà-ÿ]", password) is not None),
        Rule("1 majuscule", re.search(r"[A-ZÀ-Þ]", password) is not None),
        Rule("1 chiffre", re.search(r"\d", password) is not None),
        Rule("1 caractère spécial", re.search(r"[^\w\s]|_", password) is not None),
    ]


def password_problems(password: str) -> list[str]:
    """French messages for every rule the password breaks (empty list: acceptable)."""
    problems = [f"Il manque : {rule.label}." for rule in check_rules(password) if not rule.ok]
    if len(password) > MAX_LENGTH:
        problems.append(f"Le mot de passe ne doit pas dépasser {MAX_LENGTH} caractères.")
    elif len(password.encode("utf-8")) > MAX_BYTES:
        problems.append(
            f"Le mot de passe est trop long : {MAX_BYTES} octets au plus "
            "(les lettres accentuées et les emoji comptent pour plusieurs)."
        )
    if any(ord(c) < 32 for c in password):
        problems.append("Le mot de passe ne doit pas contenir de caractère de contrôle.")
    return problems


def hash_password(password: str, rounds: int | None = None) -> str:
    data = password.encode("utf-8")
    if len(data) > MAX_BYTES:
        raise ValueError("password longer than 72 bytes")
    return bcrypt.hashpw(data, bcrypt.gensalt(rounds or get_settings().bcrypt_rounds)).decode("ascii")


def verify_password(password: str, password_hash: str | None) -> bool:
    data = password.encode("utf-8")
    if not password_hash or len(data) > MAX_BYTES:
        return False
    try:
        return bcrypt.checkpw(data, password_hash.encode("ascii"))
    except ValueError:
        return False


_dummy_hash: str | None = None


def burn_time(password: str) -> None:
    """Compare against a throwaway hash, so an unknown email takes as long as a wrong password."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = hash_password("Factice-Mot-De-Passe-1!")
    verify_password(password, _dummy_hash)
