"""Administration: campaign settings, referential preview and import, accounts, history (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from sqlalchemy import text

from db import get_engine
from db.models import CandidatureStatus, OfferStatus, Role
from stages.config import ROOT
from stages.domain.timeutil import utcnow
from stages.services import auth, campaigns, mail
from stages.services.admin import account_management, campaign_settings, referential_import, status_history
from stages.services.errors import PermissionDenied, ValidationError
from tests.factories import make_candidature, make_offer, make_user


def sql(query: str, **params):
    with get_engine().connect() as conn:
        return conn.execute(text(query), params).scalar()


def coordinator():
    return auth.load_user(make_user(Role.COORDINATOR, first_name="Claire", last_name="Martin"))


# --------------------------------------------------------------------------- campaign


def test_campaign_defaults_follow_the_rule_and_save_validates(db_url):
    user = coordinator()
    form = campaign_settings.campaign_form(user, "2027-2028")
    assert not form.exists
    assert form.values["week1_start"] == dt.date(2028, 6, 19) and form.values["week2_end"] == dt.date(2028, 6, 30)
    values = dict(form.values, week1_start=dt.date(2028, 6, 20), response_delay_days=0, head_office_address="x")
    with pytest.raises(ValidationError) as err:
        campaign_settings.save_campaign(user, "2027-2028", values)
    assert set(err.value.errors) >= {"week1_start", "response_delay_days", "head_office_address"}
    assert "lundi" in err.value.errors["week1_start"]
    values = dict(form.values, week2_start=dt.date(2028, 7, 3), week2_end=dt.date(2028, 7, 7))
    with pytest.raises(ValidationError) as err:
        campaign_settings.save_campaign(user, "2027-2028", values)
    assert "2e semaine" in err.value.errors["week2_start"]
    with pytest.raises(ValidationError):
        campaign_settings.save_campaign(user, "2027-2028", dict(form.values, response_delay_days=61))

    good = dict(form.values, response_delay_days=10, head_office_address="DSDEN 71 - 24 bd Henri Dunant - Mâcon")
    view = campaign_settings.save_campaign(user, "2027-2028", good)
    assert view.response_delay_days == 10
    assert campaign_settings.campaign_form(user, "2027-2028").exists
    assert sql("SELECT response_delay_days FROM campaigns WHERE school_year = '2027-2028'") == 10
    assert sql("SELECT COUNT(*) FROM status_changes WHERE entity_type = 'campaign'") == 1
    assert "2027-2028" in campaign_settings.school_years(user)


def test_campaign_change_keeps_existing_offers_and_deadlines(db_url):
    user = coordinator()
    director = make_user(Role.DIRECTOR, uai="0711989B")
    offer = make_offer(director)
    cand = make_candidature(offer, make_user(Role.STUDENT))
    year = campaigns.current_school_year()
    deadline = sql("SELECT deadline_at FROM candidatures WHERE id = :id", id=cand)
    form = campaign_settings.campaign_form(user, year)
    campaign_settings.save_campaign(user, year, dict(form.values, response_delay_days=30,
                                         head_office_address="Nouveau siège - 1 rue de la Paix - Mâcon"))
    assert sql("SELECT deadline_at FROM candidatures WHERE id = :id", id=cand) == deadline
    assert sql("SELECT head_office_address FROM offers WHERE id = :id", id=offer) != \
        "Nouveau siège - 1 rue de la Paix - Mâcon"


def test_admin_is_for_coordinators_only(db_url):
    ien = auth.load_user(make_user(Role.IEN, circonscription_id=sql("SELECT MIN(id) FROM circonscriptions")))
    director = auth.load_user(make_user(Role.DIRECTOR, uai="0711989B"))
    for user in (ien, director, None):
        with pytest.raises(PermissionDenied):
            campaign_settings.campaign_form(user)
        with pytest.raises(PermissionDenied):
            account_management.list_accounts(user)
        with pytest.raises(PermissionDenied):
            status_history.history(user)
        with pytest.raises(PermissionDenied):
            referential_import.preview_referential(user, b"x")


# --------------------------------------------------------------------------- referential


def annuaire(rows: list[list[str]], header: list[str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def test_referential_preview_then_import_with_bad_rows(empty_db_url):
    user = coordinator()
    with open(ROOT / "data" / "fr-en-annuaire-education-bfc.csv", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh, delimiter=";")
        header = next(reader)
        kind = header.index("Type_etablissement")
        dep = header.index("Code_departement")
        schools = [r for r in reader if r[dep] == "71" and r[kind] == "Ecole"][:4]
    uai, name = header.index("Identifiant_de_l_etablissement"), header.index("Nom_etablissement")
    bad = list(schools[0])
    bad[uai] = "0719999Z"  # wrong check letter
    data = annuaire([*schools, bad], header)

    progress: list[float] = []
    preview = referential_import.preview_referential(user, data, progress.append)
    assert preview.dry_run and progress[-1] == 1.0
    new = preview.differences[preview.differences["Changement"] == "Nouveau"]
    assert sorted(new[new["Type"] == "École"]["UAI"]) == sorted(r[uai] for r in schools)
    assert preview.counts["erreurs"] == 1
    assert list(preview.errors["Ligne"]) == [6] and "UAI invalide" in preview.errors["Motif"][0]
    assert sql("SELECT COUNT(*) FROM schools") == 0  # nothing saved by a preview

    done = referential_import.import_referential(user, data)
    assert not done.dry_run and sql("SELECT COUNT(*) FROM schools") == 4
    assert len(done.errors) == 1

    changed = [list(r) for r in schools[:3]]
    changed[0][name] = "École renommée"
    second = referential_import.preview_referential(user, annuaire(changed, header))
    diff = second.differences
    assert list(diff[diff["Changement"] == "Modifié"]["UAI"]) == [schools[0][uai]]
    assert list(diff[diff["Changement"] == "Absent du fichier"]["UAI"]) == [schools[3][uai]]
    assert second.counts == {"nouveaux": 0, "modifiés": 1, "absents": 1, "erreurs": 0}

    with pytest.raises(ValidationError):
        referential_import.preview_referential(user, b"nimporte;quoi\n1;2\n")
    with pytest.raises(ValidationError):
        referential_import.preview_referential(user, b"")


# --------------------------------------------------------------------------- accounts


def test_accounts_search_deactivate_reactivate_and_history(db_url):
    user = coordinator()
    macon_nord = sql("SELECT id FROM circonscriptions WHERE code = '0710098W'")
    director = make_user(Role.DIRECTOR, uai="0711989B", first_name="Hugues", last_name="Traver")
    ien = make_user(Role.IEN, circonscription_id=macon_nord, first_name="Paul", last_name="Bernard")
    make_user(Role.STUDENT, first_name="Léa", last_name="Dupont")

    assert account_management.list_accounts(user).total == 4
    found = account_management.list_accounts(user, search="traver")
    assert list(found.rows["N°"]) == [director]
    assert list(account_management.list_accounts(user, role=Role.IEN).rows["N°"]) == [ien]
    assert list(account_management.list_accounts(user, school="0711989b").rows["N°"]) == [director]
    assert set(account_management.list_accounts(user, circonscription_id=macon_nord).rows["N°"]) == {director, ien}
    page = account_management.list_accounts(user, page=2, page_size=3)
    assert page.total == 4 and len(page.rows) == 1 and page.pages == 2

    account_management.deactivate_account(user, director)
    assert auth.load_user(director) is None
    assert account_management.list_accounts(user, search="traver").rows["État"][0] == "Désactivé"
    with pytest.raises(ValidationError):
        account_management.deactivate_account(user, director)
    with pytest.raises(ValidationError):
        account_management.deactivate_account(user, user.id)
    account_management.reactivate_account(user, director)
    assert auth.load_user(director) is not None
    events = status_history.user_history(user, director)
    assert list(events["Vers"]) == ["Actif", "Désactivé"]
    assert all("Claire Martin" in who for who in events["Auteur"])


def test_resend_activation_and_create_staff(db_url):
    user = coordinator()
    pending = make_user(Role.DIRECTOR, uai="0711989B", activated=False, email="ce.0711989b@ac-dijon.fr")
    message = account_management.resend_account_activation(user, pending)
    assert "ce.0711989b@ac-dijon.fr" in message
    assert [m.kind for m in mail.outbox(to="ce.0711989b@ac-dijon.fr")] == ["activation"]
    with pytest.raises(ValidationError):
        account_management.resend_account_activation(user, user.id)  # already active

    with pytest.raises(ValidationError) as err:
        account_management.create_staff_account(user, role=Role.IEN, email="ien@ac-dijon.fr", first_name="Paul",
                                                last_name="Bernard",
                                                password=account_management.suggested_password())
    assert "circonscription" in err.value.errors
    with pytest.raises(ValidationError):
        account_management.create_staff_account(user, role=Role.DIRECTOR, email="x@ac-dijon.fr", first_name="A",
                                                last_name="B", password=account_management.suggested_password())
    circ = sql("SELECT id FROM circonscriptions WHERE code = '0710098W'")
    created = account_management.create_staff_account(user, role=Role.IEN, email="IEN.Test@ac-dijon.fr",
                                                      first_name="Paul", last_name="Bernard", circonscription_id=circ,
                                                      password=account_management.suggested_password())
    assert created.role == Role.IEN and created.circonscription_id == circ and created.email == "ien.test@ac-dijon.fr"
    coord = account_management.create_staff_account(user, role=Role.COORDINATOR, email="c2@ac-dijon.fr",
                                                    first_name="Zoé", last_name="Durand",
                                                    password=account_management.suggested_password())
    assert coord.role == Role.COORDINATOR
    assert sql("SELECT author_id FROM status_changes WHERE entity_type = 'user' AND entity_id = :id",
               id=created.id) == user.id


# --------------------------------------------------------------------------- history


def test_history_filters_and_export(db_url):
    user = coordinator()
    director = make_user(Role.DIRECTOR, uai="0711989B", first_name="Hugues", last_name="Traver")
    student = make_user(Role.STUDENT, first_name="Léa", last_name="Dupont", email="lea@example.fr")
    offer = make_offer(director, title="Professeur des écoles")
    cand = make_candidature(offer, student)
    now = utcnow()
    with get_engine().begin() as conn:
        rows = [
            ("offer", offer, OfferStatus.DRAFT, OfferStatus.PUBLISHED, director, now - dt.timedelta(days=10)),
            ("candidature", cand, None, CandidatureStatus.SUBMITTED, student, now - dt.timedelta(days=5)),
            ("candidature", cand, CandidatureStatus.SUBMITTED, CandidatureStatus.ACCEPTED, director, now),
            ("user", director, None, "active", None, now - dt.timedelta(days=20)),
        ]
        for entity, entity_id, before, after, author, at in rows:
            conn.execute(text("INSERT INTO status_changes (entity_type, entity_id, from_status, to_status, author_id, at)"
                              " VALUES (:e, :i, :f, :t, :a, :at)"),
                         {"e": entity, "i": entity_id, "f": before, "t": after, "a": author, "at": at})
    everything = status_history.history(user)
    assert everything.total == sql("SELECT COUNT(*) FROM status_changes WHERE entity_type IN ('offer', 'candidature')")
    assert list(everything.rows["Vers"]) == ["Acceptée — en attente de confirmation", "Reçue", "Publiée"]
    assert "Élève" in list(everything.rows["Auteur"])  # students are never named
    assert "Dupont" not in everything.rows.to_csv()
    only_offers = status_history.history(user, status_history.HistoryFilters(entity_types=("offer",)))
    assert only_offers.total == 1 and "Professeur des écoles" in only_offers.rows["Objet"][0]
    today = now.date()
    recent = status_history.history(user, status_history.HistoryFilters(date_from=today - dt.timedelta(days=6),
                                                                         date_to=today))
    assert recent.total == 2
    by_author = status_history.history(user, status_history.HistoryFilters(author="traver"))
    assert by_author.total == 2
    with pytest.raises(ValidationError):
        status_history.history(user, status_history.HistoryFilters(date_from=today,
                                                                   date_to=today - dt.timedelta(days=1)))
    export = status_history.export_history(user, "csv")
    content = export.data.decode("utf-8-sig")
    assert export.file_name == "historique.csv" and content.count("\n") == 4
    assert "lea@example.fr" not in content and "Dupont" not in content
    assert status_history.export_history(user, "xlsx").data[:2] == b"PK"


def test_account_actions_are_decided_by_the_service(db_url):
    coordinator = auth.load_user(make_user(Role.COORDINATOR))
    pending = make_user(Role.IEN, activated=False)
    actions = account_management.account_actions(coordinator, pending)
    assert (actions.can_resend_activation, actions.can_deactivate, actions.can_reactivate) == (True, True, False)
    account_management.deactivate_account(coordinator, pending)
    actions = account_management.account_actions(coordinator, pending)
    assert (actions.can_resend_activation, actions.can_deactivate, actions.can_reactivate) == (False, False, True)
    assert "(Désactivé)" in actions.label
