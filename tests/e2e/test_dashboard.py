"""The demo coordinator opens the dashboard, filters one circonscription and downloads an export."""

import csv
import io

from playwright.sync_api import expect

from stages.seed.demo import DEMO_PASSWORD
from tests.e2e.conftest import login, wait_idle


def metric_value(page, label: str) -> str:
    metric = page.get_by_test_id("stMetric").filter(has=page.get_by_text(label, exact=True))
    return metric.get_by_test_id("stMetricValue").inner_text().strip()


def test_coordinator_filters_a_circonscription_and_downloads_an_export(live_server, page):
    login(page, live_server, "coordinateur.dsden71@ac-dijon.fr", DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="Tableau de bord").first).to_be_visible()
    assert metric_value(page, "Offres publiées") == "6"  # 5, and the demo conventions' offer
    expect(page.locator(".js-plotly-plot").first).to_be_visible()

    circonscriptions = page.get_by_test_id("stMultiSelect").filter(has_text="Circonscriptions")
    circonscriptions.locator("input").click()
    page.get_by_role("option", name="Mâcon Nord", exact=True).click()
    page.keyboard.press("Escape")
    wait_idle(page)
    expect(page.get_by_test_id("stMetric").filter(has=page.get_by_text("Offres publiées", exact=True))
           .get_by_test_id("stMetricValue")).to_have_text("4")
    assert metric_value(page, "Écoles du référentiel") == "52"

    page.get_by_role("tab", name="À traiter").click()  # the tables to act on, and their exports
    wait_idle(page)
    with page.expect_download() as info:
        page.get_by_role("button", name="Exporter en CSV").first.click()
    download = info.value
    assert download.suggested_filename == "ecoles-sans-offre.csv"
    content = open(download.path(), "rb").read()
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 50  # 52 schools of Mâcon Nord, 2 of them with a published offer
    assert {row["Circonscription"] for row in rows} == {"Mâcon Nord"}
