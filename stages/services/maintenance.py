"""Readiness of the database, backups and other administrator chores."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from db import ensure_database
from stages.config import get_settings


def prepare_database() -> None:
    """Create and migrate the database (idempotent): the app calls it once per process."""
    ensure_database()


def backup(dest: str | os.PathLike) -> Path:
    """SQLite: an online copy with the backup API (consistent while the app runs).
    PostgreSQL: ``pg_dump`` in its custom format (restore with ``pg_restore``)."""
    target = Path(dest)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Readable by its owner only (it holds every account): created 0600 before anything is written.
    fd = os.open(target, os.O_WRONLY | os.O_CREAT, 0o600)
    os.close(fd)
    os.chmod(target, 0o600)
    url = make_url(get_settings().database_url)
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(url.database or "")
        try:
            out = sqlite3.connect(target)
            with out:
                source.backup(out)
            out.close()
        finally:
            source.close()
        os.chmod(target, 0o600)
        return target
    if shutil.which("pg_dump") is None:
        raise RuntimeError("pg_dump est introuvable sur cette machine")
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    cmd = ["pg_dump", "--format=custom", f"--file={target}", f"--host={url.host or 'localhost'}",
           f"--port={url.port or 5432}", f"--username={url.username or 'postgres'}", url.database or ""]
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(result.stderr.strip().splitlines()[-1] if result.stderr.strip() else "pg_dump a échoué")
    os.chmod(target, 0o600)
    return target
