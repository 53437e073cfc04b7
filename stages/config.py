"""Settings read from the environment (see the README's "Configuration" table).

Read once per process through :func:`get_settings`; tests call :func:`reset_settings`
after changing the environment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB_PATH = ROOT / "var" / "stages.sqlite3"


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "oui", "on"}


@dataclass(frozen=True)
class Settings:
    database_url: str
    app_base_url: str
    smtp_host: str | None
    smtp_port: int
    smtp_user: str | None
    smtp_password: str | None
    smtp_starttls: bool
    mail_from: str
    departement_code: str
    academie_code: str
    director_email_domain: str
    dev_outbox: bool
    bcrypt_rounds: int = 12  # 12 in production; the test suite lowers it with BCRYPT_ROUNDS=4 to stay fast
    # Production (see deploy/ and `manage.py check-deploy`).
    app_servers: int = 1  # how many app servers share DATABASE_URL (behind the proxy)
    backup_dir: str = str(ROOT / "var" / "backups")
    backup_keep_daily: int = 7
    backup_keep_weekly: int = 5
    nginx_site: str = "/etc/nginx/sites-enabled/stages-de-seconde"

    @property
    def smtp_enabled(self) -> bool:
        return bool(self.smtp_host)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    env = os.environ
    smtp_host = env.get("SMTP_HOST") or None
    return Settings(
        database_url=env.get("DATABASE_URL") or f"sqlite:///{DEFAULT_DB_PATH}",
        app_base_url=(env.get("APP_BASE_URL") or "http://localhost:8501").rstrip("/"),
        smtp_host=smtp_host,
        smtp_port=int(env.get("SMTP_PORT") or 25),
        smtp_user=env.get("SMTP_USER") or None,
        smtp_password=env.get("SMTP_PASSWORD") or None,
        smtp_starttls=_bool(env.get("SMTP_STARTTLS"), False),
        mail_from=env.get("MAIL_FROM") or "Stages de seconde DSDEN 71 <ne-pas-repondre@ac-dijon.fr>",
        departement_code=env.get("DEPARTEMENT_CODE") or "71",
        academie_code=env.get("ACADEMIE_CODE") or "7",
        director_email_domain=(env.get("DIRECTOR_EMAIL_DOMAIN") or "ac-dijon.fr").lower(),
        # The in-app outbox shows activation and reset links: off unless set explicitly, and then
        # shown to a logged-in coordinator only (see stages.services.mail.dev_outbox).
        dev_outbox=_bool(env.get("DEV_OUTBOX"), False),
        bcrypt_rounds=int(env.get("BCRYPT_ROUNDS") or 12),
        app_servers=int(env.get("APP_SERVERS") or 1),
        backup_dir=env.get("BACKUP_DIR") or str(ROOT / "var" / "backups"),
        backup_keep_daily=int(env.get("BACKUP_KEEP_DAILY") or 7),
        backup_keep_weekly=int(env.get("BACKUP_KEEP_WEEKLY") or 5),
        nginx_site=env.get("NGINX_SITE") or "/etc/nginx/sites-enabled/stages-de-seconde",
    )


def reset_settings() -> None:
    get_settings.cache_clear()
