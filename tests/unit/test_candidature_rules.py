"""Deadlines, effective status, countdown and the answer rules of a candidature (no database)."""

import datetime as dt

import pytest

from db.models import CandidatureStatus as S
from stages.domain import candidatures as rules
from stages.domain.timeutil import fmt_datetime, paris_to_utc, to_paris

NOW = dt.datetime(2026, 5, 4, 8, 0)


def test_deadline_across_the_change_to_summer_time():
    # Submitted on 20/03/2026 at 10:00 in Paris (UTC+1); summer time starts on 29/03/2026.
    submitted = paris_to_utc(dt.datetime(2026, 3, 20, 10, 0))
    assert submitted == dt.datetime(2026, 3, 20, 9, 0)
    deadline = rules.deadline_for(submitted, 15)
    assert deadline - submitted == dt.timedelta(hours=15 * 24)
    assert deadline == dt.datetime(2026, 4, 4, 9, 0)  # UTC
    # In Paris (UTC+2 by then) the same instant reads 11:00.
    assert to_paris(deadline).utcoffset() == dt.timedelta(hours=2)
    assert fmt_datetime(deadline) == "04/04/2026 à 11:00"


def test_deadline_across_the_change_to_winter_time():
    submitted = paris_to_utc(dt.datetime(2026, 10, 20, 10, 0))  # UTC+2; winter time on 25/10/2026
    deadline = rules.deadline_for(submitted, 15)
    assert deadline - submitted == dt.timedelta(days=15)
    assert fmt_datetime(deadline) == "04/11/2026 à 09:00"


def test_expiry_is_exact_to_the_minute_whatever_the_stored_status():
    deadline = dt.datetime(2026, 4, 4, 9, 0)
    before, at = deadline - dt.timedelta(minutes=1), deadline
    for stored in S.PENDING:
        assert rules.effective_status(stored, deadline, before) == stored
        assert rules.effective_status(stored, deadline, at) == S.EXPIRED
        assert rules.can_answer(stored, deadline, before)
        assert not rules.can_answer(stored, deadline, at)
    # Answered or closed candidatures never turn into "Expirée" (an accepted one's deadline is the
    # student's confirmation deadline: past it, it lapses, see test_placement_rules.py).
    for stored in (S.REFUSED, S.WITHDRAWN, S.DECLINED, S.WAITLISTED, S.CONFIRMED):
        assert rules.effective_status(stored, deadline, at + dt.timedelta(days=30)) == stored
    assert rules.effective_status(S.ACCEPTED, deadline, at + dt.timedelta(days=30)) == S.LAPSED


def test_answer_refusal_messages():
    deadline = NOW + dt.timedelta(days=1)
    assert rules.answer_refusal(S.SUBMITTED, deadline, NOW) is None
    assert "délai de réponse est dépassé" in rules.answer_refusal(S.READ, deadline, deadline)
    assert "déjà été acceptée" in rules.answer_refusal(S.ACCEPTED, deadline, NOW)
    assert "déjà été refusée" in rules.answer_refusal(S.REFUSED, deadline, NOW)
    assert "close par l'élève" in rules.answer_refusal(S.WITHDRAWN, deadline, NOW)


@pytest.mark.parametrize(
    ("left", "text", "level"),
    [
        (dt.timedelta(days=12, hours=5, minutes=10), "12 j 5 h", "normal"),
        (dt.timedelta(days=7, hours=0, minutes=1), "7 j 0 h", "normal"),
        (dt.timedelta(days=7), "7 j 0 h", "orange"),
        (dt.timedelta(days=3, hours=1), "3 j 1 h", "orange"),
        (dt.timedelta(days=3), "3 j 0 h", "red"),
        (dt.timedelta(hours=5, minutes=59), "5 h", "red"),
        (dt.timedelta(minutes=12), "12 min", "red"),
        (dt.timedelta(0), "Expirée", "expired"),
        (dt.timedelta(minutes=-5), "Expirée", "expired"),
    ],
)
def test_countdown_text_and_colour(left, text, level):
    cd = rules.countdown(NOW + left, NOW)
    assert (cd.text, cd.level) == (text, level)


def test_tabs_by_effective_status():
    assert rules.tab_of(S.SUBMITTED) == rules.tab_of(S.READ) == "Reçues"
    assert rules.tab_of(S.ACCEPTED) == "Acceptées"
    assert rules.tab_of(S.REFUSED) == rules.tab_of(S.DECLINED) == rules.tab_of(S.WITHDRAWN) == "Refusées"
    assert rules.tab_of(S.EXPIRED) == "Expirées"
    assert list(rules.TABS) == ["Reçues", "Liste d'attente", "Acceptées", "Refusées", "Expirées"]


def test_motivation_is_required_and_limited():
    assert "obligatoire" in rules.motivation_problem("")
    assert "trop court" in rules.motivation_problem("Motivé")
    assert rules.motivation_problem("x" * rules.MOTIVATION_MIN) is None
    assert rules.motivation_problem("x" * rules.MOTIVATION_MAX) is None
    assert "trop long" in rules.motivation_problem("x" * (rules.MOTIVATION_MAX + 1))
    assert "obligatoire" in rules.refusal_problem("")
    assert rules.refusal_problem("Complet") is None


def test_reminder_window():
    assert rules.is_due_for_reminder(S.SUBMITTED, NOW + dt.timedelta(days=2), NOW, None)
    assert rules.is_due_for_reminder(S.READ, NOW + dt.timedelta(days=3), NOW, None)
    assert not rules.is_due_for_reminder(S.READ, NOW + dt.timedelta(days=3, minutes=1), NOW, None)
    assert not rules.is_due_for_reminder(S.SUBMITTED, NOW + dt.timedelta(days=2), NOW, NOW)
    assert not rules.is_due_for_reminder(S.SUBMITTED, NOW, NOW, None)  # already expired
    assert not rules.is_due_for_reminder(S.ACCEPTED, NOW + dt.timedelta(days=1), NOW, None)
