"""Production (issue 15): the browser-session login cookie, /app/health, JSON logs, check-deploy, backups."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from db.models import Role
from stages import logs
from stages.config import reset_settings
from stages.domain import security
from stages.domain.timeutil import utcnow
from stages.services import accounts, deployment, health, login_sessions, maintenance
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = factories.PASSWORD


def director() -> tuple[int, str]:
    email = "ce.0711989b@ac-dijon.fr"
    return factories.make_user(Role.DIRECTOR, email=email, uai="0711989B", first_name="Hugues",
                               last_name="Traver"), email


# --------------------------------------------------------------------------- browser-session login


def test_a_login_without_remember_opens_a_browser_session_cookie_with_a_30_minute_idle_limit(db_url):
    user_id, email = director()
    now = utcnow()
    assert login_sessions.login(email, PASSWORD, now=now).handoff_token is None  # the CLI and old callers
    handoff = login_sessions.login(email, PASSWORD, session_cookie=True, now=now).handoff_token
    assert login_sessions.keep_login_alive(handoff_token=handoff, now=now) is None  # not handed over yet
    cookie, expires = login_sessions.open_remembered_session(handoff, "Chromium", now=now)
    assert expires is None  # a session cookie: no Max-Age
    restored = login_sessions.restore_login(cookie, now=now + dt.timedelta(minutes=29))
    assert restored.user.id == user_id and restored.persistent is False
    # Activity through the page that logged in (by its handoff) keeps it alive for another server.
    later = now + dt.timedelta(minutes=55)
    assert login_sessions.keep_login_alive(handoff_token=handoff, now=later) is True
    assert login_sessions.restore_login(cookie, now=later + dt.timedelta(minutes=29)) is not None
    # 30 minutes without activity: over, on every server.
    idle = later + dt.timedelta(minutes=60)
    assert login_sessions.restore_login(cookie, now=idle) is None
    assert login_sessions.keep_login_alive(cookie_token=cookie, now=idle) is False
    assert login_sessions.keep_login_alive(handoff_token=handoff, now=idle) is False


def test_logout_revokes_the_browser_session_cookie(db_url):
    user_id, email = director()
    handoff = login_sessions.login(email, PASSWORD, session_cookie=True).handoff_token
    cookie, _ = login_sessions.open_remembered_session(handoff)
    assert login_sessions.restore_session(cookie).id == user_id
    login_sessions.logout(user_id)
    assert login_sessions.restore_session(cookie) is None
    assert login_sessions.keep_login_alive(handoff_token=handoff) is False


@pytest.mark.parametrize("remember", [True, False], ids=["remembered", "browser-session"])
def test_a_login_cookie_ends_with_its_session_generation(db_url, remember):
    """Issue 10's session generation (password changed or reset, "Se déconnecter") ends the cookies too,
    even one opened from a handoff issued before the change, and even if a cookie escaped the revocation."""
    from sqlalchemy import update

    from db import write_session
    from db.models import User
    from stages.services import auth

    user_id, email = director()
    cookie, _ = login_sessions.open_remembered_session(
        login_sessions.login(email, PASSWORD, remember=remember, session_cookie=True).handoff_token)
    late_handoff = login_sessions.login(email, PASSWORD, remember=remember, session_cookie=True).handoff_token
    assert login_sessions.restore_session(cookie).id == user_id and login_sessions.is_session_valid(cookie)
    # A generation change alone (no revocation of the cookie rows) is enough.
    with write_session() as session:
        session.execute(update(User).where(User.id == user_id).values(session_generation=User.session_generation + 1))
    assert login_sessions.restore_session(cookie) is None and not login_sessions.is_session_valid(cookie)
    # The password changed elsewhere between the login and its cookie handoff: that cookie is refused too.
    late = login_sessions.login(email, PASSWORD, remember=remember, session_cookie=True).handoff_token
    accounts.change_password(auth.load_user(user_id), current_password=PASSWORD, new_password="Nouveau-mot-2025?")
    for handoff in (late_handoff, late):
        opened = login_sessions.open_remembered_session(handoff)
        assert opened is None or login_sessions.restore_session(opened[0]) is None
    # A login after the change gets a working cookie.
    fresh, _ = login_sessions.open_remembered_session(
        login_sessions.login(email, "Nouveau-mot-2025?", remember=remember, session_cookie=True).handoff_token)
    assert login_sessions.restore_session(fresh).id == user_id


def test_a_remembered_login_outlives_the_30_minute_idle_limit(db_url):
    _user_id, email = director()
    now = utcnow()
    cookie, expires = login_sessions.open_remembered_session(login_sessions.login(email, PASSWORD, remember=True,
                                                                                  now=now).handoff_token, now=now)
    assert expires - now == dt.timedelta(days=security.REMEMBER_DAYS)
    assert login_sessions.restore_login(cookie, now=now + dt.timedelta(days=3)).persistent is True


# --------------------------------------------------------------------------- health and logs


def test_health_says_database_and_migrations_without_personal_data(db_url, monkeypatch):
    director()
    monkeypatch.setenv("APP_BASE_URL", "https://stages.example.fr")
    reset_settings()
    report = health.check("https://stages.example.fr")
    assert report["status"] == "ok" and report["database"] == "ok" and report["migrations"] == "ok"
    assert report["base_url_matches"] is True
    assert health.check("https://stages.example.fr:8443")["base_url_matches"] is False
    assert "ac-dijon" not in json.dumps(report) and "Traver" not in json.dumps(report)


def test_one_json_log_line_per_write_without_secrets_or_names(db_url, caplog):
    caplog.set_level(logging.INFO, logger="stages")
    user_id, email = director()
    student = factories.make_user(Role.STUDENT, first_name="Zoé", last_name="Secrète")
    offer = factories.make_offer(user_id)
    cand = factories.make_candidature(offer, student)
    caplog.clear()
    logs.set_actor(user_id)
    handoff = login_sessions.login(email, PASSWORD, session_cookie=True).handoff_token
    from stages.services.auth import load_user
    from stages.services.candidatures import answers

    answers.accept(load_user(user_id), cand)
    lines = [logs.JsonFormatter().format(r) for r in caplog.records if getattr(r, "event", None) == "write"]
    assert any('"to": "accepted"' in line and "stages.services.candidatures" in line for line in lines), lines
    for line in lines:
        data = json.loads(line)
        assert data["actor_id"] == user_id and data["result"] == "ok" and data["action"].startswith("stages.")
        for secret in (PASSWORD, handoff, "Secrète", "Zoé", "motivée", email):
            assert secret not in line
    logs.set_actor(None)


# --------------------------------------------------------------------------- backups


def test_rotation_keeps_n_daily_and_m_weekly():
    start = dt.datetime(2026, 1, 1, 1, 30)
    stamps = [start + dt.timedelta(days=d, hours=h) for d in range(60) for h in (0, 5)]
    keep = maintenance.backups_to_keep(stamps, keep_daily=7, keep_weekly=5)
    newest_days = sorted({s.date() for s in stamps})[-7:]
    assert {s.date() for s in keep} >= set(newest_days)
    assert len({tuple(s.isocalendar())[:2] for s in keep}) == 5  # the 7 days fall within the 5 weeks kept
    assert all(s == max(x for x in stamps if x.date() == s.date()) for s in keep)  # the newest of its day
    assert len(keep) <= 7 + 5


def run(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**os.environ, **env},
                          capture_output=True, text=True, check=False, timeout=300)


def test_backup_rotation_and_restore_refuses_a_non_empty_database(db_url, tmp_path):
    if db_url.startswith("postgresql") and not all(map(__import__("shutil").which, ("pg_dump", "pg_restore"))):
        pytest.fail("pg_dump/pg_restore missing (apt-get install -y postgresql-client)")
    factories.make_user(Role.STUDENT, email="gardee@example.fr")
    env = {"DATABASE_URL": db_url, "BACKUP_DIR": str(tmp_path / "b"), "BACKUP_KEEP_DAILY": "2",
           "BACKUP_KEEP_WEEKLY": "1"}
    made = run(env, "backup")
    assert made.returncode == 0, made.stderr
    files = list((tmp_path / "b").iterdir())
    assert len(files) == 1 and oct(files[0].stat().st_mode & 0o777) == "0o600"
    assert oct((tmp_path / "b").stat().st_mode & 0o777) == "0o700"
    refused = run(env, "restore", str(files[0]))
    assert refused.returncode == 2 and "--force" in refused.stderr
    factories.make_user(Role.STUDENT, email="perdue@example.fr")
    restored = run(env, "restore", "--force", str(files[0]))
    assert restored.returncode == 0, restored.stderr
    from db import read_session, reset_engine
    from db.models import User
    from sqlalchemy import select

    reset_engine()
    with read_session() as session:
        emails = set(session.scalars(select(User.email)))
    assert "gardee@example.fr" in emails and "perdue@example.fr" not in emails
    assert run(env, "restore", str(tmp_path / "absent.dump")).returncode == 2


# --------------------------------------------------------------------------- check-deploy


def production_env(db_url: str, tmp_path: Path) -> dict[str, str]:
    backups = tmp_path / "backups"
    backups.mkdir(mode=0o700, exist_ok=True)
    site = tmp_path / "site.conf"
    site.write_text("server {\n  server_name stages.example.fr;\n  proxy_set_header Host $http_host;\n}\n")
    return {"DATABASE_URL": db_url, "APP_BASE_URL": "https://stages.example.fr", "SMTP_HOST": "127.0.0.1",
            "DEV_OUTBOX": "0", "BCRYPT_ROUNDS": "12", "APP_SERVERS": "1", "BACKUP_DIR": str(backups),
            "NGINX_SITE": str(site)}


def report_with(monkeypatch, env: dict[str, str]) -> deployment.DeployReport:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    reset_settings()
    return deployment.check_deploy(live=False)


def test_check_deploy_passes_a_production_configuration(db_url, tmp_path, monkeypatch):
    report = report_with(monkeypatch, production_env(db_url, tmp_path))
    assert report.ok, report.lines()


@pytest.mark.parametrize("change, reason", [
    ({"DEV_OUTBOX": "1"}, "DEV_OUTBOX est activé"),
    ({"SMTP_HOST": ""}, "aucun serveur SMTP"),
    ({"APP_BASE_URL": "http://stages.example.fr"}, "n'est pas en https"),
    ({"BCRYPT_ROUNDS": "10"}, "coût bcrypt 10"),
    ({"APP_BASE_URL": "https://autre.example.fr"}, "ne correspond à aucun server_name"),
])
def test_check_deploy_says_why_a_configuration_is_unsafe(db_url, tmp_path, monkeypatch, change, reason):
    report = report_with(monkeypatch, {**production_env(db_url, tmp_path), **change})
    assert not report.ok and any(reason in e for e in report.errors), report.lines()


def test_check_deploy_refuses_demo_accounts_sqlite_for_two_servers_and_open_backups(db_url, tmp_path, monkeypatch):
    from stages.seed import demo

    env = production_env(db_url, tmp_path)
    (tmp_path / "backups").chmod(0o755)
    factories.make_user(Role.COORDINATOR, email=demo.COORDINATOR[0])
    report = report_with(monkeypatch, env)
    assert any("comptes de démonstration" in e for e in report.errors)
    assert any("lisible par tous" in e for e in report.errors)
    sqlite = report_with(monkeypatch, {**env, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
                                       "APP_SERVERS": "2"})
    assert any("SQLite avec APP_SERVERS=2" in e for e in sqlite.errors)
    assert any("migrations non appliquées" in e for e in sqlite.errors)
    site = tmp_path / "site.conf"
    site.write_text("server {\n  server_name stages.example.fr;\n  proxy_set_header Host $host;\n}\n")
    port = report_with(monkeypatch, {**env, "APP_BASE_URL": "https://stages.example.fr:8443"})
    assert any("Host $host" in e for e in port.errors)
