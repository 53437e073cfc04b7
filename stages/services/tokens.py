"""Tokens of the mailed links and of the login handoff: random, only their SHA-256 is stored.

Every token (activation, password reset, the page-to-route handoff, the "Se souvenir de moi"
cookie) is random (``secrets.token_urlsafe``) and only its SHA-256 is stored: the database
never holds a token in clear text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select, update

from db.models import UserToken
from stages.config import get_settings
from stages.domain.text import is_valid_email, normalize_email
from stages.services.errors import ValidationError


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(session, user_id: int, purpose: str, lifetime: dt.timedelta, now: dt.datetime,
                payload: dict | None = None) -> str:
    token = new_token()
    session.add(UserToken(user_id=user_id, purpose=purpose, token_hash=token_hash(token), created_at=now,
                          expires_at=now + lifetime, payload=payload))
    session.flush()
    return token


def find_token(session, token: str | None, purpose: str) -> UserToken | None:
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    return session.scalar(
        select(UserToken).where(UserToken.token_hash == token_hash(token), UserToken.purpose == purpose)
        .with_for_update()
    )


def retire_tokens(session, user_id: int, purpose: str, now: dt.datetime) -> None:
    session.execute(
        update(UserToken).where(UserToken.user_id == user_id, UserToken.purpose == purpose,
                                UserToken.used_at.is_(None)).values(used_at=now)
        .execution_options(synchronize_session=False)
    )


def mail_link(path: str, token: str) -> str:
    return f"{get_settings().app_base_url}/{path}?token={token}"


def valid_address(email: str) -> str:
    address = normalize_email(email)
    if not is_valid_email(address):
        raise ValidationError("Adresse électronique invalide (format attendu : nom@domaine.fr).", field="email")
    return address
