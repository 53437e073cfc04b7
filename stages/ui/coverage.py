"""The dashboard's coverage actions (issue 13): « Relancer les écoles sans offre », « Élèves sans
stage » per lycée, and the trend by week against the previous campaign.

Every text a user typed (the template, schools' names) is shown with ``st.text`` or in
dataframes, never as Markdown. The template is saved server-side as the user types (nothing lost
on a reload).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from stages.services import relaunches, students_without_stage, trend
from stages.services.monitoring.scope import Filters
from stages.services.pagination import DEFAULT_PAGE_SIZE
from stages.services.auth import CurrentUser
from stages.services.errors import ServiceError
from stages.ui.charts import BLEU_FRANCE, FONT, ORANGE
from stages.ui import fragments
from stages.ui.safe import alert
from stages.ui.session import flash

SUBJECT_KEY = "relaunch_subject"
BODY_KEY = "relaunch_body"
CHOSEN_KEY = "relaunch_chosen"
MODE_KEY = "relaunch_mode"
PREVIEW_KEY = "relaunch_preview"
BOX_KEY = "relaunch_box"  # the expander of the relaunch form (open or not)
CHOSEN, ALL = "Les écoles choisies", "Toutes les écoles sans offre du filtre"


def _number(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")


def _save_template(user: CurrentUser) -> None:
    relaunches.save_template(user, st.session_state.get(SUBJECT_KEY, ""), st.session_state.get(BODY_KEY, ""))
    st.session_state.pop(PREVIEW_KEY, None)


def _reset_template(user: CurrentUser) -> None:
    tpl = relaunches.reset_template(user)
    st.session_state[SUBJECT_KEY], st.session_state[BODY_KEY] = tpl.subject, tpl.body
    st.session_state.pop(PREVIEW_KEY, None)


def _show_plan(plan: relaunches.Plan) -> None:
    with st.container(border=True):
        st.markdown(f"**Aperçu** — {_number(len(plan.to_send))} courriel(s) à envoyer")
        if plan.sample:
            to, subject, body = plan.sample
            st.text(f"À : {to}\nObjet : {subject}")
            st.text(body)
        for title, items in (("Relancées il y a moins de 7 jours (non relancées)", plan.recent),
                             ("Sans adresse électronique (non relancées)", plan.no_address),
                             ("Hors de votre périmètre, ou avec une offre publiée", plan.unknown)):
            if items:
                with st.expander(f"{title} : {len(items)}"):
                    st.text("\n".join(items))


def relaunch_section(user: CurrentUser, filters: Filters) -> None:
    """The « Écoles sans offre » table with their relaunches, and the relaunch form under it."""
    everything = relaunches.schools(user, filters, page_size=None)
    if everything.total == 0:
        st.info("Toutes les écoles du périmètre ont au moins une offre publiée.")
        return
    page_size = DEFAULT_PAGE_SIZE
    pages = max(1, -(-everything.total // page_size))
    page = 1
    if pages > 1:
        page = int(st.number_input(f"Page (sur {pages})", min_value=1, max_value=pages, step=1, key="relaunch_page"))
    st.caption(f"{_number(everything.total)} école(s) sans offre publiée")
    st.dataframe(everything.rows.iloc[(page - 1) * page_size: page * page_size], hide_index=True, width="stretch")

    # Lazy: the relaunch form (a dozen fields and buttons) is sent only while it is open.
    box = st.expander("Relancer les écoles sans offre", key=BOX_KEY, on_change="rerun", icon=":material/send:")
    if box.open:
        with box:
            _relaunch_form(user, filters, everything)


def _relaunch_form(user: CurrentUser, filters: Filters, everything) -> None:
    if SUBJECT_KEY not in st.session_state:
        tpl = relaunches.template(user)
        st.session_state[SUBJECT_KEY], st.session_state[BODY_KEY] = tpl.subject, tpl.body
    mode = st.radio("Écoles à relancer", [CHOSEN, f"{ALL} ({_number(everything.total)})"], key=MODE_KEY,
                    horizontal=True)
    rows = everything.rows
    labels = {r["UAI"]: f"{r['École']} — {r['Commune']} ({r['UAI']})" + (f" · {r['Relance']}" if r["Relance"] else "")
              for _, r in rows.iterrows()}
    chosen = st.multiselect("Écoles choisies", options=list(labels), format_func=labels.get, key=CHOSEN_KEY,
                            placeholder="Tapez le nom, la commune ou l'UAI d'une école",
                            disabled=mode != CHOSEN)
    st.text_input("Objet du courriel", key=SUBJECT_KEY, max_chars=200, on_change=_save_template, args=(user,))
    st.text_area("Message", key=BODY_KEY, height=320, max_chars=5000, on_change=_save_template, args=(user,),
                 help="Remplacés pour chaque école : " + ", ".join(
                     f"{k} ({v})" for k, v in relaunches.PLACEHOLDERS.items()))
    st.caption("Modèle modifiable : " + ", ".join(relaunches.PLACEHOLDERS) +
               " sont remplacés pour chaque école. Vos modifications sont gardées pour la prochaine relance.")
    force = st.checkbox("Relancer aussi les écoles relancées il y a moins de 7 jours", key="relaunch_force")
    left, middle, right = st.columns([1, 1, 1])
    uais = chosen if mode == CHOSEN else None
    subject, body = st.session_state.get(SUBJECT_KEY, ""), st.session_state.get(BODY_KEY, "")
    if middle.button("Rétablir le modèle de la DSDEN", key="relaunch_reset"):
        _reset_template(user)
        fragments.rerun()
    if left.button("Prévisualiser", key="relaunch_preview_btn"):
        try:
            st.session_state[PREVIEW_KEY] = relaunches.preview(user, filters, uais, subject, body, force)
        except ServiceError as exc:
            alert("error", exc.message)
    if right.button("Envoyer la relance", type="primary", key="relaunch_send"):
        try:
            result = relaunches.send(user, filters, uais, subject, body, force)
        except ServiceError as exc:
            alert("error", exc.message)
        else:
            skipped = len(result.plan.recent) + len(result.plan.no_address)
            flash(f"{result.sent} école(s) relancée(s)." + (f" {skipped} non relancée(s) : voir l'aperçu."
                                                           if skipped else ""))
            st.session_state.pop(PREVIEW_KEY, None)
            st.session_state.pop(CHOSEN_KEY, None)
            fragments.rerun()
    plan = st.session_state.get(PREVIEW_KEY)
    if plan is not None:
        _show_plan(plan)


def students_section(user: CurrentUser, campaign_id: int | None) -> None:
    """« Élèves sans stage » per lycée: counts only (students are minors)."""
    counts = students_without_stage.per_lycee(user, campaign_id)
    total = counts.total
    cols = st.columns(5)
    for col, name in zip(cols, ["Élèves inscrits", "Avec au moins une candidature", "Acceptés", "Stage confirmé",
                                "Sans candidature"], strict=True):
        col.metric(name, _number(total[name]), border=True)
    if counts.rows.empty:
        st.info("Aucun élève inscrit pour le moment.")
        return
    st.dataframe(counts.rows, hide_index=True, width="stretch")
    st.caption("Acceptés : au moins une candidature acceptée dans le délai de confirmation, ou confirmée. "
               "Les noms des élèves ne sont visibles que par le chef d'établissement de leur lycée.")


def trend_figure(frame: pd.DataFrame) -> go.Figure:
    """Coverage (left) and places (right) by week of the campaign, one colour per campaign."""
    fig = go.Figure()
    colours = [BLEU_FRANCE, ORANGE]
    for n, (campaign, rows) in enumerate(frame.groupby("campaign", sort=False)):
        colour = colours[n % 2]
        fig.add_scatter(name=f"{campaign} — couverture", x=rows["week"], y=rows["coverage"] * 100,
                        mode="lines+markers", line={"color": colour},
                        customdata=rows["schools_with_offer"],
                        hovertemplate="<b>Semaine %{x}</b><br>Couverture : %{y:.1f} %<br>Écoles avec une offre : "
                                      "%{customdata}<extra>" + campaign + "</extra>")
        fig.add_scatter(name=f"{campaign} — places", x=rows["week"], y=rows["places"], mode="lines",
                        line={"color": colour, "dash": "dot"}, yaxis="y2",
                        hovertemplate="<b>Semaine %{x}</b><br>Places : %{y}<extra>" + campaign + "</extra>")
    fig.update_layout(
        title={"text": "Couverture et places par semaine de la campagne", "font": {"family": FONT}},
        font={"family": FONT}, height=440, separators=", ", legend={"orientation": "h", "y": -0.2},
        xaxis={"title": "Semaine de la campagne (depuis l'ouverture du dépôt des offres)", "dtick": 2},
        yaxis={"title": "Taux de couverture (%)", "rangemode": "tozero"},
        yaxis2={"title": "Places proposées", "overlaying": "y", "side": "right", "rangemode": "tozero",
                "showgrid": False},
        plot_bgcolor="white",
    )
    return fig


def trend_section(user: CurrentUser, filters: Filters, config: dict) -> None:
    frame = trend.coverage_trend(user, filters)
    st.plotly_chart(trend_figure(frame), theme=None, config=config, key="chart_trend")
    if frame["campaign"].nunique() < 2:
        st.caption("Pas de campagne précédente dans l'application : seule la campagne choisie est tracée.")
    else:
        st.caption("Trait plein : taux de couverture ; pointillés : places proposées. Une offre compte dès sa "
                   "première publication.")


def lycee_students_section(user: CurrentUser) -> None:
    """For a lycée head: their lycée's students without a confirmed stage, by name (the service checks
    that the caller heads this lycée)."""
    try:
        rows = students_without_stage.lycee_students(user)
    except ServiceError as exc:
        alert("error", exc.message)
        return
    if not rows:
        st.info("Tous les élèves de votre lycée inscrits sur la plateforme ont un stage confirmé.")
        return
    st.markdown(f"**{_number(len(rows))} élève(s)** de votre lycée sans stage confirmé.")
    frame = pd.DataFrame([[r.name, r.email, r.situation] for r in rows],
                         columns=["Élève", "Adresse électronique", "Situation"])
    st.dataframe(frame, hide_index=True, width="stretch")
    st.caption("« Acceptée, à confirmer » : l'élève doit confirmer le stage accepté dans le délai indiqué ; "
               "sinon la place est libérée.")
