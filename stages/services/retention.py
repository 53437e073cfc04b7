"""Retention of personal data, as the privacy page ("Politique de confidentialité") promises.

- Students' data are anonymised once the school year of their stage is over: every student
  account created before 1 September of the current school year loses its name, address and
  password, its candidatures lose their motivation message, and the mails sent to it are
  deleted. Statuses, dates and the lycée stay, so the DSDEN's figures do not change.
- Accounts of schools, the DSDEN and IENs with no login for 2 years are deactivated and
  anonymised the same way (their offers and history stay, without a name).
- Expired or used links and ended remembered logins are deleted, and so are the counters of
  login failures and mail requests idle for a day (``stages.services.ratelimit.purge``).

Run daily by cron (``python manage.py purge-personal-data``); running it twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import and_, delete, func, or_, select, update

from db import write_session
from db.models import AuthSession, Candidature, FormDraft, OutboxMail, Role, StatusChange, User, UserToken
from stages.domain.calendar import school_year_for
from stages.domain.passwords import hash_password
from stages.domain.timeutil import paris_to_utc, today_paris, utcnow
from stages.services import ratelimit
from stages.services.conventions import retention as conventions_retention

ANONYMOUS_DOMAIN = "anonyme.invalid"
INACTIVE_YEARS = 2
ANONYMISED_MOTIVATION = "(message anonymisé à la fin de l'année scolaire)"


@dataclass(frozen=True)
class RetentionReport:
    students_anonymised: int
    inactive_accounts_anonymised: int
    motivations_cleared: int
    mails_deleted: int
    tokens_deleted: int
    sessions_deleted: int
    counters_deleted: int
    dry_run: bool

    def lines(self) -> list[str]:
        head = "Aperçu (rien n'a été modifié)" if self.dry_run else "Fait"
        return [
            f"{head} :",
            f"  comptes d'élèves anonymisés : {self.students_anonymised}",
            f"  comptes inactifs depuis {INACTIVE_YEARS} ans anonymisés : {self.inactive_accounts_anonymised}",
            f"  lettres de motivation effacées : {self.motivations_cleared}",
            f"  courriels supprimés : {self.mails_deleted}",
            f"  liens expirés ou utilisés supprimés : {self.tokens_deleted}",
            f"  connexions mémorisées terminées supprimées : {self.sessions_deleted}",
            f"  compteurs de tentatives et de demandes oubliés : {self.counters_deleted}",
        ]


def school_year_start(today: dt.date) -> dt.date:
    return dt.date(int(school_year_for(today).split("-")[0]), 9, 1)


def purge_personal_data(today: dt.date | None = None, dry_run: bool = False) -> RetentionReport:
    today = today or today_paris()
    now = utcnow() if today == today_paris() else paris_to_utc(dt.datetime.combine(today, dt.time(3, 0)))
    year_start = paris_to_utc(dt.datetime.combine(school_year_start(today), dt.time(0, 0)))
    inactive_since = now - dt.timedelta(days=365 * INACTIVE_YEARS)
    not_anonymous = ~User.email.like(f"%@{ANONYMOUS_DOMAIN}")
    with write_session() as session:
        student_ids = list(session.scalars(
            select(User.id).where(User.role == Role.STUDENT, User.created_at < year_start, not_anonymous)
        ))
        inactive_ids = list(session.scalars(
            select(User.id).where(
                User.role != Role.STUDENT, not_anonymous,
                func.coalesce(User.last_login_at, User.created_at) < inactive_since,
            )
        ))
        ids = student_ids + inactive_ids
        emails = list(session.scalars(select(User.email).where(User.id.in_(ids)))) if ids else []
        motivations = session.scalar(
            select(func.count()).select_from(Candidature).where(
                Candidature.student_id.in_(student_ids), Candidature.motivation != ANONYMISED_MOTIVATION)
        ) if student_ids else 0
        mails = session.scalar(
            select(func.count()).select_from(OutboxMail).where(OutboxMail.to_address.in_(emails))
        ) if emails else 0
        expired_tokens = or_(UserToken.used_at.is_not(None), UserToken.expires_at < now)
        ended_sessions = or_(AuthSession.revoked_at.is_not(None), AuthSession.expires_at < now)
        tokens = session.scalar(select(func.count()).select_from(UserToken).where(
            or_(expired_tokens, UserToken.user_id.in_(ids)) if ids else expired_tokens))
        sessions = session.scalar(select(func.count()).select_from(AuthSession).where(
            or_(ended_sessions, AuthSession.user_id.in_(ids)) if ids else ended_sessions))
        counters = ratelimit.purge(session, now)  # a dry run rolls this back below
        report = RetentionReport(len(student_ids), len(inactive_ids), motivations or 0, mails or 0,
                                 tokens or 0, sessions or 0, counters, dry_run)
        if dry_run:
            session.rollback()
            return report
        if ids:
            unusable = hash_password(secrets.token_urlsafe(24))  # nobody knows it: no login possible
            for user_id in ids:
                session.execute(
                    update(User).where(User.id == user_id).values(
                        first_name="Compte", last_name=f"anonymisé n° {user_id}", function=None,
                        email=f"compte-{user_id}@{ANONYMOUS_DOMAIN}", password_hash=unusable,
                        deactivated_at=func.coalesce(User.deactivated_at, now),
                        updated_at=now,
                    )
                )
                session.add(StatusChange(entity_type="user", entity_id=user_id, from_status="active",
                                         to_status="anonymised", author_id=None, at=now,
                                         comment="Conservation des données : anonymisation automatique"))
            if student_ids:
                session.execute(
                    update(Candidature)
                    .where(and_(Candidature.student_id.in_(student_ids), Candidature.motivation != ANONYMISED_MOTIVATION))
                    .values(motivation=ANONYMISED_MOTIVATION)
                )
            conventions_retention.anonymise_students(session, student_ids)
            session.execute(delete(FormDraft).where(FormDraft.user_id.in_(ids)))
            if emails:
                session.execute(delete(OutboxMail).where(OutboxMail.to_address.in_(emails)))
        session.execute(delete(UserToken).where(or_(expired_tokens, UserToken.user_id.in_(ids)) if ids else expired_tokens))
        session.execute(delete(AuthSession).where(or_(ended_sessions, AuthSession.user_id.in_(ids)) if ids else ended_sessions))
        return report
