"""The rules of the convention circuit (no database): states, lights, missing parts in words,
part validation, reminders, signatures, uploads."""

import datetime as dt

from stages.domain import conventions as rules
from stages.domain.conventions import GREEN, GREY, ORANGE, Party, Status

ALL_PARTS = set(Party.WITH_PART)
ALL_SIGNED = set(Party.SIGNATORIES)
START = dt.date(2027, 6, 14)


def test_states_in_order():
    assert rules.compute_status(set(), set()) == Status.TO_COMPLETE
    assert rules.compute_status({Party.HOST, Party.STUDENT}, set()) == Status.TO_COMPLETE
    assert rules.compute_status(ALL_PARTS, set()) == Status.READY
    assert rules.compute_status(ALL_PARTS, {Party.STUDENT}) == Status.SIGNING
    assert rules.compute_status(ALL_PARTS, ALL_SIGNED) == Status.SIGNED
    assert rules.compute_status(set(), set(), offline=True) == Status.SIGNED_OFFLINE
    assert rules.compute_status(ALL_PARTS, ALL_SIGNED, cancelled=True) == Status.CANCELLED
    assert rules.normalize_status("to_generate") == Status.TO_COMPLETE
    assert {rules.LABELS[s] for s in Status.ALL} == {"À compléter", "Prête à signer", "Signatures en cours",
                                                      "Signée par tous", "Signée hors plateforme", "Annulée"}


def test_lights_and_missing_in_words():
    lights = rules.lights(Status.TO_COMPLETE, {Party.HOST}, set())
    assert lights == {Party.HOST: GREY, Party.STUDENT: ORANGE, Party.LEGAL_REP: GREY, Party.LYCEE: ORANGE}
    assert rules.missing_text(Status.TO_COMPLETE, {Party.HOST}, set()) == (
        "Partie du lycée à compléter ; Partie de l'élève à compléter")
    lights = rules.lights(Status.SIGNING, ALL_PARTS, {Party.STUDENT})
    assert lights == {Party.HOST: ORANGE, Party.STUDENT: GREEN, Party.LEGAL_REP: ORANGE, Party.LYCEE: ORANGE}
    assert "Signature du représentant légal" in rules.missing_text(Status.SIGNING, ALL_PARTS, {Party.STUDENT})
    assert set(rules.lights(Status.SIGNED, ALL_PARTS, ALL_SIGNED).values()) == {GREEN}
    assert set(rules.lights(Status.SIGNED_OFFLINE, set(), set()).values()) == {GREEN}
    assert set(rules.lights(Status.CANCELLED, ALL_PARTS, set()).values()) == {GREY}
    assert rules.missing_text(Status.SIGNED, ALL_PARTS, ALL_SIGNED) == "Rien : la convention est signée"
    assert rules.parties_to_remind(Status.READY, ALL_PARTS, {Party.HOST}) == [Party.STUDENT, Party.LEGAL_REP,
                                                                              Party.LYCEE]


def test_parts_are_validated_with_french_messages():
    part, errors = rules.clean_host_part({"tutor_name": " Anne  Martin ", "tutor_function": "Professeure des écoles",
                                          "tutor_email": "Anne.Martin@AC-DIJON.fr"})
    assert not errors and part["tutor_name"] == "Anne Martin" and part["tutor_email"] == "anne.martin@ac-dijon.fr"
    _part, errors = rules.clean_host_part({"tutor_name": "", "tutor_email": "pas-une-adresse"})
    assert set(errors) == {"tutor_name", "tutor_function", "tutor_email"}
    _part, errors = rules.clean_lycee_part({"referent_name": "Paul Roy", "referent_email": "p@ac-dijon.fr",
                                            "student_class": "=SOMME(A1)"})
    assert set(errors) == {"student_class"}
    good = {"birth_date": "12/03/2011", "student_class": "2de 3", "pai": False, "rep1_name": "Marie Durand",
            "rep1_email": "marie@example.fr"}
    part, errors = rules.clean_student_part(good, START)
    assert not errors and part["birth_date"] == "2011-03-12" and part["rep2_name"] == ""
    _p, errors = rules.clean_student_part({**good, "birth_date": "31/02/2011", "pai": None}, START)
    assert set(errors) == {"birth_date", "pai"}
    _p, errors = rules.clean_student_part({**good, "birth_date": dt.date(2020, 1, 1)}, START)
    assert "invraisemblable" in errors["birth_date"]
    _p, errors = rules.clean_student_part({**good, "rep2_name": "Jean Durand"}, START)  # second one: complete
    assert set(errors) == {"rep2_email"}
    _p, errors = rules.clean_student_part({**good, "rep2_name": "Jean Durand", "rep2_email": "MARIE@example.fr"}, START)
    assert "différentes" in errors["rep2_email"]


def test_reminders_every_three_days_then_daily_in_the_last_ten():
    now = dt.datetime(2027, 5, 1, 6, 0)
    today = now.date()
    assert rules.reminder_due(None, now, today, START)
    assert not rules.reminder_due(now - dt.timedelta(days=2), now, today, START)
    assert rules.reminder_due(now - dt.timedelta(days=3), now, today, START)
    assert rules.reminder_due(now - dt.timedelta(days=3, minutes=-10), now, today, START)  # cron a bit early
    late = dt.datetime(2027, 6, 5, 6, 0)  # 9 days before
    assert rules.reminder_due(late - dt.timedelta(days=1), late, late.date(), START)
    assert not rules.reminder_due(late - dt.timedelta(hours=12), late, late.date(), START)
    first_day = dt.datetime(2027, 6, 14, 6, 0)
    assert not rules.reminder_due(None, first_day, first_day.date(), START)


def test_urgency_signature_token_and_upload_rules():
    assert rules.is_urgent(Status.SIGNING, dt.date(2027, 6, 4), START)
    assert not rules.is_urgent(Status.SIGNING, dt.date(2027, 6, 3), START)
    assert not rules.is_urgent(Status.SIGNED, dt.date(2027, 6, 10), START)
    assert "Cochez" in rules.signature_problem(False, "Anne Martin", "Anne Martin")
    assert rules.signature_problem(True, "", "Anne Martin") == "Tapez votre nom complet pour signer."
    assert rules.signature_problem(True, "anne MARTIN", "Anne Martin") is None
    assert rules.signature_problem(True, "Martin Anne", "Anne Martin") is None
    assert rules.signature_problem(True, "Zoé Martin", "Anne Martin").startswith("Le nom tapé")
    assert rules.signature_problem(True, "Hélène Roy", "Helene Roy") is None
    assert rules.token_expiry(START) == dt.datetime(2027, 6, 13, 22, 0)  # Paris midnight, summer time
    assert rules.number("2026-2027", 42) == "CONV-071-2026-2027-000042"
    assert rules.document_hash({"a": 1, "b": "é"}) == rules.document_hash({"b": "é", "a": 1})
    assert rules.upload_problem("c.pdf", b"%PDF-1.4 ...") is None
    assert "PDF" in rules.upload_problem("c.docx", b"PK\x03\x04")
    assert "PDF" in rules.upload_problem("c.pdf", b"<html>")
    assert "taille" in rules.upload_problem("c.pdf", b"%PDF-" + b"0" * rules.MAX_UPLOAD_BYTES)
    assert rules.upload_problem("c.pdf", b"") == "Le fichier est vide."


def test_a_typed_number_is_parsed():
    assert rules.parse_number(" conv-071-2026-2027-000042 ") == ("071", "2026-2027", 42)
    assert rules.parse_number("CONV-71-2026-2027-42") is None
    assert rules.parse_number("") is None
