"""``manage.py send-convention-reminders`` (daily cron): mail each party whose part or signature is
missing, at most once every 3 days, and every day in the last 10 days before the stage."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from db import read_session, write_session
from db.models import Candidature, Convention, Offer
from stages.domain import conventions as rules
from stages.domain.conventions import Party, Status
from stages.domain.timeutil import fmt_date, today_paris
from stages.services import campaigns, mail
from stages.services.conventions import common


@dataclass(frozen=True)
class ReminderReport:
    mails: int
    conventions: int
    errors: list[str]

    def lines(self) -> list[str]:
        out = [f"Relances de conventions : {self.mails} courriel(s) pour {self.conventions} convention(s)."]
        return out + [f"  erreur : {e}" for e in self.errors]


def _remind_one(convention_id: int, now: dt.datetime, today: dt.date) -> int:
    sent = 0
    with write_session() as session:
        conv = common.lock(session, convention_id)
        status = rules.normalize_status(conv.status)
        if status in Status.CLOSED:
            return 0
        start, _end = common.stage_dates(conv.candidature.offer)
        signed = {s.party for s in common.valid_signatures(session, conv)}
        done = common.parts_done(conv)
        last = dict(conv.reminders_sent or {})
        for party in rules.parties_to_remind(status, done, signed):
            previous = dt.datetime.fromisoformat(last[party]) if last.get(party) else None
            if not rules.reminder_due(previous, now, today, start):
                continue
            days = (start - today).days
            todo = "compléter votre partie" if party not in done else "signer"
            if party == Party.LEGAL_REP:
                sent += common.issue_legal_rep_links(
                    session, conv, now, f"Rappel : le stage commence le {fmt_date(start)} (dans {days} jour(s)).")
            else:
                common.tell(session, conv, [party],
                            subject=f"Rappel : convention de stage à {todo} ({common.title_of(conv)})",
                            text=(f"Le stage commence le {fmt_date(start)} (dans {days} jour(s)) et sa convention "
                                  f"n'est pas encore signée par tous. Il vous reste à {todo}. "
                                  f"Ce qui manque : {rules.missing_text(status, done, signed)}."),
                            kind="convention_reminder")
                sent += len(common.recipients(session, conv, party))
            last[party] = now.isoformat()
        conv.reminders_sent = last
    return sent


def send_reminders(now: dt.datetime | None = None) -> ReminderReport:
    """One transaction per convention: one bad record never blocks the others."""
    now = common.now_or(now)
    today = today_paris(now)
    campaign_id = campaigns.current_campaign().id
    with read_session() as session:
        ids = list(session.scalars(
            select(Convention.id).join(Candidature, Candidature.id == Convention.candidature_id)
            .join(Offer, Offer.id == Candidature.offer_id)
            .where(Offer.campaign_id == campaign_id,
                   Convention.status.not_in([Status.SIGNED, Status.SIGNED_OFFLINE, Status.CANCELLED]))
            .order_by(Convention.id)))
    mails = touched = 0
    errors: list[str] = []
    for convention_id in ids:
        try:
            count = _remind_one(convention_id, now, today)
        except Exception as exc:  # noqa: BLE001 - reported, the others go on
            errors.append(f"convention {convention_id} : {type(exc).__name__}: {exc}")
            continue
        mails += count
        touched += 1 if count else 0
    mail.send_now()
    return ReminderReport(mails, touched, errors)
