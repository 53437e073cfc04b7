"""Drafts of forms: what a logged-in user typed, kept server-side so that a reload (a new
Streamlit session) or a lost connection loses nothing. One draft per user and form key."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from db import read_session, write_session
from db.models import FormDraft
from stages.domain.candidatures import MOTIVATION_MAX
from stages.domain.text import strip_controls
from stages.services.auth import CurrentUser

MAX_TEXT = 20_000  # forms without a known limit
KEY_MAX = 100  # FormDraft.form_key
# A draft is cleaned and capped like the final field it will become (form key prefix -> limit).
LIMITS = {"motivation:": MOTIVATION_MAX}


def _key(form_key) -> str:
    return strip_controls(str(form_key))[:KEY_MAX]


def _limit(form_key: str) -> int:
    return next((limit for prefix, limit in LIMITS.items() if form_key.startswith(prefix)), MAX_TEXT)


def save_text(user: CurrentUser, form_key: str, text: str) -> None:
    """Keep ``text`` as the user's draft for ``form_key`` (an empty text removes the draft)."""
    form_key = _key(form_key)
    text = strip_controls(text)
    if not text or not text.strip():
        discard(user, form_key)
        return
    _save(user, form_key, {"text": text[:_limit(form_key)]})


def save_fields(user: CurrentUser, form_key: str, fields: dict[str, str | float | None]) -> None:
    """Keep the fields of a form not yet saved anywhere (texts cleaned and cut at MAX_TEXT, numbers as they are)."""
    form_key = _key(form_key)
    data = {name: (strip_controls(value)[:MAX_TEXT] if isinstance(value, str) else value)
            for name, value in fields.items() if value is None or isinstance(value, (str, int, float))}
    _save(user, form_key, {"fields": data})


def load_fields(user: CurrentUser, form_key: str) -> dict | None:
    form_key = _key(form_key)
    with read_session() as session:
        data = session.scalar(
            select(FormDraft.data).where(FormDraft.user_id == user.id, FormDraft.form_key == form_key)
        )
        fields = (data or {}).get("fields")
        return dict(fields) if isinstance(fields, dict) else None


def _save(user: CurrentUser, form_key: str, data: dict) -> None:
    for _attempt in range(2):  # a concurrent first save from another tab: update theirs
        try:
            with write_session() as session:
                draft = session.scalar(
                    select(FormDraft).where(FormDraft.user_id == user.id, FormDraft.form_key == form_key)
                )
                if draft is None:
                    session.add(FormDraft(user_id=user.id, form_key=form_key, data=data))
                else:
                    draft.data = data
            return
        except IntegrityError:
            continue


def load_text(user: CurrentUser, form_key: str) -> str | None:
    form_key = _key(form_key)
    with read_session() as session:
        data = session.scalar(
            select(FormDraft.data).where(FormDraft.user_id == user.id, FormDraft.form_key == form_key)
        )
        return (data or {}).get("text")


def discard(user: CurrentUser, form_key: str, session=None) -> None:
    """Remove a draft (inside the caller's unit of work when ``session`` is given)."""
    form_key = _key(form_key)
    statement = delete(FormDraft).where(FormDraft.user_id == user.id, FormDraft.form_key == form_key)
    if session is not None:
        session.execute(statement)
        return
    with write_session() as own:
        own.execute(statement)


def motivation_key(offer_id: int) -> str:
    return f"motivation:{offer_id}"


# Step 1 of "Déposer une offre de stage" before its first "Suivant" (no offer exists yet).
NEW_OFFER_KEY = "offer:new"
