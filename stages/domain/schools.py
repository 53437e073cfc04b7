"""Schools of the referential: their sector (public / private) and where the map draws them."""

from __future__ import annotations

import pandas as pd

# The referential's "statut" (annuaire: Statut_public_prive), as stored in School.sector.
PUBLIC, PRIVATE = "Public", "Privé"
SECTORS = {PUBLIC: "Public", PRIVATE: "Privé (sous contrat et hors contrat)"}

APPROXIMATE = "Position approximative : le référentiel ne donne pas ses coordonnées, l'école est placée au centre de sa commune."


def place_without_coordinates(frame: pd.DataFrame) -> pd.DataFrame:
    """Every school on the map: one the referential gives no coordinates for (a school just opened,
    e.g. 0711992E) is placed at the mean position of the other schools of its commune (else of all
    schools) and flagged ``approximate``. Columns used: ``lat``, ``lon``, ``commune``."""
    out = frame.copy()
    missing = out["lat"].isna() | out["lon"].isna()
    out["approximate"] = missing
    if not missing.any():
        return out
    known = out[~missing]
    by_commune = known.groupby("commune")[["lat", "lon"]].mean()
    everywhere = (known["lat"].mean(), known["lon"].mean()) if not known.empty else (None, None)
    for index in out.index[missing]:
        commune = out.at[index, "commune"]
        lat, lon = (by_commune.loc[commune, "lat"], by_commune.loc[commune, "lon"]) \
            if commune in by_commune.index else everywhere
        out.at[index, "lat"], out.at[index, "lon"] = lat, lon
    return out[out["lat"].notna() & out["lon"].notna()]
