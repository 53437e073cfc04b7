"""Placements against SQLite and PostgreSQL: the student's confirmation and its lapse at the minute,
one confirmed stage per week (closing the overlapping candidatures), the waiting list, the mails
that name the offer by number and period, and concurrency with threads."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import select

from db import read_session
from db.models import Candidature, Convention, StatusChange
from stages.domain.vocabulary import CandidatureStatus as S
from stages.domain.vocabulary import Period, Role
from stages.domain.timeutil import utcnow
from stages.services import auth, placements
from stages.services.candidatures import answers, applications, catalogue, jobs
from stages.services.candidatures import inbox as inboxes
from stages.services.errors import ValidationError
from tests.conftest import mail_text
from tests.factories import make_candidature, make_offer, make_user


def cu(user_id: int) -> auth.CurrentUser:
    return auth.load_user(user_id)


def status(cand_id: int) -> str:
    with read_session() as s:
        return s.get(Candidature, cand_id).status


def deadline(cand_id: int) -> dt.datetime:
    with read_session() as s:
        return s.get(Candidature, cand_id).deadline_at


@pytest.fixture
def world(db_url):
    d1 = make_user(Role.DIRECTOR, uai="0711989B", email="ce.0711989b@ac-dijon.fr")
    d2 = make_user(Role.DIRECTOR, uai="0710433K", email="ce.0710433k@ac-dijon.fr")
    d3 = make_user(Role.DIRECTOR, uai="0710020L", email="ce.0710020l@ac-dijon.fr")
    student = make_user(Role.STUDENT, email="lea@example.fr", first_name="Léa", last_name="Martin")
    return {
        "d1": cu(d1), "d2": cu(d2), "d3": cu(d3), "student": cu(student), "url": db_url,
        "two_weeks": make_offer(d1, title="Professeur des écoles", max_students=1),
        "week_1": make_offer(d2, title="Observation en maternelle", period=Period.WEEK_1, max_students=1),
        "week_2": make_offer(d3, title="Observation en CM2", period=Period.WEEK_2, max_students=1),
    }


def test_confirmation_within_the_delay_then_confirmed(world, smtp_server):
    student = world["student"]
    cand = make_candidature(world["two_weeks"], student.id)
    before = utcnow()
    answers.accept(world["d1"], cand)
    # The confirmation deadline: 15 days from the acceptance.
    assert before + dt.timedelta(days=15) <= deadline(cand) <= utcnow() + dt.timedelta(days=15)
    mine = applications.my_candidatures(student)[0]
    assert mine.status_label == "Acceptée — en attente de confirmation" and mine.can_confirm
    assert "Confirmez ce stage avant le" in mail_text(smtp_server.wait_for("lea@example.fr")[0])
    row = inboxes.director_inbox(world["d1"]).tabs["Acceptées"][0]
    assert row.status_label == "Acceptée — en attente de confirmation"

    result = placements.confirm(student, cand)
    assert result.closed == 0 and status(cand) == S.CONFIRMED
    assert inboxes.director_inbox(world["d1"]).tabs["Acceptées"][0].status_label == "Confirmée"
    got = smtp_server.wait_for("ce.0711989b@ac-dijon.fr")
    assert any(f"offre n° {world['two_weeks']}" in m["Subject"] for m in got)
    with pytest.raises(ValidationError, match="déjà confirmé"):
        placements.confirm(student, cand)
    # Another student's candidature is not theirs to confirm.
    other = cu(make_user(Role.STUDENT, email="intrus@example.fr"))
    with pytest.raises(Exception, match="introuvable"):
        placements.confirm(other, cand)


def test_acceptance_lapses_at_the_minute_and_the_cron_persists_and_mails(world, smtp_server):
    student = world["student"]
    cand = make_candidature(world["two_weeks"], student.id)
    answers.accept(world["d1"], cand)
    due = deadline(cand)
    just_before = due - dt.timedelta(minutes=1)
    assert applications.my_candidatures(student, now=just_before)[0].can_confirm
    assert applications.my_candidatures(student, now=due)[0].status_label == "Non confirmée dans le délai"
    with pytest.raises(ValidationError, match="délai de confirmation est dépassé"):
        placements.confirm(student, cand, now=due)
    # The cron: nothing before the minute, then persisted once, mailed to the student and the director.
    assert jobs.lapse_acceptances(now=just_before) == 0
    assert jobs.lapse_acceptances(now=due) == 1
    assert jobs.lapse_acceptances(now=due + dt.timedelta(hours=1)) == 0
    assert status(cand) == S.LAPSED
    assert "Stage non confirmé" in smtp_server.wait_for("lea@example.fr", 2)[-1]["Subject"]
    director_mail = [m for m in smtp_server.wait_for("ce.0711989b@ac-dijon.fr")
                     if "non confirmé" in m["Subject"]][0]
    assert f"offre n° {world['two_weeks']}" in director_mail["Subject"]
    assert "du " in mail_text(director_mail)  # the period's dates
    with read_session() as s:
        assert s.scalar(select(Convention.status).where(Convention.candidature_id == cand)) == "cancelled"
        assert s.scalar(select(StatusChange.to_status).where(StatusChange.entity_type == "candidature", StatusChange.entity_id == cand)
                        .order_by(StatusChange.id.desc()).limit(1)) == S.LAPSED


def test_lapsed_place_is_free_at_the_minute_without_the_cron(world):
    student, other = world["student"], cu(make_user(Role.STUDENT, email="tom@example.fr"))
    cand = make_candidature(world["two_weeks"], student.id)
    answers.accept(world["d1"], cand)
    second = make_candidature(world["two_weeks"], other.id)
    with pytest.raises(ValidationError, match="plus de place"):
        answers.accept(world["d1"], second)
    # Pretend the delay ran out: the place is free from that minute, before the cron.
    from db import write_session

    with write_session() as s:
        s.get(Candidature, cand).deadline_at = utcnow() - dt.timedelta(minutes=1)
    answers.accept(world["d1"], second)
    assert status(second) == S.ACCEPTED


def test_confirming_closes_overlapping_candidatures_and_frees_places(world, smtp_server):
    student = world["student"]
    a = make_candidature(world["two_weeks"], student.id)
    b = make_candidature(world["week_1"], student.id)
    c = make_candidature(world["week_2"], student.id)
    answers.accept(world["d1"], a)
    answers.accept(world["d2"], b)
    result = placements.confirm(student, a)
    assert result.closed == 2
    assert (status(a), status(b), status(c)) == (S.CONFIRMED, S.CLOSED_ELSEWHERE, S.CLOSED_ELSEWHERE)
    labels = {r.id: r.status_label for r in applications.my_candidatures(student)}
    assert labels[b] == "Close : stage confirmé ailleurs"
    closed_mail = [m for m in smtp_server.wait_for("ce.0710433k@ac-dijon.fr", 1)
                   if "close : stage confirmé ailleurs" in m["Subject"]][0]
    assert f"offre n° {world['week_1']}" in closed_mail["Subject"]
    assert "de nouveau disponible" in mail_text(closed_mail)  # b was accepted: its place is freed
    assert any("close :" in m["Subject"] for m in smtp_server.wait_for("ce.0710020l@ac-dijon.fr"))
    # The place of week_1 is free again for another student.
    other = cu(make_user(Role.STUDENT, email="tom@example.fr"))
    assert world["week_1"] in {o.id for o in catalogue.list_offers(other).items}
    # The director of week_1 cannot accept Léa again; she cannot apply to an overlapping offer.
    late = make_offer(world["d2"].id, title="Autre offre", period=Period.WEEK_2)
    with pytest.raises(ValidationError, match="déjà confirmé un stage sur ces semaines"):
        applications.apply(student, late, "Je souhaite observer une classe de CM2.")


def test_non_overlapping_weeks_stay_possible(world):
    student = world["student"]
    b = make_candidature(world["week_1"], student.id)
    c = make_candidature(world["week_2"], student.id)
    answers.accept(world["d2"], b)
    answers.accept(world["d3"], c)
    assert placements.confirm(student, b).closed == 0
    assert placements.confirm(student, c).closed == 0
    assert (status(b), status(c)) == (S.CONFIRMED, S.CONFIRMED)


def test_director_cannot_accept_a_student_confirmed_elsewhere(world):
    student = world["student"]
    b = make_candidature(world["week_1"], student.id)
    answers.accept(world["d2"], b)
    placements.confirm(student, b)
    # A candidature sent before the confirmation, to an offer of the same weeks (status forced
    # back to read, as if another process had not closed it yet).
    a = make_candidature(world["two_weeks"], student.id)
    with pytest.raises(ValidationError, match="a déjà confirmé un autre stage sur ces semaines"):
        answers.accept(world["d1"], a)
    assert status(a) == S.SUBMITTED
    result = answers.bulk_accept(world["d1"], [a])
    assert result.done == [] and "Un élève ne peut faire qu'un stage par semaine" in result.errors[0]


def test_waiting_list_stops_the_clock_and_a_freed_place_is_mailed(world, smtp_server):
    offer = world["two_weeks"]
    first, second = world["student"], cu(make_user(Role.STUDENT, email="tom@example.fr", first_name="Tom"))
    c1 = make_candidature(offer, first.id)
    c2 = make_candidature(offer, second.id, submitted_at=utcnow() - dt.timedelta(days=14))
    answers.accept(world["d1"], c1)
    assert placements.waitlist(world["d1"], c2) == second.full_name
    assert status(c2) == S.WAITLISTED
    assert "liste d'attente" in smtp_server.wait_for("tom@example.fr")[0]["Subject"]
    with pytest.raises(ValidationError, match="déjà en liste d'attente"):
        placements.waitlist(world["d1"], c2)
    # Past its response deadline, it does not expire and is still answerable from the list.
    later = utcnow() + dt.timedelta(days=5)
    assert jobs.expire_candidatures(now=later) == 0
    inbox = inboxes.director_inbox(world["d1"], now=later)
    assert [r.id for r in inbox.tabs["Liste d'attente"]] == [c2] and inbox.tabs["Liste d'attente"][0].can_answer
    assert applications.my_candidatures(second, now=later)[0].status_label == "En liste d'attente"
    # The student who holds the place declines: the director is told, and that a place is free.
    applications.decline(first, c1)
    got = smtp_server.wait_for("ce.0711989b@ac-dijon.fr", 2)
    subjects = [m["Subject"] for m in got]
    assert f"Candidature déclinée : offre n° {offer}" in subjects
    freed = [m for m in got if "Une place s'est libérée" in m["Subject"]][0]
    assert "1 élève(s) sont en liste d'attente" in mail_text(freed)
    answers.accept(world["d1"], c2)
    assert status(c2) == S.ACCEPTED


def test_withdrawal_is_mailed_to_the_director_with_the_offer_number_and_period(world, smtp_server):
    cand = make_candidature(world["week_1"], world["student"].id)
    applications.withdraw(world["student"], cand)
    got = smtp_server.wait_for("ce.0710433k@ac-dijon.fr")[0]
    assert got["Subject"] == f"Candidature annulée par l'élève : offre n° {world['week_1']}"
    assert "stage de 1 semaine (du " in mail_text(got)


# --------------------------------------------------------------------------- concurrency


def _run_together(*actions) -> list[str]:
    barrier = threading.Barrier(len(actions))
    outcomes: list[str] = [""] * len(actions)

    def run(n: int) -> None:
        barrier.wait()
        try:
            actions[n]()
            outcomes[n] = "ok"
        except ValidationError as exc:
            outcomes[n] = exc.message

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(actions))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_confirming_two_overlapping_offers_at_once_ends_with_one(world):
    student = world["student"]
    for _round in range(3):
        a = make_candidature(make_offer(world["d1"].id, title=f"A{_round}"), student.id)
        b = make_candidature(make_offer(world["d2"].id, title=f"B{_round}", period=Period.WEEK_1), student.id)
        answers.accept(world["d1"], a)
        answers.accept(world["d2"], b)
        outcomes = _run_together(lambda a=a: placements.confirm(student, a),
                                 lambda b=b: placements.confirm(student, b))
        assert sorted(o == "ok" for o in outcomes) == [False, True], outcomes
        assert sorted((status(a), status(b))) == sorted((S.CONFIRMED, S.CLOSED_ELSEWHERE))
        with read_session() as s:  # make room for the next round
            confirmed = s.scalar(select(Candidature.id).where(Candidature.student_id == student.id,
                                                              Candidature.status == S.CONFIRMED))
        applications.decline(student, confirmed)


def test_director_accepting_while_the_student_confirms_elsewhere(world):
    student = world["student"]
    for _round in range(3):
        a = make_candidature(make_offer(world["d1"].id, title=f"A{_round}"), student.id)
        b = make_candidature(make_offer(world["d2"].id, title=f"B{_round}", period=Period.WEEK_1), student.id)
        answers.accept(world["d1"], a)
        _run_together(lambda a=a: placements.confirm(student, a), lambda b=b: answers.accept(world["d2"], b))
        # Whatever the order: a confirmed, b never left accepted or confirmed.
        assert (status(a), status(b)) == (S.CONFIRMED, S.CLOSED_ELSEWHERE) or \
            (status(a), status(b)) == (S.CONFIRMED, S.SUBMITTED), (status(a), status(b))
        with read_session() as s:
            placed = s.scalars(select(Candidature).where(Candidature.student_id == student.id,
                                                         Candidature.status.in_(S.PLACED))).all()
        assert len(placed) == 1
        applications.decline(student, a)


def test_the_campaign_sets_the_confirmation_delay(world):
    from stages.services import campaigns
    from stages.services.admin import campaign_settings

    coordinator = cu(make_user(Role.COORDINATOR))
    year = campaigns.current_school_year()
    values = dict(campaign_settings.campaign_form(coordinator, year).values)
    with pytest.raises(ValidationError) as refused:
        campaign_settings.save_campaign(coordinator, year, {**values, "confirmation_delay_days": 0})
    assert "délai de confirmation" in refused.value.errors["confirmation_delay_days"]
    campaign_settings.save_campaign(coordinator, year, {**values, "confirmation_delay_days": 3})
    cand = make_candidature(world["two_weeks"], world["student"].id)
    before = utcnow()
    answers.accept(world["d1"], cand)
    assert before + dt.timedelta(days=3) <= deadline(cand) <= utcnow() + dt.timedelta(days=3)
