"""The dashboard's tables as files: CSV (``;``, UTF-8 with BOM) or XLSX, formula-safe."""

from __future__ import annotations

import datetime as dt
import pandas as pd

from stages.services.exports import ExportFile, export_file
from stages.services.auth import CurrentUser
from stages.services.errors import ValidationError
from stages.services.monitoring.figures import dashboard
from stages.services.monitoring.scope import Filters
from stages.services.monitoring.tables import (
    all_offers,
    circonscription_schools,
    expiring_candidatures,
    guidance_offers,
    schools_without_offer,
)


CIRC_EXPORT_LABELS = {
    "circonscription": "Circonscription", "schools": "Écoles", "schools_with_offer": "Écoles avec une offre",
    "coverage": "Taux de couverture (%)", "published_offers": "Offres publiées", "places_offered": "Places offertes",
    "received": "Candidatures reçues", "accepted": "Acceptées", "refused": "Refusées", "expired": "Expirées",
    "pending": "En attente", "withdrawn": "Annulées par l'élève", "declined": "Déclinées par l'élève",
    "places_filled": "Places pourvues", "places_remaining": "Places restantes",
}


def circonscription_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The per-circonscription rows with French headers (coverage in %)."""
    out = frame[list(CIRC_EXPORT_LABELS)].copy()
    out["coverage"] = (out["coverage"] * 100).round(1)
    return out.rename(columns=CIRC_EXPORT_LABELS)


# --------------------------------------------------------------------------- exports

EXPORTS = {
    "circonscriptions": "synthese-circonscriptions",
    "schools_without_offer": "ecoles-sans-offre",
    "expiring": "candidatures-a-echeance",
    "guidance": "offres-hors-consignes",
    "drilldown": "ecoles-de-la-circonscription",
    "offers": "toutes-les-offres",
}


def export_table(user: CurrentUser, table: str, fmt: str, filters: Filters | None = None,
                 circonscription_id: int | None = None, now: dt.datetime | None = None) -> ExportFile:
    """A whole table (every page) as CSV (``;``, UTF-8 with BOM) or XLSX, formula-safe.

    The same permission checks as on screen apply: an IEN's export holds their circonscription only.
    """
    if table not in EXPORTS:
        raise ValidationError("Tableau inconnu.", field="table")
    if table == "circonscriptions":
        frame = circonscription_table(dashboard(user, filters, now).by_circonscription)
    elif table == "schools_without_offer":
        frame = schools_without_offer(user, filters, page_size=None, now=now).rows
    elif table == "expiring":
        frame = expiring_candidatures(user, filters, page_size=None, now=now).rows
    elif table == "guidance":
        frame = guidance_offers(user, filters, page_size=None, now=now).rows
    elif table == "drilldown":
        frame = circonscription_schools(user, circonscription_id, filters, page_size=None, now=now).rows
    else:
        frame = all_offers(user, filters, page_size=None, now=now).rows
    return export_file(EXPORTS[table], frame, fmt)
