"""« Relancer les écoles sans offre »: a coordinator (the département) or an IEN (their
circonscription only) mails the écoles without a published offer, from an editable template.

- The schools are those of the dashboard's « Écoles sans offre » table, in the user's scope
  (``resolve_scope``): a selection, or every school of the filter.
- The mail goes through the outbox (``mail.queue_mail`` in the transaction, delivered after the
  commit); each one is recorded in ``school_relaunches`` so that the table shows
  « relancée le … » with the count.
- A school is not relaunched twice within 7 days unless the user forces it
  (``stages.domain.coverage.relaunch_blocked_until``); a school without an address is skipped
  and reported, never blocking the others.
- The template (subject and body) the user edits is kept server-side (their draft), and reused
  for the next relaunch until they restore the DSDEN's default words.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import exists, func, select

from db import read_session, write_session
from db.models import Campaign, Circonscription, Offer, OfferStatus, School, SchoolRelaunch
from stages.config import get_settings
from stages.domain import coverage as rules
from stages.domain.text import clean_text, fmt_phone
from stages.domain.timeutil import fmt_date, fmt_range, utcnow
from stages.services import drafts, mail
from stages.services.monitoring.scope import NO_CIRCONSCRIPTION, Filters, Scope, resolve_scope, school_where
from stages.services.pagination import DEFAULT_PAGE_SIZE, Page, count_rows, paginate
from stages.services.auth import CurrentUser
from stages.services.errors import ValidationError

SUBJECT_KEY = "relaunch:subject"
BODY_KEY = "relaunch:body"
PLACEHOLDERS = rules.PLACEHOLDERS
COLUMNS = ["Circonscription", "UAI", "École", "Commune", "Téléphone", "Courriel", "Relance"]


@dataclass(frozen=True)
class Template:
    subject: str
    body: str
    placeholders: dict[str, str] = field(default_factory=lambda: dict(rules.PLACEHOLDERS))


def template(user: CurrentUser) -> Template:
    """The template the user is editing (their draft), else the DSDEN's default words."""
    resolve_scope(user)  # permission
    return Template(drafts.load_text(user, SUBJECT_KEY) or rules.DEFAULT_SUBJECT,
                    drafts.load_text(user, BODY_KEY) or rules.DEFAULT_BODY)


def save_template(user: CurrentUser, subject: str, body: str) -> None:
    """Keep what the user typed (nothing lost on a reload)."""
    resolve_scope(user)
    drafts.save_text(user, SUBJECT_KEY, subject)
    drafts.save_text(user, BODY_KEY, body)


def reset_template(user: CurrentUser) -> Template:
    resolve_scope(user)
    drafts.discard(user, SUBJECT_KEY)
    drafts.discard(user, BODY_KEY)
    return Template(rules.DEFAULT_SUBJECT, rules.DEFAULT_BODY)


# --------------------------------------------------------------------------- the table


def _history(scope: Scope):
    """Per school: last relaunch and number of relaunches in the campaign."""
    return (
        select(SchoolRelaunch.school_id, func.max(SchoolRelaunch.sent_at).label("last"),
               func.count(SchoolRelaunch.id).label("n"))
        .where(SchoolRelaunch.campaign_id == scope.campaign_id)
        .group_by(SchoolRelaunch.school_id)
        .subquery("relaunches")
    )


def _targets_query(scope: Scope):
    published = exists().where(
        Offer.school_id == School.id, Offer.campaign_id == scope.campaign_id, Offer.status == OfferStatus.PUBLISHED
    )
    history = _history(scope)
    return (
        select(School, func.coalesce(Circonscription.short_name, NO_CIRCONSCRIPTION).label("circ"),
               history.c.last, func.coalesce(history.c.n, 0).label("n"))
        .select_from(School)
        .outerjoin(Circonscription, Circonscription.id == School.circonscription_id)
        .outerjoin(history, history.c.school_id == School.id)
        .where(~published, *school_where(scope))
        .order_by(Circonscription.short_name, School.commune, School.name, School.uai)
    )


def schools(user: CurrentUser, filters: Filters | None = None, page: int = 1,
            page_size: int | None = DEFAULT_PAGE_SIZE) -> Page:
    """« Écoles sans offre » with their relaunches (« relancée le 07/12/2026 (2 fois) »)."""
    scope = resolve_scope(user, filters)
    with read_session() as session:
        query = _targets_query(scope)
        total = count_rows(session, query)
        rows = session.execute(paginate(query, page, page_size)).all()
        frame = pd.DataFrame(
            [(r.circ, r.School.uai, r.School.name, r.School.commune, fmt_phone(r.School.phone),
              r.School.email or "", rules.relaunch_label(r.last, int(r.n))) for r in rows],
            columns=COLUMNS,
        )
    return Page(frame, total, page, page_size)


# --------------------------------------------------------------------------- preview and send


@dataclass(frozen=True)
class Plan:
    to_send: list[tuple[str, str, str, str]]  # (uai, address, subject, text)
    recent: list[str]  # « École (UAI) : relancée le …, possible à partir du … »
    no_address: list[str]
    unknown: list[str]  # UAIs asked for that are not schools without an offer in the user's scope

    @property
    def sample(self) -> tuple[str, str, str] | None:
        return self.to_send[0][1:] if self.to_send else None


def _clean(subject: str, body: str) -> tuple[str, str]:
    subject = clean_text(subject or "", multiline=False)
    body = clean_text(body or "")
    problems = rules.template_problems(subject, body)
    if problems:
        raise ValidationError(" ".join(problems.values()), field=next(iter(problems)), errors=problems)
    return subject, body


def _plan(session, user: CurrentUser, scope: Scope, uais: list[str] | None, subject: str, body: str,
          force: bool, now: dt.datetime) -> tuple[Plan, list]:
    campaign = session.get(Campaign, scope.campaign_id)
    query = _targets_query(scope)
    wanted = None if uais is None else list(dict.fromkeys(u.strip().upper() for u in uais if u and u.strip()))
    if wanted is not None:
        if not wanted:
            raise ValidationError("Choisissez au moins une école à relancer, ou relancez toutes celles du filtre.")
        query = query.where(School.uai.in_(wanted))
    rows = session.execute(query).all()
    found = {r.School.uai for r in rows}
    base = get_settings().app_base_url
    dates = fmt_range(campaign.week1_start, campaign.week2_end)
    to_send, recent, no_address, schools_to_send = [], [], [], []
    for r in rows:
        school = r.School
        label = f"{school.name} ({school.uai})"
        blocked = rules.relaunch_blocked_until(r.last, now, force)
        if blocked is not None:
            recent.append(f"{label} : {rules.relaunch_label(r.last, int(r.n))}, nouvelle relance possible à partir "
                          f"du {fmt_date(blocked)}")
            continue
        if not school.email:
            no_address.append(label)
            continue
        values = {"{école}": school.name, "{commune}": school.commune, "{circonscription}": r.circ,
                  "{lien}": base, "{dates}": dates, "{ouverture}": fmt_date(campaign.students_access_on)}
        to_send.append((school.uai, school.email, rules.render_template(subject, values),
                        rules.render_template(body, values)))
        schools_to_send.append(school)
    unknown = [u for u in (wanted or []) if u not in found]
    return Plan(to_send, recent, no_address, unknown), schools_to_send


def preview(user: CurrentUser, filters: Filters | None, uais: list[str] | None, subject: str, body: str,
            force: bool = False, now: dt.datetime | None = None) -> Plan:
    """What « Envoyer » would do: the mails (the first one to show), and the schools skipped."""
    scope = resolve_scope(user, filters)
    subject, body = _clean(subject, body)
    with read_session() as session:
        plan, _ = _plan(session, user, scope, uais, subject, body, force, now or utcnow())
    return plan


@dataclass(frozen=True)
class RelaunchResult:
    sent: int
    plan: Plan


def send(user: CurrentUser, filters: Filters | None, uais: list[str] | None, subject: str, body: str,
         force: bool = False, now: dt.datetime | None = None) -> RelaunchResult:
    """Queue one mail per school (through the outbox) and record the relaunches; delivered after the commit.

    ``uais`` None: every school without an offer of the filter (in the user's scope)."""
    scope = resolve_scope(user, filters)
    subject, body = _clean(subject, body)
    with write_session() as session:
        now = now or utcnow()
        plan, targets = _plan(session, user, scope, uais, subject, body, force, now)
        if not plan.to_send:
            raise ValidationError("Aucune école à relancer : " + (
                "les écoles choisies ont été relancées il y a moins de 7 jours (cochez « Relancer quand même »)."
                if plan.recent else "aucune des écoles choisies n'a d'adresse électronique ou n'est sans offre."))
        for school, (_uai, address, mail_subject, text) in zip(targets, plan.to_send, strict=True):
            mail.queue_mail(session, kind="school_relaunch", to=address, subject=mail_subject, text=text)
            session.add(SchoolRelaunch(campaign_id=scope.campaign_id, school_id=school.id, sent_at=now,
                                       sent_by_id=user.id, to_address=address, forced=force))
    mail.send_now()
    return RelaunchResult(len(plan.to_send), plan)
