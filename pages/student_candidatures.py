"""« Mes candidatures »: each candidature's status; withdraw one not answered, decline one accepted."""

import streamlit as st

from stages.domain.vocabulary import CandidatureStatus as S
from stages.services.candidatures import applications
from stages.services.errors import ServiceError
from stages.ui import conventions
from stages.ui.session import flash, page_user
from stages.ui.safe import alert

user = page_user()
st.title("Mes candidatures")
conventions.render_student(user)  # the convention of an accepted candidature

COLORS = {S.ACCEPTED: "green", S.REFUSED: "red", S.EXPIRED: "gray", S.WITHDRAWN: "gray", S.DECLINED: "gray"}
rows = applications.my_candidatures(user)
if not rows:
    st.text("Vous n'avez encore postulé à aucune offre.")
    st.page_link("pages/student_offers.py", label="Voir les offres de stage")


def run(action, message: str) -> None:
    try:
        action()
    except ServiceError as exc:
        alert("error", exc.message)
    else:
        flash(message)
        st.rerun()


for row in rows:
    with st.container(border=True):
        left, right = st.columns([4, 1], vertical_alignment="top")
        left.text(row.offer_title)
        left.text(f"{row.place_name} — {row.commune}")
        left.caption(f"{row.period_label} — envoyée le {row.submitted}")
        right.badge(row.status_label, color=COLORS.get(row.status, "blue"))
        if row.countdown:
            left.caption(f"Réponse attendue avant le {row.deadline} (dans {row.countdown}).")
        if row.refusal_reason:
            left.markdown("**Motif du refus**")
            left.text(row.refusal_reason)
        with left.expander("Mon message de motivation"):
            st.text(row.motivation)
        if row.can_withdraw and right.button("Annuler ma candidature", key=f"withdraw_{row.id}"):
            run(lambda r=row: applications.withdraw(user, r.id), "Votre candidature est annulée.")
        if row.can_decline:
            right.caption("Vous ne pouvez plus faire ce stage ? Libérez la place pour un autre élève.")
            if right.button("Me désister", key=f"decline_{row.id}"):
                run(lambda r=row: applications.decline(user, r.id),
                    "Vous vous êtes désisté·e : la place est libérée pour un autre élève.")
