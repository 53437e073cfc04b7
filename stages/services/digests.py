"""Weekly digest (``python manage.py send-digests``, weekly timer): each IEN gets their
circonscription's figures, each coordinator the département's, one line per circonscription.

Figures, for the current campaign: published offers, places, coverage (écoles with a published
offer ÷ écoles of the referential), offers first published in the last 7 days, écoles still
without an offer, candidatures waiting for an answer for more than 10 days, and conventions not
signed yet (in progress or not started: the conventions' tracking figures,
``stages.services.conventions.tracking.figures``, read with the recipient's own scope).

Idempotent per ISO week (Europe/Paris): ``digest_runs`` has one row per recipient and week,
inserted in the same transaction as the mail; running the command twice in a week, or two
timers at once, sends each recipient one digest.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError

from db import read_session, write_session
from db.models import Candidature, CandidatureStatus, Circonscription, DigestRun, Offer, OfferStatus, Role, School, User
from stages.domain import coverage as rules
from stages.domain.timeutil import utcnow
from stages.services import auth, campaigns, mail, mail_templates
from stages.services.conventions import tracking

NO_CIRC = "Sans circonscription"
SCHOOLS_LISTED = 30  # an IEN's mail lists at most this many écoles without an offer by name


@dataclass
class CircFigures:
    circonscription_id: int | None
    name: str
    schools: int = 0
    schools_with_offer: int = 0
    offers: int = 0
    places: int = 0
    new_offers: int = 0
    waiting: int = 0
    conventions_not_signed: int = 0
    without_offer: list[str] | None = None

    @property
    def coverage(self) -> float:
        return self.schools_with_offer / self.schools if self.schools else 0.0

    @property
    def schools_without_offer(self) -> int:
        return self.schools - self.schools_with_offer


def figures(session, departement_code: str, campaign_id: int, now: dt.datetime,
            circonscription_id: int | None = None) -> list[CircFigures]:
    """One row per circonscription of the département (or only ``circonscription_id``)."""
    where = [School.departement_code == departement_code]
    if circonscription_id is not None:
        where.append(School.circonscription_id == circonscription_id)
    names = dict(session.execute(select(Circonscription.id, Circonscription.short_name)).all())
    rows: dict[int | None, CircFigures] = {}

    def row(cid) -> CircFigures:
        if cid not in rows:
            rows[cid] = CircFigures(cid, names.get(cid, NO_CIRC))
        return rows[cid]

    for cid, n in session.execute(select(School.circonscription_id, func.count(School.id)).where(*where)
                                  .group_by(School.circonscription_id)):
        row(cid).schools = int(n)
    published = (Offer.campaign_id == campaign_id, Offer.status == OfferStatus.PUBLISHED)
    for cid, schools, offers, places, new in session.execute(
        select(School.circonscription_id, func.count(Offer.school_id.distinct()), func.count(Offer.id),
               func.coalesce(func.sum(Offer.max_students), 0),
               func.coalesce(func.sum(case((Offer.first_published_at >= now - dt.timedelta(days=7), 1), else_=0)), 0))
        .join(School, School.id == Offer.school_id).where(*where, *published).group_by(School.circonscription_id)
    ):
        r = row(cid)
        r.schools_with_offer, r.offers, r.places, r.new_offers = int(schools), int(offers), int(places), int(new)
    for cid, n in session.execute(
        select(School.circonscription_id, func.count(Candidature.id))
        .join(Offer, Offer.id == Candidature.offer_id).join(School, School.id == Offer.school_id)
        .where(*where, Offer.campaign_id == campaign_id, Candidature.status.in_(CandidatureStatus.PENDING),
               Candidature.deadline_at > now, Candidature.submitted_at <= rules.waiting_since(now))
        .group_by(School.circonscription_id)
    ):
        row(cid).waiting = int(n)
    if circonscription_id is not None:
        has_offer = select(Offer.school_id).where(*published)
        row(circonscription_id).without_offer = [
            f"{name} ({commune})" for name, commune in session.execute(
                select(School.name, School.commune).where(*where, School.id.not_in(has_offer))
                .order_by(School.commune, School.name).limit(SCHOOLS_LISTED))
        ]
    return sorted(rows.values(), key=lambda r: (r.coverage, r.name))


def _department_total(rows: list[CircFigures]) -> CircFigures:
    total = CircFigures(None, "Département")
    for r in rows:
        total.schools += r.schools
        total.schools_with_offer += r.schools_with_offer
        total.offers += r.offers
        total.places += r.places
        total.new_offers += r.new_offers
        total.waiting += r.waiting
        total.conventions_not_signed += r.conventions_not_signed
    return total


def _conventions_not_signed(user_id: int) -> dict[str, int]:
    """Conventions not signed per circonscription name, from the conventions' tracking figures
    (the recipient's own scope: an IEN gets their circonscription only)."""
    frame = tracking.figures(auth.load_user(user_id))
    return {row["Circonscription"]: int(row["Total"]) - int(row["Signées"])
            for _, row in frame.iterrows() if row["Circonscription"] != "Total"}


@dataclass(frozen=True)
class DigestReport:
    sent: int
    already: int  # recipients who already had this week's digest
    week_key: str


def send_digests(now: dt.datetime | None = None) -> DigestReport:
    """Send this week's digest to every active IEN and coordinator who has not had it yet."""
    now = now or utcnow()
    week = rules.week_key(now)
    with read_session() as session:
        recipients = [
            (u.id, u.role, u.email, u.circonscription_id, u.departement_code)
            for u in session.scalars(
                select(User).where(User.role.in_((Role.IEN, Role.COORDINATOR)), User.activated_at.is_not(None),
                                   User.deactivated_at.is_(None)).order_by(User.id))
        ]
        done = set(session.scalars(select(DigestRun.user_id).where(DigestRun.week_key == week)))
    sent = already = 0
    for user_id, role, email, circ_id, dep in recipients:
        if user_id in done:
            already += 1
            continue
        if role == Role.IEN and circ_id is None:
            continue  # an IEN account without a circonscription: nothing to report
        campaign = campaigns.current_campaign(dep)
        not_signed = _conventions_not_signed(user_id)  # read before the write transaction
        try:
            with write_session() as session:
                session.add(DigestRun(user_id=user_id, week_key=week, sent_at=now))
                session.flush()  # the unique (user, week) row first: a concurrent run stops here
                if role == Role.IEN:
                    (r,) = figures(session, dep, campaign.id, now, circ_id) or [CircFigures(circ_id, NO_CIRC)]
                    r.conventions_not_signed = not_signed.get(r.name, 0)
                    message = mail_templates.weekly_digest_circonscription(r, campaign.school_year, now)
                else:
                    rows = figures(session, dep, campaign.id, now)
                    for r in rows:
                        r.conventions_not_signed = not_signed.get(r.name, 0)
                    message = mail_templates.weekly_digest_department(_department_total(rows), rows,
                                                                      campaign.school_year, now)
                mail.queue_text(session, email, message)
            sent += 1
        except IntegrityError:
            already += 1
    if sent:
        mail.send_now()
    return DigestReport(sent, already, week)
