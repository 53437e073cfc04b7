"""Plotly figures of the dashboard, in the DSFR colours.

- Bleu France (#000091) for the main series, with colour-blind-safe accents (a light blue, an
  orange and greys: never red against green); stacked series also carry a hatching pattern, so
  they still read in black-and-white print.
- Circonscriptions are sorted by coverage ascending: the weakest comes first, and is drawn in
  orange with a label.
- Hovering shows the exact figures; numbers use the French separators.
- The map is a plain longitude/latitude scatter: no map tiles to download, so it reads offline
  (and in CI) just as well.
"""

from __future__ import annotations

import functools
import hashlib
import math

import pandas as pd
import plotly.graph_objects as go

from stages.domain.schools import APPROXIMATE
from stages.lru import LruCache
from stages.ui.safe import chart_text

BLEU_FRANCE = "#000091"
BLEU_CLAIR = "#6A6AF4"
ORANGE = "#C75D00"  # accent for "to act on" (distinct from blue for every colour vision)
ORANGE_CLAIR = "#F5A04B"
GRIS = "#666666"
GRIS_CLAIR = "#B8B8B8"
FONT = "Marianne, Arial, sans-serif"

STATUS_SERIES = [
    # (column, label, colour, pattern)
    ("accepted", "Acceptées", BLEU_FRANCE, ""),
    ("pending", "En attente de réponse", BLEU_CLAIR, "/"),
    ("refused", "Refusées", ORANGE, "x"),
    ("expired", "Expirées", GRIS, "."),
    ("withdrawn", "Annulées par l'élève", GRIS_CLAIR, "-"),
    ("declined", "Déclinées par l'élève", ORANGE_CLAIR, "+"),
]


# --------------------------------------------------------------------------- memo
# Building a figure costs ~20 ms of plotly validation; the same data gives the same figure, so
# each is built once per content of its frame (a hash of the rows, not the object), and shared:
# st.plotly_chart only reads it. Small LRU, cleared by clear_cache() (the benchmark's "uncached").
FIGURES_CACHE_SIZE = 64
_figures = LruCache(FIGURES_CACHE_SIZE)


def clear_cache() -> None:
    _figures.clear()


def _fingerprint(frame: pd.DataFrame) -> str:
    digest = hashlib.blake2b(repr((list(frame.columns), frame.shape)).encode(), digest_size=16)
    if len(frame):
        digest.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    return digest.hexdigest()


def _memoised(build):
    @functools.wraps(build)
    def wrapper(frame: pd.DataFrame) -> go.Figure:
        return _figures.get_or_compute((build.__name__, _fingerprint(frame)), lambda: build(_as_text(frame)))

    return wrapper


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Names (circonscriptions, schools, communes) shown as typed: Plotly renders ``<a href>``,
    ``<b>``, ``<br>`` in labels and hovers, so their text is HTML-escaped (it shows ``&lt;`` as ``<``)."""
    columns = [c for c in frame.columns if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])]
    if not columns:
        return frame
    frame = frame.copy()
    for column in columns:
        frame[column] = frame[column].map(chart_text)
    return frame


def _layout(fig: go.Figure, title: str, height: int = 420) -> go.Figure:
    fig.update_layout(
        title={"text": title, "font": {"size": 16}},
        template="plotly_white",
        font={"family": FONT, "color": "#161616"},
        separators=", ",
        height=height,
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "left", "x": 0},
        hoverlabel={"font": {"family": FONT}},
    )
    return fig


def _empty(title: str) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text="Aucune donnée pour ces filtres", showarrow=False, font={"size": 14})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _layout(fig, title, 240)


@_memoised
def offers_and_places(frame: pd.DataFrame) -> go.Figure:
    """Published offers and places offered side by side, per circonscription (weakest first)."""
    title = "Offres publiées et places proposées par circonscription"
    if frame.empty:
        return _empty(title)
    fig = go.Figure()
    custom = frame[["schools_with_offer", "schools"]].to_numpy()
    fig.add_bar(
        name="Offres publiées", x=frame["circonscription"], y=frame["published_offers"], marker_color=BLEU_FRANCE,
        customdata=custom, text=frame["published_offers"], textposition="outside",
        hovertemplate="<b>%{x}</b><br>Offres publiées : %{y}<br>Écoles avec une offre : %{customdata[0]} "
        "sur %{customdata[1]}<extra></extra>",
    )
    fig.add_bar(
        name="Places proposées", x=frame["circonscription"], y=frame["places_offered"], marker_color=BLEU_CLAIR,
        marker_pattern_shape="/", customdata=frame[["places_filled", "places_remaining"]].to_numpy(),
        text=frame["places_offered"], textposition="outside",
        hovertemplate="<b>%{x}</b><br>Places proposées : %{y}<br>Pourvues : %{customdata[0]}<br>"
        "Restantes : %{customdata[1]}<extra></extra>",
    )
    fig.update_layout(barmode="group", yaxis_title="Nombre", xaxis_title=None)
    return _layout(fig, title)


@_memoised
def coverage(frame: pd.DataFrame) -> go.Figure:
    """Coverage rate per circonscription, horizontal, the weakest at the top and in orange."""
    title = "Taux de couverture : écoles ayant au moins une offre publiée"
    if frame.empty:
        return _empty(title)
    rates = frame["coverage"] * 100
    # Every circonscription at the lowest rate stands out (ties included), unless all are equal.
    weakest = [len(frame) > 1 and r == rates.min() and rates.min() < rates.max() for r in rates]
    colours = [ORANGE if w else BLEU_FRANCE for w in weakest]
    patterns = ["x" if w else "" for w in weakest]
    labels = [f"{r:.1f} %".replace(".", ",") + ("  ← la plus faible" if w else "")
              for r, w in zip(rates, weakest, strict=True)]
    fig = go.Figure(
        go.Bar(
            x=rates, y=frame["circonscription"], orientation="h", marker_color=colours,
            marker_pattern_shape=patterns, text=labels, textposition="outside", cliponaxis=False,
            textfont={"color": [ORANGE if w else "#161616" for w in weakest]},
            customdata=frame[["schools_with_offer", "schools"]].to_numpy(),
            hovertemplate="<b>%{y}</b><br>Couverture : %{x:.1f} %<br>%{customdata[0]} école(s) avec une offre "
            "sur %{customdata[1]}<extra></extra>",
        )
    )
    top = max(10.0, float(rates.max()) * 1.35)
    fig.update_layout(xaxis={"title": "% des écoles", "range": [0, min(top, 135)], "ticksuffix": " %"},
                      yaxis={"autorange": "reversed", "title": None})
    return _layout(fig, title, max(300, 60 + 34 * len(frame)))


@_memoised
def candidatures_by_status(frame: pd.DataFrame) -> go.Figure:
    """Candidatures per circonscription stacked by (effective) status."""
    title = "Candidatures par statut et par circonscription"
    if frame.empty:
        return _empty(title)
    fig = go.Figure()
    for column, label, colour, pattern in STATUS_SERIES:
        if column not in frame or not frame[column].any():
            continue
        fig.add_bar(
            name=label, x=frame["circonscription"], y=frame[column], marker_color=colour,
            marker_pattern_shape=pattern, customdata=frame[["received"]].to_numpy(),
            hovertemplate=f"<b>%{{x}}</b><br>{label} : %{{y}} sur %{{customdata[0]}} reçues<extra></extra>",
        )
    fig.update_layout(barmode="stack", yaxis_title="Candidatures", xaxis_title=None)
    return _layout(fig, title)


@_memoised
def weekly_offers(frame: pd.DataFrame) -> go.Figure:
    """Offers published for the first time each week of the campaign."""
    title = "Offres publiées par semaine de la campagne"
    if frame.empty:
        return _empty(title)
    cumulative = frame["offers"].cumsum()
    fig = go.Figure()
    fig.add_bar(
        name="Offres publiées dans la semaine", x=frame["label"], y=frame["offers"], marker_color=BLEU_FRANCE,
        customdata=cumulative, hovertemplate="<b>%{x}</b><br>Offres publiées : %{y}<br>Total depuis le début : "
        "%{customdata}<extra></extra>",
    )
    fig.add_scatter(
        name="Total cumulé", x=frame["label"], y=cumulative, mode="lines+markers", yaxis="y2",
        line={"color": ORANGE, "dash": "dash"}, marker={"symbol": "diamond"},
        hovertemplate="<b>%{x}</b><br>Total cumulé : %{y}<extra></extra>",
    )
    fig.update_layout(
        yaxis={"title": "Offres dans la semaine", "rangemode": "tozero"},
        yaxis2={"title": "Total cumulé", "overlaying": "y", "side": "right", "rangemode": "tozero", "showgrid": False},
        xaxis={"tickangle": -45, "title": None},
    )
    return _layout(fig, title)


@_memoised
def schools_map(frame: pd.DataFrame) -> go.Figure:
    """The schools by their coordinates: filled blue discs offer places, open orange crosses do not."""
    title = "Carte des écoles : celles qui proposent des places et les autres"
    if frame.empty:
        return _empty(title)
    fig = go.Figure()
    frame = frame.assign(note=[f"<br><i>{APPROXIMATE}</i>" if approx else ""
                               for approx in frame.get("approximate", pd.Series(False, index=frame.index))])
    with_places = frame[frame["places"] > 0]
    without = frame[frame["places"] <= 0]
    fig.add_scatter(
        name=f"Sans offre publiée ({len(without)})", x=without["lon"], y=without["lat"], mode="markers",
        marker={"symbol": "x-thin-open", "size": 7, "color": ORANGE, "line": {"width": 1.5, "color": ORANGE}},
        customdata=without[["name", "commune", "circonscription", "uai", "note"]].to_numpy(),
        hovertemplate="<b>%{customdata[0]}</b> (%{customdata[3]})<br>%{customdata[1]} – %{customdata[2]}<br>"
        "Aucune offre publiée%{customdata[4]}<extra></extra>",
    )
    fig.add_scatter(
        name=f"Propose des places ({len(with_places)})", x=with_places["lon"], y=with_places["lat"],
        mode="markers",
        marker={"symbol": "circle", "size": 12, "color": BLEU_FRANCE, "line": {"width": 1.5, "color": "white"}},
        customdata=with_places[["name", "commune", "circonscription", "uai", "offers", "places", "note"]].to_numpy(),
        hovertemplate="<b>%{customdata[0]}</b> (%{customdata[3]})<br>%{customdata[1]} – %{customdata[2]}<br>"
        "Offres publiées : %{customdata[4]}<br>Places : %{customdata[5]}%{customdata[6]}<extra></extra>",
    )
    # Keep distances true: one degree of longitude is cos(latitude) of one of latitude.
    mid = float(frame["lat"].mean())
    fig.update_layout(
        xaxis={"title": "Longitude", "showgrid": True, "zeroline": False},
        yaxis={"title": "Latitude", "scaleanchor": "x", "scaleratio": 1 / math.cos(math.radians(mid)),
               "zeroline": False},
        plot_bgcolor="white",
    )
    return _layout(fig, title, 600)
