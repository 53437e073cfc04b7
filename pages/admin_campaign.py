"""Campagne: the year's periods, response delay, opening dates and the DSDEN's head-office address."""

import streamlit as st

from stages.domain.timeutil import fmt_date, fmt_range
from stages.services.admin import campaign_settings
from stages.services.errors import ValidationError
from stages.ui.field_errors import field_error
from stages.ui.session import flash, page_user

user = page_user()
st.title("Campagne")
years = campaign_settings.school_years(user)
current = campaign_settings.campaign_form(user).school_year
school_year = st.selectbox("Année scolaire", years, index=years.index(current) if current in years else 0,
                           key="campaign_year")
form = campaign_settings.campaign_form(user, school_year)
d = form.defaults
if not form.exists:
    st.info("Cette campagne n'est pas encore enregistrée : les valeurs proposées suivent la règle nationale. "
            "Elle sera créée à l'enregistrement.")
st.caption(f"Règle nationale pour {school_year} : 1re semaine {fmt_range(d['week1_start'], d['week1_end'])}, "
           f"2e semaine {fmt_range(d['week2_start'], d['week2_end'])}.")

errors = st.session_state.pop("campaign_errors", {})
if errors:
    st.error("La campagne n'a pas été enregistrée : corrigez les champs signalés ci-dessous.")


def key(name: str) -> str:
    return f"campaign_{school_year}_{name}"


def show_error(name: str) -> None:
    field_error(key(name), errors.get(name))


v = form.values
with st.form(f"campaign_{school_year}"):
    st.subheader("Périodes de stage")
    c1, c2 = st.columns(2)
    w1s = c1.date_input("Début de la 1re semaine (lundi)", v["week1_start"], format="DD/MM/YYYY",
                      key=key("week1_start"))
    w1e = c2.date_input("Fin de la 1re semaine (vendredi)", v["week1_end"], format="DD/MM/YYYY",
                      key=key("week1_end"))
    show_error("week1_start")
    show_error("week1_end")
    c3, c4 = st.columns(2)
    w2s = c3.date_input("Début de la 2e semaine (lundi)", v["week2_start"], format="DD/MM/YYYY",
                      key=key("week2_start"))
    w2e = c4.date_input("Fin de la 2e semaine (vendredi)", v["week2_end"], format="DD/MM/YYYY",
                      key=key("week2_end"))
    show_error("week2_start")
    show_error("week2_end")
    st.subheader("Délais et ouvertures")
    delay = st.number_input("Délai de réponse des écoles (jours)", min_value=campaign_settings.MIN_DELAY,
                            max_value=campaign_settings.MAX_DELAY, value=int(v["response_delay_days"]), step=1,
                            key=key("response_delay_days"))
    show_error("response_delay_days")
    confirm = st.number_input("Délai de confirmation des élèves (jours)", min_value=1, max_value=60,
                              value=int(v.get("confirmation_delay_days") or 15), step=1,
                              help="Après l'acceptation, l'élève a ce délai pour cliquer « Je confirme ce stage » ; "
                                   "sans confirmation, la place est libérée.")
    show_error("confirmation_delay_days")
    c5, c6 = st.columns(2)
    opens = c5.date_input("Ouverture du dépôt des offres", v["offers_open_on"], format="DD/MM/YYYY",
                       key=key("offers_open_on"))
    students = c6.date_input("Accès des élèves aux offres", v["students_access_on"], format="DD/MM/YYYY",
                          key=key("students_access_on"))
    show_error("offers_open_on")
    show_error("students_access_on")
    address = st.text_input("Adresse du siège de la DSDEN", v["head_office_address"],
                            max_chars=campaign_settings.ADDRESS_MAX,
                            help="Reprise dans l'étape 2 des nouvelles offres (« Adresse du siège »).",
                            key=key("head_office_address"))
    show_error("head_office_address")
    submitted = st.form_submit_button("Enregistrer la campagne", type="primary")

st.markdown(
    "**Ce qui arrive aux offres et candidatures existantes**\n\n"
    "- Les libellés de période des offres déjà déposées suivent les nouvelles dates "
    "(« stage de 2 semaines », « 1re semaine », « 2e semaine »).\n"
    "- La nouvelle adresse du siège s'applique aux nouvelles offres ; les offres déjà déposées gardent la leur.\n"
    "- Le nouveau délai de réponse s'applique aux nouvelles candidatures, le nouveau délai de confirmation aux "
    "nouvelles acceptations ; les échéances déjà fixées restent.\n"
    "- Les dates d'ouverture décident dès leur enregistrement qui peut déposer et qui voit les offres."
)

if submitted:
    values = {"week1_start": w1s, "week1_end": w1e, "week2_start": w2s, "week2_end": w2e,
              "response_delay_days": delay, "offers_open_on": opens, "students_access_on": students,
              "head_office_address": address, "confirmation_delay_days": confirm}
    try:
        view = campaign_settings.save_campaign(user, school_year, values)
    except ValidationError as exc:
        # Shown next to each field on the rerun; the typed values stay in the form's widgets.
        st.session_state["campaign_errors"] = exc.errors or {"head_office_address": exc.message}
        st.rerun()
    else:
        flash(f"Campagne {view.school_year} enregistrée : stage du {fmt_date(view.week1_start)} au "
              f"{fmt_date(view.week2_end)}, délai de réponse de {view.response_delay_days} jours.")
        st.rerun()
