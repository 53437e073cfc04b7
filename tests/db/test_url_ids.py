"""Ids in the URL (issue 10, item 11): no exception, and one answer for a missing offer and another school's."""

from __future__ import annotations

import pytest

from db.models import Role
from stages.domain.ids import parse_id
from stages.services import auth
from stages.services.offers import common as offer_common
from stages.services.offers import drafting
from stages.services.candidatures import catalogue
from stages.services.errors import ServiceError
from tests.factories import make_offer, make_user

HUGE = 99999999999999999999999


def test_parse_id():
    assert parse_id("42") == 42 and parse_id(7) == 7
    for raw in (str(HUGE), HUGE, "-1", "0", "1e3", "abc", "", None, "٣", " ", "2147483648", True):
        assert parse_id(raw) is None, raw


def test_a_missing_offer_and_another_schools_offer_get_the_same_answer(db_url):
    alice = auth.load_user(make_user(Role.DIRECTOR, uai="0711989B"))
    bob = auth.load_user(make_user(Role.DIRECTOR, uai="0710433K"))
    alices = make_offer(alice.id)
    answers = set()
    for offer_id in (alices, 2147483647, HUGE, -5, 0):
        with pytest.raises(ServiceError) as refused:
            drafting.load_form(bob, offer_id)
        answers.add(refused.value.message)
    assert answers == {offer_common.NOT_YOURS}
    student = auth.load_user(make_user(Role.STUDENT))
    with pytest.raises(ServiceError):
        catalogue.get_offer(student, HUGE)
