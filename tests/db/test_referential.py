"""The importer reads the ministry's annuaire and the project's extracts, and agrees with them."""

import csv

from sqlalchemy import func, select, text

from db import read_session
from db.models import Circonscription, Lycee, School
from stages.services import referential

OFFICIAL = referential.DATA_DIR / "fr-en-annuaire-education-bfc.csv"


def test_official_file_gives_the_same_schools_as_the_extracts(empty_db_url):
    report = referential.import_file(OFFICIAL)
    assert len(report.schools.created) == 525
    assert len(report.lycees.created) == 39
    assert len(report.circonscriptions.created) == 13
    assert report.errors == []  # the duplicated UAIs of 71 are collèges, not écoles or lycées
    assert report.skipped == 3531 - 525 - 39 - 13
    extract_uais = {row["uai"] for row in csv.DictReader(open(referential.DATA_DIR / "ecoles_71.csv", encoding="utf-8"))}
    with read_session() as session:
        assert set(session.scalars(select(School.uai))) == extract_uais
    # Loading the extracts on top changes nothing: they hold the same values.
    for rep in referential.import_project_extracts():
        assert rep.schools.changed == [] and rep.lycees.changed == [] and rep.circonscriptions.changed == []
        assert rep.schools.created == [] and rep.lycees.created == [] and rep.circonscriptions.created == []


def test_import_twice_changes_nothing(empty_db_url):
    referential.import_file(OFFICIAL)
    again = referential.import_file(OFFICIAL)
    assert again.schools.created == [] and again.schools.changed == [] and again.schools.unchanged == 525
    assert again.lycees.unchanged == 39 and again.circonscriptions.unchanged == 13
    assert referential.counts() == referential.Counts(13, 525, 39)


def test_phone_numbers_are_repaired_and_links_are_made(db_url):
    with read_session() as session:
        school = session.scalar(select(School).where(School.uai == "0711989B"))
        assert school.phone == "0385383606"
        assert school.circonscription.code == "0710098W"
        assert school.circonscription.short_name == "Mâcon Nord"
        assert school.school_type == "élémentaire"
        assert school.departement_code == "71" and school.academie_code == "7"
        assert session.scalar(select(func.count()).select_from(School).where(School.rep.is_(True))) == 15
        assert session.scalar(select(func.count()).select_from(School).where(School.circonscription_id.is_(None))) == 0
        lycee = session.scalar(select(Lycee).where(Lycee.uai == "0710001R"))
        assert lycee.voie_generale and lycee.phone == "0385865245"
        general = session.scalar(
            select(func.count()).select_from(Lycee).where(Lycee.voie_generale | Lycee.voie_technologique)
        )
        assert general == 24
        assert session.execute(text("select count(*) from circonscriptions")).scalar() == 13
        assert session.scalar(select(Circonscription.short_name).where(Circonscription.code == "0711707V")) == "Le Creusot"


def test_a_changed_row_is_reported_and_updated(db_url):
    header = OFFICIAL.read_text(encoding="utf-8").splitlines()[0]
    row = next(line for line in OFFICIAL.read_text(encoding="utf-8").splitlines() if line.startswith("0711989B;"))
    changed = row.replace("20 bis rue de l'Héritan", "22 rue de l'Héritan")
    report = referential.import_file(f"{header}\n{changed}\n".encode())
    assert report.schools.changed == ["0711989B"]
    with read_session() as session:
        assert session.scalar(select(School.address).where(School.uai == "0711989B")) == "22 rue de l'Héritan"
    referential.import_file(f"{header}\n{row}\n".encode())  # put it back for the next tests


def test_bad_rows_are_listed_and_good_rows_still_imported(empty_db_url):
    lines = OFFICIAL.read_text(encoding="utf-8").splitlines()
    header, good = lines[0], next(line for line in lines if line.startswith("0711989B;"))
    bad_uai = good.replace("0711989B", "0711989C", 1)
    no_name = good.replace("0711989B;ECOLE ELEMENTAIRE", "0710895M;", 1)
    report = referential.import_file(f"{header}\n{bad_uai}\n{good}\n{no_name}\n".encode())
    assert report.schools.created == ["0711989B"]
    assert [line for line, _ in report.errors] == [2, 4]
    assert "UAI invalide" in report.errors[0][1]


def test_dry_run_changes_nothing(empty_db_url):
    report = referential.import_file(OFFICIAL, dry_run=True)
    assert len(report.schools.created) == 525
    assert referential.counts().schools == 0


def test_unknown_file_is_refused():
    import pytest

    with pytest.raises(ValueError, match="Fichier non reconnu"):
        referential.parse_file(b"a,b,c\n1,2,3\n")


def test_bad_rows_are_listed_by_line_and_good_rows_imported_on_both_databases(empty_db_url):
    """Issue 10: an over-long field (even past the csv module's 131,072 characters), a 5,000-character
    name or a 40-digit phone used to abort the import on PostgreSQL (and be stored on SQLite)."""
    import io

    source = (referential.DATA_DIR / "lycees_71.csv").read_text(encoding="utf-8").splitlines()
    reader = list(csv.DictReader(io.StringIO("\n".join(source))))
    header = list(reader[0].keys())
    rows = reader[:6]
    rows[1]["nom"] = "N" * 5000
    rows[2]["telephone"] = "0" * 40
    rows[3]["adresse"] = "A" * 200_000
    rows[4]["mail"] = "eve@[poison.fr"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header)
    writer.writeheader()
    writer.writerows(rows)
    report = referential.import_file(out.getvalue().encode("utf-8"))
    assert [line for line, _reason in report.errors] == [3, 4, 5, 6]
    reasons = " ".join(reason for _line, reason in report.errors)
    assert "nom trop long (5000 caractères, 200 au plus)" in reasons and "téléphone trop long" in reasons
    assert "adresse trop long" in reasons and "adresse électronique invalide" in reasons
    with read_session() as session:
        stored = set(session.scalars(select(Lycee.uai)))
    assert stored == {rows[0]["uai"], rows[5]["uai"]}
