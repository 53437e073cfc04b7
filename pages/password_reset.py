"""« Mot de passe oublié ? »: ask for a link by mail, then choose a new password with it (?token=...)."""

import streamlit as st

from stages.domain import security
from stages.services import password_reset
from stages.services.errors import ValidationError
from stages.ui.password_field import password_input
from stages.ui.safe import alert
from stages.ui.session import client_address

st.title("Mot de passe oublié")
token = st.query_params.get("token")
if st.session_state.get("reset_done"):
    alert("success", f"Votre mot de passe a été changé ({st.session_state['reset_done']}). Par sécurité, toutes "
          "les connexions de ce compte (autres appareils, « Se souvenir de moi ») ont été fermées.")
    st.page_link("pages/login.py", label="Se connecter", icon=":material/login:")
    st.stop()

usable = False
if token:
    try:
        password_reset.check_reset_token(token)
        usable = True
    except ValidationError as exc:
        alert("error", exc.message)

if usable:
    st.subheader("Choisir un nouveau mot de passe", anchor=False)
    password = password_input("Nouveau mot de passe", key="reset_password", error=st.session_state.get("reset_error"),
                              on_change=lambda: st.session_state.pop("reset_error", None))
    if st.button("Enregistrer le nouveau mot de passe", type="primary"):
        try:
            st.session_state["reset_done"] = password_reset.reset_password(token, password)
            st.session_state.pop("reset_error", None)
        except ValidationError as exc:
            st.session_state["reset_error"] = exc.message
        st.rerun()
    st.stop()

st.write("Indiquez l'adresse électronique de votre compte : vous recevrez un lien pour choisir un nouveau mot de "
         f"passe, valable {security.RESET_HOURS} heures.")
with st.form("reset_request"):
    email = st.text_input("Adresse électronique", help="Format attendu : nom@domaine.fr", autocomplete="email")
    sent = st.form_submit_button("Recevoir le lien", type="primary")
if sent:
    try:
        st.success(password_reset.request_password_reset(email, client=client_address()))
    except ValidationError as exc:
        alert("error", exc.message)
