"""Readiness of the database, backups and other administrator chores."""

from __future__ import annotations

import datetime as dt
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


# --------------------------------------------------------------------------- rotation

BACKUP_PREFIX = "stages-"
_STAMP = "%Y%m%d-%H%M%S"


def backup_name(now: dt.datetime, sqlite: bool) -> str:
    return f"{BACKUP_PREFIX}{now.strftime(_STAMP)}.{'sqlite3' if sqlite else 'dump'}"


def _stamp_of(name: str) -> dt.datetime | None:
    if not name.startswith(BACKUP_PREFIX):
        return None
    try:
        return dt.datetime.strptime(name[len(BACKUP_PREFIX):].split(".", 1)[0], _STAMP)
    except ValueError:
        return None


def backups_to_keep(stamps: list[dt.datetime], keep_daily: int, keep_weekly: int) -> set[dt.datetime]:
    """The backups a rotation keeps: the newest of each of the last ``keep_daily`` days that have
    one, and the newest of each of the last ``keep_weekly`` ISO weeks that have one."""
    keep: set[dt.datetime] = set()
    days: dict[dt.date, dt.datetime] = {}
    weeks: dict[tuple[int, int], dt.datetime] = {}
    for stamp in sorted(stamps, reverse=True):
        days.setdefault(stamp.date(), stamp)
        weeks.setdefault(tuple(stamp.isocalendar())[:2], stamp)
    keep.update(sorted(days.values(), reverse=True)[:max(keep_daily, 0)])
    keep.update(sorted(weeks.values(), reverse=True)[:max(keep_weekly, 0)])
    return keep


def rotate_backups(folder: str | os.PathLike, keep_daily: int, keep_weekly: int) -> list[Path]:
    """Delete the backups of ``folder`` (named by :func:`backup_name`) that the rotation does not keep."""
    files = {}
    for path in Path(folder).iterdir():
        stamp = _stamp_of(path.name)
        if stamp is not None and path.is_file():
            files[path] = stamp
    keep = backups_to_keep(list(files.values()), keep_daily, keep_weekly)
    removed = [path for path, stamp in files.items() if stamp not in keep]
    for path in removed:
        path.unlink()
    return sorted(removed)


def backup_to_folder(folder: str | os.PathLike | None = None, now: dt.datetime | None = None) -> tuple[Path, list[Path]]:
    """The timer's backup: a new file in BACKUP_DIR (folder 0700, file 0600), then the rotation."""
    settings = get_settings()
    target_dir = Path(folder or settings.backup_dir)
    target_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    now = now or dt.datetime.now()
    sqlite = make_url(settings.database_url).get_backend_name() == "sqlite"
    target = target_dir / backup_name(now, sqlite)
    old_umask = os.umask(0o077)
    try:
        backup(target)
    finally:
        os.umask(old_umask)
    os.chmod(target, 0o600)
    return target, rotate_backups(target_dir, settings.backup_keep_daily, settings.backup_keep_weekly)


# --------------------------------------------------------------------------- restore


class RestoreRefused(Exception):
    """The restore would overwrite data (without --force), or the file is not a backup."""


def database_has_data(url: str | None = None) -> bool:
    """True when any table (other than Alembic's) holds a row."""
    from sqlalchemy import text

    from db.session import get_engine, table_names

    with get_engine(url).connect() as conn:
        for name in table_names(url):
            if name == "alembic_version":
                continue
            if conn.execute(text(f'SELECT 1 FROM "{name}" LIMIT 1')).first() is not None:
                return True
    return False


def restore(source: str | os.PathLike, force: bool = False) -> str:
    """Restore a file written by :func:`backup` into DATABASE_URL; returns a one-line summary.

    Refuses (``RestoreRefused``) a database that holds data unless ``force``; stop the app servers
    and the timers first. The restored database is then migrated to the code's head.
    """
    from db.session import ensure_database, reset_engine

    path = Path(source)
    if not path.is_file():
        raise RestoreRefused(f"fichier introuvable : {path}")
    url = make_url(get_settings().database_url)
    sqlite = url.get_backend_name() == "sqlite"
    with open(path, "rb") as handle:
        magic = handle.read(16)
    if sqlite and not magic.startswith(b"SQLite format 3"):
        raise RestoreRefused(f"{path.name} n'est pas une sauvegarde SQLite")
    if not sqlite and not magic.startswith(b"PGDMP"):
        raise RestoreRefused(f"{path.name} n'est pas une sauvegarde pg_dump (format custom)")
    if database_has_data() and not force:
        raise RestoreRefused("la base de données contient déjà des données : relancez avec --force pour "
                             "les remplacer (après avoir arrêté les serveurs de l'application)")
    reset_engine()
    if sqlite:
        source_db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if source_db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise RestoreRefused(f"{path.name} est endommagé (PRAGMA quick_check)")
            Path(url.database or "").parent.mkdir(parents=True, exist_ok=True)
            target = sqlite3.connect(url.database or "")
            with target:
                source_db.backup(target)
            target.close()
        finally:
            source_db.close()
    else:
        if shutil.which("pg_restore") is None:
            raise RuntimeError("pg_restore est introuvable sur cette machine")
        env = dict(os.environ)
        if url.password:
            env["PGPASSWORD"] = url.password
        cmd = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
               f"--host={url.host or 'localhost'}", f"--port={url.port or 5432}",
               f"--username={url.username or 'postgres'}", f"--dbname={url.database or ''}", str(path)]
        result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            lines = result.stderr.strip().splitlines()
            raise RuntimeError(lines[-1] if lines else "pg_restore a échoué")
    reset_engine()
    ensure_database()
    return f"Sauvegarde {path.name} restaurée."
