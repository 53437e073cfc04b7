"""Each candidature rule and its SQL twin agree, row by row, on SQLite and PostgreSQL:
expired, effective status, "à échéance", due for a reminder, remaining places."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from db import read_session
from db.models import Candidature, CandidatureStatus as S, Offer, Role
from stages.domain import candidatures as rules
from stages.domain.timeutil import utcnow
from tests.factories import make_candidature, make_offer, make_user


def test_each_rule_and_its_sql_twin_agree(db_url):
    now = utcnow().replace(microsecond=0)
    offer = make_offer(make_user(Role.DIRECTOR), max_students=2)
    ages = [dt.timedelta(days=d, hours=h) for d in (0, 11, 12, 13, 14, 15, 16) for h in (0, 1, 23)]
    for i, age in enumerate(ages):
        status = (S.SUBMITTED, S.READ, S.ACCEPTED, S.REFUSED, S.EXPIRED, S.WITHDRAWN)[i % 6]
        make_candidature(offer, make_user(Role.STUDENT), submitted_at=now - age, status=status)
    with read_session() as session:
        rows = session.execute(select(
            Candidature.status, Candidature.deadline_at, Candidature.reminder_sent_at,
            rules.expired_clause(Candidature, now).label("expired"),
            rules.effective_status_sql(Candidature, now).label("effective"),
            rules.expiring_clause(Candidature, now).label("expiring"),
            rules.due_for_reminder_clause(Candidature, now).label("due"),
        )).all()
        assert len(rows) == len(ages)
        for r in rows:
            assert bool(r.expired) == rules.is_expired(r.status, r.deadline_at, now)
            assert r.effective == rules.effective_status(r.status, r.deadline_at, now)
            assert bool(r.expiring) == rules.is_expiring(r.status, r.deadline_at, now)
            assert bool(r.due) == rules.is_due_for_reminder(r.status, r.deadline_at, now, r.reminder_sent_at)
        assert any(r.expired for r in rows) and any(r.expiring for r in rows)
        for accepted in (0, 1, 2, 3):
            sql = session.scalar(select(rules.remaining_places_sql(Offer.max_students, accepted))
                                 .where(Offer.id == offer))
            assert sql == rules.remaining_places(2, accepted)
