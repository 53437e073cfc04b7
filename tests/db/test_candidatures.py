"""Candidatures against SQLite and PostgreSQL: every transition and refusal, permissions,
exact expiry without the cron, the cron commands, mails, exports, and no over-booking under
concurrent accepts."""

from __future__ import annotations

import datetime as dt
import io
import random
import threading
from types import SimpleNamespace

import pandas as pd
import pytest
from sqlalchemy import select

from db import read_session
from db.models import Candidature, CandidatureStatus as S, Convention, OfferStatus, Role, StatusChange
from stages.domain.timeutil import paris_to_utc, utcnow
from stages.services import auth
from stages.services.candidatures import answers, applications, catalogue, jobs
from stages.services.candidatures import exports as candidature_exports, inbox as inboxes
from stages.services.errors import NotFound, PermissionDenied, ValidationError
from tests.conftest import mail_text
from tests.factories import make_candidature, make_offer, make_user

MOTIVATION = "Je souhaite devenir professeur des écoles et observer une classe."


def cu(user_id: int) -> auth.CurrentUser:
    return auth.load_user(user_id)


@pytest.fixture
def world(db_url):
    director = make_user(Role.DIRECTOR, uai="0711989B", email="ce.0711989b@ac-dijon.fr", first_name="Hugues",
                         last_name="Traver")
    other_director = make_user(Role.DIRECTOR, uai="0710433K", email="ce.0710433k@ac-dijon.fr")
    students = [make_user(Role.STUDENT, email=f"eleve{i}@example.fr", first_name=f"Élève{i}", last_name="Test")
                for i in range(4)]
    offer = make_offer(director, max_students=2, title="Professeur des écoles")
    return {"director": cu(director), "other": cu(other_director), "students": [cu(s) for s in students],
            "offer": offer, "url": db_url}


def history(cand_id: int) -> list[tuple]:
    with read_session() as s:
        return [(h.from_status, h.to_status, h.author_id) for h in s.scalars(
            select(StatusChange).where(StatusChange.entity_type == "candidature", StatusChange.entity_id == cand_id)
            .order_by(StatusChange.id))]


def stored(cand_id: int) -> SimpleNamespace:
    """The stored row's columns (read_session rolls back, which would expire an ORM object)."""
    with read_session() as s:
        cand = s.get(Candidature, cand_id)
        return SimpleNamespace(**{c.key: getattr(cand, c.key) for c in Candidature.__table__.columns})


# --------------------------------------------------------------------------- students


def test_student_browses_filters_and_never_sees_the_phone(world):
    student = world["students"][0]
    other_offer = make_offer(world["other"].id, title="Observation en maternelle")
    make_offer(world["director"].id, status=OfferStatus.DRAFT, title="Brouillon")
    full = make_offer(world["director"].id, max_students=1, title="Offre complète")
    make_candidature(full, world["students"][1].id, status=S.ACCEPTED)

    result = catalogue.list_offers(student)
    assert {c.id for c in result.items} == {world["offer"], other_offer}  # no draft, no full offer
    assert {"Mâcon", "Azé"} <= set(result.communes)
    assert [c.id for c in catalogue.list_offers(student, commune="Azé").items] == [other_offer]
    assert [c.id for c in catalogue.list_offers(student, text="MATERNELLE").items] == [other_offer]
    assert [c.id for c in catalogue.list_offers(student, text="macon").items] == [world["offer"]]  # accents ignored
    macon = next(k for k, v in result.circonscriptions.items() if v == "Mâcon Nord")
    assert world["offer"] in [c.id for c in catalogue.list_offers(student, circonscription_id=macon).items]
    paged = catalogue.list_offers(student, per_page=1, page=2)
    assert (paged.total, paged.pages, paged.page, len(paged.items)) == (2, 2, 2, 1)

    detail = catalogue.get_offer(student, world["offer"])
    assert detail.remaining == 2 and detail.hours == [("Lundi", "08:30 – 16:30")]
    assert not hasattr(detail, "depositor_phone")
    assert "phone" not in repr(detail) and "03 85" not in repr(detail)
    with pytest.raises(PermissionDenied):
        catalogue.list_offers(world["director"])


def test_apply_validates_and_is_idempotent(world, smtp_server):
    student = world["students"][0]
    with pytest.raises(ValidationError) as exc:
        applications.apply(student, world["offer"], "   ")
    assert exc.value.field == "motivation"
    with pytest.raises(ValidationError):
        applications.apply(student, world["offer"], "x" * 2001)
    first = applications.apply(student, world["offer"], MOTIVATION)
    again = applications.apply(student, world["offer"], MOTIVATION + " (deuxième onglet)")
    assert first.created and not again.created and again.candidature_id == first.candidature_id
    cand = stored(first.candidature_id)
    assert cand.deadline_at - cand.submitted_at == dt.timedelta(days=15)
    assert history(cand.id) == [(None, S.SUBMITTED, student.id)]
    message = smtp_server.wait_for("ce.0711989b@ac-dijon.fr")[0]
    assert "Nouvelle candidature" in message["Subject"]
    assert "Élève0 Test" in mail_text(message) and "15 jours" in mail_text(message)
    # A withdrawn candidature may be sent again, with a new deadline.
    applications.withdraw(student, first.candidature_id)
    assert applications.apply(student, world["offer"], MOTIVATION).created


def test_deadline_of_an_application_across_the_change_to_winter_time(world):
    """Submitted on 20/10/2026 at 10:00 in Paris (summer time); winter time starts on 25/10."""
    submitted = paris_to_utc(dt.datetime(2026, 10, 20, 10, 0))
    result = applications.apply(world["students"][0], world["offer"], MOTIVATION, now=submitted)
    cand = stored(result.candidature_id)
    assert cand.deadline_at - cand.submitted_at == dt.timedelta(hours=15 * 24)
    assert result.deadline == "04/11/2026 à 09:00"  # 15 × 24 h later, read in Paris winter time


def test_double_click_from_two_threads_creates_one_candidature(world):
    student = world["students"][0]
    barrier = threading.Barrier(4)
    results = []

    def click():
        barrier.wait()
        results.append(applications.apply(student, world["offer"], MOTIVATION))

    threads = [threading.Thread(target=click) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({r.candidature_id for r in results}) == 1
    assert sum(r.created for r in results) == 1
    with read_session() as s:
        assert len(list(s.scalars(select(Candidature)))) == 1


def test_apply_refused_when_offer_is_full_or_not_published(world):
    full = make_offer(world["director"].id, max_students=1)
    make_candidature(full, world["students"][1].id, status=S.ACCEPTED)
    with pytest.raises(NotFound):  # a full offer is not listed any more
        applications.apply(world["students"][0], make_offer(world["director"].id, status=OfferStatus.DRAFT), MOTIVATION)
    with pytest.raises(ValidationError, match="plus de place"):
        applications.apply(world["students"][0], full, MOTIVATION)


def test_withdraw_and_decline(world, smtp_server):
    a, b = world["students"][:2]
    ca = applications.apply(a, world["offer"], MOTIVATION).candidature_id
    cb = applications.apply(b, world["offer"], MOTIVATION).candidature_id
    applications.withdraw(a, ca)
    assert stored(ca).status == S.WITHDRAWN
    with pytest.raises(ValidationError, match="ne peut plus être annulée"):
        applications.withdraw(a, ca)
    with pytest.raises(NotFound):
        applications.withdraw(a, cb)  # not theirs
    with pytest.raises(ValidationError, match="Seule une candidature acceptée"):
        applications.decline(b, cb)
    answers.accept(world["director"], cb)
    offer_places = catalogue.get_offer(a, world["offer"]).remaining
    applications.decline(b, cb)
    assert stored(cb).status == S.DECLINED
    assert catalogue.get_offer(a, world["offer"]).remaining == offer_places + 1
    with read_session() as s:
        assert s.scalar(select(Convention.status).where(Convention.candidature_id == cb)) == "cancelled"
    assert [h[1] for h in history(cb)] == [S.SUBMITTED, S.ACCEPTED, S.DECLINED]
    rows = {r.id: r for r in applications.my_candidatures(b)}
    assert rows[cb].status_label == "Déclinée par l'élève" and not rows[cb].can_decline
    assert applications.my_candidatures(a)[0].status == S.WITHDRAWN


# --------------------------------------------------------------------------- directors


def test_inbox_tabs_open_accept_refuse_with_history_and_mails(world, smtp_server):
    director = world["director"]
    s0, s1, s2, s3 = world["students"]
    now = utcnow()
    c_red = make_candidature(world["offer"], s0.id, submitted_at=now - dt.timedelta(days=13))
    c_orange = make_candidature(world["offer"], s1.id, submitted_at=now - dt.timedelta(days=9), status=S.READ)
    c_new = make_candidature(world["offer"], s2.id, submitted_at=now - dt.timedelta(hours=1))
    make_candidature(world["offer"], s3.id, submitted_at=now - dt.timedelta(days=16))

    inbox = inboxes.director_inbox(director)
    assert inbox.delay_days == 15
    assert inbox.counts == {"Reçues": 3, "Acceptées": 0, "Refusées": 0, "Expirées": 1}
    assert [r.id for r in inbox.tabs["Reçues"]] == [c_red, c_orange, c_new]  # most urgent first
    assert [r.level for r in inbox.tabs["Reçues"]] == ["red", "orange", "normal"]
    assert inbox.tabs["Reçues"][0].countdown.startswith("1 j ")
    assert inbox.tabs["Expirées"][0].status_label == "Expirée" and not inbox.tabs["Expirées"][0].can_answer

    detail = inboxes.open_candidature(director, c_red)
    assert detail.motivation == "Je suis très motivée." and detail.status == S.READ and detail.can_answer
    assert stored(c_red).status == S.READ and stored(c_red).read_at is not None
    inboxes.open_candidature(director, c_red)  # opening again records nothing more
    assert history(c_red) == [(S.SUBMITTED, S.READ, director.id)]

    assert answers.accept(director, c_red) == "Élève0 Test"
    with pytest.raises(ValidationError) as exc:
        answers.refuse(director, c_orange, "  ")
    assert exc.value.field == "reason"
    answers.refuse(director, c_orange, "Les places sont réservées aux élèves du secteur.")
    cand = stored(c_orange)
    assert (cand.status, cand.answered_by_id) == (S.REFUSED, director.id)
    assert history(c_orange)[-1] == (S.READ, S.REFUSED, director.id)
    with pytest.raises(ValidationError, match="déjà été acceptée"):
        answers.refuse(director, c_red, "Trop tard")
    inbox = inboxes.director_inbox(director)
    assert inbox.counts == {"Reçues": 1, "Acceptées": 1, "Refusées": 1, "Expirées": 1}
    with read_session() as s:
        assert s.scalar(select(Convention.candidature_id)) == c_red

    accepted = smtp_server.wait_for("eleve0@example.fr")[0]
    assert "acceptée" in accepted["Subject"]
    refused = smtp_server.wait_for("eleve1@example.fr")[0]
    assert "refusée" in refused["Subject"] and "réservées aux élèves du secteur" in mail_text(refused)


def test_expiry_is_exact_without_the_command(world):
    """Past its deadline a candidature is "Expirée" everywhere and cannot be answered, even by a
    page opened before the deadline; its stored status is still "submitted"."""
    director, student = world["director"], world["students"][0]
    submitted = utcnow() - dt.timedelta(days=15, minutes=1)
    cid = make_candidature(world["offer"], student.id, submitted_at=submitted)
    deadline = stored(cid).deadline_at
    # The page was opened a minute before the deadline: it offered the answer buttons.
    opened_before = inboxes.director_inbox(director, now=deadline - dt.timedelta(minutes=1))
    assert opened_before.tabs["Reçues"][0].can_answer
    # The director clicks now, after the deadline: the write transaction checks the real clock.
    with pytest.raises(ValidationError, match="délai de réponse est dépassé"):
        answers.accept(director, cid)
    with pytest.raises(ValidationError, match="délai de réponse est dépassé"):
        answers.refuse(director, cid, "Plus de place")
    result = answers.bulk_accept(director, [cid])
    assert result.done == [] and "délai de réponse est dépassé" in result.errors[0]
    assert stored(cid).status == S.SUBMITTED  # nothing persisted: the views compute it
    assert inboxes.director_inbox(director).counts["Expirées"] == 1
    detail = inboxes.open_candidature(director, cid)
    assert detail.status_label == "Expirée" and not detail.can_answer and "délai" in detail.why_not
    assert stored(cid).status == S.SUBMITTED  # opening an expired one does not mark it read
    assert applications.my_candidatures(student)[0].status_label == "Expirée"
    assert not applications.my_candidatures(student)[0].can_withdraw
    assert "Expir" in candidature_exports.candidatures_frame(director).loc[0, "Statut"]


def test_an_answer_is_judged_at_the_clock_of_its_transaction(world):
    """Opened 40 s before the deadline, answered 1 s after it: refused; 1 s before it: accepted.
    The service's clock (``now=``) makes this a test of seconds, not a 41-second browser wait."""
    director, late, early = world["director"], world["students"][0], world["students"][1]
    late_id = make_candidature(world["offer"], late.id)
    early_id = make_candidature(world["offer"], early.id)
    deadline = stored(late_id).deadline_at
    opened = inboxes.open_candidature(director, late_id, now=deadline - dt.timedelta(seconds=40))
    assert opened.can_answer
    with pytest.raises(ValidationError, match="délai de réponse est dépassé"):
        answers.accept(director, late_id, now=deadline + dt.timedelta(seconds=1))
    assert stored(late_id).status == S.READ  # opened, never answered
    answers.accept(director, early_id, now=stored(early_id).deadline_at - dt.timedelta(seconds=1))
    assert stored(early_id).status == S.ACCEPTED


def test_expire_command_is_idempotent_and_mails_the_student(world, smtp_server):
    student = world["students"][0]
    cid = make_candidature(world["offer"], student.id, submitted_at=utcnow() - dt.timedelta(days=16))
    fresh = make_candidature(world["offer"], world["students"][1].id)
    assert jobs.expire_candidatures() == 1
    assert jobs.expire_candidatures() == 0
    cand = stored(cid)
    assert cand.status == S.EXPIRED and cand.closed_at == cand.deadline_at
    assert history(cid) == [(S.SUBMITTED, S.EXPIRED, None)]
    assert stored(fresh).status == S.SUBMITTED
    mails = smtp_server.wait_for("eleve0@example.fr")
    assert len(mails) == 1 and "expirée" in mails[0]["Subject"]


def test_reminders_are_sent_once_per_candidature(world, smtp_server):
    now = utcnow()
    s0, s1, s2 = world["students"][:3]
    make_candidature(world["offer"], s0.id, submitted_at=now - dt.timedelta(days=13))  # 2 days left
    make_candidature(world["offer"], s1.id, submitted_at=now - dt.timedelta(days=12, hours=12))  # 2.5 days
    make_candidature(world["offer"], s2.id, submitted_at=now - dt.timedelta(days=5))  # 10 days: not yet
    other_offer = make_offer(world["other"].id)
    make_candidature(other_offer, s0.id, submitted_at=now - dt.timedelta(days=14))
    assert jobs.send_reminders(now) == 2  # one mail per director
    assert jobs.send_reminders(now) == 0
    mails = smtp_server.wait_for("ce.0711989b@ac-dijon.fr")
    assert len(mails) == 1 and "2 candidature(s)" in mails[0]["Subject"]
    assert "Élève0 Test" in mail_text(mails[0]) and "Élève2" not in mail_text(mails[0])
    # Eight days later the third one enters the window: one new reminder about it only.
    assert jobs.send_reminders(now + dt.timedelta(days=8)) == 1


def test_director_sees_and_answers_only_their_school(world):
    mine = make_candidature(world["offer"], world["students"][0].id)
    theirs = make_candidature(make_offer(world["other"].id), world["students"][1].id)
    director, other = world["director"], world["other"]
    assert [r.id for r in inboxes.director_inbox(director).tabs["Reçues"]] == [mine]
    assert [r.id for r in inboxes.director_inbox(other).tabs["Reçues"]] == [theirs]
    for call in (lambda: inboxes.open_candidature(director, theirs), lambda: answers.accept(director, theirs),
                 lambda: answers.refuse(director, theirs, "Non merci")):
        with pytest.raises(NotFound):
            call()
    result = answers.bulk_accept(director, [mine, theirs])
    assert result.done == ["Élève0 Test"] and len(result.errors) == 1
    assert stored(theirs).status == S.SUBMITTED
    assert len(candidature_exports.candidatures_frame(other)) == 1
    with pytest.raises(PermissionDenied):
        inboxes.director_inbox(world["students"][0])
    with pytest.raises(PermissionDenied):
        answers.accept(world["students"][0], mine)


def test_no_place_left_is_refused_clearly(world):
    ids = [make_candidature(world["offer"], s.id) for s in world["students"][:3]]
    answers.accept(world["director"], ids[0])
    answers.accept(world["director"], ids[1])
    with pytest.raises(ValidationError, match="n'a plus de place disponible .2 élève.s. accepté.s. sur 2"):
        answers.accept(world["director"], ids[2])
    result = answers.bulk_refuse(world["director"], [ids[2]], "L'offre est complète.")
    assert result.done == ["Élève2 Test"]


def test_bulk_accept_stops_at_the_number_of_places(world):
    ids = [make_candidature(world["offer"], s.id) for s in world["students"]]
    result = answers.bulk_accept(world["director"], ids)
    assert len(result.done) == 2 and len(result.errors) == 2
    assert all("plus de place" in e for e in result.errors)
    with pytest.raises(ValidationError):
        answers.bulk_refuse(world["director"], ids, "")


def test_export_is_formula_safe(world):
    evil = make_user(Role.STUDENT, email="evil@example.fr", first_name="=HYPERLINK(\"x\")", last_name="Pirate")
    make_candidature(world["offer"], evil)
    exported = candidature_exports.export_candidatures(world["director"], "csv")
    assert (exported.file_name, exported.mime) == ("candidatures.csv", "text/csv")
    csv_bytes = exported.data
    assert csv_bytes.startswith(b"\xef\xbb\xbf")
    text = csv_bytes.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Nom de l'élève;")
    assert "'=HYPERLINK" in text
    frame = pd.read_excel(io.BytesIO(candidature_exports.export_candidatures(world["director"], "xlsx").data))
    assert frame.loc[0, "Nom de l'élève"].startswith("'=")


# --------------------------------------------------------------------------- over-booking


def test_concurrent_accepts_never_overbook(world):
    """8 threads (two directors' sessions) try to accept 12 candidatures of an offer with 3 places."""
    places, threads_n, rounds = 3, 8, 12
    second_director = cu(make_user(Role.DIRECTOR, uai="0711989B", email="adjoint.0711989b@ac-dijon.fr"))
    offer = make_offer(world["director"].id, max_students=places)
    students = [make_user(Role.STUDENT, email=f"concurrent{i}@example.fr") for i in range(rounds)]
    ids = [make_candidature(offer, s) for s in students]
    barrier = threading.Barrier(threads_n)
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker(n: int):
        director = world["director"] if n % 2 else second_director
        order = ids[:]
        random.Random(n).shuffle(order)
        barrier.wait()
        for cid in order:
            try:
                answers.accept(director, cid)
                outcome = "accepted"
            except ValidationError:
                outcome = "refused"
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with read_session() as s:
        accepted = s.scalars(select(Candidature).where(Candidature.offer_id == offer,
                                                       Candidature.status == S.ACCEPTED)).all()
        conventions = len(s.scalars(select(Convention)).all())
    backend = "postgresql" if world["url"].startswith("postgresql") else "sqlite"
    print(f"\nover-booking [{backend}]: threads={threads_n} attempts={len(outcomes)} places={places} "
          f"accepted={len(accepted)} refused={outcomes.count('refused')}")
    assert len(outcomes) == threads_n * rounds
    assert len(accepted) == places == outcomes.count("accepted")
    assert conventions == places
