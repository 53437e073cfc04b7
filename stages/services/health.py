"""Health of one app server, for the proxy, the monitoring and ``check-deploy``.

No personal data: the answer says whether the database answers, whether its migrations are
at head, and whether the origin the request came through matches ``APP_BASE_URL``.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from db.session import current_revision, head_revision
from stages.config import get_settings


def base_origin() -> str:
    parts = urlsplit(get_settings().app_base_url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def check(request_origin: str | None = None) -> dict:
    """``{"status": "ok"|"error", "database": ..., "migrations": ..., ...}`` (never raises)."""
    started = time.perf_counter()
    report: dict = {"status": "ok"}
    try:
        current = current_revision()
        head = head_revision()
        report["database"] = "ok"
        report["migrations"] = "ok" if current == head else "pending"
        report["revision"] = current
        report["head"] = head
    except Exception as exc:  # noqa: BLE001 - the answer says what failed, never raises
        report["database"] = f"error: {type(exc).__name__}"
        report["migrations"] = "unknown"
    if report["database"] != "ok" or report["migrations"] != "ok":
        report["status"] = "error"
    if request_origin is not None:
        # A proxy that rewrites Host (``proxy_set_header Host $host`` drops the port) or an APP_BASE_URL
        # that names another address breaks the login cookie: check-deploy reads this field.
        report["base_url_matches"] = request_origin == base_origin()
    report["elapsed_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return report
