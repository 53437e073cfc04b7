"""Browser tests: Playwright drives Debian's Chromium against ``streamlit run server.py``.

``live_server`` starts the real app on a free port with its own SQLite database (demo data
seeded) and a real SMTP server on loopback, once per test module. ``page`` is a fresh
browser context for each test (its own cookies).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from loadtest import server
from tests.conftest import SmtpServer, free_port, start_smtp

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


@dataclass
class LiveServer:
    url: str
    database_url: str
    smtp: SmtpServer
    env: dict[str, str]

    def manage(self, *args: str) -> subprocess.CompletedProcess:
        """Run manage.py against this server's database."""
        return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, check=False)

    def python(self, code: str) -> str:
        """Run Python against this server's database (to arrange what a test needs)."""
        result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=self.env,
                                capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise AssertionError(result.stderr)
        return result.stdout


@pytest.fixture(scope="module")
def live_server() -> Iterator[LiveServer]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)")
    smtp, controller = start_smtp()
    workdir = Path(tempfile.mkdtemp(prefix="stages-e2e-"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'e2e.sqlite3'}",
        "APP_BASE_URL": url,
        "SMTP_HOST": smtp.host,
        "SMTP_PORT": str(smtp.port),
        "DEV_OUTBOX": "0",
        "BCRYPT_ROUNDS": "4",
        "PYTHONPATH": str(ROOT),
    }
    seeded = subprocess.run([sys.executable, "manage.py", "seed-demo"], cwd=ROOT, env=env,
                            capture_output=True, text=True, check=False)
    assert seeded.returncode == 0, seeded.stderr
    log = open(workdir / "streamlit.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "server.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        try:
            server.wait(proc, url, workdir / "streamlit.log", timeout=60)  # until /app/health answers
        except RuntimeError:
            raise AssertionError((workdir / "streamlit.log").read_text()) from None
        yield LiveServer(url, env["DATABASE_URL"], smtp, env)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        controller.stop()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(20_000)
    page = context.new_page()
    yield page
    context.close()


RUNNING = '[data-testid="stApp"][data-test-script-state="running"]'


def wait_idle(page, timeout: float = 20_000) -> None:
    """Wait until Streamlit has finished the run an action triggered (and any rerun it asked for)."""
    try:
        page.wait_for_selector(RUNNING, timeout=1_000)
    except Exception:  # noqa: BLE001 - the run may already be over
        pass
    page.wait_for_selector(IDLE, timeout=timeout)
    page.wait_for_timeout(200)
    page.wait_for_selector(IDLE, timeout=timeout)


def goto(page, server: LiveServer, path: str = "") -> None:
    page.goto(f"{server.url}/{path.lstrip('/')}")
    wait_idle(page)


def login(page, server: LiveServer, email: str, password: str, remember: bool = False) -> None:
    goto(page, server, "connexion")
    page.get_by_role("textbox", name="Adresse électronique").fill(email)
    page.get_by_role("textbox", name="Mot de passe", exact=True).fill(password)
    if remember:
        page.get_by_text("Se souvenir de moi").click()
    page.get_by_role("button", name="Se connecter").click()
    wait_idle(page)
    wait_for_login_cookie(page)


def wait_for_login_cookie(page, timeout: float = 10.0) -> None:
    """After a successful login the page's script fetches the login cookie: wait for it (as a person
    would not reload within those few milliseconds)."""
    if not page.get_by_text("Connecté :").count():
        return
    deadline = time.time() + timeout
    while time.time() < deadline:
        if any(c["name"] == "stages_session" for c in page.context.cookies()):
            return
        if page.get_by_role("alert").filter(has_text="n'a pas pu être mémorisé").count():
            return
        page.wait_for_timeout(50)


def row(page, name: str):
    """The row of a list (candidatures, offers) naming ``name``, with its "Ouvrir" or "Voir" button."""
    return page.get_by_test_id("stHorizontalBlock").filter(has_text=name).filter(
        has=page.get_by_role("button", name=re.compile("^(Ouvrir|Voir)$"))).last


def refuse(page, name: str, reason: str) -> None:
    """The director opens the candidature of ``name`` and refuses it with ``reason``."""
    row(page, name).get_by_role("button", name="Ouvrir").click()
    wait_idle(page)
    page.get_by_role("textbox", name="Motif du refus", exact=True).fill(reason)
    page.get_by_role("button", name="Refuser", exact=True).click()
    wait_idle(page)
