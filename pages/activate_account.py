"""« Activer mon compte »: the link of the activation mail (?token=...), and « Renvoyer le message d'activation »."""

import streamlit as st

from stages.ui.safe import alert, md_escape

from stages.services import accounts
from stages.services.errors import ValidationError
from stages.ui.session import client_address

st.title("Activer mon compte")
token = st.query_params.get("token")
if token:
    # The token is used once: remember the outcome so that a rerun of this page does not re-submit it.
    if st.session_state.get("activation_token") != token:
        try:
            result = accounts.activate(token)
        except ValidationError as exc:
            st.session_state["activation_outcome"] = ("error", exc.message)
        else:
            st.session_state["activation_outcome"] = (
                "success",
                f"Bienvenue {md_escape(result.full_name)} : votre compte est "
                + ("déjà activé." if result.already_active else "activé ! Vous pouvez maintenant vous connecter."),
            )
        st.session_state["activation_token"] = token
    kind, message = st.session_state["activation_outcome"]
    (st.success if kind == "success" else st.error)(message)
    if kind == "success":
        st.page_link("pages/login.py", label="Se connecter", icon=":material/login:")
        st.stop()

st.subheader("Renvoyer le message d'activation", anchor=False)
st.write("Vous n'avez pas reçu le message d'activation, ou son lien a expiré ? Indiquez l'adresse électronique "
         "de votre compte : un nouveau message vous sera envoyé.")
with st.form("resend_activation"):
    email = st.text_input("Adresse électronique", help="Format attendu : nom@domaine.fr", autocomplete="email")
    sent = st.form_submit_button("Renvoyer le message d'activation", type="primary")
if sent:
    try:
        st.success(accounts.resend_activation(email, client=client_address()))
    except ValidationError as exc:
        alert("error", exc.message)
