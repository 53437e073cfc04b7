"""Administration by the DSDEN's coordinators: campaign, referential, accounts and history.

Every function checks that the caller is a coordinator (``require_role(user, Role.COORDINATOR)``)
and works within the caller's département.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import String, and_, cast, func, or_, select, update
from sqlalchemy.orm import aliased

from db import read_session, write_session
from db.models import (
    AuthSession,
    Campaign,
    Candidature,
    Circonscription,
    Lycee,
    Offer,
    Role,
    School,
    StatusChange,
    User,
)
from stages.domain.calendar import school_year_for
from stages.domain import placements as placement_rules
from stages.domain import candidatures as candidature_rules
from stages.domain.candidatures import LABELS as CANDIDATURE_LABELS
from stages.domain.text import clean_text, normalize_email
from stages.domain.timeutil import fmt_date, fmt_datetime, paris_to_utc, today_paris, utcnow
from stages.services import auth, campaigns, referential
from stages.services.auth import ROLE_LABELS, CurrentUser
from stages.services.errors import NotFound, ValidationError
from stages.services.exports import ExportFile, export_file
from stages.services.monitoring.tables import OFFER_STATUS_LABELS
from stages.services.pagination import DEFAULT_PAGE_SIZE, Page, count_rows, paginate
from stages.services.permissions import require_role

MIN_DELAY, MAX_DELAY = candidature_rules.MIN_RESPONSE_DELAY_DAYS, candidature_rules.MAX_RESPONSE_DELAY_DAYS
ADDRESS_MIN, ADDRESS_MAX = 8, 200
USER_STATUS_LABELS = {"active": "Actif", "created": "Créé (non activé)", "deactivated": "Désactivé",
                      "updated": "Modifiée"}
ENTITY_LABELS = {"offer": "Offre", "candidature": "Candidature", "user": "Compte", "campaign": "Campagne"}


def _coordinator(user: CurrentUser | None) -> CurrentUser:
    return require_role(user, Role.COORDINATOR)


# --------------------------------------------------------------------------- campaign


CAMPAIGN_FIELDS = ("week1_start", "week1_end", "week2_start", "week2_end", "response_delay_days",
                   "offers_open_on", "students_access_on", "head_office_address",
                   "confirmation_delay_days")  # the last: issue 13
FIELD_LABELS = {
    "week1_start": "début de la 1re semaine", "week1_end": "fin de la 1re semaine",
    "week2_start": "début de la 2e semaine", "week2_end": "fin de la 2e semaine",
    "response_delay_days": "délai de réponse", "offers_open_on": "ouverture du dépôt des offres",
    "students_access_on": "accès des élèves", "head_office_address": "adresse du siège",
    "confirmation_delay_days": "délai de confirmation des élèves",
}


@dataclass(frozen=True)
class CampaignForm:
    school_year: str
    values: dict
    defaults: dict  # the national rule's dates for that year
    exists: bool


def school_years(user: CurrentUser) -> list[str]:
    """The school years a coordinator may set: existing campaigns, this year and the next."""
    user = _coordinator(user)
    current = school_year_for(today_paris())
    start = int(current[:4])
    years = {c.school_year for c in campaigns.list_campaigns(user.departement_code)}
    years |= {current, f"{start + 1}-{start + 2}"}
    return sorted(years, reverse=True)


def campaign_form(user: CurrentUser, school_year: str | None = None) -> CampaignForm:
    """The saved settings of a school year's campaign, or the rule's defaults when it has none yet."""
    user = _coordinator(user)
    school_year = school_year or school_year_for(today_paris())
    _check_year(school_year)
    defaults = campaigns.default_campaign_values(school_year)
    with read_session() as session:
        campaign = session.scalar(select(Campaign).where(Campaign.departement_code == user.departement_code,
                                                         Campaign.school_year == school_year))
        if campaign is None:
            return CampaignForm(school_year, dict(defaults), defaults, False)
        values = {name: getattr(campaign, name) for name in CAMPAIGN_FIELDS}
    return CampaignForm(school_year, values, defaults, True)


def _check_year(school_year: str) -> None:
    parts = school_year.split("-")
    if len(parts) != 2 or not all(p.isdigit() and len(p) == 4 for p in parts) or int(parts[1]) != int(parts[0]) + 1:
        raise ValidationError("Année scolaire invalide (format attendu : 2026-2027).", field="school_year")


def validate_campaign(school_year: str, values: dict) -> tuple[dict, dict[str, str]]:
    """Clean and check a campaign's settings; returns (clean values, errors by field)."""
    errors: dict[str, str] = {}
    clean = dict(values)
    start_year = int(school_year[:4])
    first_day, last_day = dt.date(start_year, 9, 1), dt.date(start_year + 1, 8, 31)
    for name in CAMPAIGN_FIELDS:
        if name not in ("response_delay_days", "head_office_address", "confirmation_delay_days") and not isinstance(values.get(name), dt.date):
            errors[name] = f"Indiquez la date ({FIELD_LABELS[name]})."
    if not errors:
        w1s, w1e, w2s, w2e = (values[n] for n in ("week1_start", "week1_end", "week2_start", "week2_end"))
        if w1s.weekday() != 0:
            errors["week1_start"] = f"La 1re semaine doit commencer un lundi (le {fmt_date(w1s)} n'en est pas un)."
        elif w1e != w1s + dt.timedelta(days=4):
            errors["week1_end"] = f"La 1re semaine doit finir le vendredi {fmt_date(w1s + dt.timedelta(days=4))}."
        if w2s != w1s + dt.timedelta(days=7):
            errors["week2_start"] = (f"La 2e semaine doit suivre la 1re : elle commence le lundi "
                                     f"{fmt_date(w1s + dt.timedelta(days=7))}.")
        elif w2e != w2s + dt.timedelta(days=4):
            errors["week2_end"] = f"La 2e semaine doit finir le vendredi {fmt_date(w2s + dt.timedelta(days=4))}."
        if not first_day <= w1s <= last_day or not first_day <= w2e <= last_day:
            errors.setdefault("week1_start", f"Les semaines de stage doivent être dans l'année scolaire {school_year} "
                                             f"(du {fmt_date(first_day)} au {fmt_date(last_day)}).")
        if values["students_access_on"] < values["offers_open_on"]:
            errors["students_access_on"] = "Les élèves ne peuvent pas accéder aux offres avant l'ouverture du dépôt."
        if values["offers_open_on"] >= w1s:
            errors["offers_open_on"] = "Le dépôt des offres doit ouvrir avant le début du stage."
        elif values["students_access_on"] >= w1s:
            errors.setdefault("students_access_on", "L'accès des élèves doit ouvrir avant le début du stage.")
    try:
        delay = int(values.get("response_delay_days"))
    except (TypeError, ValueError):
        delay = None
    if delay is None or not MIN_DELAY <= delay <= MAX_DELAY:
        errors["response_delay_days"] = f"Le délai de réponse doit être entre {MIN_DELAY} et {MAX_DELAY} jours."
    clean["response_delay_days"] = delay
    try:
        confirm = int(values.get("confirmation_delay_days", placement_rules.DEFAULT_CONFIRMATION_DAYS))
    except (TypeError, ValueError):
        confirm = 0
    problem = placement_rules.validate_confirmation_delay(confirm)
    if problem:
        errors["confirmation_delay_days"] = problem
    clean["confirmation_delay_days"] = confirm
    address = clean_text(values.get("head_office_address"), multiline=False)
    if not ADDRESS_MIN <= len(address) <= ADDRESS_MAX:
        errors["head_office_address"] = (f"L'adresse du siège doit faire entre {ADDRESS_MIN} et {ADDRESS_MAX} "
                                         f"caractères ({len(address)} saisis).")
    clean["head_office_address"] = address
    return clean, errors


def save_campaign(user: CurrentUser, school_year: str, values: dict) -> campaigns.CampaignView:
    """Create or update a school year's campaign. Existing offers keep their own head-office
    address; their period labels follow the new dates; deadlines already set stay."""
    user = _coordinator(user)
    _check_year(school_year)
    clean, errors = validate_campaign(school_year, values)
    if errors:
        raise ValidationError(next(iter(errors.values())), errors=errors)
    with write_session() as session:
        campaign = campaigns.get_or_create_campaign(session, school_year, user.departement_code)
        changes = []
        for name in CAMPAIGN_FIELDS:
            if getattr(campaign, name) != clean[name]:
                old = getattr(campaign, name)
                changes.append(f"{FIELD_LABELS[name]} : {fmt_date(old) if isinstance(old, dt.date) else old} → "
                               f"{fmt_date(clean[name]) if isinstance(clean[name], dt.date) else clean[name]}")
                setattr(campaign, name, clean[name])
        if changes:
            session.add(StatusChange(entity_type="campaign", entity_id=campaign.id, from_status=None,
                                     to_status="updated", author_id=user.id, comment=" ; ".join(changes)))
        session.flush()
        return campaigns.to_view(campaign)


# --------------------------------------------------------------------------- referential


@dataclass(frozen=True)
class ReferentialResult:
    dry_run: bool
    summary: list[str]
    differences: pd.DataFrame  # Changement, Type, UAI, Nom, Commune
    errors: pd.DataFrame  # Ligne, Motif
    counts: dict[str, int] = field(default_factory=dict)


def _parse(data: bytes):
    if not data:
        raise ValidationError("Le fichier est vide : choisissez le fichier CSV de l'annuaire.", field="file")
    try:
        return referential.parse_file(data)
    except ValueError as exc:
        raise ValidationError(str(exc), field="file") from exc


def _referential(user: CurrentUser, data: bytes, dry_run: bool, progress: Callable[[float], None] | None):
    _coordinator(user)
    parsed = _parse(data)
    report = referential.import_parsed(parsed, dry_run=dry_run, progress=progress)
    names = {}
    for kind, rows in (("Circonscription", parsed.circonscriptions), ("École", parsed.schools),
                       ("Lycée", parsed.lycees)):
        for _line, values in rows:
            names[(kind, values.get("uai") or values.get("code"))] = (values.get("name", ""), values.get("commune") or "")
    gone_names = {}
    with read_session() as session:
        for model, kind, codes in ((School, "École", report.schools.gone), (Lycee, "Lycée", report.lycees.gone)):
            for start in range(0, len(codes), 500):
                for row in session.execute(select(model.uai, model.name, model.commune)
                                           .where(model.uai.in_(codes[start:start + 500]))):
                    gone_names[(kind, row.uai)] = (row.name, row.commune)
    records = []
    for kind, rep in (("Circonscription", report.circonscriptions), ("École", report.schools), ("Lycée", report.lycees)):
        for label, codes, lookup in (("Nouveau", rep.created, names), ("Modifié", rep.changed, names),
                                     ("Absent du fichier", rep.gone, gone_names)):
            for code in codes:
                name, commune = lookup.get((kind, code), ("", ""))
                records.append((label, kind, code, name, commune))
    counts = {
        "nouveaux": sum(len(r.created) for r in (report.circonscriptions, report.schools, report.lycees)),
        "modifiés": sum(len(r.changed) for r in (report.circonscriptions, report.schools, report.lycees)),
        "absents": len(report.schools.gone) + len(report.lycees.gone),
        "erreurs": len(report.errors),
    }
    return ReferentialResult(
        dry_run=dry_run,
        summary=report.lines(),
        differences=pd.DataFrame(records, columns=["Changement", "Type", "UAI", "Nom", "Commune"]),
        errors=pd.DataFrame(report.errors, columns=["Ligne", "Motif"]),
        counts=counts,
    )


def preview_referential(user: CurrentUser, data: bytes,
                        progress: Callable[[float], None] | None = None) -> ReferentialResult:
    """What an import of the annuaire would change (new, changed, gone) and its bad rows; nothing saved."""
    return _referential(user, data, True, progress)


def import_referential(user: CurrentUser, data: bytes,
                       progress: Callable[[float], None] | None = None) -> ReferentialResult:
    """Import the annuaire: good rows are saved, bad rows listed with their line number and reason.

    Establishments absent from the file are reported, never deleted (offers refer to them)."""
    return _referential(user, data, False, progress)


# --------------------------------------------------------------------------- accounts


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
    user = _coordinator(user)
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


def _target(session, user: CurrentUser, target_id: int) -> User:
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
    user = _coordinator(user)
    with read_session() as session:
        target = _target(session, user, target_id)
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
    user = _coordinator(user)
    now = now or utcnow()
    if target_id == user.id:
        raise ValidationError("Vous ne pouvez pas désactiver votre propre compte.", field="account")
    with write_session() as session:
        target = _target(session, user, target_id)
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
    user = _coordinator(user)
    now = now or utcnow()
    with write_session() as session:
        target = _target(session, user, target_id)
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

    user = _coordinator(user)
    with read_session() as session:
        target = _target(session, user, target_id)
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
    user = _coordinator(user)
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


HISTORY_COLUMNS = ["Date", "Type", "N°", "Objet", "De", "Vers", "Auteur", "Commentaire"]


def _status_label(entity_type: str, status: str | None) -> str:
    if status is None:
        return ""
    if entity_type == "offer":
        return OFFER_STATUS_LABELS.get(status, status)
    if entity_type == "candidature":
        return CANDIDATURE_LABELS.get(status, status)
    return USER_STATUS_LABELS.get(status, status)


def _history_query():
    author = aliased(User)
    target_user = aliased(User)
    offer = aliased(Offer)
    cand_offer = aliased(Offer)
    school = aliased(School)
    cand_school = aliased(School)
    query = (
        select(StatusChange.id, StatusChange.at, StatusChange.entity_type, StatusChange.entity_id,
               StatusChange.from_status, StatusChange.to_status, StatusChange.comment,
               author.first_name.label("a_first"), author.last_name.label("a_last"), author.role.label("a_role"),
               offer.title.label("o_title"), school.name.label("o_school"), school.uai.label("o_uai"),
               cand_offer.id.label("c_offer"), cand_offer.title.label("c_title"), cand_school.name.label("c_school"),
               cand_school.uai.label("c_uai"), target_user.email.label("u_email"), target_user.role.label("u_role"))
        .select_from(StatusChange)
        .outerjoin(author, author.id == StatusChange.author_id)
        .outerjoin(offer, and_(StatusChange.entity_type == "offer", offer.id == StatusChange.entity_id))
        .outerjoin(school, school.id == offer.school_id)
        .outerjoin(Candidature, and_(StatusChange.entity_type == "candidature",
                                     Candidature.id == StatusChange.entity_id))
        .outerjoin(cand_offer, cand_offer.id == Candidature.offer_id)
        .outerjoin(cand_school, cand_school.id == cand_offer.school_id)
        .outerjoin(target_user, and_(StatusChange.entity_type == "user", target_user.id == StatusChange.entity_id))
        .order_by(StatusChange.at.desc(), StatusChange.id.desc())
    )
    return query, author


def _history_frame(rows) -> pd.DataFrame:
    records = []
    for r in rows:
        if r.entity_type == "offer":
            subject = f"{r.o_title or ''} — {r.o_school or ''} ({r.o_uai or ''})"
        elif r.entity_type == "candidature":
            subject = f"Offre n° {r.c_offer or ''} {r.c_title or ''} — {r.c_school or ''} ({r.c_uai or ''})"
        elif r.entity_type == "user":
            # Students' addresses stay out of the history (and of its export).
            subject = "Compte élève" if r.u_role == Role.STUDENT else (r.u_email or "")
        else:
            subject = ""
        if r.a_role is None:
            who = "Système"
        elif r.a_role == Role.STUDENT:
            who = "Élève"
        else:
            who = f"{r.a_first} {r.a_last} ({ROLE_LABELS.get(r.a_role, r.a_role)})"
        records.append((fmt_datetime(r.at), ENTITY_LABELS.get(r.entity_type, r.entity_type), r.entity_id, subject,
                        _status_label(r.entity_type, r.from_status), _status_label(r.entity_type, r.to_status), who,
                        r.comment or ""))
    return pd.DataFrame(records, columns=HISTORY_COLUMNS)


@dataclass(frozen=True)
class HistoryFilters:
    entity_types: tuple[str, ...] = ("offer", "candidature")
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    author: str = ""


def history(user: CurrentUser, filters: HistoryFilters | None = None, page: int = 1,
            page_size: int | None = DEFAULT_PAGE_SIZE) -> Page:
    """Every status change (offers and candidatures by default), newest first, filtered and paginated.

    Dates are Paris days, inclusive. Students appear as "Élève", never by name."""
    _coordinator(user)
    filters = filters or HistoryFilters()
    unknown = [t for t in filters.entity_types if t not in ENTITY_LABELS]
    if unknown:
        raise ValidationError("Type d'historique inconnu.", field="entity_types")
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise ValidationError("La date de début doit précéder la date de fin.", field="date_to")
    query, author = _history_query()
    if filters.entity_types:
        query = query.where(StatusChange.entity_type.in_(filters.entity_types))
    if filters.date_from:
        query = query.where(StatusChange.at >= paris_to_utc(dt.datetime.combine(filters.date_from, dt.time())))
    if filters.date_to:
        end = dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time())
        query = query.where(StatusChange.at < paris_to_utc(end))
    words = clean_text(filters.author, multiline=False).lower()
    if words:
        pattern = f"%{words}%"
        query = query.where(author.role != Role.STUDENT, or_(
            func.lower(author.first_name + " " + author.last_name).like(pattern), author.email.like(pattern),
            func.lower(cast(author.role, String)).like(pattern)))
    with read_session() as session:
        total = count_rows(session, query)
        query = paginate(query, page, page_size)
        frame = _history_frame(session.execute(query).all())
    return Page(frame, total, page, page_size)


def export_history(user: CurrentUser, fmt: str, filters: HistoryFilters | None = None) -> ExportFile:
    return export_file("historique", history(user, filters, page_size=None).rows, fmt)


def user_history(user: CurrentUser, target_id: int, limit: int = 500) -> pd.DataFrame:
    """The changes of an account (created, activated, deactivated…) and what it changed itself."""
    user = _coordinator(user)
    with read_session() as session:
        _target(session, user, target_id)
        query, _author = _history_query()
        query = query.where(or_(and_(StatusChange.entity_type == "user", StatusChange.entity_id == target_id),
                                StatusChange.author_id == target_id)).limit(limit)
        return _history_frame(session.execute(query).all())


def circonscription_choices(user: CurrentUser) -> list[tuple[int, str]]:
    user = _coordinator(user)
    return [(c.id, c.label) for c in referential.circonscriptions(user.departement_code)]


def role_choices() -> dict[str, str]:
    return dict(ROLE_LABELS)
