"""Coordinator: the mails the app gave up on after its retries, each with "Renvoyer"."""

import streamlit as st

from stages.services import mail
from stages.ui import layout
from stages.ui.safe import md_escape
from stages.ui.session import flash, page_user

user = page_user()
st.title("Courriels non remis")
st.caption(f"L'application réessaie un courriel refusé pendant plusieurs heures ({mail.MAX_ATTEMPTS} tentatives, "
           "à intervalles croissants). Ceux qu'elle n'a pas pu remettre sont listés ici : corrigez la cause "
           "(serveur de messagerie, adresse) puis « Renvoyer ».")
with layout.guard():
    rows = mail.abandoned_mails(user)
    if not rows:
        st.success("Aucun courriel en échec.")
    for row in rows:
        with st.container(border=True):
            left, right = st.columns([5, 1])
            left.markdown(f"**{md_escape(row.subject)}**  \nÀ {md_escape(row.to)} — écrit le {row.created} — "
                          f"{row.attempts} tentative(s)")
            left.text(f"Dernière erreur : {row.error}")
            if right.button("Renvoyer", key=f"retry-{row.id}", icon=":material/send:"):
                with layout.guard():
                    flash(mail.retry_mail(user, row.id))
                    st.rerun()
