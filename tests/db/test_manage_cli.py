"""manage.py as a cron or an administrator runs it: a subprocess against a real database."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OFFICIAL = ROOT / "data" / "fr-en-annuaire-education-bfc.csv"


def run(url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url, "BCRYPT_ROUNDS": "4"}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300, check=False)


def test_import_schools_twice_changes_nothing(empty_db_url):
    first = run(empty_db_url, "import-schools", str(OFFICIAL))
    assert first.returncode == 0, first.stderr
    assert "Écoles : 525 créé(e)s, 0 modifié(e)s, 0 inchangé(e)s" in first.stdout
    assert "Lycées : 39 créé(e)s" in first.stdout
    assert "Circonscriptions : 13 créé(e)s" in first.stdout
    second = run(empty_db_url, "import-schools", str(OFFICIAL))
    assert "Écoles : 0 créé(e)s, 0 modifié(e)s, 525 inchangé(e)s" in second.stdout
    assert "Lycées : 0 créé(e)s, 0 modifié(e)s, 39 inchangé(e)s" in second.stdout


def test_create_user_then_refuse_a_duplicate(db_url):
    ok = run(db_url, "create-user", "--role", "coordinator", "--email", "c@ac-dijon.fr", "--password",
             "Mot-de-passe-2025!", "--first-name", "Claire", "--last-name", "Martin")
    assert ok.returncode == 0, ok.stderr
    again = run(db_url, "create-user", "--role", "coordinator", "--email", "C@ac-dijon.fr", "--password",
                "Mot-de-passe-2025!")
    assert again.returncode == 2
    assert "existe déjà" in again.stderr
    assert "Traceback" not in again.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["nope"],
        ["create-user", "--role", "king", "--email", "a@b.fr", "--password", "x"],
        ["create-user", "--email", "a@b.fr"],
        ["import-schools"],
        ["import-schools", "/nonexistent.csv"],
        ["purge-personal-data", "--today", "2026-11-29"],
        ["create-user", "--role", "director", "--email", "a@ac-dijon.fr", "--password", "Mot-de-passe-2025!"],
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(tmp_path, args):
    result = run(f"sqlite:///{tmp_path / 'x.sqlite3'}", *args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_every_command_has_help(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    listing = run(url, "--help")
    assert listing.returncode == 0
    for name in ("init-db", "import-schools", "create-user", "seed-demo", "backup"):
        assert name in listing.stdout
        assert run(url, name, "--help").returncode == 0


def test_init_db_seed_demo_and_backup(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh' / 'x.sqlite3'}"
    assert run(url, "init-db").returncode == 0
    seeded = run(url, "seed-demo")
    assert seeded.returncode == 0 and "Comptes créés : 22" in seeded.stdout  # 13, and 6 students and 3 lycée heads
    assert "déjà présentes" in run(url, "seed-demo").stdout
    purge = run(url, "purge-personal-data", "--dry-run")
    assert purge.returncode == 0 and "Aperçu" in purge.stdout
    backup = run(url, "backup", str(tmp_path / "save.sqlite3"))
    assert backup.returncode == 0 and (tmp_path / "save.sqlite3").stat().st_size > 0
