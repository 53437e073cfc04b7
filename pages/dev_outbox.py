"""Developers' outbox: the mails the app wrote while no SMTP server is configured."""

import streamlit as st

from stages.ui.safe import md_escape

from stages.services import mail

st.title("Courriels envoyés (développement)")
st.caption("Aucun serveur SMTP n'est configuré : les courriels sont conservés ici au lieu d'être envoyés.")
entries = mail.outbox(limit=50)
if not entries:
    st.info("Aucun courriel pour l'instant.")
for entry in entries:
    with st.expander(md_escape(f"{entry.created} — {entry.to} — {entry.subject}")):
        st.text(entry.body_text)
