"""The texts of the mails about candidatures: one function per mail, nothing else.

Each returns a :class:`MailText` (kind, subject, text, button) that a service queues with
``mail.queue_text(session, to, ...)`` inside its transaction. The button's link is absolute
(``APP_BASE_URL`` + the page's path); ``tests/unit/test_mail_templates.py`` checks each link.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from stages.config import get_settings
from stages.domain.candidatures import REMINDER_DAYS
from stages.domain.timeutil import fmt_datetime

# The pages the mails link to (their URL paths, see stages/ui/navigation.py).
DIRECTOR_SPACE = "espace"
STUDENT_CANDIDATURES = "mes-candidatures"
STUDENT_OFFERS = "offres"


@dataclass(frozen=True)
class MailText:
    kind: str
    subject: str
    text: str
    button: tuple[str, str]  # (label, absolute url)


def link(path: str) -> str:
    return f"{get_settings().app_base_url.rstrip('/')}/{path}"


def _titled(offer_title: str, offer_id: int) -> str:
    """A subject's offer: its title and number (the guide makes every title "Professeur des écoles")."""
    return f"{offer_title} (offre n° {offer_id})"


def new_candidature(student_name: str, offer_title: str, offer_id: int, reference: str, place_name: str,
                    deadline: dt.datetime, delay_days: int) -> MailText:
    """``reference``: stages.domain.offer_reference.offer_reference (number, period, level if unusual)."""
    return MailText(
        "new_candidature", f"Nouvelle candidature : {_titled(offer_title, offer_id)}",
        f"Bonjour,\n\n{student_name} a postulé à votre offre « {offer_title} » ({reference}, {place_name}).\n\n"
        f"Vous avez jusqu'au {fmt_datetime(deadline)} pour accepter ou refuser cette candidature "
        f"(délai de {delay_days} jours). Au-delà, elle sera annulée et vous ne pourrez plus y répondre.",
        ("Voir les candidatures", link(DIRECTOR_SPACE)),
    )


def candidature_declined(student_name: str, offer_title: str, offer_id: int, reference: str) -> MailText:
    return MailText(
        "candidature_declined", f"Candidature déclinée : {_titled(offer_title, offer_id)}",
        f"Bonjour,\n\n{student_name} s'est désisté·e de votre offre « {offer_title} » ({reference}), "
        "que vous aviez acceptée. La place est de nouveau disponible.",
        ("Voir les candidatures", link(DIRECTOR_SPACE)),
    )


def candidature_accepted(first_name: str, offer_title: str, offer_id: int, reference: str,
                         place_name: str) -> MailText:
    return MailText(
        "candidature_accepted", f"Candidature acceptée : {_titled(offer_title, offer_id)}",
        f"Bonjour {first_name},\n\nBonne nouvelle : votre candidature au stage « {offer_title} » "
        f"({reference}, {place_name}) a été acceptée.\n\nVotre convention de stage est "
        "créée : complétez votre partie (date de naissance, classe, représentant légal) dans « Mes "
        "candidatures », puis signez-la quand l'école et le lycée ont complété les leurs. Votre "
        "représentant légal recevra alors un lien pour la signer à son tour.",
        ("Voir mes candidatures", link(STUDENT_CANDIDATURES)),
    )


def candidature_refused(first_name: str, offer_title: str, offer_id: int, reference: str, place_name: str,
                        reason: str) -> MailText:
    return MailText(
        "candidature_refused", f"Candidature refusée : {_titled(offer_title, offer_id)}",
        f"Bonjour {first_name},\n\nVotre candidature au stage « {offer_title} » "
        f"({reference}, {place_name}) n'a pas été retenue.\n\nMotif : {reason}\n\nD'autres offres vous attendent "
        "sur la plateforme.",
        ("Voir les offres de stage", link(STUDENT_OFFERS)),
    )


def candidature_expired(first_name: str, offer_title: str, offer_id: int, reference: str, place_name: str,
                        deadline: dt.datetime) -> MailText:
    return MailText(
        "candidature_expired", f"Candidature expirée : {_titled(offer_title, offer_id)}",
        f"Bonjour {first_name},\n\nVotre candidature au stage « {offer_title} » "
        f"({reference}, {place_name}) n'a pas reçu de réponse avant le {fmt_datetime(deadline)} : "
        "elle est expirée.\n\nD'autres offres vous attendent sur la plateforme.",
        ("Voir les offres de stage", link(STUDENT_OFFERS)),
    )


def candidature_reminder(lines: Sequence[str]) -> MailText:
    """``lines``: one per candidature ("Nom, « offre » : annulée dans 2 j 3 h (le …)")."""
    listed = "\n".join(f"- {line}" for line in lines)
    return MailText(
        "candidature_reminder", f"Rappel : {len(lines)} candidature(s) à traiter avant expiration",
        f"Bonjour,\n\nCes candidatures expirent dans moins de {REMINDER_DAYS} jours. Sans réponse de votre "
        f"part, elles seront annulées et vous ne pourrez plus y répondre :\n\n{listed}",
        ("Répondre aux candidatures", link(DIRECTOR_SPACE)),
    )
