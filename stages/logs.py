"""JSON-lines logs on stdout (for journald): one line per unit of work that changed data.

Written from one place, the end of ``db.write_session``: every service's writes are logged
without each service saying so. A line names who (the user's id, bound once per page run by
``stages.ui.session``, or the ``manage.py`` command), what (the service function, and each
table, row id, operation and the names of the changed columns, plus the status changes), and
the result (``ok`` or the error's type). Values are never logged: no password, token,
motivation or name can reach the logs.

    {"ts": "2026-06-16T08:30:00.123Z", "level": "INFO", "event": "write", "actor_id": 42,
     "action": "stages.services.candidatures.answer", "result": "ok",
     "changes": [{"table": "candidatures", "id": 7, "op": "update", "fields": ["status", "answered_at"]}],
     "status_changes": [{"entity": "candidature", "id": 7, "to": "accepted"}]}
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import sys

LOGGER_NAME = "stages"
_actor: contextvars.ContextVar[int | str | None] = contextvars.ContextVar("stages_actor", default=None)
_configured = False

# Fields of a log record that are not ours (everything else passed with ``extra=`` is written out).
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


def set_actor(actor: int | str | None) -> None:
    """Who the writes of this thread/context are made by: a user id, or a command name."""
    _actor.set(actor)


def actor() -> int | str | None:
    return _actor.get()


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            # The frames and the error's type, not its message: a database error's message quotes
            # the values of its statement (names, motivations).
            import traceback

            line["error"] = record.exc_info[0].__name__
            line["traceback"] = "".join(traceback.format_tb(record.exc_info[2]))
        return json.dumps(line, ensure_ascii=False, default=str)


def configure(stream=None) -> None:
    """Send the ``stages`` logs to stdout as JSON lines (server.py and manage.py call it once)."""
    global _configured
    if _configured:
        return
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger(LOGGER_NAME)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    _configured = True


def log_write(action: str, changes: list[dict], status_changes: list[dict], result: str,
              counts: dict[str, int] | None = None) -> None:
    """One line for one committed (or failed) unit of work that changed data.

    ``changes`` lists at most 50 rows; ``counts`` gives the number of rows per "table:operation".
    """
    if not changes and result == "ok":
        return
    logging.getLogger(f"{LOGGER_NAME}.actions").info(
        "write", extra={"event": "write", "actor_id": _actor.get(), "action": action, "result": result,
                        "changes": changes, "status_changes": status_changes, "counts": counts or {}},
    )
