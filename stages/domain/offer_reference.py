"""How an offer is told apart from another with the same title (the guide makes every title
"Professeur des écoles"): its number, its period and, when it is not the usual one, its class level."""

from __future__ import annotations

COLLEGE_LABEL = "Collégiens (4ème et 3ème)"
LYCEE_LABEL = "Lycéens de 2de générale et technologique"


def level_label(level_college: bool, level_lycee: bool) -> str:
    """The class levels an offer is proposed to, in the guide's words."""
    labels = [label for flag, label in ((level_college, COLLEGE_LABEL), (level_lycee, LYCEE_LABEL)) if flag]
    return " et ".join(labels) or "aucun niveau"


def level_differs(level_college: bool, level_lycee: bool) -> bool:
    """True when an offer is not proposed to the usual level alone (lycéens de 2de)."""
    return bool(level_college) or not level_lycee


def offer_reference(offer_id: int, period_label: str, level_college: bool = False, level_lycee: bool = True) -> str:
    """"offre n° 12, stage de 1 semaine (du 16/06/2025 au 20/06/2025)", plus the class level when it differs."""
    text = f"offre n° {offer_id}, {period_label}"
    if level_differs(level_college, level_lycee):
        text += f", {level_label(level_college, level_lycee)}"
    return text
