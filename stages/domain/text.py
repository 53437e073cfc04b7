"""Cleaning of what users type."""

from __future__ import annotations

import re
import unicodedata

# C0 controls and DEL, plus the bidirectional controls (U+202E "right-to-left override" makes
# "gpj.exe" read "exe.jpg") and the invisible direction marks.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean_text(value: str | None, *, multiline: bool = True) -> str:
    """Normalise (NFC), drop control characters, trim; single-line fields lose line breaks."""
    if value is None:
        return ""
    value = unicodedata.normalize("NFC", str(value))
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _CONTROL.sub("", value)
    if not multiline:
        value = re.sub(r"\s+", " ", value)
    return value.strip()


def strip_controls(value: str | None) -> str:
    """What a user is still typing (a draft): normalised (NFC), without control or bidi characters,
    but neither trimmed nor reflowed."""
    if value is None:
        return ""
    return _CONTROL.sub("", unicodedata.normalize("NFC", str(value)))


def normalize_email(value: str | None) -> str:
    return clean_text(value, multiline=False).lower()


def is_valid_email(value: str) -> bool:
    """Checked by ``email-validator`` (see stages.domain.emails)."""
    from stages.domain.emails import is_valid_email as _check

    return _check(value)


def normalize_phone(value: str | None) -> str | None:
    """French phone numbers: digits only, the leading 0 restored when a spreadsheet dropped it."""
    if value is None:
        return None
    digits = re.sub(r"\D", "", str(value))
    if not digits:
        return None
    if len(digits) == 9 and not digits.startswith("0"):
        digits = "0" + digits
    return digits


def fmt_phone(value: str | None) -> str:
    """0385383606 -> 03 85 38 36 06."""
    if not value:
        return ""
    if len(value) == 10 and value.isdigit():
        return " ".join(value[i : i + 2] for i in range(0, 10, 2))
    return value


def circonscription_of(short_name: str) -> str:
    """"Circonscription de Mâcon Nord", "Circonscription d'Autun", "Circonscription du Creusot"."""
    name = short_name.strip()
    if name.startswith("Le "):
        return f"Circonscription du {name[3:]}"
    if name.startswith("Les "):
        return f"Circonscription des {name[4:]}"
    if name[:1].upper() in "AEIOUYÉÈÊÂÎÔH":
        return f"Circonscription d'{name}"
    return f"Circonscription de {name}"
