"""Text alternatives of the dashboard's charts (RGAA 1.3 / WCAG 1.1.1): for each chart, one
sentence saying what it shows at a glance, and its data as a table (shown beside the chart in an
expander). Built from the same frames as the charts (``stages.ui.charts``)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from stages.domain.schools import APPROXIMATE
from stages.ui import charts


def _fr(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def _top(frame: pd.DataFrame, column: str) -> pd.Series:
    return frame.loc[frame[column].idxmax()]


def _names(frame: pd.DataFrame, column: str, value) -> str:
    return ", ".join(str(n) for n in frame.loc[frame[column] == value, "circonscription"])


def offers_and_places(frame: pd.DataFrame) -> tuple[str, pd.DataFrame]:
    table = frame[["circonscription", "published_offers", "places_offered", "places_filled", "places_remaining"]]
    table = table.rename(columns={"circonscription": "Circonscription", "published_offers": "Offres publiées",
                                  "places_offered": "Places proposées", "places_filled": "Places pourvues",
                                  "places_remaining": "Places restantes"})
    if frame.empty or not frame["published_offers"].any():
        return "Aucune offre publiée pour ces filtres.", table
    top = int(frame["published_offers"].max())
    return (f"{_names(frame, 'published_offers', top)} a le plus d'offres : {top} ; au total "
            f"{int(frame['published_offers'].sum())} offres et {int(frame['places_offered'].sum())} places.", table)


def coverage(frame: pd.DataFrame) -> tuple[str, pd.DataFrame]:
    table = frame[["circonscription", "schools_with_offer", "schools", "coverage"]].copy()
    table["coverage"] = (table["coverage"] * 100).round(1)
    table = table.rename(columns={"circonscription": "Circonscription", "schools_with_offer": "Écoles avec une offre",
                                  "schools": "Écoles du référentiel", "coverage": "Taux de couverture (%)"})
    if frame.empty:
        return "Aucune école pour ces filtres.", table
    low, high = frame["coverage"].min(), frame["coverage"].max()
    return (f"Couverture la plus faible : {_names(frame, 'coverage', low)} ({_fr(low * 100)} %) ; "
            f"la plus forte : {_names(frame, 'coverage', high)} ({_fr(high * 100)} %).", table)


def candidatures_by_status(frame: pd.DataFrame) -> tuple[str, pd.DataFrame]:
    columns = {"circonscription": "Circonscription", "received": "Candidatures reçues"}
    columns |= {column: label for column, label, _c, _p in charts.STATUS_SERIES if column in frame}
    table = frame[list(columns)].rename(columns=columns)
    if frame.empty or not frame["received"].any():
        return "Aucune candidature pour ces filtres.", table
    top = int(frame["received"].max())
    return (f"{_names(frame, 'received', top)} a reçu le plus de candidatures : {top} ; au total "
            f"{int(frame['received'].sum())} candidatures.", table)


def weekly_offers(frame: pd.DataFrame) -> tuple[str, pd.DataFrame]:
    table = frame[["label", "offers"]].copy()
    table["cumulative"] = table["offers"].cumsum()
    table = table.rename(columns={"label": "Semaine", "offers": "Offres publiées dans la semaine",
                                  "cumulative": "Total cumulé"})
    if frame.empty or not frame["offers"].any():
        return "Aucune offre publiée pendant la campagne pour ces filtres.", table
    best = _top(frame, "offers")
    return (f"Semaine la plus active : {best['label']} ({int(best['offers'])} offres) ; "
            f"{int(frame['offers'].sum())} offres publiées en tout.", table)


def schools_map(frame: pd.DataFrame) -> tuple[str, pd.DataFrame]:
    table = frame[["name", "uai", "commune", "circonscription", "offers", "places"]].rename(
        columns={"name": "École", "uai": "UAI", "commune": "Commune", "circonscription": "Circonscription",
                 "offers": "Offres publiées", "places": "Places"})
    if "approximate" in frame:  # placed in its commune: the referential gives no coordinates
        table = table.assign(Position=[APPROXIMATE if approx else "" for approx in frame["approximate"]])
    if frame.empty:
        return "Aucune école pour ces filtres.", table
    with_places = int((frame["places"] > 0).sum())
    return (f"{with_places} école(s) sur {len(frame)} proposent des places ; "
            f"{len(frame) - with_places} n'ont aucune offre publiée.", table)


DESCRIBE: dict[Callable, Callable[[pd.DataFrame], tuple[str, pd.DataFrame]]] = {
    charts.offers_and_places: offers_and_places,
    charts.coverage: coverage,
    charts.candidatures_by_status: candidatures_by_status,
    charts.weekly_offers: weekly_offers,
    charts.schools_map: schools_map,
}


def describe(build: Callable, frame: pd.DataFrame) -> tuple[str, pd.DataFrame]:
    """(one-sentence summary, data table with French headers) of the chart ``build`` draws from ``frame``."""
    return DESCRIBE[build](frame)
