"""Conventions against SQLite and PostgreSQL: every state change and refusal, permissions for each
party and for other schools, lycées and students (0 leaks), an edit after a signature resetting
the signatures, concurrent signatures, the legal representative's link (once, before the stage),
uploads, reminders, the DSDEN's figures, and the PDF read back with pypdf."""

from __future__ import annotations

import datetime as dt
import io
import re
import threading
from dataclasses import astuple

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from db import read_session
from db.models import (Candidature, CandidatureStatus, Convention, ConventionSignature, ConventionToken, Lycee,
                       OutboxMail, Role, User)
from stages.domain.conventions import Party, Status
from stages.services import auth
from stages.services.candidatures import answers, applications
from stages.services.conventions import files, parts, reminders, signing, tracking, views
from stages.services.errors import NotFound, PermissionDenied, ValidationError
from tests.factories import make_candidature, make_offer, make_user

OK = "J'ai lu et j'approuve la convention"
HOST = {"tutor_name": "Anne Martin", "tutor_function": "Professeure des écoles", "tutor_email": "anne.martin@ac-dijon.fr"}
LYCEE = {"referent_name": "Paul Roy", "referent_email": "paul.roy@ac-dijon.fr", "student_class": "2de 3"}
STUDENT = {"birth_date": "12/03/2011", "student_class": "2de 3", "pai": False, "rep1_name": "Marie Durand",
           "rep1_email": "marie.durand@example.fr", "rep2_name": "Jean Durand", "rep2_email": "jean.durand@example.fr"}


def cu(user_id: int) -> auth.CurrentUser:
    return auth.load_user(user_id)


def head_of(lycee_uai: str) -> auth.CurrentUser:
    return auth.create_user(role=Role.LYCEE_HEAD, email=f"ce.{lycee_uai.lower()}@ac-dijon.fr", password="Mot-de-passe-2025!",
                            uai=lycee_uai, first_name="Claire", last_name=f"Proviseure{lycee_uai[-3:]}")


@pytest.fixture
def world(db_url):
    director = cu(make_user(Role.DIRECTOR, uai="0711989B", first_name="Hugues", last_name="Traver"))
    other_director = cu(make_user(Role.DIRECTOR, uai="0710433K"))
    student = cu(make_user(Role.STUDENT, email="lea@example.fr", first_name="Léa", last_name="Durand"))
    other_student = cu(make_user(Role.STUDENT, email="tom@example.fr", first_name="Tom", last_name="Petit"))
    with read_session() as s:
        lycee = s.get(Lycee, student.lycee_id)
        uai = lycee.uai
        other_uai = s.scalar(select(Lycee.uai).where(Lycee.id != lycee.id).order_by(Lycee.uai))
    head, other_head = head_of(uai), head_of(other_uai)
    offer = make_offer(director.id, max_students=3)
    cand = make_candidature(offer, student.id)
    answers.accept(director, cand)
    with read_session() as s:
        conv_id = s.scalar(select(Convention.id).where(Convention.candidature_id == cand))
    return dict(director=director, other_director=other_director, student=student, other_student=other_student,
                head=head, other_head=other_head, offer=offer, cand=cand, conv=conv_id)


def status(conv_id: int) -> str:
    with read_session() as s:
        return s.get(Convention, conv_id).status


def complete_all(w) -> None:
    parts.complete_part(w["director"], w["conv"], HOST)
    parts.complete_part(w["head"], w["conv"], LYCEE)
    parts.complete_part(w["student"], w["conv"], STUDENT)


def digest(user, conv_id) -> str:
    return views.detail(user, conv_id).document_hash


def sign(user, conv_id, name=None):
    return signing.sign(user, conv_id, approved=True, typed_name=name or user.full_name,
                        document_hash=digest(user, conv_id), client_address="203.0.113.7")


def rep_tokens(address: str) -> list[str]:
    with read_session() as s:
        bodies = s.scalars(select(OutboxMail.body_text).where(OutboxMail.to_address == address,
                                                              OutboxMail.kind == "convention_legal_rep")
                           .order_by(OutboxMail.id)).all()
    return [re.search(r"token=([\w-]+)", b).group(1) for b in bodies]


def test_the_whole_circuit_and_the_pdf(world):
    w = world
    conv = w["conv"]
    assert status(conv) == Status.TO_COMPLETE
    row = views.list_for(w["director"])[0]
    assert row.lights == {Party.HOST: "orange", Party.STUDENT: "orange", Party.LEGAL_REP: "grey", Party.LYCEE: "orange"}
    assert row.action == "Compléter votre partie" and row.status_label == "À compléter"
    with pytest.raises(ValidationError, match="pas encore prête"):
        sign(w["student"], conv)
    assert parts.complete_part(w["director"], conv, HOST) == "À compléter"
    assert parts.complete_part(w["head"], conv, LYCEE) == "À compléter"
    assert views.list_for(w["student"])[0].missing == "Partie de l'élève à compléter"
    assert parts.complete_part(w["student"], conv, STUDENT) == "Prête à signer"
    assert len(rep_tokens("marie.durand@example.fr")) == 1 and len(rep_tokens("jean.durand@example.fr")) == 1

    assert sign(w["student"], conv) and status(conv) == Status.SIGNING
    with pytest.raises(ValidationError, match="déjà signé"):
        sign(w["student"], conv)
    token = rep_tokens("marie.durand@example.fr")[-1]
    view = signing.legal_rep_view(token)
    assert view.signer_name == "Marie Durand" and view.pdf.startswith(b"%PDF")
    with pytest.raises(ValidationError, match="ne correspond pas"):
        signing.sign_as_legal_rep(token, approved=True, typed_name="Jean Durand", document_hash=view.document_hash)
    signing.sign_as_legal_rep(token, approved=True, typed_name="marie durand", document_hash=view.document_hash,
                              client_address="198.51.100.4")
    with pytest.raises(ValidationError, match="déjà servi"):
        signing.sign_as_legal_rep(token, approved=True, typed_name="Marie Durand", document_hash=view.document_hash)
    with pytest.raises(ValidationError, match="pas valable"):  # the second representative's link is revoked
        signing.legal_rep_view(rep_tokens("jean.durand@example.fr")[-1])
    sign(w["director"], conv)
    result = signing.bulk_sign(w["head"], [conv], approved=True, typed_name=w["head"].full_name)
    assert result.errors == [] and len(result.done) == 1
    assert status(conv) == Status.SIGNED
    for user in (w["director"], w["student"], w["head"]):
        row = views.list_for(user)[0]
        assert set(row.lights.values()) == {"green"} and row.status_label == "Signée par tous"

    name, data = files.pdf(w["student"], conv)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    number = views.list_for(w["student"])[0].number
    assert name == f"{number}.pdf"
    pages = PdfReader(io.BytesIO(data)).pages
    assert len(pages) >= 2 and all(number in p.extract_text() for p in pages)
    assert all(digest(w["student"], conv) in p.extract_text().replace("\n", "") for p in pages)
    for expected in ("0711989B", "Léa Durand", "Marie Durand", "Anne Martin", "Paul Roy",
                     "Lundi : 08:30 – 16:30", "Article 8 — Durée et résiliation", "Annexe pédagogique",
                     "Pas de possibilité de restauration", "Hugues Traver", "Claire Proviseure",
                     "Représentant légal", "Chef d'établissement", "12/03/2011"):
        assert expected in text, expected
    last = pages[-1].extract_text()
    assert len(re.findall(r"\d\d/\d\d/\d{4} à \d\d:\d\d", last)) == 4
    with read_session() as s:
        sigs = s.scalars(select(ConventionSignature).where(ConventionSignature.convention_id == conv)).all()
        assert {x.party for x in sigs} == set(Party.SIGNATORIES)
        assert {x.client_address for x in sigs} >= {"203.0.113.7", "198.51.100.4"}
        assert all(len(x.document_hash) == 64 for x in sigs)
        assert all(t.token_hash != token and len(t.token_hash) == 64 for t in s.scalars(select(ConventionToken)))


def test_an_edit_after_a_signature_resets_them_and_tells_the_signatories(world):
    w, conv = world, world["conv"]
    complete_all(w)
    sign(w["student"], conv)
    sign(w["director"], conv)
    old_digest = digest(w["student"], conv)
    assert status(conv) == Status.SIGNING
    assert parts.complete_part(w["head"], conv, {**LYCEE, "student_class": "2de 5"}) == "Prête à signer"
    row = views.list_for(w["student"])[0]
    assert row.lights[Party.STUDENT] == "orange" and row.lights[Party.HOST] == "orange"
    assert digest(w["student"], conv) != old_digest
    with read_session() as s:
        subjects = s.scalars(select(OutboxMail.subject).where(OutboxMail.subject.like("Convention modifiée%"))).all()
        assert len(subjects) == 2  # the student and the director (the lycée head did not sign)
    assert len(rep_tokens("marie.durand@example.fr")) == 2  # a new link
    with pytest.raises(ValidationError, match="modifiée depuis"):  # signing the version read before
        signing.sign(w["director"], conv, approved=True, typed_name=w["director"].full_name, document_hash=old_digest)
    # The same values again change nothing.
    parts.complete_part(w["head"], conv, {**LYCEE, "student_class": "2de 5"})
    assert len(rep_tokens("marie.durand@example.fr")) == 2


def test_refusals_change_nothing(world):
    w, conv = world, world["conv"]
    with pytest.raises(ValidationError) as exc:
        parts.complete_part(w["director"], conv, {"tutor_name": "", "tutor_email": "x"})
    assert set(exc.value.errors) == {"tutor_name", "tutor_function", "tutor_email"}
    with pytest.raises(ValidationError):
        parts.complete_part(w["student"], conv, {**STUDENT, "birth_date": "31/02/2011"})
    with read_session() as s:
        c = s.get(Convention, conv)
        assert c.host_part is None and c.student_part is None
    complete_all(w)
    with pytest.raises(ValidationError, match="Cochez"):
        signing.sign(w["student"], conv, approved=False, typed_name="Léa Durand", document_hash=None)
    with pytest.raises(ValidationError, match="nom complet"):
        signing.sign(w["student"], conv, approved=True, typed_name="  ", document_hash=None)
    with pytest.raises(ValidationError, match="Cochez au moins"):
        signing.bulk_sign(w["head"], [], approved=True, typed_name=w["head"].full_name)
    with read_session() as s:
        assert s.scalar(select(ConventionSignature.id)) is None


def test_permissions_no_leak(world):
    w, conv = world, world["conv"]
    with read_session() as s:
        mails_before = s.scalar(select(func.count()).select_from(OutboxMail))
    strangers = [w["other_director"], w["other_student"], w["other_head"]]
    for user in strangers:
        assert views.list_for(user) == []
        with pytest.raises(NotFound):
            views.detail(user, conv)
        with pytest.raises(NotFound):
            files.pdf(user, conv)
        with pytest.raises(NotFound):
            parts.complete_part(user, conv, HOST | LYCEE | STUDENT)
        with pytest.raises(NotFound):
            signing.sign(user, conv, approved=True, typed_name=user.full_name, document_hash=None)
    assert signing.bulk_sign(w["other_head"], [conv], approved=True, typed_name=w["other_head"].full_name).done == []
    with pytest.raises(NotFound):
        files.upload_signed(w["other_director"], conv, "c.pdf", b"%PDF-1.4 x")
    with pytest.raises(PermissionDenied):  # a student uploads nothing
        files.upload_signed(w["student"], conv, "c.pdf", b"%PDF-1.4 x")
    ien = cu(make_user(Role.IEN, circonscription_id=None))
    for user in (ien, None):
        with pytest.raises(PermissionDenied):
            views.list_for(user)
        with pytest.raises(PermissionDenied):
            files.pdf(user, conv)
    with pytest.raises(PermissionDenied):
        signing.bulk_sign(w["director"], [conv], approved=True, typed_name=w["director"].full_name)
    with pytest.raises(PermissionDenied):
        tracking.figures(w["director"])
    assert [r.id for r in views.list_for(w["head"])] == [conv]
    with read_session() as s:
        assert s.scalar(select(func.count()).select_from(OutboxMail)) == mails_before  # nothing was sent


def test_two_parties_signing_at_the_same_moment_both_count(world):
    w, conv = world, world["conv"]
    complete_all(w)
    hashes = {u: digest(w[u], conv) for u in ("director", "student", "head")}
    barrier, errors = threading.Barrier(3), []

    def run(who):
        try:
            barrier.wait()
            signing.sign(w[who], conv, approved=True, typed_name=w[who].full_name, document_hash=hashes[who])
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(who,)) for who in hashes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    row = views.list_for(w["director"])[0]
    assert row.status == Status.SIGNING and row.missing == "Signature du représentant légal"
    assert [row.lights[p] for p in Party.SIGNATORIES] == ["green", "green", "orange", "green"]


def test_a_token_used_after_the_stage_start_or_twice_at_once_is_refused(world):
    w, conv = world, world["conv"]
    complete_all(w)
    token = rep_tokens("marie.durand@example.fr")[-1]
    with read_session() as s:
        expires = s.scalar(select(ConventionToken.expires_at).where(ConventionToken.email == "marie.durand@example.fr"))
    view = signing.legal_rep_view(token)
    with pytest.raises(ValidationError, match="expiré"):
        signing.sign_as_legal_rep(token, approved=True, typed_name="Marie Durand", document_hash=view.document_hash,
                                  now=expires)
    with pytest.raises(ValidationError, match="pas valable"):
        signing.legal_rep_view("not-a-token")
    barrier, outcomes = threading.Barrier(2), []

    def run():
        barrier.wait()
        try:
            signing.sign_as_legal_rep(token, approved=True, typed_name="Marie Durand", document_hash=view.document_hash)
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(exc.message)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(outcomes) == 2 and outcomes.count("ok") == 1 and any("déjà servi" in o for o in outcomes)
    with read_session() as s:
        assert len(s.scalars(select(ConventionSignature).where(ConventionSignature.party == Party.LEGAL_REP)).all()) == 1


def test_upload_signed_outside_the_platform(world):
    w, conv = world, world["conv"]
    with pytest.raises(ValidationError, match="PDF"):
        files.upload_signed(w["director"], conv, "convention.docx", b"PK\x03\x04 word")
    with pytest.raises(ValidationError, match="PDF"):
        files.upload_signed(w["director"], conv, "convention.pdf", b"<html>not a pdf</html>")
    with pytest.raises(ValidationError, match="taille"):
        files.upload_signed(w["director"], conv, "convention.pdf", b"%PDF-" + b"0" * (5 * 1024 * 1024))
    assert status(conv) == Status.TO_COMPLETE
    files.upload_signed(w["head"], conv, "scan.pdf", b"%PDF-1.4 signed scan")
    assert status(conv) == Status.SIGNED_OFFLINE
    name, data, when = files.signed_file(w["student"], conv)
    assert (name, data) == ("scan.pdf", b"%PDF-1.4 signed scan") and when.startswith("déposé le ")
    assert set(views.list_for(w["director"])[0].lights.values()) == {"green"}
    with pytest.raises(ValidationError, match="déjà enregistré"):
        files.upload_signed(w["director"], conv, "scan2.pdf", b"%PDF-1.4 again")
    with pytest.raises(ValidationError, match="hors plateforme"):
        parts.complete_part(w["director"], conv, HOST)
    coordinator = cu(make_user(Role.COORDINATOR))
    assert files.signed_file(coordinator, conv)[0] == "scan.pdf"


def test_a_declined_candidature_cancels_its_convention(world):
    w, conv = world, world["conv"]
    complete_all(w)
    token = rep_tokens("marie.durand@example.fr")[-1]
    applications.decline(w["student"], w["cand"])
    assert status(conv) == Status.CANCELLED
    row = views.list_for(w["director"])[0]
    assert row.status_label == "Annulée" and set(row.lights.values()) == {"grey"}
    with pytest.raises(ValidationError, match="pas valable"):
        signing.legal_rep_view(token)
    with pytest.raises(ValidationError, match="annulée"):
        parts.complete_part(w["director"], conv, {**HOST, "tutor_name": "Autre Nom"})
    with read_session() as s:
        assert s.get(Candidature, w["cand"]).status == CandidatureStatus.DECLINED


def test_reminders_once_every_three_days_then_daily(world):
    w, conv = world, world["conv"]
    parts.complete_part(w["director"], conv, HOST)
    start = views.detail(w["director"], conv).stage_start
    early = dt.datetime.combine(start - dt.timedelta(days=30), dt.time(5, 0))
    first = reminders.send_reminders(now=early)
    assert first.mails == 2 and first.errors == []  # the student and the lycée head; the host part is done
    assert reminders.send_reminders(now=early + dt.timedelta(days=1)).mails == 0
    assert reminders.send_reminders(now=early + dt.timedelta(days=3)).mails == 2
    late = dt.datetime.combine(start - dt.timedelta(days=5), dt.time(5, 0))
    assert reminders.send_reminders(now=late).mails == 2
    assert reminders.send_reminders(now=late + dt.timedelta(days=1)).mails == 2
    assert reminders.send_reminders(now=dt.datetime.combine(start, dt.time(5, 0))).mails == 0


def test_dsden_figures_and_urgent_table_without_student_names(world):
    w, conv = world, world["conv"]
    other_offer = make_offer(w["director"].id, title="Maternelle")
    cand2 = make_candidature(other_offer, w["other_student"].id)
    answers.accept(w["director"], cand2)
    parts.complete_part(w["director"], conv, HOST)
    coordinator = cu(make_user(Role.COORDINATOR))
    frame = tracking.figures(coordinator)
    total = frame[frame["Circonscription"] == "Total"].iloc[0]
    assert (total["Signées"], total["En cours"], total["Non commencées"], total["Total"]) == (0, 1, 1, 2)
    start = views.detail(w["director"], conv).stage_start
    soon = dt.datetime.combine(start - dt.timedelta(days=7), dt.time(8, 0))
    rows = tracking.urgent(coordinator, now=soon)
    assert len(rows) == 2 and rows[0].values[6] == 7
    assert tracking.urgent(coordinator, now=soon - dt.timedelta(days=10)) == []
    name, mime, data = astuple(tracking.export(coordinator, "urgent", "csv", now=soon))
    text = data.decode("utf-8-sig")
    assert name.endswith(".csv") and "Jours restants" in text and "Partie du lycée à compléter" in text
    assert "Durand" not in text and "Petit" not in text
    from db.models import School
    with read_session() as s:
        school_circ = s.scalar(select(School.circonscription_id).where(School.uai == "0711989B"))
        other_circ = s.scalar(select(School.circonscription_id).where(School.circonscription_id != school_circ))
    own_ien = cu(make_user(Role.IEN, circonscription_id=school_circ))
    other_ien = cu(make_user(Role.IEN, circonscription_id=other_circ))
    assert len(tracking.urgent(own_ien, now=soon)) == 2
    assert tracking.urgent(other_ien, now=soon) == [] and len(tracking.figures(other_ien)) == 0
    assert tracking.export(other_ien, "figures", "xlsx").file_name.endswith(".xlsx")


def test_demo_holds_a_convention_in_every_state_and_lycee_head_accounts(db_url):
    from stages.seed import demo

    demo.seed_demo()
    with read_session() as s:
        states = set(s.scalars(select(Convention.status)))
        heads = s.scalars(select(User.email).where(User.role == Role.LYCEE_HEAD).order_by(User.email)).all()
    assert set(Status.ALL) <= states
    assert len(heads) == 3
    head = auth.authenticate(heads[0], demo.DEMO_PASSWORD)
    assert head.role == Role.LYCEE_HEAD and re.fullmatch(r"ce\.\d{7}[a-z]@ac-dijon\.fr", head.email)
    rows = views.list_for(head)
    assert {r.status for r in rows} >= {Status.READY, Status.SIGNING, Status.SIGNED, Status.SIGNED_OFFLINE,
                                        Status.CANCELLED, Status.TO_COMPLETE}
    signed = next(r for r in rows if r.status == Status.SIGNED)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(files.pdf(head, signed.id)[1])).pages)
    assert "Représentant légal" in text and signed.number in text


def test_lycee_head_accounts_need_the_lycee_address(db_url):
    with read_session() as s:
        uai = s.scalar(select(Lycee.uai).order_by(Lycee.uai))
    with pytest.raises(ValidationError, match=f"ce.{uai.lower()}@ac-dijon.fr"):
        auth.create_user(role=Role.LYCEE_HEAD, email="proviseur@example.fr", password="Mot-de-passe-2025!", uai=uai)
    with pytest.raises(ValidationError, match="Lycée inconnu"):
        auth.create_user(role=Role.LYCEE_HEAD, email="ce.0000000x@ac-dijon.fr", password="Mot-de-passe-2025!",
                         uai="0000000X")
    assert head_of(uai).lycee_id is not None


def test_retention_anonymises_the_conventions_of_past_students(world):
    from stages.services import retention

    w, conv = world, world["conv"]
    complete_all(w)
    sign(w["student"], conv)
    files.upload_signed(w["director"], conv, "scan.pdf", b"%PDF-1.4 scan")
    retention.purge_personal_data(today=dt.date(2027, 9, 15))
    with read_session() as s:
        c = s.get(Convention, conv)
        assert c.status == Status.SIGNED_OFFLINE and c.student_part == {"anonymised": True}
        assert c.host_part["tutor_name"] == "Anne Martin"  # staff data of the school stays
        sig = s.scalar(select(ConventionSignature).where(ConventionSignature.convention_id == conv))
        assert (sig.signer_name, sig.client_address) == ("anonymisé", None)
        assert s.scalar(select(ConventionToken.id)) is None
        from db.models import ConventionFile
        assert s.scalar(select(ConventionFile.id)) is None
    coordinator = cu(make_user(Role.COORDINATOR))
    assert int(tracking.figures(coordinator).iloc[-1]["Signées"]) == 1


def test_a_coordinator_records_a_paper_convention_by_its_number_and_the_lycee_head_is_told(world):
    w, conv = world, world["conv"]
    with read_session() as s:
        told = s.scalars(select(OutboxMail.subject).where(OutboxMail.to_address == w["head"].email)).all()
    assert any(subject.startswith("Nouvelle convention de stage à compléter") for subject in told)
    coordinator = cu(make_user(Role.COORDINATOR))
    number = views.list_for(w["director"])[0].number
    assert tracking.can_record_offline(coordinator) and not tracking.can_record_offline(w["director"])
    with pytest.raises(ValidationError, match="Numéro de convention invalide"):
        files.upload_signed_by_number(coordinator, "42", "c.pdf", b"%PDF-1.4 x")
    with pytest.raises(NotFound):
        files.upload_signed_by_number(coordinator, number[:-1] + "9", "c.pdf", b"%PDF-1.4 x")
    with pytest.raises(PermissionDenied):
        files.upload_signed_by_number(w["director"], number, "c.pdf", b"%PDF-1.4 x")
    assert files.upload_signed_by_number(coordinator, number.lower(), "c.pdf", b"%PDF-1.4 x") == number
    assert status(conv) == Status.SIGNED_OFFLINE
