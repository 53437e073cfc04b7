"""Developers' outbox: the mails the app wrote while no SMTP server is configured.

Registered only with ``DEV_OUTBOX=1`` and for a logged-in coordinator; the service checks it again.
"""

import streamlit as st

from stages.services import mail
from stages.ui import layout
from stages.ui.safe import md_escape
from stages.ui.session import page_user

user = page_user()
st.title("Courriels envoyés (développement)")
st.caption("Activé par DEV_OUTBOX : les courriels écrits par l'application, liens compris. "
           "À ne jamais activer en production.")
with layout.guard():
    entries = mail.dev_outbox(user, limit=50)
    if not entries:
        st.info("Aucun courriel pour l'instant.")
    for entry in entries:
        with st.expander(md_escape(f"{entry.created} — {entry.to} — {entry.subject}")):
            st.text(entry.body_text)
