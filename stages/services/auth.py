"""Identity: who is calling. Login, the current user, and accounts created by an administrator.

Every service takes a :class:`CurrentUser` and checks its permissions itself (see
``stages.services.permissions``); pages only pass it along.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from db import read_session, write_session
from db.models import Circonscription, Lycee, Role, School, StatusChange, User
from stages.config import get_settings
from stages.domain import security
from stages.domain.passwords import burn_time, hash_password, password_problems, verify_password
from stages.domain.text import clean_text, is_valid_email, normalize_email
from stages.domain.timeutil import utcnow
from stages.services import ratelimit
from stages.services.errors import NotFound, ServiceError, ValidationError

ROLE_LABELS = {
    Role.DIRECTOR: "Directeur / directrice d'école",
    Role.STUDENT: "Élève de 2de",
    Role.COORDINATOR: "Coordinateur DSDEN",
    Role.IEN: "IEN de circonscription",
    Role.LYCEE_HEAD: "Chef d'établissement",
}


@dataclass(frozen=True)
class CurrentUser:
    id: int
    role: str
    first_name: str
    last_name: str
    email: str
    departement_code: str
    function: str | None = None
    school_id: int | None = None
    school_uai: str | None = None
    school_name: str | None = None
    lycee_id: int | None = None
    circonscription_id: int | None = None
    circonscription_name: str | None = None
    must_change_password: bool = False  # a provisional password: only "Mon compte" until it is changed
    session_generation: int = 0  # the account's User.session_generation when this was read

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def space_name(self) -> str:
        """"Prénom.Nom", as in the guide's "Espace de prénom.Nom"."""
        return f"{self.first_name}.{self.last_name}"


def to_current_user(user: User) -> CurrentUser:
    school: School | None = user.school
    circ: Circonscription | None = user.circonscription
    if school is not None and circ is None:
        circ = school.circonscription
    return CurrentUser(
        id=user.id,
        role=user.role,
        first_name=user.first_name,
        last_name=user.last_name,
        email=user.email,
        departement_code=user.departement_code,
        function=user.function,
        school_id=user.school_id,
        school_uai=school.uai if school else None,
        school_name=f"{school.name} ({school.commune})" if school else None,
        lycee_id=user.lycee_id,
        circonscription_id=circ.id if circ else None,
        circonscription_name=circ.short_name if circ else None,
        must_change_password=bool(user.must_change_password),
        session_generation=user.session_generation or 0,
    )


def load_user(user_id: int) -> CurrentUser | None:
    """The user of a session, or None when the account is gone, deactivated or not activated."""
    with read_session() as session:
        user = session.get(User, user_id)
        if user is None or not user.is_active:
            return None
        return to_current_user(user)


class LoginRefused(ServiceError):
    """``reason``: "invalid", "locked", "not_activated", "deactivated"."""

    def __init__(self, message: str, reason: str, remaining_attempts: int | None = None):
        super().__init__(message)
        self.reason = reason
        self.remaining_attempts = remaining_attempts


INVALID_CREDENTIALS = "Adresse électronique ou mot de passe incorrect."


def authenticate(email: str, password: str, now: dt.datetime | None = None, client: str | None = None) -> CurrentUser:
    """Check an email and password; ``security.MAX_FAILED_LOGINS`` failures from one client lock that
    client out of the address for ``security.LOCKOUT_MINUTES``.

    The failures are counted per (address, client) in the database (``rate_limits``), for unknown
    addresses exactly as for real accounts: the messages, the warning before the last attempt and
    the lock are the same, and every answer costs one bcrypt check, so neither the text nor the
    timing tells whether an account exists. A stranger's failures lock only the stranger's client,
    never the account's owner elsewhere. ``client`` is the browser's address (None: command line).

    bcrypt (about 250 ms of CPU at cost 12) runs outside any transaction: a short read, the check,
    then a short write that counts the result under the row locks. A burst of logins thus holds
    neither the pool's connections nor the account's lock meanwhile (that made every page of the
    server wait for a connection at 100 users, docs/capacity.md).
    """
    now = now or utcnow()
    address = normalize_email(email)
    key = f"login:{ratelimit.digest(address)}:{ratelimit.client_key(client)}"
    for attempt in range(_CHECKS):
        with read_session() as session:
            stored = session.scalar(select(User.password_hash).where(User.email == address))
            blocked_until = ratelimit.blocked_until(session, key, now)
        if blocked_until is not None:
            burn_time(password)
            raise _locked(blocked_until, now)
        if stored is None:
            burn_time(password)
        valid = stored is not None and verify_password(password, stored)
        last = attempt == _CHECKS - 1
        user = _record_login(address, key, password, stored, valid, now, recheck=last)
        if user is not None:
            return user
    raise AssertionError("unreachable: the last pass rechecks inside the transaction")


_CHECKS = 3  # passes when the password changes between the read and the write (the last checks under the lock)


def _locked(blocked_until: dt.datetime, now: dt.datetime) -> LoginRefused:
    minutes = security.lock_minutes_left(blocked_until, now)
    return LoginRefused(
        f"Trop de tentatives échouées : le compte est bloqué. Réessayez dans {minutes} minute(s) "
        "ou réinitialisez votre mot de passe avec « Mot de passe oublié ? ».",
        "locked",
    )


def _record_login(address: str, key: str, password: str, stored: str | None, valid: bool, now: dt.datetime,
                  *, recheck: bool) -> CurrentUser | None:
    """Count the checked login under the account's and the counter's locks; None when the password
    changed since it was read (the caller checks again, outside the transaction)."""
    with write_session() as session:
        # Locked on PostgreSQL so that concurrent attempts from several app processes all count.
        user = session.scalar(select(User).where(User.email == address).with_for_update())
        current = user.password_hash if user is not None else None
        if current != stored:  # changed (or created, or deleted) since the read
            if not recheck:
                return None
            valid = current is not None and verify_password(password, current)
        counter = ratelimit.read(session, key, window=security.FAILURE_MEMORY, now=now)
        if security.is_locked(counter.blocked_until, now):  # locked by concurrent attempts meanwhile
            raise _locked(counter.blocked_until, now)
        if not valid:
            count = counter.count + 1
            remaining = security.attempts_left(count)
            blocked = security.lock_until(now) if remaining <= 0 else None
            ratelimit.store(session, key, count=count, blocked_until=blocked)
            if user is not None:
                user.failed_login_count += 1  # every failure of the account, all clients (shown to no one)
            session.commit()
            if blocked is not None:
                raise LoginRefused(
                    f"Trop de tentatives échouées : le compte est bloqué pendant {security.LOCKOUT_MINUTES} minutes.",
                    "locked",
                )
            message = INVALID_CREDENTIALS
            if remaining == 1:
                message += (
                    " Attention : il vous reste une seule tentative avant le blocage du compte "
                    f"pendant {security.LOCKOUT_MINUTES} minutes."
                )
            raise LoginRefused(message, "invalid", remaining)
        ratelimit.store(session, key, count=0, blocked_until=None)
        if user.deactivated_at is not None:
            raise LoginRefused("Ce compte a été désactivé. Contactez la DSDEN.", "deactivated")
        if user.activated_at is None:
            raise LoginRefused(
                "Votre compte n'est pas encore activé : cliquez sur le lien reçu par courriel, "
                "ou demandez un nouveau message d'activation.",
                "not_activated",
            )
        user.failed_login_count = 0
        user.locked_until = None
        user.last_login_at = now
        session.flush()
        return to_current_user(user)


def create_user(
    *,
    role: str,
    email: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    function: str | None = None,
    uai: str | None = None,
    circonscription_code: str | None = None,
    activated: bool = True,
    author_id: int | None = None,
    provisional: bool = False,
) -> CurrentUser:
    """Create an account directly (``manage.py create-user``, the coordinator's "Comptes" page).

    ``provisional``: the password was chosen by someone else; the person changes it at first login."""
    errors: dict[str, str] = {}
    if role not in Role.ALL:
        errors["role"] = f"Rôle inconnu : {role} (attendu : {', '.join(Role.ALL)})."
    address = normalize_email(email)
    if not is_valid_email(address):
        errors["email"] = "Adresse électronique invalide (format attendu : nom@domaine.fr)."
    problems = password_problems(password)
    if problems:
        errors["password"] = " ".join(problems)
    first_name = clean_text(first_name, multiline=False)[:100] or address.split("@")[0]
    last_name = clean_text(last_name, multiline=False)[:100]
    settings = get_settings()
    with write_session() as session:
        school = lycee = circ = None
        if role == Role.DIRECTOR:
            if not uai:
                errors["uai"] = "Un compte de directeur doit être rattaché à une école (UAI)."
            else:
                school = session.scalar(select(School).where(School.uai == uai.strip().upper()))
                if school is None:
                    errors["uai"] = f"École inconnue : {uai}."
        if role == Role.LYCEE_HEAD:  # ce.<UAI>@ac-dijon.fr of a lycée of the referential
            lycee = session.scalar(select(Lycee).where(Lycee.uai == (uai or "").strip().upper()))
            if lycee is None:
                errors["uai"] = f"Lycée inconnu : {uai}." if uai else "Un chef d'établissement doit être rattaché à un lycée (UAI)."
            elif address != f"ce.{lycee.uai.lower()}@ac-dijon.fr":
                errors["email"] = f"L'adresse d'un chef d'établissement est celle du lycée : ce.{lycee.uai.lower()}@ac-dijon.fr."
        if role == Role.STUDENT and uai:
            lycee = session.scalar(select(Lycee).where(Lycee.uai == uai.strip().upper()))
            if lycee is None:
                errors["uai"] = f"Lycée inconnu : {uai}."
        if role == Role.IEN:
            if not circonscription_code:
                errors["circonscription"] = "Un compte d'IEN doit être rattaché à une circonscription."
            else:
                circ = session.scalar(
                    select(Circonscription).where(Circonscription.code == circonscription_code.strip().upper())
                )
                if circ is None:
                    errors["circonscription"] = f"Circonscription inconnue : {circonscription_code}."
        if session.scalar(select(User.id).where(User.email == address)) is not None:
            errors["email"] = "Un compte existe déjà avec cette adresse électronique."
        if errors:
            raise ValidationError(next(iter(errors.values())), errors=errors)
        now = utcnow()
        user = User(
            role=role,
            email=address,
            password_hash=hash_password(password),
            first_name=first_name,
            last_name=last_name,
            function=clean_text(function, multiline=False)[:150] or None,
            school_id=school.id if school else None,
            lycee_id=lycee.id if lycee else None,
            circonscription_id=circ.id if circ else None,
            departement_code=settings.departement_code,
            activated_at=now if activated else None,
            terms_accepted_at=now,
            password_changed_at=now,
            must_change_password=provisional,
        )
        session.add(user)
        try:
            session.flush()
        except IntegrityError as exc:  # the same address committed concurrently
            raise ValidationError("Un compte existe déjà avec cette adresse électronique.", field="email") from exc
        session.add(StatusChange(entity_type="user", entity_id=user.id, from_status=None,
                                 to_status="active" if activated else "created", author_id=author_id))
        session.flush()
        return to_current_user(user)
