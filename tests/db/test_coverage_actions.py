"""Coverage actions against SQLite and PostgreSQL: relaunching the écoles without an offer
(template, preview, outbox, 7-day limit, IEN scope), the weekly digest (idempotent per week),
the élèves sans stage per lycée, and the trend against the previous campaign."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import select, text

from db import read_session, write_session
from db.models import Campaign, Lycee, Offer, OfferStatus, Role, School, SchoolRelaunch
from db.models import CandidatureStatus as S
from db.session import get_engine
from stages.domain import coverage as rules
from stages.domain.timeutil import fmt_date, utcnow
from stages.services import auth, digests, relaunches, students_without_stage as sws, trend
from stages.services.candidatures import answers
from stages.services.monitoring import cache, scope
from stages.services.campaigns import get_or_create_campaign
from stages.services.errors import PermissionDenied, ValidationError
from tests.conftest import mail_text
from tests.factories import make_candidature, make_offer, make_user


def cu(user_id: int) -> auth.CurrentUser:
    return auth.load_user(user_id)


@pytest.fixture
def world(db_url):
    cache.clear_cache()
    with get_engine().connect() as conn:
        circs = [r[0] for r in conn.execute(text(
            "SELECT circonscription_id FROM schools WHERE circonscription_id IS NOT NULL AND email IS NOT NULL "
            "GROUP BY circonscription_id ORDER BY circonscription_id LIMIT 2"))]
        schools = {c: [r[0] for r in conn.execute(text(
            "SELECT uai FROM schools WHERE circonscription_id = :c AND email IS NOT NULL ORDER BY uai LIMIT 4"),
            {"c": c})] for c in circs}
    a, b = circs
    director = make_user(Role.DIRECTOR, uai=schools[a][0])
    offer = make_offer(director)  # school a0 has an offer: never relaunched
    return {
        "circs": circs, "schools": schools, "offer": offer, "director": cu(director),
        "coordinator": cu(make_user(Role.COORDINATOR, email="coordination@ac-dijon.fr")),
        "ien": cu(make_user(Role.IEN, circonscription_id=a, email="ien.a@ac-dijon.fr")),
        "ien_b": cu(make_user(Role.IEN, circonscription_id=b, email="ien.b@ac-dijon.fr")),
    }


def school_email(uai: str) -> str:
    with read_session() as s:
        return s.scalar(select(School.email).where(School.uai == uai))


# --------------------------------------------------------------------------- relaunches


def test_relaunch_three_schools_preview_send_and_seven_day_limit(world, smtp_server):
    coord = world["coordinator"]
    a = world["circs"][0]
    targets = world["schools"][a][1:4]
    tpl = relaunches.template(coord)
    assert tpl.subject == rules.DEFAULT_SUBJECT and "{école}" in tpl.body
    filters = scope.Filters(circonscription_ids=(a,))

    plan = relaunches.preview(coord, filters, targets, tpl.subject, tpl.body)
    assert sorted(uai for uai, *_ in plan.to_send) == sorted(targets)
    to, subject, body = plan.sample
    with read_session() as s:
        first = s.scalar(select(School).where(School.uai == plan.to_send[0][0]))
        first_name, first_email = first.name, first.email
    assert to == first_email and first_name in body and "{" not in body
    assert "http://" in body  # the link to the app

    result = relaunches.send(coord, filters, targets, tpl.subject, tpl.body)
    assert result.sent == 3
    for uai in targets:
        got = smtp_server.wait_for(school_email(uai))
        assert got[0]["Subject"] == rules.DEFAULT_SUBJECT
    page = relaunches.schools(coord, filters, page_size=None)
    labels = dict(zip(page.rows["UAI"], page.rows["Relance"], strict=True))
    today = fmt_date(utcnow())
    assert all(labels[uai] == f"relancée le {today}" for uai in targets)
    assert world["schools"][a][0] not in labels  # it has a published offer

    # Within 7 days: refused unless forced; forced: counted twice.
    with pytest.raises(ValidationError, match="moins de 7 jours"):
        relaunches.send(coord, filters, targets[:1], tpl.subject, tpl.body)
    later = utcnow() + dt.timedelta(days=6, hours=23)
    assert relaunches.preview(coord, filters, targets, tpl.subject, tpl.body, now=later).to_send == []
    assert len(relaunches.preview(coord, filters, targets, tpl.subject, tpl.body,
                                  now=utcnow() + dt.timedelta(days=7, minutes=1)).to_send) == 3
    assert relaunches.send(coord, filters, targets[:1], tpl.subject, tpl.body, force=True).sent == 1
    page = relaunches.schools(coord, filters, page_size=None)
    assert dict(zip(page.rows["UAI"], page.rows["Relance"], strict=True))[targets[0]] == \
        f"relancée le {today} (2 fois)"
    with read_session() as s:
        assert len(s.scalars(select(SchoolRelaunch)).all()) == 4


def test_relaunch_template_is_validated_kept_and_typed_text_stays_text(world, smtp_server):
    coord = world["coordinator"]
    a = world["circs"][0]
    uai = world["schools"][a][1]
    with pytest.raises(ValidationError, match="objet"):
        relaunches.preview(coord, None, [uai], "  ", "Un message assez long pour passer.")
    with pytest.raises(ValidationError, match="trop court"):
        relaunches.send(coord, None, [uai], "Objet", "Court")
    with pytest.raises(ValidationError, match="au moins une école"):
        relaunches.send(coord, None, [], "Objet", "Un message assez long pour passer.")
    body = "Bonjour {école}, <b>{inconnu}</b> =cmd| à bientôt sur {lien}"
    relaunches.save_template(coord, "Relance {commune}", body)
    assert relaunches.template(coord).body == body  # kept across a reload
    relaunches.send(coord, None, [uai], "Relance {commune}", body)
    got = mail_text(smtp_server.wait_for(school_email(uai))[0])
    assert "<b>{inconnu}</b> =cmd|" in got  # unknown placeholders and typed text left as typed
    assert relaunches.reset_template(coord).body == rules.DEFAULT_BODY


def test_an_ien_relaunches_their_circonscription_only(world, smtp_server):
    ien = world["ien"]
    a, b = world["circs"]
    other = world["schools"][b][0]
    # Another circonscription's school, even asked for by UAI and filter: not in scope.
    asked = scope.Filters(circonscription_ids=(b,))
    plan = relaunches.preview(ien, asked, [other, world["schools"][a][1]], "Objet", "Un message assez long.")
    assert plan.unknown == [other] and [u for u, *_ in plan.to_send] == [world["schools"][a][1]]
    with pytest.raises(ValidationError):
        relaunches.send(ien, asked, [other], "Objet", "Un message assez long.")
    # "All of the filter": every school of their circonscription without an offer, none of b's.
    page = relaunches.schools(ien, asked, page_size=None)
    result = relaunches.send(ien, asked, None, "Objet", "Un message assez long.")
    with read_session() as s:
        sent_circs = set(s.scalars(select(School.circonscription_id).join(
            SchoolRelaunch, SchoolRelaunch.school_id == School.id)))
    assert sent_circs == {a}
    assert result.sent == sum(1 for e in page.rows["Courriel"] if e)
    with pytest.raises(PermissionDenied):
        relaunches.send(world["director"], None, None, "Objet", "Un message assez long.")


# --------------------------------------------------------------------------- digests


def test_weekly_digest_once_per_week_per_recipient(world, smtp_server):
    a = world["circs"][0]
    student = make_user(Role.STUDENT)
    now = utcnow()
    make_candidature(world["offer"], student, submitted_at=now - dt.timedelta(days=11))  # waiting > 10 days
    second = make_offer(world["director"].id)
    answers.accept(world["director"], make_candidature(second, make_user(Role.STUDENT)))  # a convention to sign
    report = digests.send_digests(now=now)
    assert (report.sent, report.already) == (3, 0)  # two IENs and the coordinator
    ien_mail = smtp_server.wait_for("ien.a@ac-dijon.fr")[0]
    body = mail_text(ien_mail)
    with read_session() as s:
        name = s.scalar(text("SELECT short_name FROM circonscriptions WHERE id = :i"), {"i": a})
    assert name in ien_mail["Subject"]
    assert "- Offres publiées : 2" in body and "- Nouvelles offres cette semaine : 2" in body
    assert "depuis plus de 10 jours : 1" in body and "Écoles sans offre :" in body
    assert "- Conventions non signées : 1" in body
    assert "- Conventions non signées : 0" in mail_text(smtp_server.wait_for("ien.b@ac-dijon.fr")[0])
    coord = mail_text(smtp_server.wait_for("coordination@ac-dijon.fr")[0])
    assert coord.count(f"- {name} :") == 1 and "Par circonscription" in coord
    (line,) = [x for x in coord.splitlines() if x.startswith(f"- {name} :")]
    assert line.endswith("1 convention(s) non signée(s)")
    # The same week: nothing more, whatever the hour; the next week: again.
    again = digests.send_digests(now=now + dt.timedelta(hours=1))
    assert (again.sent, again.already) == (0, 3)
    assert len(smtp_server.to("ien.a@ac-dijon.fr")) == 1
    assert digests.send_digests(now=now + dt.timedelta(days=7)).sent == 3


def test_week_key_is_the_paris_iso_week():
    # Sunday 23:30 UTC in winter is already Monday in Paris.
    assert rules.week_key(dt.datetime(2026, 12, 6, 23, 30)) == "2026-W50"
    assert rules.week_key(dt.datetime(2026, 12, 6, 22, 30)) == "2026-W49"


# --------------------------------------------------------------------------- élèves sans stage


def test_students_without_stage_per_lycee(world):
    with read_session() as s:
        lycees = [l.id for l in s.scalars(select(Lycee).where(Lycee.voie_generale.is_(True)).order_by(Lycee.uai))]
    first_lycee = lycees[0]
    students = [make_user(Role.STUDENT, first_name=f"E{i}") for i in range(5)]  # all in the first lycée
    offer, now = world["offer"], utcnow()
    make_candidature(offer, students[0], status=S.CONFIRMED)
    make_candidature(offer, students[1], status=S.ACCEPTED)
    make_candidature(offer, students[2], status=S.ACCEPTED, submitted_at=now - dt.timedelta(days=20))  # lapsed
    make_candidature(offer, students[3], status=S.REFUSED)
    counts = sws.per_lycee(world["coordinator"])
    row = counts.rows.iloc[0]
    assert (row["Élèves inscrits"], row["Avec au moins une candidature"], row["Acceptés"], row["Stage confirmé"],
            row["Sans candidature"], row["Sans stage confirmé"]) == (5, 4, 2, 1, 1, 4)
    assert counts.total["Élèves inscrits"] == 5
    # An IEN: counts too, for the lycées in the communes of their circonscription's écoles.
    with read_session() as s:
        commune = s.scalar(select(Lycee.commune).where(Lycee.id == first_lycee))
        circ = s.scalar(select(School.circonscription_id).where(School.commune == commune).limit(1))
        elsewhere = s.scalar(select(School.circonscription_id).where(
            School.circonscription_id.is_not(None),
            School.circonscription_id.not_in(select(School.circonscription_id).where(School.commune == commune)))
            .limit(1))
    ien_here = cu(make_user(Role.IEN, circonscription_id=circ))
    assert sws.per_lycee(ien_here).total == counts.total
    assert sws.per_lycee(cu(make_user(Role.IEN, circonscription_id=elsewhere))).total["Élèves inscrits"] == 0
    with pytest.raises(PermissionDenied):
        sws.per_lycee(world["director"])
    # The lycée head (role added by issue 12) gets the names of their lycée's students only.
    head = dataclasses.replace(world["coordinator"], role=sws.LYCEE_HEAD, lycee_id=first_lycee)
    rows = sws.lycee_students(head)
    assert len(rows) == 4 and {r.situation for r in rows} == {
        "Acceptée, à confirmer", "A candidaté, sans stage accepté", "Aucune candidature"}
    assert sws.lycee_students(dataclasses.replace(head, lycee_id=lycees[1])) == []
    with pytest.raises(PermissionDenied):
        sws.lycee_students(world["ien"])


# --------------------------------------------------------------------------- trend


def test_trend_by_week_against_the_previous_campaign(world):
    coord = world["coordinator"]
    a = world["circs"][0]
    with write_session() as s:
        current = s.scalar(select(Campaign).join(Offer, Offer.campaign_id == Campaign.id)
                           .where(Offer.id == world["offer"]))
        opens = current.offers_open_on
        start = int(current.school_year[:4])
        previous = get_or_create_campaign(s, f"{start - 1}-{start}")
        previous_id, prev_opens = previous.id, previous.offers_open_on
        s.get(Offer, world["offer"]).first_published_at = dt.datetime.combine(opens, dt.time(9))
    d2 = make_user(Role.DIRECTOR, uai=world["schools"][a][1])
    second = make_offer(d2, max_students=3)
    last_year = [make_offer(d2, max_students=2), make_offer(world["director"].id, max_students=4)]
    with write_session() as s:
        s.get(Offer, second).first_published_at = dt.datetime.combine(opens + dt.timedelta(days=8), dt.time(9))
        for n, oid in enumerate(last_year):
            o = s.get(Offer, oid)
            o.campaign_id, o.status = previous_id, OfferStatus.ARCHIVED
            o.first_published_at = dt.datetime.combine(prev_opens + dt.timedelta(days=7 * n), dt.time(9))
    frame = trend.coverage_trend(coord, today=opens + dt.timedelta(days=20))
    cur = frame[frame["campaign"] == f"Campagne {current.school_year}"]
    assert list(cur["places"]) == [1, 4, 4] and list(cur["schools_with_offer"]) == [1, 2, 2]
    prev = frame[frame["campaign"] == f"Campagne {start - 1}-{start}"]
    assert list(prev["places"][:3]) == [2, 6, 6] and len(prev) > 40  # the whole previous campaign
    with read_session() as s:
        schools = s.scalar(select(text("COUNT(*)")).select_from(School).where(School.departement_code == "71"))
    assert cur["coverage"].iloc[1] == pytest.approx(2 / schools)
    # An IEN: their circonscription's schools only.
    ien = trend.coverage_trend(world["ien_b"], today=opens + dt.timedelta(days=20))
    assert ien[ien["campaign"] == f"Campagne {current.school_year}"]["places"].max() == 0
