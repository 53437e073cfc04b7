"""Rules of a candidature's life that do not need the database: deadlines and effective status.

A candidature not answered by its deadline (submission + the campaign's response delay) is
"Expirée" from that minute on, whether or not ``manage.py expire-candidatures`` has run:
every view computes the *effective* status with :func:`effective_status`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from db.models import CandidatureStatus

LABELS = {
    CandidatureStatus.SUBMITTED: "Reçue",
    CandidatureStatus.READ: "Lue",
    CandidatureStatus.ACCEPTED: "Acceptée",
    CandidatureStatus.REFUSED: "Refusée",
    CandidatureStatus.EXPIRED: "Expirée",
    CandidatureStatus.WITHDRAWN: "Annulée par l'élève",
    CandidatureStatus.DECLINED: "Déclinée par l'élève",
}
RED_DAYS = 3
ORANGE_DAYS = 7


def deadline_for(submitted_at: dt.datetime, delay_days: int) -> dt.datetime:
    """Deadline in naive UTC. 15 days are 15 × 24 hours of real time: a change of
    daylight-saving time inside the delay moves the Paris wall-clock hour, not the instant."""
    return submitted_at + dt.timedelta(days=delay_days)


def is_expired(status: str, deadline_at: dt.datetime, now: dt.datetime) -> bool:
    return status == CandidatureStatus.EXPIRED or (status in CandidatureStatus.PENDING and now >= deadline_at)


def effective_status(status: str, deadline_at: dt.datetime, now: dt.datetime) -> str:
    return CandidatureStatus.EXPIRED if is_expired(status, deadline_at, now) else status


@dataclass(frozen=True)
class Countdown:
    text: str  # "4 j 6 h", "5 h", "Expirée"
    level: str  # "red" | "orange" | "normal" | "expired"
    seconds_left: float


def countdown(deadline_at: dt.datetime, now: dt.datetime) -> Countdown:
    """Time left before the candidature is cancelled, in days and hours, with its urgency."""
    left = (deadline_at - now).total_seconds()
    if left <= 0:
        return Countdown("Expirée", "expired", 0.0)
    days, rest = divmod(int(left), 86400)
    hours = rest // 3600
    if days:
        text = f"{days} j {hours} h"
    elif hours:
        text = f"{hours} h"
    else:
        text = f"{max(1, rest // 60)} min"
    level = "red" if left <= RED_DAYS * 86400 else "orange" if left <= ORANGE_DAYS * 86400 else "normal"
    return Countdown(text, level, left)
