"""« Signature de la convention »: the legal representative's page, opened from the mailed link
(?token=...). No account: the link alone gives access to this one convention, once, until the
stage's first day."""

import streamlit as st

from stages.domain.conventions import APPROVAL_TEXT
from stages.services.conventions import signing
from stages.services.errors import ServiceError
from stages.ui.conventions import client_address
from stages.ui.safe import alert, md_escape

st.title("Signature de la convention de stage")
token = st.query_params.get("token", "")
done_key = f"_conv_signed_{token[:16]}"
if st.session_state.get(done_key):
    st.success(st.session_state[done_key])
    st.stop()
try:
    view = signing.legal_rep_view(token)
except ServiceError as exc:
    alert("error", exc.message)
    st.stop()

st.write(f"Convention n° {view.number} — stage de {md_escape(view.student_name)} : « {md_escape(view.offer_title)} », "
         f"{md_escape(view.place)}, {md_escape(view.period)}.")
st.write(f"Vous signez en tant que représentant légal : {md_escape(view.signer_name)}. "
         f"Ce lien sert une seule fois ; il est valable jusqu'au {view.valid_until}.")
st.download_button("1. Télécharger et lire la convention (PDF)", data=view.pdf, file_name=f"{view.number}.pdf",
                   mime="application/pdf", icon=":material/download:", key="rep_pdf")
st.caption(f"Empreinte SHA-256 du document : {view.document_hash}")
with st.form("rep_sign"):
    st.markdown("**2. Signer**")
    approved = st.checkbox(APPROVAL_TEXT, key="rep_ok")
    typed = st.text_input("Votre nom complet (prénom et nom)", key="rep_name", placeholder=view.signer_name)
    st.caption("Signature électronique simple : la date, l'heure, l'empreinte du document et votre adresse réseau "
               "sont enregistrées.")
    if st.form_submit_button("Signer la convention", type="primary"):
        try:
            signing.sign_as_legal_rep(token, approved=approved, typed_name=typed, document_hash=view.document_hash,
                                      client_address=client_address())
        except ServiceError as exc:
            alert("error", exc.message)
        else:
            st.session_state[done_key] = ("Merci : votre signature est enregistrée. Chaque partie est prévenue "
                                          "quand la convention est signée par tous.")
            st.rerun()
