"""Placement rules without a database: confirmation deadline at the minute, overlap of weeks,
places held, waiting list."""

from __future__ import annotations

import datetime as dt

from stages.domain.vocabulary import CandidatureStatus as S
from stages.domain.vocabulary import Period
from stages.domain import candidatures as cand_rules
from stages.domain import placements as rules

NOW = dt.datetime(2026, 5, 4, 8, 30)


def test_confirmation_lapses_exactly_at_the_minute():
    deadline = rules.confirmation_deadline(NOW, 15)
    assert deadline == dt.datetime(2026, 5, 19, 8, 30)
    before = deadline - dt.timedelta(minutes=1)
    assert cand_rules.effective_status(S.ACCEPTED, deadline, before) == S.ACCEPTED
    assert cand_rules.holds_place(S.ACCEPTED, deadline, before)
    assert rules.can_confirm(cand_rules.effective_status(S.ACCEPTED, deadline, before))
    assert cand_rules.effective_status(S.ACCEPTED, deadline, deadline) == S.LAPSED
    assert not cand_rules.holds_place(S.ACCEPTED, deadline, deadline)
    assert "délai de confirmation est dépassé" in rules.confirm_refusal(S.LAPSED)
    # A confirmed stage holds its place for good.
    assert cand_rules.holds_place(S.CONFIRMED, deadline, deadline + dt.timedelta(days=300))
    assert cand_rules.LABELS[S.ACCEPTED] == "Acceptée — en attente de confirmation"
    assert cand_rules.LABELS[S.CONFIRMED] == "Confirmée"
    assert cand_rules.LABELS[S.CLOSED_ELSEWHERE] == "Close : stage confirmé ailleurs"


def test_weeks_overlap():
    assert rules.periods_overlap(Period.TWO_WEEKS, Period.WEEK_1)
    assert rules.periods_overlap(Period.TWO_WEEKS, Period.WEEK_2)
    assert rules.periods_overlap(Period.WEEK_1, Period.WEEK_1)
    assert not rules.periods_overlap(Period.WEEK_1, Period.WEEK_2)
    assert set(rules.overlapping_periods(Period.WEEK_2)) == {Period.WEEK_2, Period.TWO_WEEKS}
    assert set(rules.overlapping_periods(Period.TWO_WEEKS)) == set(Period.ALL)


def test_waiting_list_stops_the_clock():
    deadline = NOW + dt.timedelta(days=1)
    assert rules.can_waitlist(S.READ)
    assert rules.waitlist_refusal(S.WAITLISTED) == "Cette candidature est déjà en liste d'attente."
    assert not rules.can_waitlist(cand_rules.effective_status(S.READ, deadline, deadline))  # expired
    # On the list, the response deadline no longer applies: still answerable a month later.
    later = deadline + dt.timedelta(days=30)
    assert cand_rules.effective_status(S.WAITLISTED, deadline, later) == S.WAITLISTED
    assert cand_rules.can_answer(S.WAITLISTED, deadline, later)
    assert cand_rules.tab_of(S.WAITLISTED) == "Liste d'attente"
    assert cand_rules.tab_of(S.CONFIRMED) == "Acceptées"
    assert cand_rules.tab_of(S.LAPSED) == "Expirées"
