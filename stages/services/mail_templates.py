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
from stages.domain.coverage import WAITING_DAYS
from stages.domain.timeutil import fmt_date, fmt_datetime

# The pages the mails link to (their URL paths, see stages/ui/navigation.py).
DIRECTOR_SPACE = "espace"
STUDENT_CANDIDATURES = "mes-candidatures"
STUDENT_OFFERS = "offres"
DASHBOARD = "tableau-de-bord"


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


# ``offer_ref`` in the mails below: ``stages.domain.offer_reference.offer_reference`` (number, period, level).


def candidature_declined(student_name: str, offer_id: int, offer_ref: str) -> MailText:
    return MailText(
        "candidature_declined", f"Candidature déclinée : offre n° {offer_id}",
        f"Bonjour,\n\n{student_name} s'est désisté·e de votre {offer_ref}, "
        "que vous aviez acceptée. La place est de nouveau disponible.",
        ("Voir les candidatures", link(DIRECTOR_SPACE)),
    )


def candidature_withdrawn(student_name: str, offer_id: int, offer_ref: str) -> MailText:
    return MailText(
        "candidature_withdrawn", f"Candidature annulée par l'élève : offre n° {offer_id}",
        f"Bonjour,\n\n{student_name} a annulé sa candidature à votre {offer_ref}.",
        ("Voir les candidatures", link(DIRECTOR_SPACE)),
    )


def candidature_accepted(first_name: str, offer_title: str, offer_id: int, reference: str, place_name: str,
                         confirm_by: dt.datetime) -> MailText:
    return MailText(
        "candidature_accepted", f"Candidature acceptée : {_titled(offer_title, offer_id)}",
        f"Bonjour {first_name},\n\nBonne nouvelle : votre candidature au stage « {offer_title} » "
        f"({reference}, {place_name}) a été acceptée.\n\n"
        f"Confirmez ce stage avant le {fmt_datetime(confirm_by)} (bouton « Je confirme ce stage » de "
        "« Mes candidatures ») : sans confirmation, la place sera libérée pour un autre élève.\n\n"
        "Votre convention de stage est créée : complétez votre partie (date de naissance, classe, "
        "représentant légal) dans « Mes candidatures », puis signez-la quand l'école et le lycée ont "
        "complété les leurs. Votre représentant légal recevra alors un lien pour la signer à son tour.",
        ("Voir mes candidatures", link(STUDENT_CANDIDATURES)),
    )


def candidature_confirmed(student_name: str, offer_id: int, offer_ref: str) -> MailText:
    return MailText(
        "candidature_confirmed", f"Stage confirmé par l'élève : offre n° {offer_id}",
        f"Bonjour,\n\n{student_name} a confirmé le stage de votre {offer_ref}.",
        ("Voir les candidatures", link(DIRECTOR_SPACE)),
    )


def candidature_closed_elsewhere(student_name: str, offer_id: int, offer_ref: str, place_freed: bool) -> MailText:
    return MailText(
        "candidature_closed_elsewhere", f"Candidature close : stage confirmé ailleurs — offre n° {offer_id}",
        f"Bonjour,\n\n{student_name} a confirmé un autre stage sur les mêmes semaines. Sa "
        f"candidature à votre {offer_ref} est close : « Close : stage confirmé ailleurs »."
        + (" La place que vous lui aviez attribuée est de nouveau disponible." if place_freed else ""),
        ("Voir les candidatures", link(DIRECTOR_SPACE)),
    )


def place_freed(offer_id: int, offer_ref: str, why: str, waiting: int) -> MailText:
    return MailText(
        "place_freed", f"Une place s'est libérée : offre n° {offer_id}",
        f"Bonjour,\n\nUne place s'est libérée sur votre {offer_ref} : {why}\n\n"
        f"{waiting} élève(s) sont en liste d'attente pour cette offre : vous pouvez en accepter un "
        "depuis l'onglet « Liste d'attente » de vos candidatures.",
        ("Voir la liste d'attente", link(DIRECTOR_SPACE)),
    )


def candidature_waitlisted(first_name: str, offer_title: str, offer_ref: str, place_name: str) -> MailText:
    return MailText(
        "candidature_waitlisted", f"Candidature en liste d'attente : {offer_title}",
        f"Bonjour {first_name},\n\nVotre candidature à l'{offer_ref} ({place_name}) est en liste d'attente : "
        "l'école n'a plus de place pour l'instant, mais pourra vous accepter si une place se libère. Vous serez "
        "prévenu·e par courriel.\n\nVous pouvez continuer à postuler à d'autres offres.",
        ("Voir mes candidatures", link(STUDENT_CANDIDATURES)),
    )


def acceptance_lapsed_student(first_name: str, offer_title: str, offer_ref: str, place_name: str,
                              deadline: dt.datetime) -> MailText:
    return MailText(
        "acceptance_lapsed", f"Stage non confirmé : {offer_title}",
        f"Bonjour {first_name},\n\nVous n'avez pas confirmé avant le {fmt_datetime(deadline)} le stage de "
        f"l'{offer_ref} ({place_name}) qui vous avait été accepté : la place a été libérée pour un autre "
        "élève.\n\nD'autres offres vous attendent sur la plateforme.",
        ("Voir les offres de stage", link(STUDENT_OFFERS)),
    )


def acceptance_lapsed_director(student_name: str, offer_id: int, offer_ref: str, deadline: dt.datetime) -> MailText:
    return MailText(
        "acceptance_lapsed", f"Stage non confirmé par l'élève : offre n° {offer_id}",
        f"Bonjour,\n\n{student_name} n'a pas confirmé avant le {fmt_datetime(deadline)} le stage de votre "
        f"{offer_ref}. La place est de nouveau disponible.",
        ("Voir les candidatures", link(DIRECTOR_SPACE)),
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


# --------------------------------------------------------------------------- weekly digest (issue 13)
# ``r`` below: a ``stages.services.digests.CircFigures`` (one circonscription, or the département).


def _pct(value: float) -> str:
    return f"{value * 100:.1f} %".replace(".", ",")


def _digest_line(r) -> str:
    return (f"- {r.name} : {r.offers} offre(s), {r.places} place(s), couverture {_pct(r.coverage)} "
            f"({r.schools_with_offer}/{r.schools} écoles), {r.new_offers} nouvelle(s) cette semaine, "
            f"{r.schools_without_offer} école(s) sans offre, {r.waiting} candidature(s) en attente depuis plus de "
            f"{WAITING_DAYS} jours, {r.conventions_not_signed} convention(s) non signée(s)")


def weekly_digest_circonscription(r, school_year: str, now: dt.datetime) -> MailText:
    """An IEN's weekly digest: their circonscription's figures and the schools without an offer."""
    lines = [
        f"Bonjour,\n\nVoici le point hebdomadaire des stages de seconde (campagne {school_year}) pour la "
        f"circonscription {r.name}, au {fmt_date(now)}.",
        "\n".join([
            f"- Offres publiées : {r.offers}",
            f"- Places proposées : {r.places}",
            f"- Taux de couverture : {_pct(r.coverage)} ({r.schools_with_offer} écoles sur {r.schools})",
            f"- Nouvelles offres cette semaine : {r.new_offers}",
            f"- Écoles encore sans offre : {r.schools_without_offer}",
            f"- Candidatures en attente de réponse depuis plus de {WAITING_DAYS} jours : {r.waiting}",
            f"- Conventions non signées : {r.conventions_not_signed}",
        ]),
    ]
    if r.without_offer:
        more = r.schools_without_offer - len(r.without_offer)
        lines.append("Écoles sans offre :\n" + "\n".join(f"- {s}" for s in r.without_offer)
                     + (f"\n- … et {more} autre(s)" if more > 0 else ""))
    lines.append("Depuis le tableau de bord, « Relancer les écoles sans offre » leur envoie un courriel.")
    return MailText("weekly_digest", f"Stages de seconde — point hebdomadaire — circonscription {r.name}",
                    "\n\n".join(lines), ("Ouvrir le tableau de bord", link(DASHBOARD)))


def weekly_digest_department(total, rows: Sequence, school_year: str, now: dt.datetime) -> MailText:
    """A coordinator's weekly digest: the département's figures, then each circonscription's."""
    return MailText(
        "weekly_digest", "Stages de seconde — point hebdomadaire du département",
        "\n\n".join([
            f"Bonjour,\n\nVoici le point hebdomadaire des stages de seconde (campagne {school_year}) pour le "
            f"département, au {fmt_date(now)}.",
            _digest_line(total).removeprefix("- "),
            "Par circonscription (la plus faible couverture en premier) :\n" + "\n".join(_digest_line(r) for r in rows),
        ]),
        ("Ouvrir le tableau de bord", link(DASHBOARD)),
    )
