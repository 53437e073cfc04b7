"""Password reset by a mailed link (2 hours, single-use), and setting a new password.

"Mot de passe oublié ?" answers the same whether or not the address exists. A new password ends
every login of the account and kills every reset link.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from db import read_session, write_session
from db.models import TokenPurpose, User, UserToken
from stages.domain import security
from stages.domain.passwords import hash_password, password_problems
from stages.domain.timeutil import utcnow
from stages.services import mail, ratelimit
from stages.services.errors import ValidationError
from stages.services.login_sessions import revoke_all_logins
from stages.services.tokens import find_token, issue_token, mail_link, retire_tokens, valid_address

RESET_SENT = (
    "Si un compte existe avec cette adresse électronique, un courriel vient de lui être envoyé avec "
    f"un lien pour choisir un nouveau mot de passe. Ce lien est valable {security.RESET_HOURS} heures et ne sert qu'une fois."
)


# --------------------------------------------------------------------------- password reset


def request_password_reset(email: str, now: dt.datetime | None = None, client: str | None = None) -> str:
    """Mail a reset link (2 hours, single-use). The answer never says whether the address exists, and
    costs the same either way (the mail leaves in the background). Rate-limited as ``resend_activation``."""
    now = now or utcnow()
    address = valid_address(email)
    with write_session() as session:
        may_mail = ratelimit.mail_request(session, "reset", address, client, now)
        user = session.scalar(select(User).where(User.email == address))
        if may_mail and user is not None and user.deactivated_at is None:
            token = issue_token(session, user.id, TokenPurpose.PASSWORD_RESET,
                                dt.timedelta(hours=security.RESET_HOURS), now)
            mail.queue_mail(
                session, kind="password_reset", to=user.email,
                subject="Choisir un nouveau mot de passe – Stages de seconde DSDEN 71",
                text=(f"Bonjour {user.full_name},\n\nVous avez demandé à choisir un nouveau mot de passe. "
                      f"Ce lien est valable {security.RESET_HOURS} heures et ne sert qu'une fois.\n\n"
                      "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : "
                      "votre mot de passe actuel reste valable."),
                button=("Choisir un nouveau mot de passe", mail_link("mot-de-passe-oublie", token)),
            )
    mail.send_now()
    return RESET_SENT


def _valid_reset(session, token: str | None, now: dt.datetime) -> UserToken:
    row = find_token(session, token, TokenPurpose.PASSWORD_RESET)
    changed = row.user.password_changed_at if row is not None else None
    if row is None or row.used_at is not None or (changed is not None and row.created_at < changed):
        # A link issued before the password was last changed died with that change.
        raise ValidationError("Ce lien n'est pas valable ou a déjà servi : demandez un nouveau lien ci-dessous.",
                              field="token")
    if row.expires_at <= now:
        raise ValidationError(f"Ce lien a expiré (il est valable {security.RESET_HOURS} heures) : demandez-en un nouveau "
                              "ci-dessous.", field="token")
    return row


def check_reset_token(token: str | None, now: dt.datetime | None = None) -> None:
    """Raises ValidationError when the link cannot be used (so the page says so before asking anything)."""
    with read_session() as session:
        _valid_reset(session, token, now or utcnow())


def reset_password(token: str | None, new_password: str, now: dt.datetime | None = None) -> str:
    """Set the new password; ends every remembered login and lifts a lockout. Returns the account's address."""
    now = now or utcnow()
    problems = password_problems(new_password or "")
    if problems:
        raise ValidationError(" ".join(problems), field="password")
    with write_session() as session:
        row = _valid_reset(session, token, now)
        user = row.user
        set_password(session, user, new_password, now)
        session.execute(
            update(UserToken).where(UserToken.user_id == user.id, UserToken.purpose == TokenPurpose.PASSWORD_RESET,
                                    UserToken.used_at.is_(None)).values(used_at=now)
        )
        user.failed_login_count = 0
        user.locked_until = None
        ratelimit.clear_prefix(session, f"login:{ratelimit.digest(user.email)}:")  # every client's lock lifts
        if user.activated_at is None and user.deactivated_at is None:
            user.activated_at = now  # the link proved the address, as the activation link would
        return user.email


def set_password(session, user: User, password: str, now: dt.datetime) -> int:
    """New password: every other login of the account ends, every reset link dies. Returns the new generation."""
    user.password_hash = hash_password(password)
    user.password_changed_at = now
    user.must_change_password = False  # a provisional password is replaced by the person's own
    retire_tokens(session, user.id, TokenPurpose.PASSWORD_RESET, now)
    revoke_all_logins(session, user.id, now)
    session.flush()
    session.refresh(user, ["session_generation"])
    return user.session_generation
