"""AppTest of the dashboard and the administration pages, for a coordinator and an IEN."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from db import get_engine
from db.models import CandidatureStatus, OfferStatus, Role
from stages.domain.timeutil import utcnow
from stages.services.monitoring import cache as monitoring_cache, exports as monitoring_exports, scope
from tests.app.conftest import make_app, open_page
from tests.factories import make_candidature, make_offer, make_user

MACON_NORD = "0710098W"


def circ_id(code: str) -> int:
    with get_engine().connect() as conn:
        return conn.execute(text("SELECT id FROM circonscriptions WHERE code = :c"), {"c": code}).scalar()


@pytest.fixture
def world(sqlite_url):
    monitoring_cache.clear_cache()
    now = utcnow()
    macon = make_user(Role.DIRECTOR, uai="0711989B")  # Mâcon Nord
    louhans = make_user(Role.DIRECTOR, uai="0710895M")  # Louhans
    offer_macon = make_offer(macon, max_students=2)
    offer_louhans = make_offer(louhans, max_students=3)
    make_offer(louhans, status=OfferStatus.UNPUBLISHED)
    students = [make_user(Role.STUDENT) for _ in range(4)]
    make_candidature(offer_macon, students[0], status=CandidatureStatus.ACCEPTED)
    make_candidature(offer_macon, students[1], submitted_at=now - dt.timedelta(days=13))
    make_candidature(offer_louhans, students[2], submitted_at=now - dt.timedelta(days=14))
    make_candidature(offer_louhans, students[3], submitted_at=now - dt.timedelta(days=30))
    return {
        "coordinator": make_user(Role.COORDINATOR, first_name="Claire", last_name="Martin"),
        "ien": make_user(Role.IEN, circonscription_id=circ_id(MACON_NORD)),
        "macon": circ_id(MACON_NORD),
        "louhans": circ_id("0710097V"),
    }


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def page_text(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [str(t.value) for t in at.text]
    parts += [df.value.to_csv() for df in at.dataframe]
    parts += [str(el.proto) for el in at.get("plotly_chart")]
    parts += [str(o) for s in at.selectbox for o in s.options] + [str(o) for s in at.multiselect for o in s.options]
    return "\n".join(parts)


def open_section(at, name: str):
    """Open one of the dashboard's tabs (« Graphiques », « À traiter », « Conventions de stage »)."""
    at.session_state["dash_section"] = name
    return at.run()


def test_dashboard_for_a_coordinator_follows_the_filters(world):
    at = open_page(world["coordinator"], "dashboard.py")
    assert not at.exception
    assert at.title[0].value == "Tableau de bord"
    figures = metrics(at)
    assert figures["Offres publiées"] == "2" and figures["Places proposées"] == "5"
    assert figures["Candidatures reçues"] == "4" and figures["Expirées"] == "1" and figures["Acceptées"] == "1"
    # One chart and one table at a time; every one is reachable through its segmented control.
    assert len(at.get("plotly_chart")) == 1
    for choice in at.segmented_control(key="dash_chart").options:
        at.segmented_control(key="dash_chart").set_value(choice).run()
        assert not at.exception and len(at.get("plotly_chart")) == 1, choice
    open_section(at, "À traiter")
    assert not at.get("plotly_chart"), "only the open tab is drawn"
    for choice in at.segmented_control(key="dash_table").options:
        at.segmented_control(key="dash_table").set_value(choice).run()
        assert not at.exception and (at.dataframe or at.info), choice
    at.segmented_control(key="dash_table").set_value("Écoles sans offre").run()
    assert "Louhans" in page_text(at) and "Mâcon Nord" in page_text(at)
    at.multiselect(key="dash_circs").set_value([world["macon"]]).run()
    assert not at.exception
    figures = metrics(at)
    assert figures["Offres publiées"] == "1" and figures["Places proposées"] == "2"
    assert figures["Candidatures reçues"] == "2"
    tables = [df.value for df in at.dataframe if "Circonscription" in df.value.columns]
    assert tables and all(set(t["Circonscription"]) <= {"Mâcon Nord"} for t in tables)
    assert at.get("download_button"), "each table offers its exports"
    at.multiselect(key="dash_types").set_value(["maternelle"]).run()
    assert metrics(at)["Offres publiées"] == "0"


def test_dashboard_for_an_ien_shows_their_circonscription_only(world):
    at = make_app(world["ien"])
    # Even a forged filter for another circonscription changes nothing.
    at.session_state["dash_circs"] = [world["louhans"]]
    at.run()
    at.switch_page("pages/dashboard.py").run()
    assert not at.exception
    assert [t.value for t in at.text_input if t.key == "dash_circ_fixed"] == ["Mâcon Nord"]
    assert not [m for m in at.multiselect if m.key == "dash_circs"]
    figures = metrics(at)
    assert figures["Offres publiées"] == "1" and figures["Candidatures reçues"] == "2"
    content = page_text(at)
    open_section(at, "À traiter")
    for choice in at.segmented_control(key="dash_table").options:  # every table, not just the first
        at.segmented_control(key="dash_table").set_value(choice).run()
        content += page_text(at)
    open_section(at, "Graphiques")
    for choice in at.segmented_control(key="dash_chart").options:
        at.segmented_control(key="dash_chart").set_value(choice).run()
        content += page_text(at)
    assert "Mâcon Nord" in content
    for other in ("Louhans", "Autun", "Tournus", "Charolles", "Chalon"):
        assert other not in content, other
    # The exports behind the page's buttons: their service refuses the other circonscription.
    from stages.services import auth

    ien = auth.load_user(world["ien"])
    for table in monitoring_exports.EXPORTS:
        data = monitoring_exports.export_table(ien, table, "csv", scope.Filters(circonscription_ids=(world["louhans"],)),
                                       circonscription_id=world["macon"]).data.decode("utf-8-sig")
        assert "Louhans" not in data and "0710895M" not in data, table


def test_an_ien_has_no_administration_page(world):
    at = make_app(world["ien"]).run()
    for page in ("admin_campaign.py", "admin_referential.py", "admin_accounts.py", "admin_history.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(f"pages/{page}")


def test_campaign_page_validates_and_saves(world):
    at = open_page(world["coordinator"], "admin_campaign.py")
    assert not at.exception and at.title[0].value == "Campagne"
    assert "offres déjà déposées gardent la leur" in page_text(at)
    start = at.date_input[0].value
    at.date_input[0].set_value(start + dt.timedelta(days=1))
    at.button[0].click().run()
    assert not at.exception
    assert any("lundi" in e.value for e in at.error)
    at.date_input[0].set_value(start)
    at.number_input[0].set_value(20)
    at.button[0].click().run()
    assert not at.exception and not at.error
    assert any("délai de réponse de 20 jours" in s.value for s in at.success)


def test_referential_page_without_a_file(world):
    at = open_page(world["coordinator"], "admin_referential.py")
    assert not at.exception and at.title[0].value == "Référentiel"
    assert any("Aucun fichier" in i.value for i in at.info)


def test_accounts_page_search_deactivate_and_create(world):
    at = open_page(world["coordinator"], "admin_accounts.py")
    assert not at.exception and at.title[0].value == "Comptes"
    at.text_input(key="acc_search").input("Claire").run()
    assert list(at.dataframe[0].value["N°"]) == [world["coordinator"]]
    at.text_input(key="acc_search").input("").run()
    at.selectbox(key="acc_role").set_value(Role.IEN).run()
    assert list(at.dataframe[0].value["N°"]) == [world["ien"]]
    at.selectbox(key="acc_target").set_value(world["ien"]).run()
    at.button(key="acc_deactivate").click().run()
    assert not at.exception
    assert any("désactivé" in s.value for s in at.success)
    assert at.dataframe[0].value["État"][0] == "Désactivé"
    at.selectbox(key="acc_target").set_value(world["ien"]).run()
    assert "Désactivé" in list(at.dataframe[1].value["Vers"])
    at.button(key="acc_reactivate").click().run()
    assert at.dataframe[0].value["État"][0] == "Actif"


def test_history_page_filters(world):
    with get_engine().begin() as conn:
        conn.execute(text("INSERT INTO status_changes (entity_type, entity_id, from_status, to_status, author_id, at) "
                          "VALUES ('offer', 1, 'draft', 'published', :a, :at)"), {"a": world["coordinator"],
                                                                                   "at": utcnow()})
    at = open_page(world["coordinator"], "admin_history.py")
    assert not at.exception and at.title[0].value == "Historique"
    assert list(at.dataframe[0].value["Vers"]) == ["Publiée"]
    at.multiselect(key="hist_types").set_value(["candidature"]).run()
    assert any("Aucun changement" in i.value for i in at.info)


def test_coordinator_relaunches_three_schools_and_sees_relancee_le(world):
    from stages.domain.timeutil import fmt_date

    at = open_page(world["coordinator"], "dashboard.py")
    at.multiselect(key="dash_circs").set_value([world["macon"]]).run()
    at.session_state["dash_section"] = "À traiter"
    at.session_state["relaunch_box"] = True  # « Relancer les écoles sans offre » opened
    at.run()
    chooser = at.multiselect(key="relaunch_chosen")
    three = list(chooser.options)[:3]
    uais = [o.split("(")[-1].split(")")[0] for o in three]
    chooser.set_value(uais).run()
    assert at.text_input(key="relaunch_subject").value.startswith("Stages de seconde")
    at.button(key="relaunch_preview_btn").click().run()
    assert not at.exception
    assert any("Aperçu" in m.value and "3 courriel(s)" in m.value for m in at.markdown)
    at.button(key="relaunch_send").click().run()
    assert not at.exception
    assert any("3 école(s) relancée(s)." in s.value for s in at.success)
    table = next(df.value for df in at.dataframe if "Relance" in df.value.columns)
    relaunched = table[table["UAI"].isin(uais)]
    assert list(relaunched["Relance"]) == [f"relancée le {fmt_date(utcnow())}"] * 3
    # The template typed is kept across a reload (a new session).
    at.text_area(key="relaunch_body").set_value("Bonjour {école}, une offre de stage ?").run()
    again = open_page(world["coordinator"], "dashboard.py")
    again.session_state["dash_section"] = "À traiter"
    again.session_state["relaunch_box"] = True
    again.run()
    assert again.text_area(key="relaunch_body").value == "Bonjour {école}, une offre de stage ?"


def test_students_without_stage_table_for_the_coordinator(world):
    at = open_section(open_page(world["coordinator"], "dashboard.py"), "À traiter")
    at.segmented_control(key="dash_table").set_value("Élèves sans stage").run()
    assert not at.exception
    assert metrics(at)["Élèves inscrits"] == "4"
    assert any("Sans stage confirmé" in df.value.columns for df in at.dataframe)
