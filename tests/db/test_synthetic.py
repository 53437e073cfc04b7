"""The synthetic data generator (``manage.py seed-synthetic``) writes consistent, reproducible data.

Only the dsden scale and a miniature national scale run here: the big scales are timed by
``scripts/bench.py``, not tested.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import func, select

from db import read_session
from db.models import (
    Campaign,
    Candidature,
    CandidatureStatus,
    Circonscription,
    Convention,
    Lycee,
    Offer,
    OfferStatus,
    Role,
    School,
    StatusChange,
    User,
)
from stages.domain.passwords import verify_password
from stages.seed import synthetic
from stages.services import referential_formats
from tests.conftest import _clear

NOW = dt.datetime(2026, 11, 29)
MINI_NATIONAL = synthetic.Scale(
    "mini-national", offers=240, candidatures=1_200, synthetic_departements=3, circonscriptions_per_departement=4,
    schools_per_departement=60, lycees_per_departement=5, full_history=False,
)


def _generate(scale="dsden", seed=7):
    return synthetic.generate(scale, seed=seed, now=NOW, show_progress=False)


def _fingerprint() -> list[tuple]:
    with read_session() as s:
        return [tuple(r) for r in s.execute(
            select(Candidature.offer_id, Candidature.student_id, Candidature.status, Candidature.submitted_at,
                   Offer.school_id, Offer.max_students, User.email)
            .join(Offer, Offer.id == Candidature.offer_id).join(User, User.id == Candidature.student_id)
            .order_by(Candidature.id)
        )]


def _check_consistency(expected_offers: int, expected_candidatures: int) -> None:
    with read_session() as s:
        assert s.scalar(select(func.count()).select_from(Offer)) == expected_offers
        assert s.scalar(select(func.count()).select_from(Candidature)) == expected_candidatures
        # Every candidature is on a published offer of its student's département.
        assert s.scalar(
            select(func.count()).select_from(Candidature).join(Offer, Offer.id == Candidature.offer_id)
            .where(Offer.status != OfferStatus.PUBLISHED)
        ) == 0
        assert s.scalar(
            select(func.count()).select_from(Candidature)
            .join(Offer, Offer.id == Candidature.offer_id).join(School, School.id == Offer.school_id)
            .join(User, User.id == Candidature.student_id)
            .where((User.role != Role.STUDENT) | (User.departement_code != School.departement_code))
        ) == 0
        # Never more accepted than places.
        accepted = (
            select(Candidature.offer_id, func.count().label("n")).where(Candidature.status.in_(CandidatureStatus.PLACED))
            .group_by(Candidature.offer_id).subquery()
        )
        assert s.scalar(
            select(func.count()).select_from(accepted).join(Offer, Offer.id == accepted.c.offer_id)
            .where(accepted.c.n > Offer.max_students)
        ) == 0
        # Unique per (offer, student).
        pairs = s.scalar(select(func.count()).select_from(
            select(Candidature.offer_id, Candidature.student_id).distinct().subquery()
        ))
        assert pairs == expected_candidatures
        # Offers belong to their director's school and follow the DSDEN guidance.
        assert s.scalar(
            select(func.count()).select_from(Offer).join(User, User.id == Offer.created_by_id)
            .where((User.role != Role.DIRECTOR) | (User.school_id != Offer.school_id))
        ) == 0
        assert s.scalar(select(func.count()).select_from(Offer).where(Offer.level_college.is_(True))) == 0
        # Deadlines and statuses: pending ones still within their delay, expired ones past it.
        # An acceptance's deadline is the student's confirmation deadline (answer + 15 days): past it,
        # the student confirmed in time, so no acceptance of the bench data counts as lapsed.
        rows = s.execute(select(Candidature.status, Candidature.submitted_at, Candidature.deadline_at,
                                Candidature.answered_at, Candidature.read_at, Candidature.confirmed_at)).all()
        statuses = {r.status for r in rows}
        assert {"submitted", "read", "refused", "expired", "withdrawn"} <= statuses
        assert statuses & set(CandidatureStatus.PLACED)
        for r in rows:
            accepted = r.status in (*CandidatureStatus.PLACED, CandidatureStatus.DECLINED)
            assert r.deadline_at - (r.answered_at if accepted else r.submitted_at) == dt.timedelta(days=15)
            if r.status == CandidatureStatus.ACCEPTED:
                assert r.deadline_at > NOW  # never lapsed
            if r.status == CandidatureStatus.CONFIRMED:
                assert r.answered_at <= r.confirmed_at <= r.deadline_at <= NOW
            assert r.submitted_at <= NOW
            if r.status in CandidatureStatus.PENDING:
                assert r.deadline_at > NOW
            if r.status == CandidatureStatus.EXPIRED:
                assert r.deadline_at <= NOW
            if r.answered_at is not None:
                answer_by = r.submitted_at + dt.timedelta(days=15)
                assert r.submitted_at <= r.read_at <= r.answered_at <= min(answer_by, NOW)
        # Accepted (or later declined) candidatures have their convention.
        assert s.scalar(select(func.count()).select_from(Convention)) == s.scalar(
            select(func.count()).select_from(Candidature)
            .where(Candidature.status.in_([*CandidatureStatus.PLACED, CandidatureStatus.DECLINED]))
        )
        # Every publication is in the history.
        published = s.scalar(select(func.count()).select_from(Offer).where(Offer.first_published_at.is_not(None)))
        assert s.scalar(select(func.count()).select_from(StatusChange).where(
            StatusChange.entity_type == "offer", StatusChange.to_status == OfferStatus.PUBLISHED)) == published
        # One campaign per département, of the school year of NOW.
        assert set(s.scalars(select(Campaign.school_year))) == {"2026-2027"}


def test_dsden_scale_is_consistent_and_reproducible(db_url):
    report = _generate()
    assert report.counts["offers"] == 300 and report.counts["candidatures"] == 1_500
    assert report.counts["schools"] == 0  # the real referential of Saône-et-Loire, already there
    _check_consistency(300, 1_500)
    with read_session() as s:
        assert s.scalar(select(func.count()).select_from(School)) == 525
        # Full history at this scale: each candidature's submission is recorded.
        assert s.scalar(select(func.count()).select_from(StatusChange).where(
            StatusChange.entity_type == "candidature", StatusChange.to_status == "submitted")) == 1_500
        # Every synthetic account shares one password hash, and it works.
        hashes = set(s.scalars(select(User.password_hash).distinct()))
    assert len(hashes) == 1 and verify_password(synthetic.SYNTHETIC_PASSWORD, hashes.pop())
    accounts = synthetic.benchmark_accounts(url=db_url)
    assert None not in (accounts.coordinator_id, accounts.ien_id, accounts.director_id, accounts.student_id)
    assert 10 <= accounts.director_candidatures <= 30
    first = _fingerprint()

    # Additive: a second run adds a second batch and keeps the first one as it was.
    _generate(seed=8)
    _check_consistency(600, 3_000)
    assert _fingerprint()[:1_500] == first

    # Reproducible: the same seed on the same (emptied) database gives the same rows.
    _clear(db_url, ["status_changes", "conventions", "candidatures", "offers", "users", "campaigns"])
    _generate()
    assert _fingerprint() == first


def test_national_shape_in_miniature(db_url):
    """The synthetic referential of the national scale: valid UAIs, circonscriptions, and 71 among the départements."""
    report = _generate(MINI_NATIONAL, seed=3)
    assert report.counts["schools"] == 180 and report.counts["circonscriptions"] == 12
    assert report.counts["lycees"] == 15 and report.counts["campaigns"] == 3
    with read_session() as s:
        deps = set(s.scalars(select(Campaign.departement_code)))
        assert deps == {"01", "02", "71"}
        uais = list(s.scalars(select(School.uai))) + list(s.scalars(select(Lycee.uai)))
        uais += list(s.scalars(select(Circonscription.code)))
        assert all(referential_formats.uai_is_valid(u) for u in uais)
        assert len(set(uais)) == len(uais)
        # Synthetic schools of 71 sit beside the real ones, in their own circonscriptions.
        assert s.scalar(select(func.count()).select_from(School).where(School.departement_code == "71")) == 525 + 60
        assert s.scalar(select(func.count()).select_from(School).where(School.circonscription_id.is_(None))) == 0
    _check_consistency(240, 1_200)


def test_uai_helpers_and_progress():
    assert all(referential_formats.uai_is_valid(synthetic.make_uai(n)) for n in range(710_000, 710_500))
    deps = synthetic.national_departements(100)
    assert len(deps) == len(set(deps)) == 100 and "71" in deps and "2A" in deps
    assert all(referential_formats.uai_is_valid(synthetic.make_uai(synthetic._uai_prefix(d) * 10_000 + 4000)) for d in deps)
    out = io.StringIO()
    bar = synthetic.Progress("essai", 4, stream=out)
    for _ in range(4):
        bar.advance(1, "x")
    assert "100%" in out.getvalue().splitlines()[-1]
    with pytest.raises(ValueError, match="Échelle inconnue"):
        synthetic.generate("monde", show_progress=False)
