"""Comptes: a coordinator searches the département's accounts, deactivates, reactivates, resends an
activation, and creates coordinator and IEN accounts.

Every function checks that the caller is a coordinator and works within the caller's département.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import aliased

from db import read_session, write_session
from db.models import AuthSession, Circonscription, Lycee, Role, School, StatusChange, User
from stages.domain.text import clean_text, normalize_email
from stages.domain.timeutil import fmt_date, fmt_datetime, utcnow
from stages.services import auth, referential
from stages.services.auth import ROLE_LABELS, CurrentUser
from stages.services.errors import NotFound, ValidationError
from stages.services.pagination import DEFAULT_PAGE_SIZE, Page, count_rows, paginate
from stages.services.permissions import require_role


ACCOUNT_COLUMNS = ["N°", "Nom", "Courriel", "Rôle", "Établissement", "Circonscription", "État", "Créé le",
                   "Dernière connexion"]


def _state(activated_at, deactivated_at) -> str:
    if deactivated_at is not None:
        return "Désactivé"
    return "Actif" if activated_at is not None else "Non activé"


def list_accounts(user: CurrentUser, *, search: str = "", role: str | None = None, school: str = "",
                  circonscription_id: int | None = None, page: int = 1,
                  page_size: int | None = DEFAULT_PAGE_SIZE) -> Page:
    """Accounts of the département, searched by name or email, role, school (UAI or name), circonscription."""
    user = require_role(user, Role.COORDINATOR)
    if role and role not in Role.ALL:
        raise ValidationError("Rôle inconnu.", field="role")
    school_circ = aliased(Circonscription)
    user_circ = aliased(Circonscription)
    query = (
        select(User.id, User.first_name, User.last_name, User.email, User.role, User.activated_at,
               User.deactivated_at, User.created_at, User.last_login_at, School.uai, School.name.label("school"),
               Lycee.name.label("lycee"),
               func.coalesce(user_circ.short_name, school_circ.short_name).label("circ"))
        .select_from(User)
        .outerjoin(School, School.id == User.school_id)
        .outerjoin(Lycee, Lycee.id == User.lycee_id)
        .outerjoin(school_circ, school_circ.id == School.circonscription_id)
        .outerjoin(user_circ, user_circ.id == User.circonscription_id)
        .where(User.departement_code == user.departement_code)
        .order_by(User.last_name, User.first_name, User.id)
    )
    words = clean_text(search, multiline=False).lower()
    if words:
        pattern = f"%{words}%"
        query = query.where(or_(func.lower(User.first_name).like(pattern), func.lower(User.last_name).like(pattern),
                                User.email.like(pattern),
                                func.lower(User.first_name + " " + User.last_name).like(pattern)))
    if role:
        query = query.where(User.role == role)
    school_text = clean_text(school, multiline=False).lower()
    if school_text:
        pattern = f"%{school_text}%"
        query = query.where(or_(func.lower(School.uai) == school_text, func.lower(School.name).like(pattern),
                                func.lower(School.commune).like(pattern)))
    if circonscription_id:
        query = query.where(or_(User.circonscription_id == circonscription_id,
                                School.circonscription_id == circonscription_id))
    with read_session() as session:
        total = count_rows(session, query)
        query = paginate(query, page, page_size)
        rows = session.execute(query).all()
    frame = pd.DataFrame(
        [(r.id, f"{r.first_name} {r.last_name}".strip(), r.email, ROLE_LABELS.get(r.role, r.role),
          f"{r.school} ({r.uai})" if r.uai else (r.lycee or ""), r.circ or "", _state(r.activated_at, r.deactivated_at),
          fmt_date(r.created_at), fmt_datetime(r.last_login_at)) for r in rows],
        columns=ACCOUNT_COLUMNS,
    )
    return Page(frame, total, page, page_size)


def find_account(session, user: CurrentUser, target_id: int) -> User:
    target = session.get(User, target_id)
    if target is None or target.departement_code != user.departement_code:
        raise NotFound("Compte introuvable.")
    return target


@dataclass(frozen=True)
class AccountActions:
    """What a coordinator may do on one account now (the page shows a button for each True)."""

    id: int
    label: str  # "Nom — adresse (État)", for the account picker
    can_resend_activation: bool
    can_deactivate: bool
    can_reactivate: bool


def account_actions(user: CurrentUser, target_id: int) -> AccountActions:
    """The actions open on one account of the coordinator's département."""
    user = require_role(user, Role.COORDINATOR)
    with read_session() as session:
        target = find_account(session, user, target_id)
        deactivated = target.deactivated_at is not None
        state = _state(target.activated_at, target.deactivated_at)
        return AccountActions(
            id=target.id, label=f"{target.full_name} — {target.email} ({state})",
            can_resend_activation=not deactivated and target.activated_at is None,
            can_deactivate=not deactivated,  # one's own account: the service says why not
            can_reactivate=deactivated,
        )


def deactivate_account(user: CurrentUser, target_id: int, now: dt.datetime | None = None) -> str:
    """Deactivate an account: it can no longer log in, its remembered logins end."""
    user = require_role(user, Role.COORDINATOR)
    now = now or utcnow()
    if target_id == user.id:
        raise ValidationError("Vous ne pouvez pas désactiver votre propre compte.", field="account")
    with write_session() as session:
        target = find_account(session, user, target_id)
        if target.deactivated_at is not None:
            raise ValidationError("Ce compte est déjà désactivé.", field="account")
        before = "active" if target.activated_at else "created"
        target.deactivated_at = now
        session.execute(update(AuthSession).where(AuthSession.user_id == target.id, AuthSession.revoked_at.is_(None))
                        .values(revoked_at=now))
        session.add(StatusChange(entity_type="user", entity_id=target.id, from_status=before,
                                 to_status="deactivated", author_id=user.id, at=now))
        return f"Le compte de {target.full_name} ({target.email}) est désactivé."


def reactivate_account(user: CurrentUser, target_id: int, now: dt.datetime | None = None) -> str:
    user = require_role(user, Role.COORDINATOR)
    now = now or utcnow()
    with write_session() as session:
        target = find_account(session, user, target_id)
        if target.deactivated_at is None:
            raise ValidationError("Ce compte n'est pas désactivé.", field="account")
        target.deactivated_at = None
        after = "active" if target.activated_at else "created"
        session.add(StatusChange(entity_type="user", entity_id=target.id, from_status="deactivated",
                                 to_status=after, author_id=user.id, at=now))
        return f"Le compte de {target.full_name} ({target.email}) est réactivé."


def resend_account_activation(user: CurrentUser, target_id: int) -> str:
    """Send a new activation link to an account not yet activated (the accounts service writes the mail)."""
    from stages.services import accounts

    user = require_role(user, Role.COORDINATOR)
    with read_session() as session:
        target = find_account(session, user, target_id)
        if target.deactivated_at is not None:
            raise ValidationError("Ce compte est désactivé : réactivez-le d'abord.", field="account")
        if target.activated_at is not None:
            raise ValidationError("Ce compte est déjà activé : pas besoin d'un message d'activation.", field="account")
        email = target.email
    accounts.resend_activation(email)
    return f"Un nouveau message d'activation a été envoyé à {email}."


def create_staff_account(user: CurrentUser, *, role: str, email: str, first_name: str, last_name: str,
                         function: str = "", circonscription_id: int | None = None,
                         password: str = "") -> CurrentUser:
    """Create a coordinator or an IEN (activated, with the provisional password the coordinator chose)."""
    user = require_role(user, Role.COORDINATOR)
    if role not in (Role.COORDINATOR, Role.IEN):
        raise ValidationError("Seuls des comptes de coordinateur ou d'IEN se créent ici.", field="role")
    errors: dict[str, str] = {}
    if not clean_text(first_name, multiline=False):
        errors["first_name"] = "Indiquez le prénom."
    if not clean_text(last_name, multiline=False):
        errors["last_name"] = "Indiquez le nom."
    code = None
    if role == Role.IEN:
        with read_session() as session:
            circ = session.get(Circonscription, circonscription_id) if circonscription_id else None
            if circ is None or circ.departement_code != user.departement_code:
                errors["circonscription"] = "Choisissez la circonscription de l'IEN."
            else:
                code = circ.code
    if errors:
        raise ValidationError(next(iter(errors.values())), errors=errors)
    return auth.create_user(role=role, email=normalize_email(email), password=password or "",
                            first_name=first_name, last_name=last_name, function=function,
                            circonscription_code=code, activated=True, author_id=user.id, provisional=True)


def suggested_password() -> str:
    """A provisional password that meets the rules, to hand to the new user."""
    return f"Stage-{secrets.token_urlsafe(9)}-{secrets.randbelow(90) + 10}!"



def circonscription_choices(user: CurrentUser) -> list[tuple[int, str]]:
    user = require_role(user, Role.COORDINATOR)
    return [(c.id, c.label) for c in referential.circonscriptions(user.departement_code)]


def role_choices() -> dict[str, str]:
    return dict(ROLE_LABELS)
