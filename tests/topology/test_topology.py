"""Two app servers behind nginx on PostgreSQL: a lost app server logs nobody out, loses and doubles nothing.

Also: ``check-deploy`` passes on this configuration and fails on the default one, the timers'
commands run against it, and a restore refuses to overwrite its data.
"""

from __future__ import annotations

import json
import os
import sys

from playwright.sync_api import expect

from tests.e2e.conftest import IDLE, refuse, row, wait_idle
from tests.topology.conftest import ROOT, unit_exec

PASSWORD = "Mot-de-passe-2025!"
DIRECTOR = "ce.0711989b@ac-dijon.fr"

SETUP = f"""
from db.models import Role
from tests import factories
director = factories.make_user(Role.DIRECTOR, email={DIRECTOR!r}, uai="0711989B", first_name="Hugues",
                               last_name="Traver", password={PASSWORD!r})
offer = factories.make_offer(director, max_students=2, title="Stage topologie")
ids = []
for first, last in (("Zoé", "Première"), ("Max", "Second")):
    student = factories.make_user(Role.STUDENT, first_name=first, last_name=last, password={PASSWORD!r})
    ids.append(factories.make_candidature(offer, student))
print(*ids)
"""

STATE = """
import sys
from sqlalchemy import select, func
from db import read_session
from db.models import Candidature, StatusChange
ids = [int(x) for x in sys.argv[1:]]
with read_session() as s:
    for cid in ids:
        status = s.get(Candidature, cid).status
        changes = s.scalar(select(func.count()).select_from(StatusChange).where(
            StatusChange.entity_type == "candidature", StatusChange.entity_id == cid,
            StatusChange.to_status == status))
        print(cid, status, changes)
    print("total", s.scalar(select(func.count()).select_from(Candidature)))
"""


def db_state(topology, ids):
    import subprocess

    out = subprocess.run([sys.executable, "-c", STATE, *map(str, ids)], cwd=ROOT, env=topology.env,
                         capture_output=True, text=True, check=True).stdout.split("\n")
    rows = {int(line.split()[0]): (line.split()[1], int(line.split()[2])) for line in out if line and
            not line.startswith("total")}
    total = int(next(line for line in out if line.startswith("total")).split()[1])
    return rows, total


def cookie(context, name):
    return next((c for c in context.cookies() if c["name"] == name), None)


def open_candidature(page, name: str) -> None:
    page.get_by_role("tab", name="Candidatures").click()
    wait_idle(page)
    row(page, name).get_by_role("button", name="Ouvrir").click()
    wait_idle(page)


def test_a_killed_app_server_loses_no_login_and_no_answer(topology, browser):
    first, second = (int(x) for x in topology.python(SETUP).split())
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", ignore_https_errors=True,
                                  viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        # The director logs in through nginx (TLS), without "Se souvenir de moi".
        page.goto(f"{topology.url}/connexion")
        wait_idle(page)
        page.get_by_role("textbox", name="Adresse électronique").fill(DIRECTOR)
        page.get_by_role("textbox", name="Mot de passe", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        wait_idle(page)
        expect(page.get_by_text("Connecté : Hugues Traver")).to_be_visible()
        # The browser-session login cookie: HttpOnly, Secure, no expiry (it ends with the browser).
        for _ in range(100):
            login_cookie = cookie(context, "stages_session")
            if login_cookie:
                break
            page.wait_for_timeout(100)
        assert login_cookie and login_cookie["httpOnly"] and login_cookie["secure"]
        assert login_cookie["expires"] == -1
        expect(page.get_by_text("n'a pas pu être mémorisé")).to_have_count(0)

        # A first answer.
        open_candidature(page, "Zoé Première")
        page.get_by_role("button", name="Accepter", exact=True).click()
        wait_idle(page)
        page.get_by_role("button", name="Confirmer l'acceptation", exact=True).click()  # one click more
        wait_idle(page)
        expect(page.get_by_text("Candidature de Zoé Première acceptée.")).to_be_visible()

        # The app server of this browser dies (SIGKILL: no goodbye).
        route = cookie(context, "stages_route")
        assert route, "nginx sets the sticky routing cookie"
        serving = topology.upstream_of(route["value"])
        other = next(p for p in topology.app_ports if p != serving)
        topology.kill(serving)

        # The page reconnects through nginx to the other server, still logged in.
        expect(page.get_by_text("Connecté : Hugues Traver")).to_be_visible(timeout=60_000)
        page.wait_for_selector(IDLE, timeout=60_000)
        page.get_by_role("tab", name="Candidatures").click()
        wait_idle(page)
        # This browser's requests now go to the surviving server (its access log line names it).
        assert page.evaluate("fetch('/app/health').then(r => r.status)") == 200
        for _ in range(50):  # nginx writes the line just after the answer
            if topology.upstream_of(route["value"]) == other:
                break
            page.wait_for_timeout(100)
        assert topology.upstream_of(route["value"]) == other
        expect(page.get_by_text("Connecté : Hugues Traver")).to_be_visible()
        refuse(page, "Max Second", "La classe accueille déjà un stagiaire.")
        expect(page.get_by_text("Candidature de Max Second refusée.")).to_be_visible()

        # F5 on the surviving server: still logged in (the cookie, not the lost process, holds the login).
        page.reload()
        wait_idle(page)
        expect(page.get_by_text("Connecté : Hugues Traver")).to_be_visible()
    finally:
        context.close()

    # Nothing lost, nothing doubled: each answer recorded once (one status change to it).
    rows, total = db_state(topology, [first, second])
    assert rows[first] == ("accepted", 1), rows
    assert rows[second] == ("refused", 1), rows
    assert total == 2


def test_check_deploy_passes_here_and_fails_on_the_default_configuration(topology, tmp_path):
    result = topology.manage("check-deploy")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ERREUR" not in result.stdout
    assert "répond à travers le proxy" in result.stdout

    default_env = {key: value for key, value in os.environ.items()
                   if key in ("PATH", "HOME", "LANG", "PYTHONPATH")}
    default_env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'default.sqlite3'}"
    default = topology.manage("check-deploy", "--no-live", env=default_env)
    assert default.returncode == 1
    for reason in ("aucun serveur SMTP", "n'est pas en https", "migrations non appliquées"):
        assert reason in default.stdout, default.stdout
    assert "DEV_OUTBOX=0" in default.stdout  # the developers' outbox is off unless set (issue 10)

    # The production configuration with the developers' outbox switched on.
    outbox = topology.manage("check-deploy", "--no-live", env={**topology.env, "DEV_OUTBOX": "1"})
    assert outbox.returncode == 1 and "DEV_OUTBOX est activé" in outbox.stdout

    # An APP_BASE_URL that is not the proxy's address: the live probe and the site check both say so.
    mismatch = topology.manage("check-deploy", env={**topology.env, "APP_BASE_URL": topology.url.replace(
        "127.0.0.1", "localhost")})
    assert mismatch.returncode == 1
    assert "server_name" in mismatch.stdout or "ne transmet pas" in mismatch.stdout

    # SQLite with two app servers, and a world-readable backups folder.
    sqlite_env = {**topology.env, "DATABASE_URL": f"sqlite:///{tmp_path / 'two.sqlite3'}"}
    two = topology.manage("check-deploy", "--no-live", env=sqlite_env)
    assert "SQLite avec APP_SERVERS=2" in two.stdout and two.returncode == 1
    readable = tmp_path / "backups-open"
    readable.mkdir(mode=0o755)
    readable.chmod(0o755)
    open_backups = topology.manage("check-deploy", "--no-live", env={**topology.env, "BACKUP_DIR": str(readable)})
    assert open_backups.returncode == 1 and "lisible par tous" in open_backups.stdout


def test_the_timers_commands_run_and_a_restore_keeps_the_data(topology):
    import subprocess

    for job in ("expire-candidatures", "send-reminders", "send-outbox", "purge-personal-data", "backup"):
        result = subprocess.run(unit_exec(f"stages-{job}.service"), cwd=ROOT, env=topology.env,
                                capture_output=True, text=True, check=False, timeout=300)
        assert result.returncode == 0, (job, result.stdout, result.stderr)
        # The logs are JSON lines (journald): every line that looks like JSON parses.
        for line in result.stdout.splitlines():
            if line.startswith("{"):
                json.loads(line)
    dumps = sorted((topology.workdir / "backups").glob("stages-*.dump"))
    assert dumps and oct(dumps[-1].stat().st_mode & 0o777) == "0o600"
    refused = topology.manage("restore", str(dumps[-1]))
    assert refused.returncode == 2 and "--force" in refused.stderr
