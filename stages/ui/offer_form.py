"""Widgets of "Déposer une offre de stage": the form's state, its fields, guidance and errors.

State lives in ``st.session_state`` under ``of_*`` keys: ``of_model`` holds every field of the
three steps (so "Précédent" keeps the values even though Streamlit forgets the widgets of a
step that is not shown), widgets use ``of_w_<field>`` keys seeded from the model. What was
validated is in the database: a reload resumes from there (``?offre=<id>`` or the open draft).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from enum import Enum
from typing import Any

import streamlit as st

from stages.domain import offers as rules
from stages.domain.ids import parse_id
from stages.domain.vocabulary import OfferStatus, Period
from stages.services.offers.common import OfferForm
from stages.ui.field_errors import clear
from stages.ui.field_errors import field_error as show_field_error
from stages.ui.live_counter import follow_typing

MODEL, STEP, OFFER_ID, ERRORS, FORM_KEY, META = "of_model", "of_step", "of_offer_id", "of_errors", "of_form_key", "of_meta"
W = "of_w_"
QUARTER = dt.timedelta(minutes=15)


def reset_state() -> None:
    for key in list(st.session_state.keys()):
        if str(key).startswith("of_"):
            del st.session_state[key]


def requested_offer_id() -> int | None:
    raw = st.query_params.get("offre")
    if not raw:
        return None
    # An id that cannot exist (?offre=99999999999999999999999) gets the service's "not your offer" answer.
    return parse_id(raw) or 0


def needs_loading(target: int | None) -> bool:
    """Whether the form must be (re)loaded from the service for this run."""
    if MODEL not in st.session_state:
        return True
    if target is not None and target != st.session_state.get(OFFER_ID):
        return True
    meta = st.session_state.get(META, {})
    # Reached from the menu while another (published) offer was being edited: start afresh.
    return target is None and meta.get("status") not in (None, OfferStatus.DRAFT)


def load(form: OfferForm) -> None:
    reset_state()
    st.session_state[MODEL] = dataclasses.asdict(form) | {"reserved_one": form.reserved_lycee_id is not None}
    st.session_state[OFFER_ID] = form.id
    st.session_state[STEP] = form.resume_step
    st.session_state[ERRORS] = {}
    st.session_state[FORM_KEY] = uuid.uuid4().hex
    st.session_state[META] = {"status": form.status, "period_labels": form.period_labels,
                              "school_year": form.school_year, "school_name": form.school_name}
    if form.id is not None:
        st.query_params["offre"] = str(form.id)


def restore(kept: dict | None, names: tuple[str, ...]) -> None:
    """Put back the fields ``names`` of a kept draft (what was typed before a reload)."""
    for name in names:
        if kept and name in kept:
            model()[name] = kept[name]


def saved(form: OfferForm, next_step: int | None) -> None:
    """After a successful save: remember the offer, clear the errors, move on."""
    st.session_state[OFFER_ID] = form.id
    st.session_state[META]["status"] = form.status
    st.session_state[ERRORS] = {}
    if next_step is not None:
        st.session_state[STEP] = next_step
    st.query_params["offre"] = str(form.id)


def model() -> dict[str, Any]:
    return st.session_state[MODEL]


def errors() -> dict[str, str]:
    return st.session_state.setdefault(ERRORS, {})


# Errors whose name is not their widget's: the field the focus goes to.
ERROR_WIDGETS = {"levels": "level_lycee", "hours": "h_lundi_start", "reservations": "reserved_one",
                 **{f"hours_{day}": f"h_{day}_start" for day in (*rules.DAYS, rules.SAME_HOURS_KEY)}}


def field_error(name: str) -> None:
    show_field_error(W + ERROR_WIDGETS.get(name, name), errors().get(name))


def guidance(name: str) -> None:
    st.caption(f":material/info: **Consigne DSDEN** — {rules.GUIDANCE[name]}")


SUMMARY = "of_summary"


def _changed(name: str) -> None:
    for field in (name, *(error for error, widget in ERROR_WIDGETS.items() if widget == name)):
        clear(ERRORS, field, SUMMARY)


def _fixes(name: str) -> dict:
    """A field's message (and the summary once none is left) goes as soon as the field is changed,
    with the message of a group the field stands for (``ERROR_WIDGETS``: "levels", "reservations")."""
    return {"on_change": _changed, "args": (name,)}


def _hours_changed(day: str) -> None:
    for name in (f"hours_{day}", "hours", "daily_hours"):
        clear(ERRORS, name, SUMMARY)


def _seed(name: str, value: Any) -> str:
    key = W + name
    if key not in st.session_state:
        # A widget holds plain values: Streamlit would try to coerce an Enum member into the options' type.
        st.session_state[key] = value.value if isinstance(value, Enum) else value
    return key


def text(name: str, label: str, *, area: bool = False, max_chars: int | None = None, placeholder: str | None = None,
         counter: int | None = None, short_counter: bool = False, help: str | None = None) -> str:
    key = _seed(name, model().get(name) or "")
    widget = st.text_area if area else st.text_input
    value = widget(label, key=key, max_chars=max_chars, placeholder=placeholder, help=help, **_fixes(name))
    if counter:
        st.caption(rules.count_label(value, counter, short=short_counter))
        if area:
            follow_typing(label, counter, short_counter)
    field_error(name)
    model()[name] = value
    return value


def checkbox(name: str, label: str, *, help: str | None = None) -> bool:
    key = _seed(name, bool(model().get(name)))
    value = st.checkbox(label, key=key, help=help, **_fixes(name))
    field_error(name)
    model()[name] = value
    return value


def select(name: str, label: str, options: tuple[str, ...] | list, *, format_func=str) -> Any:
    current = model().get(name)
    key = _seed(name, current if current in options else None)
    value = st.selectbox(label, options, key=key, format_func=format_func, placeholder="Choisissez dans la liste",
                         **_fixes(name))
    field_error(name)
    model()[name] = value
    return value


def yes_no(name: str, label: str) -> bool:
    key = _seed(name, "Oui" if model().get(name, True) else "Non")
    value = st.radio(label, ["Oui", "Non"], key=key, horizontal=True, **_fixes(name)) == "Oui"
    field_error(name)
    model()[name] = value
    return value


def period(labels: dict[str, str]) -> str:
    key = _seed("period", model().get("period") or Period.TWO_WEEKS)
    value = st.radio("Sur quelle période proposez-vous ce stage pour les lycéens ?", list(Period.ALL), key=key,
                     format_func=lambda p: labels.get(p, p), **_fixes("period"))
    field_error("period")
    model()["period"] = value
    return value


def number(name: str, label: str) -> int:
    key = _seed(name, int(model().get(name) or 1))
    value = st.number_input(label, key=key, min_value=0, max_value=100_000, step=1, **_fixes(name))
    field_error(name)
    model()[name] = int(value) if value is not None else None
    return value


def _time(value: str | None) -> dt.time | None:
    return rules.parse_time(value)


def hours(same: bool) -> None:
    """"Lundi : de -- à --" ... "Samedi", or one pair when the hours are the same every day."""
    current = model().get("daily_hours") or {}
    days = [rules.SAME_HOURS_KEY] if same else list(rules.DAYS)
    new: dict[str, list[str | None]] = {}
    for day in days:
        label = "Tous les jours" if day == rules.SAME_HOURS_KEY else rules.DAY_LABELS[day]
        pair = (current.get(day) or [None, None]) + [None, None]
        cols = st.columns([1.2, 2, 2, 3], vertical_alignment="center")
        cols[0].markdown(f"**{label} :**")
        start = cols[1].time_input(f"{label} : de", key=_seed(f"h_{day}_start", _time(pair[0])), step=QUARTER,
                                   on_change=_hours_changed, args=(day,),
                                   label_visibility="collapsed")
        end = cols[2].time_input(f"{label} : à", key=_seed(f"h_{day}_end", _time(pair[1])), step=QUARTER,
                                 on_change=_hours_changed, args=(day,),
                                 label_visibility="collapsed")
        cols[3].caption(f"de {start.strftime('%H:%M') if start else '--'} à {end.strftime('%H:%M') if end else '--'}")
        field_error(f"hours_{day}")
        if start or end:
            new[day] = [start.strftime("%H:%M") if start else None, end.strftime("%H:%M") if end else None]
    field_error("hours")
    # Keep the other mode's hours too, so toggling the checkbox loses nothing.
    kept = {k: v for k, v in current.items() if k not in days}
    model()["daily_hours"] = kept | new


def step_data(step: int) -> dict[str, Any]:
    from stages.services.offers.common import STEP_FIELDS

    data = {name: model().get(name) for name in STEP_FIELDS[step]}
    if step == 3:
        hours_all = model().get("daily_hours") or {}
        keys = [rules.SAME_HOURS_KEY] if data["same_hours"] else list(rules.DAYS)
        data["daily_hours"] = {k: v for k, v in hours_all.items() if k in keys}
        data["reserved_one"] = bool(model().get("reserved_one"))
    return data


def header(step: int, title: str, next_title: str | None) -> None:
    st.title("Déposer une offre de stage")
    st.caption(f"Étape {step} sur 3")
    st.progress(step / 3)
    st.subheader(title)
    if next_title:
        st.caption(f"Étape suivante : {next_title}")
