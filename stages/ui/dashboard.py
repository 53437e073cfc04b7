"""The dashboard's parts: filters, figure cards, then one tab each for the chosen chart, the chosen table
to act on and the conventions.

Every figure comes from ``stages.services.monitoring``; nothing here computes one.
"""

from __future__ import annotations

import streamlit as st

from stages.domain.candidatures import EXPIRING_DAYS
from stages.domain.schools import SECTORS
from stages.services.auth import CurrentUser
from stages.services.monitoring import exports as monitoring_exports
from stages.services.monitoring import figures, scope, tables
from stages.ui import chart_text, charts, convention_tracking, fragments
from stages.ui import coverage as coverage_ui
from stages.ui.downloads import download_buttons
from stages.ui.paging import fetch_page


CHART_CONFIG = {"displaylogo": False, "locale": "fr", "toImageButtonOptions": {"format": "png", "scale": 2}}
CHARTS = {
    "Offres et places": (charts.offers_and_places, "by_circonscription", "chart_offers"),
    "Couverture": (charts.coverage, "by_circonscription", "chart_coverage"),
    "Candidatures": (charts.candidatures_by_status, "by_circonscription", "chart_cands"),
    "Par semaine": (charts.weekly_offers, "weekly", "chart_weeks"),
    "Carte des écoles": (charts.schools_map, "schools_map", "chart_map"),
    "Tendance": (None, None, "chart_trend"),  # by week, against the previous campaign
}
# The dashboard's parts, one tab each (pages/dashboard.py), under the filters and the figure cards.
SECTIONS = ["Graphiques", "À traiter", "Conventions de stage"]
SECTION_KEY = "dash_section"
TABLES = ["Écoles sans offre", f"Candidatures à échéance ({EXPIRING_DAYS} jours)", "Offres hors consignes",
          "Détail par circonscription", "Toutes les offres", "Élèves sans stage"]


def number(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")


def filter_bar(choices: scope.FilterChoices) -> scope.Filters:
    campaign_labels = {c.id: c.label for c in choices.campaigns}
    if choices.default_campaign_id not in campaign_labels:
        campaign_labels[choices.default_campaign_id] = "Campagne en cours"
    col_campaign, col_circ, col_type, col_sector = st.columns([1, 2, 2, 2])
    campaign_id = col_campaign.selectbox(
        "Campagne", options=list(campaign_labels), format_func=campaign_labels.get, key="dash_campaign",
        index=list(campaign_labels).index(choices.default_campaign_id),
    )
    circ_names = dict(choices.circonscriptions)
    if choices.fixed_circonscription:
        col_circ.text_input("Circonscription", value=choices.fixed_circonscription, disabled=True,
                            key="dash_circ_fixed")
        circ_ids: list[int] = []
    else:
        circ_ids = col_circ.multiselect(
            "Circonscriptions", options=list(circ_names), format_func=lambda i: circ_names.get(i, str(i)),
            placeholder="Toutes les circonscriptions", key="dash_circs",
        )
    school_types = col_type.multiselect(
        "Type d'école", options=list(choices.school_types), placeholder="Tous les types", key="dash_types"
    )
    sectors = col_sector.multiselect(
        "Secteur", options=list(SECTORS), format_func=SECTORS.get, placeholder="Public et privé", key="dash_sectors",
        help="Le référentiel distingue les écoles publiques et privées (sous contrat ou hors contrat).",
    )
    return scope.Filters(campaign_id, tuple(circ_ids), tuple(school_types), tuple(sectors))


def figure_cards(f: figures.Figures) -> None:
    rows = [
        [("Écoles du référentiel", number(f.schools), "Écoles du périmètre choisi, quel que soit leur état."),
         ("Écoles avec une offre", number(f.schools_with_offer), "Écoles ayant au moins une offre publiée."),
         ("Taux de couverture", f"{f.coverage * 100:.1f} %".replace(".", ","),
          "Écoles avec au moins une offre publiée ÷ écoles du référentiel."),
         ("Offres publiées", number(f.published_offers), "Offres dont le statut est « publiée »."),],
        [("Places proposées", number(f.places_offered), "Somme des places des offres publiées."),
         ("Places pourvues", number(f.places_filled),
          "Candidatures acceptées (dans le délai de confirmation de l'élève) ou confirmées."),
         ("Places restantes", number(f.places_remaining),
          "Par offre publiée : places − candidatures acceptées (jamais moins de 0)."),
         ("Candidatures reçues", number(f.received), "Toutes les candidatures aux offres de la campagne."),],
        [("Acceptées", number(f.accepted), None),
         ("Refusées", number(f.refused), None),
         ("Expirées", number(f.expired),
          "Sans réponse dans le délai (même si la tâche d'expiration n'est pas passée)."),
         ("En attente de réponse", number(f.pending), "Reçues ou lues, délai non dépassé."),],
    ]
    # One flex row per line of cards (not four columns: fewer elements for the browser to render).
    for row in rows:
        line = st.container(horizontal=True)
        for label, value, help_text in row:
            line.metric(label, value, help=help_text, border=True)


@fragments.part
def chart(user: CurrentUser, filters: scope.Filters, data: figures.Dashboard) -> None:
    """Only the chosen chart is built and sent (st.tabs would render all of them on every rerun); choosing
    another one reruns this part alone, on the figures already read."""
    chosen = st.segmented_control("Graphique", list(CHARTS), default="Offres et places", required=True,
                                  key="dash_chart", label_visibility="collapsed")
    build, source, chart_key = CHARTS[chosen or "Offres et places"]
    if build is None:
        coverage_ui.trend_section(user, filters, CHART_CONFIG)
        return
    st.plotly_chart(build(getattr(data, source)), theme=None, config=CHART_CONFIG, key=chart_key)
    if build is charts.schools_map:
        st.caption("Disques bleus : écoles qui proposent des places ; croix orange : écoles sans offre publiée.")
    # The chart's text alternative (RGAA 1.3): one sentence, and its data as a table.
    summary, table = chart_text.describe(build, getattr(data, source))
    st.text(summary)
    # Lazy: the table is sent only while the expander is open.
    details = st.expander(f"Données du graphique « {chosen or 'Offres et places'} » (tableau)",
                          key="dash_chart_data", on_change="rerun")
    if details.open:
        details.dataframe(table, hide_index=True, width="stretch")


def _downloads(user: CurrentUser, filters: scope.Filters, table: str, key: str,
               circonscription_id: int | None = None) -> None:
    download_buttons(key, monitoring_exports.EXPORTS[table],
                     lambda fmt: monitoring_exports.export_table(user, table, fmt, filters, circonscription_id))


def _paged(user: CurrentUser, filters: scope.Filters, table: str, key: str, fetch, empty: str,
           circonscription_id: int | None = None) -> None:
    page = fetch_page(f"{key}_page", fetch)
    if page.total == 0:
        st.info(empty)
        return
    st.caption(f"{number(page.total)} ligne(s)")
    st.dataframe(page.rows, hide_index=True, width="stretch")
    _downloads(user, filters, table, key, circonscription_id)


@fragments.part
def tables_to_act_on(user: CurrentUser, filters: scope.Filters, frame) -> None:
    """The chosen table to act on; choosing a table, a page or a relaunch reruns this part alone."""
    st.header("À traiter")
    # Only the chosen table is queried and rendered (st.tabs would run all five).
    table = st.segmented_control("Tableau", TABLES, default=TABLES[0], required=True, key="dash_table",
                                 label_visibility="collapsed") or TABLES[0]
    if table == TABLES[0]:
        st.write("Écoles sans aucune offre publiée pour la campagne : à appeler ou à relancer.")
        coverage_ui.relaunch_section(user, filters)
        _downloads(user, filters, "schools_without_offer", "tbl_schools")
    elif table == TABLES[1]:
        st.write(f"Écoles dont des candidatures attendent une réponse et expirent dans les {EXPIRING_DAYS} jours.")
        _paged(user, filters, "expiring", "tbl_expiring", lambda p: tables.expiring_candidatures(user, filters, p),
               f"Aucune candidature n'expire dans les {EXPIRING_DAYS} prochains jours.")
    elif table == TABLES[2]:
        st.write("Offres publiées ou dépubliées qui ne suivent pas les consignes de la DSDEN, avec les mêmes "
                 "motifs que sur la fiche de l'offre du directeur (niveau, période, horaires, structure, "
                 "secteur, nom du lieu, réservations).")
        _paged(user, filters, "guidance", "tbl_guidance", lambda p: tables.guidance_offers(user, filters, p),
               "Toutes les offres suivent les consignes.")
    elif table == TABLES[3]:
        st.dataframe(monitoring_exports.circonscription_table(frame), hide_index=True, width="stretch")
        _downloads(user, filters, "circonscriptions", "tbl_circs")
        if not frame.empty:
            options = list(frame["circonscription_id"])
            labels = dict(zip(frame["circonscription_id"], frame["circonscription"], strict=True))
            chosen = st.selectbox("Voir les écoles de la circonscription", options=options,
                                  format_func=lambda i: labels.get(i, str(i)), key="drill_circ")
            # NaN: the schools without a circonscription
            chosen = None if chosen is None or chosen != chosen else int(chosen)
            _paged(user, filters, "drilldown", "tbl_drill",
                   lambda p: tables.circonscription_schools(user, chosen, filters, p),
                   "Aucune école dans cette circonscription pour ces filtres.", chosen)
    elif table == TABLES[5]:
        st.write("Élèves de seconde inscrits, par lycée : combien ont candidaté, ont été acceptés, ont confirmé un "
                 "stage, et combien n'ont aucune candidature.")
        coverage_ui.students_section(user, filters.campaign_id)
    else:
        _paged(user, filters, "offers", "tbl_offers", lambda p: tables.all_offers(user, filters, p),
               "Aucune offre pour ces filtres.")


def sections(user: CurrentUser, filters: scope.Filters, data: figures.Dashboard) -> None:
    """The charts, the tables to act on and the conventions, one stateful tab each: only the open tab runs
    its queries and sends its elements (the three drawn together took the browser about three times as
    long as the charts alone: docs/browser-benchmarks.md)."""
    tabs = st.tabs(SECTIONS, key=SECTION_KEY, on_change="rerun")
    draws = (lambda: chart(user, filters, data),
             lambda: tables_to_act_on(user, filters, data.by_circonscription),
             lambda: convention_tracking.block(user, list(filters.circonscription_ids)))
    for tab, draw in zip(tabs, draws, strict=True):
        if tab.open is not False:
            with tab:
                draw()


def definitions() -> None:
    # Lazy: the text is sent only while the expander is open.
    text = st.expander("Définitions des chiffres", key="dash_definitions", on_change="rerun")
    if text.open:
        text.markdown(
            "- **Offre publiée** : offre de la campagne dont le statut est « publiée » aujourd'hui.\n"
            "- **Taux de couverture** : écoles ayant au moins une offre publiée ÷ écoles du référentiel.\n"
            "- **Candidatures reçues** : toutes les candidatures aux offres de la campagne, "
            "quel que soit leur statut.\n"
            "- **Expirées** : sans réponse à l'échéance (date de dépôt + délai de réponse de la campagne).\n"
            "- **Places pourvues** : candidatures acceptées, dans le délai de confirmation de l'élève, ou "
            "confirmées (une acceptation non confirmée à temps libère la place) ; **restantes** : places des "
            "offres publiées moins les acceptées, offre par offre.\n"
            "- **Par semaine** : offres selon la date de leur première publication.\n"
            "- **Tendance** : semaine n = n-ième période de 7 jours depuis l'ouverture du dépôt des offres ; une "
            "offre compte dès sa première publication ; comparée à la campagne précédente quand elle existe.\n"
            "- **Élèves sans stage** : comptes élèves activés ; « acceptés » : au moins une acceptation en cours "
            "ou confirmée."
        )
