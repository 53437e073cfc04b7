"""Each candidature mail: its kind, a subject naming the offer, and a button to the right page."""

from __future__ import annotations

import datetime as dt

import pytest

from stages.config import reset_settings
from stages.domain.vocabulary import Role
from stages.services import mail_templates as t
from stages.services.digests import CircFigures
from stages.ui.navigation import ROLE_MAIN_PAGES

DEADLINE = dt.datetime(2026, 6, 16, 8, 30)  # naive UTC: 10:30 in Paris
CIRC = CircFigures(1, "Mâcon Nord", schools=10, schools_with_offer=4, offers=5, places=7, new_offers=1,
                   waiting=2, conventions_not_signed=3, without_offer=["École A (Azé)"])
REF = "offre n° 12, stage de 2 semaines (du 15/06/2026 au 26/06/2026)"

# kind -> (builder, role that reads it, url path of the page the button opens)
MAILS = {
    "new_candidature": (lambda: t.new_candidature("Léa Martin", "Professeur des écoles", 12, "offre n° 12, p",
                                                  "École Jules Ferry", DEADLINE, 15), Role.DIRECTOR, "espace"),
    "candidature_declined": (lambda: t.candidature_declined("Léa Martin", 12, REF), Role.DIRECTOR, "espace"),
    "candidature_withdrawn": (lambda: t.candidature_withdrawn("Léa Martin", 12, REF), Role.DIRECTOR, "espace"),
    "candidature_accepted": (lambda: t.candidature_accepted("Léa", "Professeur des écoles", 12, "offre n° 12, p",
                                                            "École Jules Ferry", DEADLINE),
                             Role.STUDENT, "mes-candidatures"),
    "candidature_confirmed": (lambda: t.candidature_confirmed("Léa Martin", 12, REF), Role.DIRECTOR, "espace"),
    "candidature_closed_elsewhere": (lambda: t.candidature_closed_elsewhere("Léa Martin", 12, REF, True),
                                     Role.DIRECTOR, "espace"),
    "place_freed": (lambda: t.place_freed(12, REF, "Léa Martin s'est désisté·e.", 2), Role.DIRECTOR, "espace"),
    "candidature_waitlisted": (lambda: t.candidature_waitlisted("Léa", "Professeur des écoles", REF,
                                                                "École Jules Ferry"), Role.STUDENT, "mes-candidatures"),
    "acceptance_lapsed": (lambda: t.acceptance_lapsed_student("Léa", "Professeur des écoles", REF,
                                                              "École Jules Ferry", DEADLINE), Role.STUDENT, "offres"),
    "acceptance_lapsed_director": (lambda: t.acceptance_lapsed_director("Léa Martin", 12, REF, DEADLINE),
                                   Role.DIRECTOR, "espace"),
    "candidature_refused": (lambda: t.candidature_refused("Léa", "Professeur des écoles", 12, "offre n° 12, p", "École Jules Ferry",
                                                          "Classe complète"), Role.STUDENT, "offres"),
    "candidature_expired": (lambda: t.candidature_expired("Léa", "Professeur des écoles", 12, "offre n° 12, p", "École Jules Ferry",
                                                          DEADLINE), Role.STUDENT, "offres"),
    "weekly_digest": (lambda: t.weekly_digest_circonscription(CIRC, "2025-2026", DEADLINE), Role.IEN,
                      "tableau-de-bord"),
    "weekly_digest_department": (lambda: t.weekly_digest_department(CIRC, [CIRC], "2025-2026", DEADLINE),
                                 Role.COORDINATOR, "tableau-de-bord"),
    "candidature_reminder": (lambda: t.candidature_reminder(["Léa Martin, « Professeur des écoles » : 2 j"]),
                             Role.DIRECTOR, "espace"),
}


@pytest.fixture(autouse=True)
def base_url(monkeypatch):
    monkeypatch.setenv("APP_BASE_URL", "https://stages.example.fr/")
    reset_settings()
    yield
    reset_settings()


@pytest.mark.parametrize("kind", sorted(MAILS))
def test_each_mail_links_to_a_page_of_its_reader(kind):
    build, role, path = MAILS[kind]
    message = build()
    assert message.kind == kind.removesuffix("_director").removesuffix("_department")
    assert path in [url for _f, _t, _i, url, _d in ROLE_MAIN_PAGES[role]]
    label, url = message.button
    assert url == f"https://stages.example.fr/{path}"
    assert label and message.subject and message.text.startswith("Bonjour")


def test_texts_carry_what_the_reader_needs():
    assert "16/06/2026 à 10:30" in t.new_candidature("Léa", "Offre", 3, "offre n° 3, p", "École", DEADLINE, 15).text
    assert "Motif : Classe complète" in t.candidature_refused("Léa", "Offre", 3, "offre n° 3, p", "École", "Classe complète").text
    reminder = t.candidature_reminder(["A", "B"])
    assert reminder.subject.startswith("Rappel : 2 candidature(s)") and "- A\n- B" in reminder.text
    accepted = t.candidature_accepted("Léa", "Offre", 12, "offre n° 12, semaine 1", "École", DEADLINE).text
    assert "offre n° 12" in accepted and "avant le 16/06/2026 à 10:30" in accepted
    assert "est de nouveau disponible" not in t.candidature_closed_elsewhere("Léa", 12, REF, False).text


def test_subjects_and_texts_tell_offers_titled_alike_apart():
    message = t.candidature_accepted("Léa", "Professeur des écoles", 12, "offre n° 12, stage de 1 semaine", "École",
                                     DEADLINE)
    assert message.subject == "Candidature acceptée : Professeur des écoles (offre n° 12)"
    assert "(offre n° 12, stage de 1 semaine, École)" in message.text


def test_weekly_digests_count_the_conventions_not_signed():
    ien = t.weekly_digest_circonscription(CIRC, "2025-2026", DEADLINE)
    assert "- Conventions non signées : 3" in ien.text
    coordinator = t.weekly_digest_department(CIRC, [CIRC], "2025-2026", DEADLINE)
    assert coordinator.text.count("3 convention(s) non signée(s)") == 2  # the département's line and Mâcon Nord's
