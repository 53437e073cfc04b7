"""Accounts: signup, activation by mail, "Mon compte" (profile and password change).

- Activation link: valid 72 hours, single-use; "Renvoyer le message d'activation" sends a new one.
- Changing the password ends every other login of the account (``stages.services.password_reset``).

Password reset links: ``stages.services.password_reset``; login cookies and handoffs:
``stages.services.login_sessions``; the tokens themselves: ``stages.services.tokens``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from db import read_session, write_session
from db.models import Lycee, Role, School, StatusChange, TokenPurpose, User
from stages.config import get_settings
from stages.domain import security
from stages.domain.passwords import hash_password, password_problems, verify_password
from stages.domain.text import circonscription_of, clean_text, is_valid_email, normalize_email
from stages.domain.timeutil import utcnow
from stages.services import auth, mail, ratelimit
from stages.services.auth import CurrentUser, to_current_user
from stages.services.errors import ValidationError
from stages.services.password_reset import set_password
from stages.services.tokens import find_token, issue_token, mail_link, retire_tokens, valid_address

FUNCTION_MIN, FUNCTION_MAX = 3, 150
NAME_MAX = 100

ACTIVATION_SENT = (
    "Si un compte non encore activé existe avec cette adresse électronique, un nouveau message "
    f"d'activation vient de lui être envoyé. Le lien qu'il contient est valable {security.ACTIVATION_HOURS} heures."
)


# --------------------------------------------------------------------------- signup


def director_uai_from_email(email: str, domain: str) -> str | None:
    """The UAI of a school address ``<UAI>@domain`` or ``ce.<UAI>@domain`` (upper case), else None."""
    match = re.fullmatch(r"(?:ce\.)?(\d{7}[a-z])@" + re.escape(domain.lower()), normalize_email(email))
    return match.group(1).upper() if match else None


@dataclass(frozen=True)
class SignupResult:
    full_name: str
    email: str


def _name_errors(first_name: str, last_name: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not first_name:
        errors["first_name"] = "Renseignez votre prénom."
    elif len(first_name) > NAME_MAX:
        errors["first_name"] = f"Le prénom ne doit pas dépasser {NAME_MAX} caractères."
    if not last_name:
        errors["last_name"] = "Renseignez votre nom."
    elif len(last_name) > NAME_MAX:
        errors["last_name"] = f"Le nom ne doit pas dépasser {NAME_MAX} caractères."
    return errors


def _common_errors(first_name: str, last_name: str, email: str, password: str, accepted_terms: bool) -> dict[str, str]:
    errors = _name_errors(first_name, last_name)
    if not email:
        errors["email"] = "Renseignez votre adresse électronique."
    elif not is_valid_email(email):
        errors["email"] = "Adresse électronique invalide (format attendu : nom@domaine.fr)."
    problems = password_problems(password)
    if problems:
        errors["password"] = " ".join(problems)
    if not accepted_terms:
        errors["terms"] = "Vous devez accepter les conditions d'utilisation pour créer un compte."
    return errors


def _function_error(function: str) -> str | None:
    if len(function) < FUNCTION_MIN:
        return f"Renseignez votre fonction ({FUNCTION_MIN} caractères au moins), par exemple « Directeur (trice) »."
    if len(function) > FUNCTION_MAX:
        return f"La fonction ne doit pas dépasser {FUNCTION_MAX} caractères."
    return None


def signup_director(*, first_name: str, last_name: str, function: str, email: str, password: str,
                    accepted_terms: bool, now: dt.datetime | None = None, client: str | None = None) -> SignupResult:
    """« Se créer un compte en tant qu'offreur »: the school is found from its address."""
    first_name = clean_text(first_name, multiline=False)
    last_name = clean_text(last_name, multiline=False)
    function = clean_text(function, multiline=False)
    address = normalize_email(email)
    errors = _common_errors(first_name, last_name, address, password, accepted_terms)
    if (message := _function_error(function)) is not None:
        errors["function"] = message
    domain = get_settings().director_email_domain
    uai = director_uai_from_email(address, domain)
    school_id = None
    if "email" not in errors:
        if uai is None:
            errors["email"] = (
                f"Utilisez l'adresse électronique de votre école : 071xxxxX@{domain} ou ce.071xxxxX@{domain} "
                "(071xxxxX est l'UAI de l'école)."
            )
        else:
            with read_session() as session:
                school_id = session.scalar(select(School.id).where(School.uai == uai))
            if school_id is None:
                errors["email"] = (
                    f"Aucune école de Saône-et-Loire ne porte l'UAI {uai} de cette adresse : vérifiez l'adresse "
                    "de l'école, ou contactez la DSDEN si l'école manque au référentiel."
                )
    if errors:
        raise ValidationError(next(iter(errors.values())), errors=errors)
    return _register(role=Role.DIRECTOR, first_name=first_name, last_name=last_name, function=function,
                     email=address, password=password, school_id=school_id, lycee_id=None, now=now, client=client)


def signup_student(*, first_name: str, last_name: str, lycee_id: int | None, email: str, password: str,
                   accepted_terms: bool, now: dt.datetime | None = None, client: str | None = None) -> SignupResult:
    """A student signs up with any address and chooses their lycée (général et technologique)."""
    first_name = clean_text(first_name, multiline=False)
    last_name = clean_text(last_name, multiline=False)
    address = normalize_email(email)
    errors = _common_errors(first_name, last_name, address, password, accepted_terms)
    settings = get_settings()
    lycee_ok = False
    if lycee_id is not None:
        with read_session() as session:
            lycee = session.get(Lycee, int(lycee_id))
            lycee_ok = (lycee is not None and lycee.departement_code == settings.departement_code
                        and (lycee.voie_generale or lycee.voie_technologique))
    if not lycee_ok:
        errors["lycee"] = "Choisissez votre lycée dans la liste."
    if errors:
        raise ValidationError(next(iter(errors.values())), errors=errors)
    return _register(role=Role.STUDENT, first_name=first_name, last_name=last_name, function=None,
                     email=address, password=password, school_id=None, lycee_id=int(lycee_id), now=now, client=client)


def _register(*, role: str, first_name: str, last_name: str, function: str | None, email: str, password: str,
              school_id: int | None, lycee_id: int | None, now: dt.datetime | None,
              client: str | None = None) -> SignupResult:
    """Create the account and mail its activation link; an existing address never gets a second account.

    When the address is taken (whatever its letter case, or by a concurrent signup), the page
    answers the same and the owner of the address gets a mail saying they already have an account:
    the signup form does not tell a stranger who has an account.
    """
    now = now or utcnow()
    password_hash = hash_password(password)
    result = SignupResult(f"{first_name} {last_name}", email)
    try:
        with write_session() as session:
            may_mail = ratelimit.mail_request(session, "signup", email, client, now)
            existing = session.scalar(select(User).where(User.email == email))
            if existing is not None:
                if may_mail:
                    _mail_existing(session, existing, now)
            else:
                user = User(role=role, email=email, password_hash=password_hash, first_name=first_name,
                            last_name=last_name, function=function, school_id=school_id, lycee_id=lycee_id,
                            departement_code=get_settings().departement_code, terms_accepted_at=now,
                            password_changed_at=now, created_at=now)
                session.add(user)
                session.flush()
                session.add(StatusChange(entity_type="user", entity_id=user.id, from_status=None,
                                         to_status="created", author_id=user.id))
                _mail_activation(session, user, now)
    except IntegrityError:
        # Another signup with this address committed between our check and our insert.
        with write_session() as session:
            existing = session.scalar(select(User).where(User.email == email))
            if existing is not None:
                _mail_existing(session, existing, now)
    mail.send_now()
    return result


def _mail_activation(session, user: User, now: dt.datetime) -> None:
    # One activation link valid at a time: a new one retires the previous ones.
    retire_tokens(session, user.id, TokenPurpose.ACTIVATION, now)
    token = issue_token(session, user.id, TokenPurpose.ACTIVATION, dt.timedelta(hours=security.ACTIVATION_HOURS), now)
    mail.queue_mail(
        session, kind="activation", to=user.email,
        subject="Activez votre compte – Stages de seconde DSDEN 71",
        text=(f"Bienvenue {user.full_name}\n\nVotre compte a bien été enregistré ! Cliquez sur le bouton "
              "ci-dessous afin d'activer votre compte.\n\n"
              f"Ce lien est valable {security.ACTIVATION_HOURS} heures et ne sert qu'une fois. Si vous n'avez pas créé "
              "de compte, ignorez ce message."),
        button=("Activer mon compte", mail_link("activation", token)),
    )


def _mail_existing(session, user: User, now: dt.datetime) -> None:
    if not user.is_active and user.deactivated_at is None:
        _mail_activation(session, user, now)
        return
    mail.queue_mail(
        session, kind="signup_existing", to=user.email,
        subject="Vous avez déjà un compte – Stages de seconde DSDEN 71",
        text=(f"Bonjour {user.full_name},\n\nQuelqu'un (sans doute vous) a demandé à créer un compte avec cette "
              "adresse électronique, mais un compte existe déjà : aucun second compte n'a été créé.\n\n"
              "Connectez-vous avec votre mot de passe habituel, ou choisissez-en un nouveau avec "
              "« Mot de passe oublié ? »."),
        button=("Se connecter", f"{get_settings().app_base_url}/connexion"),
    )

# --------------------------------------------------------------------------- activation


@dataclass(frozen=True)
class ActivationResult:
    full_name: str
    already_active: bool = False


def activate(token: str | None, now: dt.datetime | None = None) -> ActivationResult:
    now = now or utcnow()
    with write_session() as session:
        row = find_token(session, token, TokenPurpose.ACTIVATION)
        if row is None:
            raise ValidationError("Ce lien d'activation n'est pas valable : vérifiez que vous avez copié le lien "
                                  "en entier, ou demandez un nouveau message d'activation.", field="token")
        user = row.user
        if row.used_at is not None:
            if user.activated_at is not None:
                return ActivationResult(user.full_name, already_active=True)
            raise ValidationError("Ce lien d'activation a déjà servi : demandez un nouveau message d'activation.",
                                  field="token")
        if row.expires_at <= now:
            raise ValidationError(f"Ce lien d'activation a expiré (il est valable {security.ACTIVATION_HOURS} heures) : "
                                  "demandez un nouveau message d'activation ci-dessous.", field="token")
        row.used_at = now
        if user.activated_at is not None:
            return ActivationResult(user.full_name, already_active=True)
        user.activated_at = now
        session.add(StatusChange(entity_type="user", entity_id=user.id, from_status="created",
                                 to_status="active", author_id=user.id))
        return ActivationResult(user.full_name)


def resend_activation(email: str, now: dt.datetime | None = None, client: str | None = None) -> str:
    """Send a new activation link; the answer is the same whether or not the account exists.

    At most ``ratelimit.MAILS_PER_ADDRESS`` mails an hour to one address; a client asking too often is refused.
    """
    now = now or utcnow()
    address = valid_address(email)
    with write_session() as session:
        may_mail = ratelimit.mail_request(session, "activation", address, client, now)
        user = session.scalar(select(User).where(User.email == address))
        if may_mail and user is not None and user.activated_at is None and user.deactivated_at is None:
            _mail_activation(session, user, now)
    mail.send_now()
    return ACTIVATION_SENT

# --------------------------------------------------------------------------- Mon compte


@dataclass(frozen=True)
class Profile:
    first_name: str
    last_name: str
    function: str | None
    email: str
    role_label: str
    attachment: str | None  # the school, lycée or circonscription
    has_function: bool


def get_profile(user: CurrentUser) -> Profile:
    with read_session() as session:
        row = session.get(User, user.id)
        attachment = None
        if row.school is not None:
            attachment = f"{row.school.name} ({row.school.commune}) – UAI {row.school.uai}"
        elif row.lycee is not None:
            attachment = f"{row.lycee.name} ({row.lycee.commune})"
        elif row.circonscription is not None:
            attachment = circonscription_of(row.circonscription.short_name)
        return Profile(row.first_name, row.last_name, row.function, row.email,
                       auth.ROLE_LABELS.get(row.role, row.role), attachment, row.role != Role.STUDENT)


def update_profile(user: CurrentUser, *, first_name: str, last_name: str, function: str | None = None) -> CurrentUser:
    first_name = clean_text(first_name, multiline=False)
    last_name = clean_text(last_name, multiline=False)
    errors = _name_errors(first_name, last_name)
    cleaned_function = None
    if user.role != Role.STUDENT:
        cleaned_function = clean_text(function, multiline=False)
        if (message := _function_error(cleaned_function)) is not None:
            errors["function"] = message
    if errors:
        raise ValidationError(next(iter(errors.values())), errors=errors)
    with write_session() as session:
        row = session.get(User, user.id)
        row.first_name = first_name
        row.last_name = last_name
        if user.role != Role.STUDENT:
            row.function = cleaned_function
        session.flush()
        return to_current_user(row)


def change_password(user: CurrentUser, *, current_password: str, new_password: str,
                    now: dt.datetime | None = None) -> int:
    """Asks for the current password; ends every other login of the account (remembered or not).

    Returns the account's new session generation: the caller's own session adopts it and goes on.
    """
    now = now or utcnow()
    with write_session() as session:
        row = session.get(User, user.id)
        if not verify_password(current_password or "", row.password_hash):
            raise ValidationError("Le mot de passe actuel est incorrect.", field="current_password")
        problems = password_problems(new_password or "")
        if problems:
            raise ValidationError(" ".join(problems), field="new_password")
        if verify_password(new_password, row.password_hash):
            raise ValidationError("Choisissez un mot de passe différent de l'actuel.", field="new_password")
        return set_password(session, row, new_password, now)
