"""Tableau de bord: offers, places and coverage per circonscription, and what to act on.

A coordinator sees the département, an IEN their circonscription (the service enforces it,
exports included). Every figure comes from ``stages.services.monitoring``.
"""

import streamlit as st

from stages.domain.timeutil import fmt_datetime
from stages.services import monitoring
from stages.ui import chart_text, charts
from stages.ui.session import page_user

user = page_user()
st.title("Tableau de bord")
choices = monitoring.filter_choices(user)


def number(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")


# --------------------------------------------------------------------------- filters
campaign_labels = {c.id: c.label for c in choices.campaigns}
if choices.default_campaign_id not in campaign_labels:
    campaign_labels[choices.default_campaign_id] = "Campagne en cours"
col_campaign, col_circ, col_type = st.columns([1, 2, 2])
campaign_id = col_campaign.selectbox(
    "Campagne", options=list(campaign_labels), format_func=campaign_labels.get, key="dash_campaign",
    index=list(campaign_labels).index(choices.default_campaign_id),
)
circ_names = dict(choices.circonscriptions)
if choices.fixed_circonscription:
    col_circ.text_input("Circonscription", value=choices.fixed_circonscription, disabled=True, key="dash_circ_fixed")
    circ_ids: list[int] = []
else:
    circ_ids = col_circ.multiselect(
        "Circonscriptions", options=list(circ_names), format_func=lambda i: circ_names.get(i, str(i)),
        placeholder="Toutes les circonscriptions", key="dash_circs",
    )
school_types = col_type.multiselect(
    "Type d'école", options=list(choices.school_types), placeholder="Tous les types", key="dash_types"
)
filters = monitoring.Filters(campaign_id, tuple(circ_ids), tuple(school_types))
data = monitoring.dashboard(user, filters)
f = data.figures
st.caption(f"Chiffres au {fmt_datetime(data.now)} — campagne {data.campaign.school_year}. "
           "Les candidatures sans réponse dont le délai est dépassé comptent comme expirées.")

# --------------------------------------------------------------------------- figures
rows = [
    [("Écoles du référentiel", number(f.schools), "Écoles du périmètre choisi, quel que soit leur état."),
     ("Écoles avec une offre", number(f.schools_with_offer), "Écoles ayant au moins une offre publiée."),
     ("Taux de couverture", f"{f.coverage * 100:.1f} %".replace(".", ","),
      "Écoles avec au moins une offre publiée ÷ écoles du référentiel."),
     ("Offres publiées", number(f.published_offers), "Offres dont le statut est « publiée »."),],
    [("Places proposées", number(f.places_offered), "Somme des places des offres publiées."),
     ("Places pourvues", number(f.places_filled), "Candidatures acceptées."),
     ("Places restantes", number(f.places_remaining),
      "Par offre publiée : places − candidatures acceptées (jamais moins de 0)."),
     ("Candidatures reçues", number(f.received), "Toutes les candidatures aux offres de la campagne."),],
    [("Acceptées", number(f.accepted), None),
     ("Refusées", number(f.refused), None),
     ("Expirées", number(f.expired), "Sans réponse dans le délai (même si la tâche d'expiration n'est pas passée)."),
     ("En attente de réponse", number(f.pending), "Reçues ou lues, délai non dépassé."),],
]
for row in rows:
    for col, (label, value, help_text) in zip(st.columns(4), row, strict=True):
        col.metric(label, value, help=help_text, border=True)

# --------------------------------------------------------------------------- charts
frame = data.by_circonscription
config = {"displaylogo": False, "locale": "fr", "toImageButtonOptions": {"format": "png", "scale": 2}}
# Only the chosen chart is built and sent (st.tabs would render all five on every rerun).
CHARTS = {
    "Offres et places": (charts.offers_and_places, "by_circonscription", "chart_offers"),
    "Couverture": (charts.coverage, "by_circonscription", "chart_coverage"),
    "Candidatures": (charts.candidatures_by_status, "by_circonscription", "chart_cands"),
    "Par semaine": (charts.weekly_offers, "weekly", "chart_weeks"),
    "Carte des écoles": (charts.schools_map, "schools_map", "chart_map"),
}
chart = st.segmented_control("Graphique", list(CHARTS), default="Offres et places", required=True,
                             key="dash_chart", label_visibility="collapsed")
build, source, chart_key = CHARTS[chart or "Offres et places"]
st.plotly_chart(build(getattr(data, source)), theme=None, config=config, key=chart_key)
if build is charts.schools_map:
    st.caption("Disques bleus : écoles qui proposent des places ; croix orange : écoles sans offre publiée.")
# The chart's text alternative (RGAA 1.3): one sentence, and its data as a table.
chart_summary, chart_table = chart_text.describe(build, getattr(data, source))
st.text(chart_summary)
with st.expander(f"Données du graphique « {chart} » (tableau)"):
    st.dataframe(chart_table, hide_index=True, width="stretch")


# --------------------------------------------------------------------------- tables to act on
def downloads(table: str, key: str, circonscription_id: int | None = None) -> None:
    name = monitoring.EXPORTS[table]
    left, right, _ = st.columns([1, 1, 2])
    for col, fmt, label in ((left, "csv", "Exporter en CSV"), (right, "xlsx", "Exporter en XLSX")):
        col.download_button(
            label, key=f"{key}_{fmt}", file_name=f"{name}.{fmt}", on_click="ignore", icon=":material/download:",
            mime="text/csv" if fmt == "csv" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            data=lambda fmt=fmt: monitoring.export_table(user, table, fmt, filters, circonscription_id).data,
        )


def paged(table: str, key: str, fetch, empty: str, circonscription_id: int | None = None) -> None:
    page_key = f"{key}_page"
    page = fetch(st.session_state.get(page_key, 1))
    if page.total == 0:
        st.info(empty)
        return
    if page.pages > 1:
        if st.session_state.get(page_key, 1) > page.pages:  # the filters shrank the table
            st.session_state[page_key] = page.pages
            page = fetch(page.pages)
        st.number_input(f"Page (sur {page.pages})", min_value=1, max_value=page.pages, step=1, key=page_key)
    st.caption(f"{number(page.total)} ligne(s)")
    st.dataframe(page.rows, hide_index=True, width="stretch")
    downloads(table, key, circonscription_id)


st.header("À traiter")
TABLES = ["Écoles sans offre", "Candidatures à échéance (3 jours)", "Offres hors consignes",
          "Détail par circonscription", "Toutes les offres"]
# Only the chosen table is queried and rendered (st.tabs would run all five).
table = st.segmented_control("Tableau", TABLES, default=TABLES[0], required=True, key="dash_table",
                             label_visibility="collapsed") or TABLES[0]
if table == TABLES[0]:
    st.write("Écoles sans aucune offre publiée pour la campagne : à appeler ou à relancer.")
    paged("schools_without_offer", "tbl_schools", lambda p: monitoring.schools_without_offer(user, filters, p),
          "Toutes les écoles du périmètre ont au moins une offre publiée.")
elif table == TABLES[1]:
    st.write("Écoles dont des candidatures attendent une réponse et expirent dans les 3 jours.")
    paged("expiring", "tbl_expiring", lambda p: monitoring.expiring_candidatures(user, filters, p),
          "Aucune candidature n'expire dans les 3 prochains jours.")
elif table == TABLES[2]:
    st.write("Offres qui ne suivent pas les consignes de la DSDEN : niveau « Collégiens » coché, "
             "période autre que les 2 semaines, horaires manquants.")
    paged("guidance", "tbl_guidance", lambda p: monitoring.guidance_offers(user, filters, p),
          "Toutes les offres suivent les consignes.")
elif table == TABLES[3]:
    st.dataframe(monitoring.circonscription_table(frame), hide_index=True, width="stretch")
    downloads("circonscriptions", "tbl_circs")
    if not frame.empty:
        options = list(frame["circonscription_id"])
        labels = dict(zip(frame["circonscription_id"], frame["circonscription"], strict=True))
        chosen = st.selectbox("Voir les écoles de la circonscription", options=options,
                              format_func=lambda i: labels.get(i, str(i)), key="drill_circ")
        chosen = None if chosen is None or chosen != chosen else int(chosen)  # NaN: schools without circonscription
        paged("drilldown", "tbl_drill",
              lambda p: monitoring.circonscription_schools(user, chosen, filters, p),
              "Aucune école dans cette circonscription pour ces filtres.", chosen)
else:
    paged("offers", "tbl_offers", lambda p: monitoring.all_offers(user, filters, p),
          "Aucune offre pour ces filtres.")

with st.expander("Définitions des chiffres"):
    st.markdown(
        "- **Offre publiée** : offre de la campagne dont le statut est « publiée » aujourd'hui.\n"
        "- **Taux de couverture** : écoles ayant au moins une offre publiée ÷ écoles du référentiel.\n"
        "- **Candidatures reçues** : toutes les candidatures aux offres de la campagne, quel que soit leur statut.\n"
        "- **Expirées** : sans réponse à l'échéance (date de dépôt + délai de réponse de la campagne).\n"
        "- **Places pourvues** : candidatures acceptées ; **restantes** : places des offres publiées moins "
        "les acceptées, offre par offre.\n"
        "- **Par semaine** : offres selon la date de leur première publication."
    )
