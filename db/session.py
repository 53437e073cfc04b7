"""Engine and transactions.

Services open a unit of work with :func:`read_session` or :func:`write_session`; nothing
else in the code base creates a SQLAlchemy session.

SQLite: foreign keys on, WAL journal, a 30 s busy timeout, and ``BEGIN IMMEDIATE`` for
write transactions so that two writers never both read a stale count (places of an offer).
PostgreSQL: services lock the rows they count with ``SELECT … FOR UPDATE``.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.orm import Session, sessionmaker

from stages.config import ROOT, get_settings

_lock = threading.RLock()
_engines: dict[str, Engine] = {}
_makers: dict[str, sessionmaker[Session]] = {}
_migrated: set[str] = set()
_immediate: contextvars.ContextVar[bool] = contextvars.ContextVar("immediate", default=False)
_generation = 0  # bumped after every commit in this process (see write_generation)


def write_generation() -> int:
    """A counter bumped after every commit made by this process, on any engine.

    Caches keyed by it (the dashboard's data version) see this process's own writes at once;
    writes by other processes are seen when those caches expire (a short TTL).
    """
    return _generation


def _bump_generation(_conn) -> None:
    global _generation
    with _lock:
        _generation += 1


def _url(url: str | None) -> str:
    return url or get_settings().database_url


def is_sqlite(url: str | None = None) -> bool:
    return _url(url).startswith("sqlite")


def _make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record):  # pragma: no cover - driver hook
            # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own is deferred).
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn):  # pragma: no cover - driver hook
            conn.exec_driver_sql("BEGIN IMMEDIATE" if _immediate.get() else "BEGIN")

        event.listen(engine, "commit", _bump_generation)
        return engine
    engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)
    event.listen(engine, "commit", _bump_generation)
    return engine


def get_engine(url: str | None = None) -> Engine:
    key = _url(url)
    engine = _engines.get(key)
    if engine is None:
        with _lock:
            engine = _engines.get(key)
            if engine is None:
                engine = _make_engine(key)
                _engines[key] = engine
                _makers[key] = sessionmaker(engine, expire_on_commit=False)
                event.listen(_makers[key], "after_flush", _record_changes)
                event.listen(_makers[key], "do_orm_execute", _record_statement)
    return engine


def _maker(url: str | None = None) -> sessionmaker[Session]:
    get_engine(url)
    return _makers[_url(url)]


def alembic_config(url: str | None = None):
    from alembic.config import Config

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "db" / "migrations"))
    cfg.set_main_option("sqlalchemy.url", _url(url).replace("%", "%%"))
    return cfg


def ensure_database(url: str | None = None) -> None:
    """Create and migrate the database to the latest revision (once per process and URL)."""
    key = _url(url)
    if key in _migrated:
        return
    with _lock:
        if key in _migrated:
            return
        from alembic import command
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory

        cfg = alembic_config(key)
        head = ScriptDirectory.from_config(cfg).get_current_head()
        engine = get_engine(key)
        with engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
        if current != head:
            command.upgrade(cfg, "head")
        if key.startswith("sqlite"):
            refresh_statistics(key)
        _migrated.add(key)


def head_revision() -> str:
    """The newest migration of the code (cached: the code does not change while it runs)."""
    global _head
    if _head is None:
        from alembic.script import ScriptDirectory

        _head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    return _head


_head: str | None = None


def current_revision(url: str | None = None) -> str | None:
    """The migration the database is at (None for an empty database). Never migrates."""
    from alembic.runtime.migration import MigrationContext

    with get_engine(url).connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def refresh_statistics(url: str | None = None) -> None:
    """SQLite: give the query planner fresh statistics (no-op on PostgreSQL, whose autovacuum does it).

    Without them SQLite may pick a plan 1000× slower on national-size data (a director's inbox
    scanning every candidature). Run once per process (``ensure_database``) and after big imports.
    SQLite ≥ 3.46 checks every table itself (``PRAGMA optimize=0x10002``); older versions (3.40
    here) get a sampled ``ANALYZE`` (``analysis_limit``: a few milliseconds even on a million rows).
    """
    import sqlite3

    if not is_sqlite(url):
        return
    with get_engine(url).connect() as conn:
        conn.exec_driver_sql("PRAGMA analysis_limit=1000")
        if sqlite3.sqlite_version_info >= (3, 46, 0):
            conn.exec_driver_sql("PRAGMA optimize=0x10002")
        else:
            conn.exec_driver_sql("ANALYZE")
        conn.commit()


def table_names(url: str | None = None) -> list[str]:
    return inspect(get_engine(url)).get_table_names()


@contextmanager
def read_session(url: str | None = None) -> Iterator[Session]:
    """A session for reading; rolled back at the end."""
    ensure_database(url)
    session = _maker(url)()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


MAX_LOGGED_ROWS = 50  # per unit of work; beyond that the log line gives counts per table only


def _note(session: Session, entry: dict) -> None:
    counts = session.info.setdefault("counts", {})
    key = f"{entry['table']}:{entry['op']}"
    counts[key] = counts.get(key, 0) + entry.pop("rows", 1)
    changes = session.info.setdefault("changes", [])
    if len(changes) < MAX_LOGGED_ROWS:
        changes.append(entry)


def _record_changes(session: Session, _flush_context) -> None:
    """after_flush: the tables, ids and changed column names of this flush (never the values)."""
    status_changes = session.info.setdefault("status_changes", [])
    for op, objects in (("insert", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in objects:
            state = inspect(obj)
            fields = None
            if op == "update":
                fields = [attr.key for attr in state.attrs if attr.history.has_changes()]
                if not fields:
                    continue
            key = state.mapper.primary_key_from_instance(obj)
            entry = {"table": obj.__tablename__, "id": key[0] if len(key) == 1 else None, "op": op}
            if fields:
                entry["fields"] = sorted(fields)
            _note(session, entry)
            if op == "insert" and obj.__tablename__ == "status_changes" and len(status_changes) < MAX_LOGGED_ROWS:
                status_changes.append({"entity": obj.entity_type, "id": obj.entity_id, "to": obj.to_status})


def _record_statement(orm_execute_state) -> None:
    """do_orm_execute: UPDATE/DELETE/INSERT statements (bulk writes that bypass the flush)."""
    state = orm_execute_state
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    table = getattr(state.statement, "table", None)
    op = "bulk update" if state.is_update else "bulk delete" if state.is_delete else "bulk insert"
    entry = {"table": getattr(table, "name", "?"), "op": op}
    if not state.is_insert and (state.is_update or state.is_delete):
        values = getattr(state.statement, "_values", None) or {}
        names = sorted(getattr(k, "key", str(k)) for k in values)
        if names:
            entry["fields"] = names
    _note(state.session, entry)


def _caller_name() -> str:
    """The function that opened the unit of work (``module.function``): the action of the log line."""
    import sys

    frame = sys._getframe(3)  # write_session's body <- contextmanager.__enter__ <- the caller
    return f"{frame.f_globals.get('__name__', '?')}.{frame.f_code.co_name}"


@contextmanager
def write_session(url: str | None = None) -> Iterator[Session]:
    """A unit of work: committed at the end, rolled back on any exception.

    Each one that changed data writes one JSON line to the logs (``stages.logs``).
    """
    from stages import logs

    ensure_database(url)
    token = _immediate.set(True)
    session = _maker(url)()
    action = _caller_name()
    try:
        yield session
        session.commit()
    except BaseException as exc:
        session.rollback()
        if session.info.get("changes"):
            logs.log_write(action, session.info["changes"], session.info.get("status_changes", []),
                           f"error: {type(exc).__name__}", session.info.get("counts", {}))
        raise
    else:
        logs.log_write(action, session.info.get("changes", []), session.info.get("status_changes", []), "ok",
                       session.info.get("counts", {}))
    finally:
        session.close()
        _immediate.reset(token)


def reset_engine() -> None:
    """Forget engines and migration state (tests switch databases with it)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
        _makers.clear()
        _migrated.clear()
