"""Email addresses: one check, by a real parser (``email-validator``), for every entry point.

The regular expression used before let ``eve@[poison.fr`` through; building its message then
raised and stopped every mail of the app. Addresses are ASCII only (what every SMTP server
accepts without SMTPUTF8), without quoted local parts or ``[1.2.3.4]`` domain literals.
No DNS lookup: ``check_deliverability=False`` (the app must not wait on the network to answer a form).
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

MAX_LENGTH = 254
INVALID_EMAIL = "Adresse électronique invalide (format attendu : nom@domaine.fr)."


def email_problem(value: str | None) -> str | None:
    """None when ``value`` (already normalised) is a deliverable-looking address, else the French message."""
    if not value or len(value) > MAX_LENGTH or not value.isascii() or value != value.strip():
        return INVALID_EMAIL
    try:
        validate_email(value, check_deliverability=False, allow_smtputf8=False, allow_quoted_local=False,
                       allow_domain_literal=False, allow_display_name=False)
    except EmailNotValidError:
        return INVALID_EMAIL
    except Exception:  # noqa: BLE001 - a parser bug on hostile input is a refusal, never a crash
        return INVALID_EMAIL
    return None


def is_valid_email(value: str | None) -> bool:
    return email_problem(value) is None
