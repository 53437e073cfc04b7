"""Shared fixtures.

Databases: ``db_url`` runs a test on SQLite and, when ``TEST_DATABASE_URL`` is set, on
PostgreSQL too. Each backend is migrated and loaded with the real referential once per run;
each test then starts with every other table empty. ``empty_db_url`` empties the referential
too (for import tests).

Mail: ``smtp_server`` is a real SMTP server (aiosmtpd) on loopback that keeps what it receives.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import text

os.environ.setdefault("BCRYPT_ROUNDS", "4")

from db import session as db_session  # noqa: E402
from db.models import Base  # noqa: E402
from stages.config import reset_settings  # noqa: E402
from loadtest.server import free_port  # noqa: E402 - one free-port helper for the tests and the benchmarks

REFERENTIAL_TABLES = ("circonscriptions", "schools", "lycees")
_TMP = Path(tempfile.mkdtemp(prefix="stages-tests-"))
_state: dict[str, bool] = {}


def _backends() -> list:
    params = [pytest.param(f"sqlite:///{_TMP / 'test.sqlite3'}", id="sqlite")]
    pg = os.environ.get("TEST_DATABASE_URL")
    params.append(
        pytest.param(pg, id="postgresql")
        if pg
        else pytest.param(None, id="postgresql", marks=pytest.mark.skip(reason="TEST_DATABASE_URL is not set"))
    )
    return params


def use_database(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    reset_settings()


def _clear(url: str, tables: list[str]) -> None:
    engine = db_session.get_engine(url)
    with engine.begin() as conn:
        if url.startswith("postgresql"):
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(text(f"DELETE FROM {table}"))


def _prepare(url: str, *, referential: bool) -> None:
    if not _state.get(f"schema:{url}"):
        if url.startswith("postgresql"):
            engine = db_session.get_engine(url)
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
            db_session.reset_engine()
        db_session.ensure_database(url)
        _state[f"schema:{url}"] = True
        _state[f"ref:{url}"] = False
    others = [t.name for t in reversed(Base.metadata.sorted_tables) if t.name not in REFERENTIAL_TABLES]
    _clear(url, others)
    if referential and not _state.get(f"ref:{url}"):
        from stages.services import referential as ref

        _clear(url, list(reversed(REFERENTIAL_TABLES)))
        ref.import_project_extracts(url=url)
        _state[f"ref:{url}"] = True
    if not referential:
        _clear(url, list(reversed(REFERENTIAL_TABLES)))
        _state[f"ref:{url}"] = False


@pytest.fixture(params=_backends())
def db_url(request, monkeypatch) -> Iterator[str]:
    """A database with the real referential and nothing else, on each backend."""
    url = request.param
    use_database(monkeypatch, url)
    _prepare(url, referential=True)
    yield url
    reset_settings()


@pytest.fixture(params=_backends())
def empty_db_url(request, monkeypatch) -> Iterator[str]:
    """A migrated database with every table empty, on each backend."""
    url = request.param
    use_database(monkeypatch, url)
    _prepare(url, referential=False)
    yield url
    reset_settings()


@pytest.fixture
def sqlite_url(monkeypatch) -> Iterator[str]:
    """The SQLite database only (AppTest), with the referential."""
    url = f"sqlite:///{_TMP / 'test.sqlite3'}"
    use_database(monkeypatch, url)
    _prepare(url, referential=True)
    yield url
    reset_settings()


# --------------------------------------------------------------------------- mail


@dataclass
class SmtpServer:
    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def wait_for(self, address: str, count: int = 1, timeout: float = 30.0) -> list[EmailMessage]:
        import time

        deadline = time.time() + timeout
        while time.time() < deadline:
            found = self.to(address)
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(f"no mail to {address} after {timeout}s; got {[m['To'] for m in self.messages]}")


def start_smtp() -> tuple[SmtpServer, object]:
    """Start a real SMTP server (aiosmtpd) on a free loopback port; returns it and its controller."""
    from aiosmtpd.controller import Controller

    server = SmtpServer("127.0.0.1", free_port())
    lock = threading.Lock()

    class Handler:
        async def handle_DATA(self, _server, _session, envelope):  # noqa: N802 - aiosmtpd's name
            with lock:
                server.messages.append(message_from_bytes(envelope.content, policy=policy.default))
            return "250 OK"

    controller = Controller(Handler(), hostname=server.host, port=server.port)
    controller.start()
    return server, controller


@pytest.fixture
def smtp_server(monkeypatch) -> Iterator[SmtpServer]:
    """A real SMTP server on loopback; the app's settings point at it."""
    server, controller = start_smtp()
    monkeypatch.setenv("SMTP_HOST", server.host)
    monkeypatch.setenv("SMTP_PORT", str(server.port))
    monkeypatch.setenv("DEV_OUTBOX", "0")
    reset_settings()
    try:
        yield server
    finally:
        controller.stop()
        reset_settings()


def wait_outbox_idle(timeout: float = 30.0) -> None:
    """Wait until the background sender has recorded every result (no mail due or being sent)."""
    import time

    from sqlalchemy import func, select

    from db import read_session
    from db.models import MailStatus, OutboxMail

    deadline = time.time() + timeout
    while time.time() < deadline:
        with read_session() as session:
            busy = session.scalar(select(func.count()).select_from(OutboxMail).where(
                OutboxMail.status.in_([MailStatus.PENDING, MailStatus.SENDING])))
        if not busy:
            return
        time.sleep(0.05)
    raise AssertionError("the outbox is still busy")


def mail_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part else ""


# --------------------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium through Playwright, one per test run (the e2e and topology suites share it)."""
    import os

    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


def run_async(coroutine) -> None:
    """Run an ASGI call to the end in a thread of its own: the session's Playwright (sync API) keeps an
    event loop running in the main thread once a browser suite has run, so ``asyncio.run`` cannot."""
    import asyncio

    errors: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(coroutine)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
