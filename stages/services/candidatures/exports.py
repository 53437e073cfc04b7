"""The director's candidatures as a table or a file."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from db import read_session
from db.models import Candidature
from stages.domain import candidatures as rules
from stages.domain.offer_reference import level_label
from stages.domain.timeutil import fmt_datetime
from stages.services import campaigns
from stages.services.exports import ExportFile, export_file
from stages.services.auth import CurrentUser
from stages.services.candidatures.common import period_label, resolve_now, school_candidatures
from stages.services.permissions import require_director


EXPORT_COLUMNS = ["Nom de l'élève", "Adresse électronique", "Intitulé du stage", "N° offre", "Lieu du stage",
                  "Période", "Niveaux", "Statut", "Reçue le", "Réponse attendue avant le", "Répondue le",
                  "Motif du refus", "Motivation"]


def candidatures_frame(user: CurrentUser, now: dt.datetime | None = None) -> pd.DataFrame:
    user = require_director(user)
    campaign_id = campaigns.current_campaign().id
    now = resolve_now(now)
    with read_session() as session:
        rows = [
            [c.student.full_name, c.student.email, c.offer.title, c.offer.id, c.offer.place_name,
             period_label(c.offer), level_label(c.offer.level_college, c.offer.level_lycee),
             rules.LABELS[rules.effective_status(c.status, c.deadline_at, now)], fmt_datetime(c.submitted_at),
             fmt_datetime(c.deadline_at), fmt_datetime(c.answered_at), c.refusal_reason or "", c.motivation]
            for c in session.scalars(school_candidatures(user, campaign_id).order_by(Candidature.submitted_at))
        ]
    return pd.DataFrame(rows, columns=EXPORT_COLUMNS)


def export_candidatures(user: CurrentUser, fmt: str = "csv") -> ExportFile:
    """The director's candidatures as CSV (``;``, UTF-8 with BOM) or XLSX, formulas neutralised."""
    return export_file("candidatures", candidatures_frame(user), fmt, sheet_name="Candidatures")
