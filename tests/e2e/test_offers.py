"""Browser tests of "Déposer une offre de stage": the guide click by click, a reload, a double click.

Each test creates its own director (a school without a demo account), so tests stay independent.
"""

from __future__ import annotations

import uuid

from playwright.sync_api import expect

from stages.seed.demo import DEMO_PASSWORD
from tests.e2e.conftest import goto, login, wait_idle

COUNT = """
from sqlalchemy import func, select
from db import read_session
from db.models import Offer, School
with read_session() as s:
    school = s.scalar(select(School).where(School.uai == "{uai}"))
    rows = s.execute(select(Offer.status, Offer.step_reached, Offer.employer_name).where(Offer.school_id == school.id)).all()
    print(sorted((r[0], r[1]) for r in rows), [r[2] for r in rows])
"""


def new_director(live_server, uai: str) -> str:
    email = f"dir.{uuid.uuid4().hex[:8]}@ac-dijon.fr"
    result = live_server.manage("create-user", "--role", "director", "--email", email, "--password", DEMO_PASSWORD,
                                "--uai", uai, "--first-name", "Marie", "--last-name", "Curie")
    assert result.returncode == 0, result.stderr
    return email


def offers_of(live_server, uai: str) -> str:
    return live_server.python(COUNT.format(uai=uai)).strip()


def fill(page, label: str, value: str) -> None:
    box = page.get_by_role("textbox", name=label, exact=True)
    box.fill(value)
    box.press("Tab")
    wait_idle(page)


def set_time(page, label: str, value: str) -> None:
    """Streamlit's time field has hour and minute segments: type the digits into them."""
    group = page.get_by_role("group", name=label, exact=True)
    group.get_by_role("spinbutton").first.click()
    page.keyboard.type(value.replace(":", ""))
    page.keyboard.press("Tab")
    wait_idle(page)


def click(page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()
    wait_idle(page)


def test_publish_an_offer_following_the_guide(live_server, page):
    email = new_director(live_server, "0710020L")
    login(page, live_server, email, DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="Espace de Marie.Curie")).to_be_visible()
    expect(page.get_by_text("Aucune offre de stage publiée")).to_be_visible()
    expect(page.get_by_text("Publiez votre première offre de stage pour la voir apparaître ici.")).to_be_visible()
    click(page, "Publier une offre")
    # Étape 1 sur 3: everything the guide asks to type is already there.
    expect(page.get_by_text("Étape 1 sur 3")).to_be_visible()
    expect(page.get_by_text("Métier et localisation")).to_be_visible()
    expect(page.get_by_role("textbox", name="Indiquez le ou les métiers qui seront observables par l'élève")) \
        .to_have_value("Professeur des écoles")
    expect(page.get_by_text("37 caractères / 1500")).to_be_visible()
    expect(page.get_by_text("Renseigner « Professeur des écoles ».")).to_be_visible()
    fill(page, "Décrivez les activités qui seront proposées à l'élève",
         "Observation de séances d'enseignement, observation des tâches liées à la direction d'école")
    expect(page.get_by_text("90 caractères / 1500")).to_be_visible()
    click(page, "Suivant")
    # Étape 2 sur 3: "Ajouter votre structure manuellement", prefilled as the guide instructs.
    expect(page.get_by_text("Étape 2 sur 3")).to_be_visible()
    expect(page.get_by_role("textbox", name="Saisissez le nom (raison sociale) de votre établissement *")) \
        .to_have_value("Ecole primaire Clos jovet Autun - Circonscription d'Autun")
    expect(page.get_by_role("textbox", name="Saisissez l'adresse du siège de votre établissement *")) \
        .to_have_value("DSDEN 71 - Cité Administrative - 24 bd Henri Dunant - 71000 Mâcon")
    expect(page.get_by_role("textbox", name="Numéro de téléphone du dépositaire *")).to_have_value("0385522336")
    expect(page.get_by_text("Ce numéro ne sera pas communiqué aux candidats.")).to_be_visible()
    expect(page.get_by_text("0/1000 caractères").first).to_be_visible()
    click(page, "Suivant")
    # Étape 3 sur 3: Collégiens unchecked, the two weeks preselected; the school hours to type.
    expect(page.get_by_text("Étape 3 sur 3")).to_be_visible()
    expect(page.get_by_role("checkbox", name="Collégiens (4ème et 3ème)")).not_to_be_checked()
    expect(page.get_by_role("radio", name="stage de 2 semaines", exact=False)).to_be_checked()
    page.get_by_text("Collégiens (4ème et 3ème)", exact=True).click()
    wait_idle(page)
    expect(page.get_by_text("Les stages en école ne s'adressent qu'aux lycéens (classe de 2nde)").first).to_be_visible()
    page.get_by_text("Collégiens (4ème et 3ème)", exact=True).click()
    wait_idle(page)
    for day in ("Lundi", "Mardi", "Jeudi", "Vendredi"):
        set_time(page, f"{day} : de", "08:30")
        set_time(page, f"{day} : à", "16:30")
    expect(page.get_by_role("textbox", name="Pause déjeuner *")).to_have_value("Pas de possibilité de restauration")
    click(page, "Publier l'offre")
    expect(page.get_by_text("Votre offre de stage est publiée")).to_be_visible()
    expect(page.get_by_text("Publiée", exact=True)).to_be_visible()
    assert offers_of(live_server, "0710020L").startswith("[('published', 3)]")


def test_a_reload_in_the_middle_of_step2_resumes_with_what_was_typed(live_server, page):
    email = new_director(live_server, "0710043L")
    login(page, live_server, email, DEMO_PASSWORD, remember=True)
    goto(page, live_server, "deposer-une-offre")
    fill(page, "Décrivez les activités qui seront proposées à l'élève", "Observation de la classe de grande section")
    click(page, "Suivant")
    expect(page.get_by_text("Étape 2 sur 3")).to_be_visible()
    fill(page, "Saisissez le nom (raison sociale) de votre établissement *",
         "Ecole maternelle de Chauffailles - Circonscription de Charolles")
    page.reload()
    wait_idle(page)
    if page.get_by_role("button", name="Se connecter").count():  # no remembered login: log in again
        login(page, live_server, email, DEMO_PASSWORD)
        goto(page, live_server, "deposer-une-offre")
    expect(page.get_by_text("Étape 2 sur 3")).to_be_visible()
    expect(page.get_by_role("textbox", name="Saisissez le nom (raison sociale) de votre établissement *")) \
        .to_have_value("Ecole maternelle de Chauffailles - Circonscription de Charolles")
    click(page, "Précédent")
    expect(page.get_by_role("textbox", name="Décrivez les activités qui seront proposées à l'élève")) \
        .to_have_value("Observation de la classe de grande section")
    assert offers_of(live_server, "0710043L").startswith("[('draft', 1)]")


def test_a_double_click_on_publish_publishes_one_offer(live_server, page):
    email = new_director(live_server, "0710162R")
    login(page, live_server, email, DEMO_PASSWORD)
    click(page, "Publier une offre")
    click(page, "Suivant")
    click(page, "Suivant")
    expect(page.get_by_text("Étape 3 sur 3")).to_be_visible()
    set_time(page, "Lundi : de", "08:30")
    set_time(page, "Lundi : à", "11:30")
    page.get_by_role("button", name="Publier l'offre").dblclick()
    wait_idle(page)
    expect(page.get_by_text("Votre offre de stage est publiée")).to_be_visible()
    assert offers_of(live_server, "0710162R").startswith("[('published', 3)]")
    published_changes = live_server.python(
        "from sqlalchemy import func, select\nfrom db import read_session\n"
        "from db.models import Offer, School, StatusChange\n"
        "with read_session() as s:\n"
        "    print(s.scalar(select(func.count()).select_from(StatusChange)"
        ".join(Offer, Offer.id == StatusChange.entity_id).join(School, School.id == Offer.school_id)"
        ".where(StatusChange.entity_type == 'offer', StatusChange.to_status == 'published', "
        "School.uai == '0710162R')))"
    )
    assert published_changes.strip() == "1"
