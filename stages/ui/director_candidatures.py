"""The "Candidatures" and "Conventions" tabs of the director's space.

Everything a student typed (name, motivation) is shown with ``st.text`` or in dataframes,
never as Markdown. Actions are plain buttons (no dialog), so they work in AppTest too.
"""

from __future__ import annotations

import streamlit as st

from stages.domain.candidatures import TABS
from stages.domain.vocabulary import CandidatureStatus
from stages.services.candidatures import answers
from stages.services.candidatures import exports as candidature_exports, inbox as inboxes
from stages.services import placements
from stages.services.auth import CurrentUser
from stages.services.errors import ServiceError
from stages.ui import conventions, fragments
from stages.ui.downloads import download_buttons
from stages.ui.responsive import inbox_rows_as_cards
from stages.ui import session
from stages.ui.session import flash
from stages.ui.safe import alert, label_text

OPEN_KEY = "cand_open"
CONFIRM_KEY = "cand_confirm_accept"  # the candidature whose "Accepter" waits for its confirmation
BULK_CONFIRM_KEY = "cand_confirm_bulk"  # the checked candidatures whose bulk accept waits for it
IRREVERSIBLE = "Cette réponse est définitive : l'élève en est informé·e par courriel et la place lui est réservée."
ACTIVE_TAB_KEY = "cand_active_tab"
ERROR_KEY = "cand_answer_refused"  # (candidature id, "left" | "right", the service's message)
COLUMNS = [0.5, 2.5, 2.5, 2, 1.6, 1.2]
HEADINGS = ["Nom de l'élève", "Intitulé du stage", "Candidature annulée dans", "Statut", "Action"]
BADGE = {"red": "red", "orange": "orange", "normal": "gray", "expired": "gray"}


def _remember_tab(key: str) -> None:
    st.session_state[ACTIVE_TAB_KEY] = str(st.session_state.get(key, "")).split(" (")[0]


def _check_key(candidature_id: int) -> str:
    return f"cand_check_{candidature_id}"


def _toggle_all(tab: str, ids: list[int]) -> None:
    value = st.session_state.get(f"cand_all_{tab}", False)
    for candidature_id in ids:
        st.session_state[_check_key(candidature_id)] = value


def _clear_checks(ids: list[int]) -> None:
    for candidature_id in ids:
        st.session_state.pop(_check_key(candidature_id), None)
    for tab in TABS:
        st.session_state.pop(f"cand_all_{tab}", None)


def check_label(row: inboxes.InboxRow) -> str:
    """The checkbox's accessible name: whose candidature, to which offer (its number: titles repeat).
    Its label is hidden, so the name is read as written: typed names lose their Markdown characters
    (``label_text``) rather than carry escapes a screen reader would spell out."""
    return label_text(f"Cocher la candidature de {row.student_name} à l'offre « {row.offer_title} » "
                     f"(candidature n° {row.id})")


def _table(tab: str, rows: list[inboxes.InboxRow]) -> None:
    answerable = [r.id for r in rows if r.can_answer]
    inbox_rows_as_cards(HEADINGS)  # phone layout: outside the table (a style, no row)
    # The page's script gives this list table semantics (table, rows, column headers, cells); the
    # keyed containers of the rows (phone layout) become presentation wrappers.
    with st.container(key=f"a11y-table-{tab}"):
        _rows(tab, rows, answerable)
    if not rows:
        st.text("Aucune candidature reçue")


def _rows(tab: str, rows: list[inboxes.InboxRow], answerable: list[int]) -> None:
    head = st.container(key=f"inbox_head_{tab}").columns(COLUMNS, vertical_alignment="center")
    head[0].checkbox("Tout cocher (candidatures de cet onglet)", key=f"cand_all_{tab}", label_visibility="collapsed",
                     disabled=not answerable, on_change=_toggle_all, args=(tab, answerable))
    for column, heading in zip(head[1:], HEADINGS, strict=True):
        column.markdown(f"**{heading}**")
    for row in rows:
        cols = st.container(key=f"inbox_row_{row.id}").columns(COLUMNS, vertical_alignment="center")
        cols[0].checkbox(check_label(row), key=_check_key(row.id), label_visibility="collapsed",
                         disabled=not row.can_answer)
        cols[1].text(("● " if row.unread else "") + row.student_name)
        cols[2].text(f"{row.offer_title}\n{row.offer_reference}" if row.offer_reference else row.offer_title)
        if row.countdown:
            cols[3].badge(row.countdown, color=BADGE.get(row.level, "gray"), help=f"Le {row.deadline}")
        else:
            cols[3].text("—")
        cols[4].text(row.status_label)
        cols[5].button("Ouvrir" if row.can_answer else "Voir", key=f"cand_open_{tab}_{row.id}", on_click=_open,
                       args=(row.id,))


def _open(candidature_id: int | None) -> None:
    """Callback of « Ouvrir » / « Voir » (an id) and « Fermer » (None): the run that follows draws it."""
    if candidature_id is None:
        st.session_state.pop(OPEN_KEY, None)
    else:
        st.session_state[OPEN_KEY] = candidature_id
    st.session_state.pop(CONFIRM_KEY, None)


def _ask_confirmation(candidature_id: int | None) -> None:
    """Callback of « Accepter » (an id: ask for the confirmation) and of its « Annuler » (None)."""
    if candidature_id is None:
        st.session_state.pop(CONFIRM_KEY, None)
    else:
        st.session_state[CONFIRM_KEY] = candidature_id


def _answer(user: CurrentUser, candidature_id: int, kind: str) -> None:
    """Callback of the answers (confirmed acceptance, waiting list, refusal): the service decides, before
    the run that draws the updated inbox (one run per answer, not two). A refusal of the service is kept
    to be shown beside the buttons (ERROR_KEY)."""
    if not session.still_valid(user):
        return  # the run that follows ends the session and says why
    st.session_state.pop(CONFIRM_KEY, None)
    try:
        if kind == "accept":
            message = f"Candidature de {answers.accept(user, candidature_id)} acceptée."
        elif kind == "waitlist":
            message = f"Candidature de {placements.waitlist(user, candidature_id)} mise en liste d'attente."
        else:
            reason = st.session_state.get(f"cand_reason_{candidature_id}", "")
            message = f"Candidature de {answers.refuse(user, candidature_id, reason)} refusée."
    except ServiceError as exc:
        st.session_state[ERROR_KEY] = (candidature_id, "right" if kind == "refuse" else "left", exc.message)
        return
    flash(message)
    st.session_state.pop(OPEN_KEY, None)
    _clear_checks([candidature_id])


def _refusal_of_service(candidature_id: int, side: str, where) -> None:
    """The service's refusal of an answer, shown where the user looks (it may quote a name a user typed)."""
    error = st.session_state.get(ERROR_KEY)
    if error and error[0] == candidature_id and error[1] == side:
        alert("error", error[2], where=where)


def _detail(user: CurrentUser, candidature_id: int) -> None:
    try:
        detail = inboxes.open_candidature(user, candidature_id)
    except ServiceError as exc:
        st.session_state.pop(OPEN_KEY, None)
        alert("error", exc.message)
        return
    with st.container(border=True):
        st.markdown("**Candidature de l'élève**")
        lines = [f"{detail.student_name} — {detail.student_email}" + (f" — {detail.lycee}" if detail.lycee else ""),
                 f"Stage : {detail.offer_title}, {detail.offer_reference or detail.period_label}",
                 f"Reçue le {detail.submitted} — Statut : {detail.status_label}"]
        if detail.can_answer and detail.countdown:
            lines.append(f"Réponse attendue avant le {detail.deadline} (candidature annulée dans {detail.countdown})")
        elif detail.status == CandidatureStatus.ACCEPTED:
            lines.append(f"Confirmation attendue de l'élève avant le {detail.deadline} : sans confirmation, "
                         "la place sera libérée.")
        st.text("\n".join(lines))
        st.markdown("**Message de motivation**")
        st.text(detail.motivation)
        if detail.refusal_reason:
            st.markdown("**Motif du refus**")
            st.text(detail.refusal_reason)
        if detail.why_not:
            alert("info", detail.why_not)
        else:
            left, right = st.columns(2)
            if st.session_state.get(CONFIRM_KEY) == detail.id:
                # One click more before an answer that cannot be undone.
                alert("warning", f"Accepter la candidature de {detail.student_name} ? {IRREVERSIBLE}", where=left)
                yes, no = left.columns(2)
                yes.button("Confirmer l'acceptation", type="primary", key=f"cand_accept_yes_{detail.id}",
                           on_click=_answer, args=(user, detail.id, "accept"))
                no.button("Annuler", key=f"cand_accept_no_{detail.id}", on_click=_ask_confirmation, args=(None,))
            else:
                left.button("Accepter", type="primary", key=f"cand_accept_{detail.id}",
                            on_click=_ask_confirmation, args=(detail.id,))
            if detail.can_waitlist:
                left.button("Mettre en liste d'attente", key=f"cand_waitlist_{detail.id}",
                            help="Plutôt que de refuser : le délai de réponse s'arrête, l'élève est prévenu·e, et "
                                 "vous serez averti·e par courriel si une place se libère.",
                            on_click=_answer, args=(user, detail.id, "waitlist"))
            _refusal_of_service(detail.id, "left", left)
            right.text_area("Motif du refus", key=f"cand_reason_{detail.id}", max_chars=1000,
                            help="Obligatoire : il est transmis à l'élève.")
            right.button("Refuser", key=f"cand_refuse_{detail.id}", on_click=_answer, args=(user, detail.id, "refuse"))
            _refusal_of_service(detail.id, "right", right)
        st.button("Fermer", key="cand_close", on_click=_open, args=(None,))


def _bulk(user: CurrentUser, rows: list[inboxes.InboxRow]) -> None:
    checked = [r.id for r in rows if st.session_state.get(_check_key(r.id))]
    st.caption(f"Candidatures cochées : {len(checked)}")
    left, right = st.columns(2)
    accept_all = False
    if checked and st.session_state.get(BULK_CONFIRM_KEY) == checked:
        names = ", ".join(r.student_name for r in rows if r.id in checked)
        alert("warning", f"Accepter {len(checked)} candidature(s) : {names} ? {IRREVERSIBLE}", where=left)
        yes, no = left.columns(2)
        accept_all = yes.button("Confirmer l'acceptation", type="primary", key="cand_bulk_accept_yes")
        if no.button("Annuler", key="cand_bulk_accept_no"):
            st.session_state.pop(BULK_CONFIRM_KEY, None)
            fragments.rerun()
    elif left.button("Accepter les candidatures cochées", key="cand_bulk_accept", disabled=not checked):
        st.session_state[BULK_CONFIRM_KEY] = checked
        fragments.rerun()
    reason = right.text_input("Motif du refus des candidatures cochées", key="cand_bulk_reason", max_chars=1000)
    refuse_all = right.button("Refuser les candidatures cochées", key="cand_bulk_refuse", disabled=not checked)
    if not (accept_all or refuse_all):
        return
    st.session_state.pop(BULK_CONFIRM_KEY, None)
    try:
        result = answers.bulk_accept(user, checked) if accept_all else answers.bulk_refuse(user, checked, reason)
    except ServiceError as exc:
        alert("error", exc.message, where=right if refuse_all else left)
        return
    verb = "acceptée(s)" if accept_all else "refusée(s)"
    if result.done:
        flash(f"{len(result.done)} candidature(s) {verb} : {', '.join(result.done)}.")
    for message in result.errors:
        flash(message, "error")
    _clear_checks(checked)
    if refuse_all:
        st.session_state.pop("cand_bulk_reason", None)
    fragments.rerun()


@fragments.part
def render(user: CurrentUser) -> None:
    """The inbox: a part of the page that reruns alone (opening, answering, checking a candidature)."""
    notice = st.empty()
    if st.session_state.get(OPEN_KEY):
        # Opened first: opening marks it "Lue", and the rows read below then say so too.
        _detail(user, int(st.session_state[OPEN_KEY]))
    st.session_state.pop(ERROR_KEY, None)  # a refused answer is shown once, beside its buttons
    inbox = inboxes.director_inbox(user)
    notice.warning(
        "**⚠ Délai de réponse aux élèves**\n\n"
        f"Le délai de traitement des candidatures des élèves est de {inbox.delay_days} jours . Au delà de ce délai, "
        "la candidature sera annulée et vous ne pourrez plus y répondre.\n\n"
        "Une fois acceptée, l'élève doit confirmer le stage dans le délai indiqué : sans confirmation, la place est "
        "libérée. Plutôt que de refuser, vous pouvez mettre une candidature en liste d'attente."
    )
    counts = inbox.counts
    labels = {tab: f"{tab} ({counts[tab]})" for tab in inbox.tabs}
    # Labels carry the counts, so an answer changes them: remember the open tab by its name.
    current = labels.get(st.session_state.get(ACTIVE_TAB_KEY, "Reçues"), labels["Reçues"])
    tabs = st.tabs(list(labels.values()), default=current, key=f"cand_tabs_{'_'.join(map(str, counts.values()))}",
                   on_change=_remember_tab, args=(f"cand_tabs_{'_'.join(map(str, counts.values()))}",))
    for tab_widget, (tab, rows) in zip(tabs, inbox.tabs.items(), strict=True):
        if tab_widget.open is False:  # only the open tab runs (the others render nothing until chosen)
            continue
        with tab_widget:
            _table(tab, rows)
            if tab == "Reçues" and rows:
                _bulk(user, rows)
    download_buttons("cand_export", "candidatures", lambda fmt: candidature_exports.export_candidatures(user, fmt),
                     label="Exporter ({fmt})")


def render_conventions(user: CurrentUser) -> None:
    conventions.render_director(user)
