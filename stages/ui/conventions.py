"""The conventions as each party sees them: one row per convention (a light per party, what is
missing in words, the action that is theirs), their part's form, signing, the PDF, uploads.
The DSDEN's block of the dashboard is ``stages.ui.convention_tracking``. Every rule and check is in
``stages.services.conventions``."""

from __future__ import annotations

import streamlit as st

from stages.domain.conventions import APPROVAL_TEXT, FIELD_LABELS, PARTY_LABELS, Party
from stages.services.auth import CurrentUser
from stages.services.conventions import files, parts, signing, views
from stages.services.errors import ServiceError
from stages.ui.safe import alert, md_escape
from stages.ui.session import flash

LIGHT_ICONS = {"green": "🟢", "orange": "🟠", "grey": "⚪"}
LIGHT_WORDS = {"green": "fait", "orange": "à faire", "grey": "pas encore possible"}
STATUS_COLORS = {"to_complete": "orange", "ready": "blue", "signing": "blue", "signed": "green",
                 "signed_offline": "green", "cancelled": "gray"}


def client_address() -> str | None:
    try:
        value = st.context.ip_address
    except Exception:  # noqa: BLE001 - no browser behind this run (AppTest)
        return None
    return value if isinstance(value, str) else None


def lights_text(row: views.Row) -> str:
    return "   ".join(f"{LIGHT_ICONS[row.lights[p]]} {PARTY_LABELS[p]} ({LIGHT_WORDS[row.lights[p]]})"
                       for p in (Party.HOST, Party.STUDENT, Party.LEGAL_REP, Party.LYCEE))


def run_action(action, message: str) -> None:
    """Call a service; on success flash ``message`` (``{result}``: its return) and rerun, else show why."""
    try:
        result = action()
    except ServiceError as exc:
        alert("error", exc.message)
        for field, problem in exc.errors.items():
            if problem != exc.message:
                st.caption(md_escape(f"{FIELD_LABELS.get(field, field)} : {problem}"))
    else:
        flash(message.format(result=result))
        st.rerun()


def _part_form(user: CurrentUser, detail: views.Detail) -> None:
    party, row = detail.row.my_party, detail.row
    saved = detail.parts[party]
    key = f"conv{row.id}"
    title = {Party.HOST: "Partie de l'école d'accueil : le tuteur",
             Party.LYCEE: "Partie du lycée : le professeur référent et la classe",
             Party.STUDENT: "Ma partie : date de naissance, classe, PAI, représentants légaux"}[party]
    with st.form(f"{key}_part"):
        st.markdown(f"**{title}**")
        if detail.signatures:
            st.caption("Attention : modifier cette partie annule les signatures déjà données ; "
                       "chaque signataire sera prévenu et devra signer de nouveau.")
        data: dict = {}
        if party == Party.HOST:
            data["tutor_name"] = st.text_input(FIELD_LABELS["tutor_name"], saved.get("tutor_name", ""), key=f"{key}_tn",
                                               help="Un enseignant de l'école")
            data["tutor_function"] = st.text_input(FIELD_LABELS["tutor_function"], saved.get("tutor_function", ""),
                                                   key=f"{key}_tf", placeholder="Professeur des écoles")
            data["tutor_email"] = st.text_input(FIELD_LABELS["tutor_email"], saved.get("tutor_email", ""),
                                                key=f"{key}_te", help="Format attendu : nom@domaine.fr")
            data["meals"] = st.text_input(FIELD_LABELS["meals"], saved.get("meals", "Pas de possibilité de restauration"),
                                          key=f"{key}_me")
        elif party == Party.LYCEE:
            data["referent_name"] = st.text_input(FIELD_LABELS["referent_name"], saved.get("referent_name", ""),
                                                  key=f"{key}_rn")
            data["referent_email"] = st.text_input(FIELD_LABELS["referent_email"], saved.get("referent_email", ""),
                                                   key=f"{key}_re", help="Format attendu : nom@domaine.fr")
            data["student_class"] = st.text_input(FIELD_LABELS["student_class"], saved.get("student_class", ""),
                                                  key=f"{key}_cl", placeholder="2de 3")
        else:
            birth = saved.get("birth_date")
            data["birth_date"] = st.text_input(
                FIELD_LABELS["birth_date"], birth.strftime("%d/%m/%Y") if birth else "", key=f"{key}_bd",
                placeholder="JJ/MM/AAAA", help="Format attendu : JJ/MM/AAAA, par exemple 12/03/2011")
            data["student_class"] = st.text_input(FIELD_LABELS["student_class"], saved.get("student_class", ""),
                                                  key=f"{key}_cl", placeholder="2de 3")
            pai = st.radio(FIELD_LABELS["pai"], ["Non", "Oui"], horizontal=True, key=f"{key}_pai",
                           index=None if "pai" not in saved else (1 if saved["pai"] else 0))
            data["pai"] = None if pai is None else pai == "Oui"
            data["rep1_name"] = st.text_input(FIELD_LABELS["rep1_name"], saved.get("rep1_name", ""), key=f"{key}_r1n")
            data["rep1_email"] = st.text_input(FIELD_LABELS["rep1_email"], saved.get("rep1_email", ""),
                                               key=f"{key}_r1e", help="Il recevra le lien pour signer la convention.")
            data["rep2_name"] = st.text_input(FIELD_LABELS["rep2_name"] + " (facultatif)", saved.get("rep2_name", ""),
                                              key=f"{key}_r2n")
            data["rep2_email"] = st.text_input(FIELD_LABELS["rep2_email"] + " (facultatif)",
                                               saved.get("rep2_email", ""), key=f"{key}_r2e")
        if st.form_submit_button("Enregistrer ma partie", type="primary"):
            run_action(lambda: parts.complete_part(user, row.id, data),
                 "Partie enregistrée. État de la convention : {result}.")


def _sign_form(user: CurrentUser, detail: views.Detail) -> None:
    row = detail.row
    with st.form(f"conv{row.id}_sign"):
        st.markdown("**Signer la convention**")
        st.caption("Téléchargez et lisez la convention (PDF) avant de la signer. Signature électronique simple : "
                   "la date, l'heure, l'empreinte du document et votre adresse réseau sont enregistrées.")
        approved = st.checkbox(APPROVAL_TEXT, key=f"conv{row.id}_ok")
        typed = st.text_input("Votre nom complet (prénom et nom)", key=f"conv{row.id}_name",
                              placeholder=user.full_name)
        if st.form_submit_button("Signer la convention", type="primary"):
            run_action(lambda: signing.sign(user, row.id, approved=approved, typed_name=typed,
                                      document_hash=detail.document_hash, client_address=client_address()),
                 "Convention signée : {result}.")


def upload_field(key: str, store, message: str) -> None:
    """Inside the caller's form: the signed PDF's uploader and its button; ``store(name, data)`` records it."""
    upload = st.file_uploader("Convention signée (PDF)", type=["pdf"], key=f"{key}_file")
    if st.form_submit_button("Déposer l'exemplaire signé"):
        if upload is None:
            st.error("Choisissez le fichier PDF de la convention signée.")
        else:
            run_action(lambda: store(upload.name, upload.getvalue()), message)


def _upload_form(user: CurrentUser, convention_id: int) -> None:
    with st.expander("Signée hors plateforme ? Déposer l'exemplaire signé (PDF)"):
        st.caption("Si la convention a été signée sur papier par toutes les parties, déposez son scan (PDF, 5 Mo "
                   "au plus) : elle passe à l'état « Signée hors plateforme ».")
        with st.form(f"conv{convention_id}_upload"):
            upload_field(f"conv{convention_id}", lambda name, data: files.upload_signed(user, convention_id, name, data),
                         "Exemplaire signé enregistré : {result}.")


def _downloads(user: CurrentUser, detail: views.Detail) -> None:
    row = detail.row
    st.download_button("Télécharger la convention (PDF)", data=lambda: files.pdf(user, row.id)[1],
                       file_name=f"{row.number}.pdf", mime="application/pdf", key=f"conv{row.id}_pdf",
                       icon=":material/download:")
    if detail.offline_file:
        st.download_button(f"Télécharger l'exemplaire signé hors plateforme ({detail.offline_file})",
                           data=lambda: files.signed_file(user, row.id)[1], file_name=f"{row.number}-signee.pdf",
                           mime="application/pdf", key=f"conv{row.id}_scan")


def render_detail(user: CurrentUser, convention_id: int) -> None:
    try:
        detail = views.detail(user, convention_id)
    except ServiceError as exc:
        alert("error", exc.message)
        return
    row = detail.row
    st.text(lights_text(row))
    st.markdown(f"**Ce qui manque :** {md_escape(row.missing)}")
    if row.action:
        st.markdown(f"**À vous :** {md_escape(row.action)}")
    st.caption(f"Convention n° {row.number} — empreinte SHA-256 : {detail.document_hash}")
    _downloads(user, detail)
    if detail.signatures:
        st.markdown("**Signatures**")
        for s in detail.signatures:
            st.text(f"{PARTY_LABELS[s.party]} : {s.name} ({s.role}), le {s.at}")
    if row.can_sign:
        _sign_form(user, detail)
    if row.can_complete and row.my_party in (Party.HOST, Party.LYCEE, Party.STUDENT):
        with st.expander("Compléter ou modifier ma partie", expanded=row.action == "Compléter votre partie"):
            _part_form(user, detail)
    if detail.can_upload:
        _upload_form(user, row.id)


def render_rows(user: CurrentUser, rows: list[views.Row], show_student: bool = True, key: str = "conv") -> None:
    """A table of the conventions (a light per party), then the one chosen, opened below."""
    table = []
    for row in rows:
        line = {"N°": row.number}
        if show_student:
            line["Élève"] = row.student_name
        line.update({"Stage": row.offer_title, "École": row.school_name, "Début": row.start, "État": row.status_label})
        line.update({PARTY_LABELS[p]: LIGHT_ICONS[row.lights[p]] for p in (Party.HOST, Party.STUDENT,
                                                                            Party.LEGAL_REP, Party.LYCEE)})
        line.update({"Ce qui manque": row.missing, "À vous": row.action})
        table.append(line)
    st.dataframe(table, hide_index=True, width="stretch")
    labels = {r.id: f"{r.number} — {r.student_name} — {r.offer_title} ({r.status_label})" for r in rows}
    chosen = rows[0].id if len(rows) == 1 else st.selectbox(
        "Ouvrir la convention", options=list(labels), format_func=labels.get, index=None, key=f"{key}_open",
        placeholder="Choisissez une convention pour la compléter, la signer ou la télécharger")
    if chosen is not None and chosen in labels:
        with st.container(border=True):
            st.markdown(f"**{md_escape(labels[chosen])}**")
            render_detail(user, chosen)


def render_director(user: CurrentUser) -> None:
    """The director's « Conventions » tab."""
    rows = views.list_for(user)
    st.caption("Une convention par candidature acceptée. Complétez la partie de l'école (le tuteur), puis signez "
               "quand les parties de l'élève et du lycée sont complétées. Feux : 🟢 fait, 🟠 à faire, "
               "⚪ pas encore possible.")
    if not rows:
        st.text("Aucune candidature acceptée pour le moment : aucune convention à établir.")
        return
    render_rows(user, rows)


def render_student(user: CurrentUser) -> None:
    rows = views.list_for(user)
    if not rows:
        return
    st.subheader("Ma convention de stage", anchor=False)
    st.caption("Complétez votre partie, lisez puis signez la convention. Votre représentant légal reçoit un "
               "courriel pour la signer à son tour.")
    render_rows(user, rows, show_student=False)


def render_lycee_head(user: CurrentUser) -> None:
    rows = views.list_for(user)
    if not rows:
        st.text("Aucun élève de votre lycée n'a encore de stage accepté.")
        return
    signable = [r for r in rows if r.can_sign and r.my_party == Party.LYCEE]
    if signable:
        with st.form("bulk_sign"):
            st.markdown(f"**Signature groupée** — {len(signable)} convention(s) prête(s) à votre signature")
            chosen = [r.id for r in signable
                      if st.checkbox(md_escape(f"{r.number} — {r.student_name} — {r.school_name}"), key=f"bulk_{r.id}")]
            approved = st.checkbox(APPROVAL_TEXT + " (pour chacune des conventions cochées)", key="bulk_ok")
            typed = st.text_input("Votre nom complet (prénom et nom)", key="bulk_name", placeholder=user.full_name)
            if st.form_submit_button("Signer les conventions cochées", type="primary"):
                try:
                    result = signing.bulk_sign(user, chosen, approved=approved, typed_name=typed,
                                               client_address=client_address())
                except ServiceError as exc:
                    alert("error", exc.message)
                else:
                    if result.done:
                        flash(f"{len(result.done)} convention(s) signée(s).")
                    for error in result.errors:
                        flash(error, "error")
                    st.rerun()
    render_rows(user, rows)
