"""Monitoring: every figure equals an independent SQL count on generated data (SQLite and PostgreSQL);
an IEN never sees another circonscription, not even through the exports."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
from sqlalchemy import bindparam, text
from sqlalchemy.types import DateTime

from db import get_engine
from db.models import CandidatureStatus as CS
from db.models import OfferStatus, Period, Role
from stages.domain.timeutil import utcnow
from stages.services import auth
from stages.services.monitoring import cache as monitoring_cache, figures, scope, tables
from stages.services.monitoring import exports as monitoring_exports
from stages.services.campaigns import get_or_create_campaign
from stages.services.errors import PermissionDenied
from tests.factories import make_candidature, make_offer, make_user

MOTIVATION = "Je suis très motivée."


def sql(query: str, **params):
    """An independent raw SQL scalar."""
    stmt = text(query)
    if "now" in params:
        stmt = stmt.bindparams(bindparam("now", type_=DateTime))
    with get_engine().connect() as conn:
        return conn.execute(stmt, params).scalar()


def exec_sql(query: str, **params) -> None:
    with get_engine().begin() as conn:
        conn.execute(text(query), params)


@pytest.fixture
def world(db_url):
    """Schools in three circonscriptions, offers of every status, candidatures of every status."""
    monitoring_cache.clear_cache()
    now = utcnow()
    with get_engine().connect() as conn:
        circs = [r[0] for r in conn.execute(text(
            "SELECT circonscription_id FROM schools WHERE circonscription_id IS NOT NULL "
            "GROUP BY circonscription_id ORDER BY circonscription_id LIMIT 3"))]
        schools = {c: [r[0] for r in conn.execute(text(
            "SELECT uai FROM schools WHERE circonscription_id = :c ORDER BY uai LIMIT 3"), {"c": c})] for c in circs}
    a, b, c = circs
    directors = {uai: make_user(Role.DIRECTOR, uai=uai) for circ in circs for uai in schools[circ]}
    students = [make_user(Role.STUDENT) for _ in range(12)]
    d = lambda uai: directors[uai]  # noqa: E731

    # Circonscription A: two schools with published offers, one without.
    a1 = make_offer(d(schools[a][0]), max_students=3)
    a2 = make_offer(d(schools[a][0]), max_students=1, period=Period.WEEK_1)  # breaks the period guidance
    a3 = make_offer(d(schools[a][1]), max_students=2)
    make_offer(d(schools[a][2]), status=OfferStatus.DRAFT)  # a draft: the school still counts as without offer
    # Circonscription B: one published, one unpublished (with candidatures), one archived.
    b1 = make_offer(d(schools[b][0]), max_students=4, title="=HYPERLINK(\"http://x\")")
    b2 = make_offer(d(schools[b][1]), status=OfferStatus.UNPUBLISHED, max_students=5)
    make_offer(d(schools[b][2]), status=OfferStatus.ARCHIVED)
    # Circonscription C: nothing published; an offer of another campaign must not count.
    other = make_offer(d(schools[c][0]), max_students=6)
    exec_sql("UPDATE offers SET daily_hours = NULL WHERE id = :id", id=a3)  # missing hours
    exec_sql("UPDATE offers SET level_college = :t WHERE id = :id", id=b2, t=True)

    days = lambda n: now - dt.timedelta(days=n)  # noqa: E731
    plan = [
        (a1, 0, CS.ACCEPTED, days(5)), (a1, 1, CS.ACCEPTED, days(4)), (a1, 2, CS.ACCEPTED, days(3)),
        (a1, 3, CS.ACCEPTED, days(2)),  # more accepted than places: remaining clamps at 0
        (a1, 4, CS.SUBMITTED, days(1)),  # pending
        (a1, 5, CS.SUBMITTED, days(20)),  # past its deadline: effectively expired
        (a2, 6, CS.READ, days(13)),  # expires within 3 days
        (a2, 7, CS.REFUSED, days(8)),
        (a3, 8, CS.SUBMITTED, days(12.5)),  # expires within 3 days
        (a3, 9, CS.EXPIRED, days(17)),
        (a3, 10, CS.WITHDRAWN, days(6)),
        (b1, 0, CS.DECLINED, days(6)), (b1, 1, CS.ACCEPTED, days(6)), (b1, 2, CS.READ, days(30)),
        (b1, 11, CS.SUBMITTED, days(14)),  # expires within 3 days
        (b2, 3, CS.ACCEPTED, days(7)), (b2, 4, CS.SUBMITTED, days(2)),
        (other, 5, CS.ACCEPTED, days(3)),
    ]
    for offer, student, status, submitted in plan:
        make_candidature(offer, students[student], status=status, submitted_at=submitted)

    # "other" moves to last year's campaign.
    from db import write_session

    with write_session() as session:
        last_year = get_or_create_campaign(session, "2020-2021")
        last_year_id = last_year.id
    exec_sql("UPDATE offers SET campaign_id = :c WHERE id = :id", c=last_year_id, id=other)
    campaign_id = sql("SELECT campaign_id FROM offers WHERE id = :id", id=a1)

    coordinator = auth.load_user(make_user(Role.COORDINATOR))
    ien = auth.load_user(make_user(Role.IEN, circonscription_id=a))
    return {
        "now": now, "circs": circs, "schools": schools, "campaign_id": campaign_id, "last_year_id": last_year_id,
        "coordinator": coordinator, "ien": ien, "offers": {"a1": a1, "a2": a2, "a3": a3, "b1": b1, "b2": b2},
    }


# --------------------------------------------------------------------------- independent SQL


def scope_sql(circ_ids=None, types=None) -> str:
    where = "s.departement_code = '71'"
    if circ_ids:
        where += f" AND s.circonscription_id IN ({', '.join(str(int(c)) for c in circ_ids)})"
    if types:
        where += " AND s.school_type IN (" + ", ".join(f"'{t}'" for t in types) + ")"
    return where


EXPIRED_SQL = "(c.status = 'expired' OR (c.status IN ('submitted', 'read') AND c.deadline_at <= :now))"


def expected_figures(campaign_id: int, now: dt.datetime, circ_ids=None, types=None) -> dict[str, int]:
    where = scope_sql(circ_ids, types)
    offers = f"FROM offers o JOIN schools s ON s.id = o.school_id WHERE o.campaign_id = {campaign_id} AND {where}"
    cands = (f"FROM candidatures c JOIN offers o ON o.id = c.offer_id JOIN schools s ON s.id = o.school_id "
             f"WHERE o.campaign_id = {campaign_id} AND {where}")
    accepted_of = "(SELECT COUNT(*) FROM candidatures c WHERE c.offer_id = o.id AND c.status = 'accepted')"
    return {
        "schools": sql(f"SELECT COUNT(*) FROM schools s WHERE {where}"),
        "schools_with_offer": sql(f"SELECT COUNT(DISTINCT o.school_id) {offers} AND o.status = 'published'"),
        "published_offers": sql(f"SELECT COUNT(*) {offers} AND o.status = 'published'"),
        "places_offered": sql(f"SELECT COALESCE(SUM(o.max_students), 0) {offers} AND o.status = 'published'"),
        "received": sql(f"SELECT COUNT(*) {cands}"),
        "accepted": sql(f"SELECT COUNT(*) {cands} AND c.status = 'accepted'"),
        "refused": sql(f"SELECT COUNT(*) {cands} AND c.status = 'refused'"),
        "expired": sql(f"SELECT COUNT(*) {cands} AND {EXPIRED_SQL}", now=now),
        "pending": sql(f"SELECT COUNT(*) {cands} AND c.status IN ('submitted', 'read') AND c.deadline_at > :now",
                       now=now),
        "withdrawn": sql(f"SELECT COUNT(*) {cands} AND c.status = 'withdrawn'"),
        "declined": sql(f"SELECT COUNT(*) {cands} AND c.status = 'declined'"),
        "places_filled": sql(f"SELECT COUNT(*) {cands} AND c.status = 'accepted'"),
        "places_remaining": sql(
            f"SELECT COALESCE(SUM(CASE WHEN o.max_students > {accepted_of} THEN o.max_students - {accepted_of} "
            f"ELSE 0 END), 0) {offers} AND o.status = 'published'"),
    }


def figures_dict(figures: figures.Figures) -> dict[str, int]:
    return {name: getattr(figures, name) for name in (
        "schools", "schools_with_offer", "published_offers", "places_offered", "received", "accepted", "refused",
        "expired", "pending", "withdrawn", "declined", "places_filled", "places_remaining")}


# --------------------------------------------------------------------------- figures


def test_every_figure_of_the_departement_equals_sql(world):
    now = world["now"]
    dashboard = figures.dashboard(world["coordinator"], now=now)
    expected = expected_figures(world["campaign_id"], now)
    assert figures_dict(dashboard.figures) == expected
    # And by hand, so that the independent SQL itself is checked once.
    f = dashboard.figures
    assert (f.published_offers, f.places_offered, f.received) == (4, 10, 17)
    assert (f.accepted, f.refused, f.expired, f.pending, f.withdrawn, f.declined) == (6, 1, 3, 5, 1, 1)
    assert f.schools_with_offer == 3
    # a1: 3 places, 4 accepted -> 0; a2: 1 - 0; a3: 2 - 0; b1: 4 - 1 = 3 (b2 is unpublished).
    assert f.places_remaining == 0 + 1 + 2 + 3
    assert f.coverage == pytest.approx(3 / f.schools)


def test_each_circonscription_row_equals_sql_and_the_weakest_comes_first(world):
    now = world["now"]
    frame = figures.dashboard(world["coordinator"], now=now).by_circonscription
    assert list(frame["coverage"]) == sorted(frame["coverage"])
    assert frame["schools"].sum() == sql("SELECT COUNT(*) FROM schools WHERE departement_code = '71'")
    for circ in world["circs"]:
        row = frame[frame["circonscription_id"] == circ].iloc[0]
        expected = expected_figures(world["campaign_id"], now, circ_ids=[circ])
        assert {k: int(row[k]) for k in expected} == expected
        assert row["circonscription"] == sql("SELECT short_name FROM circonscriptions WHERE id = :c", c=circ)


@pytest.mark.parametrize("types", [("maternelle",), ("élémentaire", "primaire")])
def test_school_type_and_circonscription_filters(world, types):
    now = world["now"]
    circs = world["circs"][:2]
    filters = scope.Filters(circonscription_ids=tuple(circs), school_types=types)
    dashboard = figures.dashboard(world["coordinator"], filters, now=now)
    assert figures_dict(dashboard.figures) == expected_figures(world["campaign_id"], now, circs, types)
    assert set(dashboard.by_circonscription["circonscription_id"]) <= set(circs)


def test_another_campaign_has_its_own_figures(world):
    now = world["now"]
    filters = scope.Filters(campaign_id=world["last_year_id"])
    totals = figures.dashboard(world["coordinator"], filters, now=now).figures
    assert figures_dict(totals) == expected_figures(world["last_year_id"], now)
    assert (totals.published_offers, totals.places_offered, totals.accepted) == (1, 6, 1)


def test_weekly_publications_and_map(world):
    now = world["now"]
    offers = world["offers"]
    exec_sql("UPDATE offers SET first_published_at = :d WHERE id IN (:a, :b)",
             d=dt.datetime(2026, 11, 4, 10), a=offers["a1"], b=offers["a2"])  # a Wednesday
    exec_sql("UPDATE offers SET first_published_at = :d WHERE id = :a", d=dt.datetime(2026, 11, 8, 23), a=offers["a3"])
    exec_sql("UPDATE offers SET first_published_at = :d WHERE id IN (:a, :b)",
             d=dt.datetime(2026, 11, 16, 8), a=offers["b1"], b=offers["b2"])
    dashboard = figures.dashboard(world["coordinator"], now=now)
    weekly = dashboard.weekly.set_index("week_start")["offers"]
    assert weekly[dt.date(2026, 11, 2)] == 3  # the 4th and the 8th (a Sunday) fall in the week of Monday 2
    assert weekly[dt.date(2026, 11, 16)] == 2
    assert weekly.sum() == sql(
        "SELECT COUNT(*) FROM offers WHERE campaign_id = :c AND first_published_at IS NOT NULL", c=world["campaign_id"])
    # The map: every school (one without coordinates placed in its commune); those with a published offer
    # carry their offers.
    schools_map = dashboard.schools_map
    assert len(schools_map) == sql("SELECT COUNT(*) FROM schools WHERE departement_code = '71'")
    assert int(schools_map["approximate"].sum()) == sql(
        "SELECT COUNT(*) FROM schools WHERE departement_code = '71' AND (latitude IS NULL OR longitude IS NULL)")
    assert int((schools_map["offers"] > 0).sum()) == 3
    first = schools_map.set_index("uai").loc[world["schools"][world["circs"][0]][0]]
    assert (first["offers"], first["places"]) == (2, 4)


# --------------------------------------------------------------------------- tables


def test_schools_without_offer_are_paginated_and_counted(world):
    now = world["now"]
    c = world["campaign_id"]
    expected = sql(
        "SELECT COUNT(*) FROM schools s WHERE s.departement_code = '71' AND NOT EXISTS ("
        f"SELECT 1 FROM offers o WHERE o.school_id = s.id AND o.campaign_id = {c} AND o.status = 'published')")
    first = tables.schools_without_offer(world["coordinator"], page=1, page_size=20, now=now)
    assert first.total == expected
    assert len(first.rows) == 20 and first.pages == -(-expected // 20)
    second = tables.schools_without_offer(world["coordinator"], page=2, page_size=20, now=now)
    assert set(first.rows["UAI"]).isdisjoint(second.rows["UAI"])
    everything = tables.schools_without_offer(world["coordinator"], page_size=None, now=now).rows
    assert len(everything) == expected
    with_offer = {world["schools"][world["circs"][0]][0], world["schools"][world["circs"][0]][1],
                  world["schools"][world["circs"][1]][0]}
    assert with_offer.isdisjoint(everything["UAI"])
    draft_school = everything.set_index("UAI").loc[world["schools"][world["circs"][0]][2]]
    assert draft_school["Offre en cours de saisie"] == "Oui"
    # Phones are shown in pairs, as people dial them.
    phones = [p for p in everything["Téléphone"] if p]
    assert phones and all(len(p) == 14 and p[2] == " " for p in phones)


def test_expiring_candidatures_by_school(world):
    now = world["now"]
    page = tables.expiring_candidatures(world["coordinator"], page_size=None, now=now)
    expected = sql(
        "SELECT COUNT(*) FROM candidatures c JOIN offers o ON o.id = c.offer_id WHERE o.campaign_id = :c "
        "AND c.status IN ('submitted', 'read') AND c.deadline_at > :now AND c.deadline_at <= :soon",
        c=world["campaign_id"], now=now, soon=now + dt.timedelta(days=3))
    assert expected == 3
    assert page.rows["Candidatures à échéance"].sum() == expected
    a, b = world["circs"][:2]
    assert dict(zip(page.rows["UAI"], page.rows["Candidatures à échéance"], strict=True)) == {
        world["schools"][a][0]: 1, world["schools"][a][1]: 1, world["schools"][b][0]: 1}


def test_guidance_offers(world):
    page = tables.guidance_offers(world["coordinator"], page_size=None, now=world["now"])
    offers = world["offers"]
    assert sorted(page.rows["N° offre"]) == sorted([offers["a2"], offers["a3"], offers["b2"]])
    problems = dict(zip(page.rows["N° offre"], page.rows["Problèmes"], strict=True))
    assert "période" in problems[offers["a2"]].lower()
    assert "horaire" in problems[offers["a3"]].lower()
    assert "collégiens" in problems[offers["b2"]].lower()


def test_drill_down_of_a_circonscription(world):
    now = world["now"]
    a = world["circs"][0]
    page = tables.circonscription_schools(world["coordinator"], a, page_size=None, now=now)
    assert page.total == sql("SELECT COUNT(*) FROM schools WHERE circonscription_id = :c", c=a)
    rows = page.rows.set_index("UAI")
    first = rows.loc[world["schools"][a][0]]
    assert (first["Offres publiées"], first["Places offertes"], first["Candidatures reçues"]) == (2, 4, 8)
    assert (first["Acceptées"], first["Expirées"], first["En attente"], first["Places restantes"]) == (4, 1, 2, 1)
    totals = expected_figures(world["campaign_id"], now, circ_ids=[a])
    assert rows["Candidatures reçues"].sum() == totals["received"]
    assert rows["Places restantes"].sum() == totals["places_remaining"]


def test_all_offers_export_is_formula_safe_and_holds_no_student_data(world):
    file = monitoring_exports.export_table(world["coordinator"], "offers", "csv", now=world["now"])
    assert file.file_name.endswith(".csv") and file.data.startswith(b"\xef\xbb\xbf")
    content = file.data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content), delimiter=";"))
    assert len(rows) == sql("SELECT COUNT(*) FROM offers WHERE campaign_id = :c", c=world["campaign_id"])
    assert "'=HYPERLINK(\"http://x\")" in [r["Intitulé"] for r in rows]
    for table in monitoring_exports.EXPORTS:
        for fmt in ("csv", "xlsx"):
            data = monitoring_exports.export_table(world["coordinator"], table, fmt, circonscription_id=world["circs"][0],
                                           now=world["now"]).data
            assert MOTIVATION.encode() not in data and b"@example.fr" not in data


# --------------------------------------------------------------------------- roles


def test_an_ien_sees_only_their_circonscription_whatever_they_ask(world):
    now = world["now"]
    ien = world["ien"]
    a, b, c = world["circs"]
    asked = scope.Filters(circonscription_ids=(b, c))
    dashboard = figures.dashboard(ien, asked, now=now)
    assert list(dashboard.by_circonscription["circonscription_id"]) == [a]
    assert figures_dict(dashboard.figures) == expected_figures(world["campaign_id"], now, circ_ids=[a])
    name = sql("SELECT short_name FROM circonscriptions WHERE id = :c", c=a)
    assert set(dashboard.schools_map["circonscription"]) == {name}
    assert [cid for cid, _ in scope.filter_choices(ien).circonscriptions] == [a]
    for fn in (tables.schools_without_offer, tables.expiring_candidatures, tables.guidance_offers,
               tables.all_offers):
        rows = fn(ien, asked, page_size=None, now=now).rows
        assert set(rows["Circonscription"]) <= {name}, fn.__name__
    with pytest.raises(PermissionDenied):
        tables.circonscription_schools(ien, b, asked, now=now)
    with pytest.raises(PermissionDenied):
        monitoring_exports.export_table(ien, "drilldown", "csv", asked, circonscription_id=b, now=now)
    # Every export, both formats.
    for table in monitoring_exports.EXPORTS:
        csv_file = monitoring_exports.export_table(ien, table, "csv", asked, circonscription_id=a, now=now)
        rows = list(csv.DictReader(io.StringIO(csv_file.data.decode("utf-8-sig")), delimiter=";"))
        if table == "drilldown":
            uais = {r["UAI"] for r in rows}
            assert uais == {r[0] for r in get_engine().connect().execute(
                text("SELECT uai FROM schools WHERE circonscription_id = :c"), {"c": a})}
        else:
            assert {r["Circonscription"] for r in rows} <= {name}, table
        xlsx = openpyxl.load_workbook(io.BytesIO(
            monitoring_exports.export_table(ien, table, "xlsx", asked, circonscription_id=a, now=now).data))
        sheet = xlsx.active
        header = [cell.value for cell in sheet[1]]
        if "Circonscription" in header:
            column = header.index("Circonscription")
            assert {row[column] for row in sheet.iter_rows(min_row=2, values_only=True)} <= {name}, table


def test_other_roles_are_refused(world):
    director = auth.load_user(make_user(Role.DIRECTOR, uai="0711989B"))
    student = auth.load_user(make_user(Role.STUDENT))
    for user in (director, student, None):
        with pytest.raises(PermissionDenied):
            figures.dashboard(user)
        with pytest.raises(PermissionDenied):
            monitoring_exports.export_table(user, "offers", "csv")


def test_cached_figures_follow_every_change(world):
    now = world["now"]
    coordinator = world["coordinator"]
    before = figures.dashboard(coordinator, now=now).figures
    assert figures.dashboard(coordinator, now=now) is figures.dashboard(coordinator, now=now)
    student = make_user(Role.STUDENT)
    make_candidature(world["offers"]["b1"], student, status=CS.ACCEPTED, submitted_at=now - dt.timedelta(days=1))
    after = figures.dashboard(coordinator, now=now).figures
    assert (after.received, after.accepted, after.places_remaining) == (
        before.received + 1, before.accepted + 1, before.places_remaining - 1)
    exec_sql("UPDATE offers SET max_students = max_students + 10, updated_at = :t WHERE id = :id",
             id=world["offers"]["b1"], t=utcnow())
    assert figures.dashboard(coordinator, now=now).figures.places_offered == after.places_offered + 10
    # The expiry of a deadline shows without any write: the minute is part of the key.
    later = figures.dashboard(coordinator, now=now + dt.timedelta(days=3)).figures
    assert later.expired > after.expired
