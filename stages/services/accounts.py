"""Accounts: signup, activation by mail, password reset, "Mon compte", remembered logins.

Every token (activation, password reset, the page-to-route handoff, the "Se souvenir de moi"
cookie) is random (``secrets.token_urlsafe``) and only its SHA-256 is stored: the database
never holds a password or a token in clear text.

- Activation link: valid 72 hours, single-use; "Renvoyer le message d'activation" sends a new one.
- Password reset link: valid 2 hours, single-use; the answer never says whether the address exists.
- Login cookie: an HttpOnly cookie set by ``stages.web``, for 14 days with "Se souvenir de moi",
  else for the browser session (30 idle minutes). A page cannot set such a cookie, so after the
  login the page hands a one-minute, single-use LOGIN_HANDOFF token to the route (it is the
  route's CSRF token too), which opens the :class:`AuthSession`.
- Logging out, or changing the password, revokes every login cookie of the account and moves its
  session generation on; a cookie of an older generation no longer logs in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from db import read_session, write_session
from db.models import AuthSession, Lycee, Role, School, StatusChange, TokenPurpose, User, UserToken
from stages.config import get_settings
from stages.domain import security
from stages.domain.passwords import hash_password, password_problems, verify_password
from stages.domain.text import circonscription_of, clean_text, is_valid_email, normalize_email
from stages.domain.timeutil import utcnow
from stages.services import auth, mail, ratelimit
from stages.services.auth import CurrentUser, to_current_user
from stages.services.errors import ValidationError

HANDOFF_SECONDS = 60
COOKIE_NAME = "stages_session"

FUNCTION_MIN, FUNCTION_MAX = 3, 150
NAME_MAX = 100

RESET_SENT = (
    "Si un compte existe avec cette adresse électronique, un courriel vient de lui être envoyé avec "
    f"un lien pour choisir un nouveau mot de passe. Ce lien est valable {security.RESET_HOURS} heures et ne sert qu'une fois."
)
ACTIVATION_SENT = (
    "Si un compte non encore activé existe avec cette adresse électronique, un nouveau message "
    f"d'activation vient de lui être envoyé. Le lien qu'il contient est valable {security.ACTIVATION_HOURS} heures."
)


# --------------------------------------------------------------------------- tokens


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _issue(session, user_id: int, purpose: str, lifetime: dt.timedelta, now: dt.datetime,
           payload: dict | None = None) -> str:
    token = new_token()
    session.add(UserToken(user_id=user_id, purpose=purpose, token_hash=token_hash(token), created_at=now,
                          expires_at=now + lifetime, payload=payload))
    session.flush()
    return token


def _find_token(session, token: str | None, purpose: str) -> UserToken | None:
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    return session.scalar(
        select(UserToken).where(UserToken.token_hash == token_hash(token), UserToken.purpose == purpose)
        .with_for_update()
    )


def _retire_tokens(session, user_id: int, purpose: str, now: dt.datetime) -> None:
    session.execute(
        update(UserToken).where(UserToken.user_id == user_id, UserToken.purpose == purpose,
                                UserToken.used_at.is_(None)).values(used_at=now)
        .execution_options(synchronize_session=False)
    )


def _link(path: str, token: str) -> str:
    return f"{get_settings().app_base_url}/{path}?token={token}"


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
    _retire_tokens(session, user.id, TokenPurpose.ACTIVATION, now)
    token = _issue(session, user.id, TokenPurpose.ACTIVATION, dt.timedelta(hours=security.ACTIVATION_HOURS), now)
    mail.queue_mail(
        session, kind="activation", to=user.email,
        subject="Activez votre compte – Stages de seconde DSDEN 71",
        text=(f"Bienvenue {user.full_name}\n\nVotre compte a bien été enregistré ! Cliquez sur le bouton "
              "ci-dessous afin d'activer votre compte.\n\n"
              f"Ce lien est valable {security.ACTIVATION_HOURS} heures et ne sert qu'une fois. Si vous n'avez pas créé "
              "de compte, ignorez ce message."),
        button=("Activer mon compte", _link("activation", token)),
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
        row = _find_token(session, token, TokenPurpose.ACTIVATION)
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


def _valid_address(email: str) -> str:
    address = normalize_email(email)
    if not is_valid_email(address):
        raise ValidationError("Adresse électronique invalide (format attendu : nom@domaine.fr).", field="email")
    return address


def resend_activation(email: str, now: dt.datetime | None = None, client: str | None = None) -> str:
    """Send a new activation link; the answer is the same whether or not the account exists.

    At most ``ratelimit.MAILS_PER_ADDRESS`` mails an hour to one address; a client asking too often is refused.
    """
    now = now or utcnow()
    address = _valid_address(email)
    with write_session() as session:
        may_mail = ratelimit.mail_request(session, "activation", address, client, now)
        user = session.scalar(select(User).where(User.email == address))
        if may_mail and user is not None and user.activated_at is None and user.deactivated_at is None:
            _mail_activation(session, user, now)
    mail.send_now()
    return ACTIVATION_SENT


# --------------------------------------------------------------------------- login


@dataclass(frozen=True)
class LoginResult:
    user: CurrentUser
    handoff_token: str | None  # set when "Se souvenir de moi" was ticked: the page posts it to /app/session


def login(email: str, password: str, remember: bool = False, now: dt.datetime | None = None,
          client: str | None = None, session_cookie: bool = False) -> LoginResult:
    """Check the credentials (with the lockout of ``auth.authenticate``); prepare the login cookie.

    With ``remember`` the handoff opens a 14-day cookie; with ``session_cookie`` (the app's
    login page) a browser-session cookie, so that a reload, a new tab or another app server
    keeps the login without "Se souvenir de moi".
    """
    user = auth.authenticate(email, password, now=now, client=client)
    token = None
    if remember or session_cookie:
        token = create_handoff(user.id, "remember" if remember else "session", now=now,
                               generation=user.session_generation)
    return LoginResult(user, token)


def create_handoff(user_id: int, action: str, now: dt.datetime | None = None, generation: int | None = None) -> str:
    """A single-use token valid 60 seconds that a page hands to one of the routes of ``stages.web``.

    ``generation``: the account's session generation when the login was checked; the cookie opened
    from this handoff belongs to it (a password change in between ends it too).
    """
    now = now or utcnow()
    payload = {"action": action} if generation is None else {"action": action, "generation": generation}
    with write_session() as session:
        return _issue(session, user_id, TokenPurpose.LOGIN_HANDOFF, dt.timedelta(seconds=HANDOFF_SECONDS), now,
                      payload=payload)


def _consume_handoff(session, token: str | None, action: str | tuple[str, ...], now: dt.datetime) -> User | None:
    row = _find_token(session, token, TokenPurpose.LOGIN_HANDOFF)
    if row is None or row.used_at is not None or row.expires_at <= now:
        return None
    if (row.payload or {}).get("action") not in (action if isinstance(action, tuple) else (action,)):
        return None
    row.used_at = now
    return row.user


def open_remembered_session(handoff_token: str | None, user_agent: str | None = None,
                            now: dt.datetime | None = None) -> tuple[str, dt.datetime | None] | None:
    """Exchange a handoff for a login cookie: (cookie token, expiry), or None.

    A "remember" handoff opens a 14-day login (expiry returned: a persistent cookie); a "session"
    handoff a browser-session login (expiry None: a session cookie), ended after
    ``security.IDLE_MINUTES`` without activity and at the latest after ``security.SESSION_COOKIE_MAX_HOURS``.
    """
    now = now or utcnow()
    with write_session() as session:
        row = _find_token(session, handoff_token, TokenPurpose.LOGIN_HANDOFF)
        user = _consume_handoff(session, handoff_token, ("remember", "session"), now)
        if user is None or not user.is_active:
            return None
        payload = row.payload or {}
        persistent = payload.get("action") == "remember"
        token = new_token()
        expires = now + security.login_cookie_lifetime(persistent)
        auth_session = AuthSession(user_id=user.id, token_hash=token_hash(token), created_at=now, last_seen_at=now,
                                   expires_at=expires, user_agent=(user_agent or "")[:300] or None,
                                   persistent=persistent,
                                   session_generation=payload.get("generation", user.session_generation))
        session.add(auth_session)
        session.flush()
        # The page that logged in keeps the handoff token: through it, it finds (and keeps alive) this login.
        row.payload = {**payload, "auth_session_id": auth_session.id}
        return token, (expires if persistent else None)


def _usable(row: AuthSession | None, now: dt.datetime) -> bool:
    if row is None:
        return False
    user = row.user
    return user.is_active and security.login_cookie_alive(
        persistent=row.persistent, revoked=row.revoked_at is not None, expires_at=row.expires_at,
        last_seen_at=row.last_seen_at, generation=row.session_generation or 0,
        account_generation=user.session_generation or 0, now=now)


def _cookie_row(session, cookie_token: str | None) -> AuthSession | None:
    if not isinstance(cookie_token, str) or not cookie_token or len(cookie_token) > 200:
        return None
    return session.scalar(select(AuthSession).where(AuthSession.token_hash == token_hash(cookie_token)))


@dataclass(frozen=True)
class RestoredLogin:
    user: CurrentUser
    persistent: bool


def restore_login(cookie_token: str | None, now: dt.datetime | None = None) -> RestoredLogin | None:
    """The login of a cookie (remembered or browser-session), or None if unknown, expired, idle,
    revoked, of an older session generation, or the account is inactive.

    Records the activity (``last_seen_at``) when ``security.login_activity_due``.
    """
    now = now or utcnow()
    with write_session() as session:
        row = _cookie_row(session, cookie_token)
        if not _usable(row, now):
            return None
        if security.login_activity_due(row.persistent, row.last_seen_at, now):
            row.last_seen_at = now
        return RestoredLogin(to_current_user(row.user), row.persistent)


def restore_session(cookie_token: str | None, now: dt.datetime | None = None) -> CurrentUser | None:
    """The user of a login cookie (see :func:`restore_login`), or None."""
    restored = restore_login(cookie_token, now=now)
    return restored.user if restored else None


def is_session_valid(cookie_token: str | None, now: dt.datetime | None = None) -> bool:
    """Whether a login cookie is still valid (see :func:`keep_login_alive`, which also records the activity)."""
    return keep_login_alive(cookie_token=cookie_token, now=now) is True


def keep_login_alive(*, cookie_token: str | None = None, handoff_token: str | None = None,
                     now: dt.datetime | None = None) -> bool | None:
    """Called on the runs of a logged-in page: is its login cookie still valid? Records the activity.

    The page knows its login either by the cookie it was restored from, or by the handoff token it
    gave to ``/app/session`` after the login form. True: valid (activity recorded when
    ``security.login_activity_due``); False: revoked, expired, idle or of an older session generation;
    None: no cookie was opened from that handoff (yet), or no token at all.
    """
    now = now or utcnow()
    with read_session() as session:
        if cookie_token:
            row = _cookie_row(session, cookie_token)
        elif handoff_token and len(handoff_token) <= 200:
            handoff = session.scalar(select(UserToken).where(UserToken.token_hash == token_hash(handoff_token),
                                                             UserToken.purpose == TokenPurpose.LOGIN_HANDOFF))
            session_id = (handoff.payload or {}).get("auth_session_id") if handoff is not None else None
            if session_id is None:
                return None
            row = session.get(AuthSession, int(session_id))
        else:
            return None
        if not _usable(row, now):
            return False
        if not security.login_activity_due(row.persistent, row.last_seen_at, now):
            return True
        row_id = row.id
    with write_session() as session:
        session.execute(update(AuthSession).where(AuthSession.id == row_id).values(last_seen_at=now))
    return True


def _revoke_all(session, user_id: int, now: dt.datetime) -> None:
    """Ends every login of the account: remembered ones (cookies), and every open browser session,
    which checks the account's session generation on each rerun (``stages.ui.session``)."""
    session.execute(
        update(AuthSession).where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    session.execute(
        update(User).where(User.id == user_id).values(session_generation=User.session_generation + 1)
        .execution_options(synchronize_session=False)
    )


def logout(user_id: int, clear_cookie: bool = False, now: dt.datetime | None = None) -> str | None:
    """Ends every remembered login of the account; returns a handoff token for /app/logout if asked."""
    now = now or utcnow()
    with write_session() as session:
        _revoke_all(session, user_id, now)
        if clear_cookie:
            return _issue(session, user_id, TokenPurpose.LOGIN_HANDOFF, dt.timedelta(seconds=HANDOFF_SECONDS), now,
                          payload={"action": "logout"})
    return None


def close_session_from_route(handoff_token: str | None, now: dt.datetime | None = None) -> bool:
    """/app/logout: checks the handoff, revokes every remembered login of its account (again). True when valid."""
    now = now or utcnow()
    with write_session() as session:
        user = _consume_handoff(session, handoff_token, "logout", now)
        if user is None:
            return False
        _revoke_all(session, user.id, now)
        return True


# --------------------------------------------------------------------------- password reset


def request_password_reset(email: str, now: dt.datetime | None = None, client: str | None = None) -> str:
    """Mail a reset link (2 hours, single-use). The answer never says whether the address exists, and
    costs the same either way (the mail leaves in the background). Rate-limited as ``resend_activation``."""
    now = now or utcnow()
    address = _valid_address(email)
    with write_session() as session:
        may_mail = ratelimit.mail_request(session, "reset", address, client, now)
        user = session.scalar(select(User).where(User.email == address))
        if may_mail and user is not None and user.deactivated_at is None:
            token = _issue(session, user.id, TokenPurpose.PASSWORD_RESET, dt.timedelta(hours=security.RESET_HOURS), now)
            mail.queue_mail(
                session, kind="password_reset", to=user.email,
                subject="Choisir un nouveau mot de passe – Stages de seconde DSDEN 71",
                text=(f"Bonjour {user.full_name},\n\nVous avez demandé à choisir un nouveau mot de passe. "
                      f"Ce lien est valable {security.RESET_HOURS} heures et ne sert qu'une fois.\n\n"
                      "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : "
                      "votre mot de passe actuel reste valable."),
                button=("Choisir un nouveau mot de passe", _link("mot-de-passe-oublie", token)),
            )
    mail.send_now()
    return RESET_SENT


def _valid_reset(session, token: str | None, now: dt.datetime) -> UserToken:
    row = _find_token(session, token, TokenPurpose.PASSWORD_RESET)
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
        _set_password(session, user, new_password, now)
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


def _set_password(session, user: User, password: str, now: dt.datetime) -> int:
    """New password: every other login of the account ends, every reset link dies. Returns the new generation."""
    user.password_hash = hash_password(password)
    user.password_changed_at = now
    user.must_change_password = False  # a provisional password is replaced by the person's own
    _retire_tokens(session, user.id, TokenPurpose.PASSWORD_RESET, now)
    _revoke_all(session, user.id, now)
    session.flush()
    session.refresh(user, ["session_generation"])
    return user.session_generation


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
        return _set_password(session, row, new_password, now)
