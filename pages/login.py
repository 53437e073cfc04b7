"""« Connexion à Mon stage de seconde »."""

import streamlit as st

from stages.services import accounts, auth, login_sessions
from stages.ui import session
from stages.ui.navigation import LOGIN_REQUIRED_KEY
from stages.ui.safe import alert

st.title("Connexion à Mon stage de seconde")
if st.session_state.get(LOGIN_REQUIRED_KEY):
    st.info("Connectez-vous pour accéder à cette page : elle s'ouvrira dès que vous serez connecté.")
if st.query_params.get("deconnexion"):
    st.info("Vous êtes déconnecté.")
if st.query_params.get("memoire") == "echec":
    st.warning("La connexion n'a pas pu être mémorisée sur cet appareil (le délai d'une minute est dépassé) : "
               "reconnectez-vous.")

with st.form("login"):
    email = st.text_input("Adresse électronique", placeholder="071.....@ac-dijon.fr", key="login_email",
                          help="Format attendu : nom@domaine.fr", autocomplete="username")
    password = st.text_input("Mot de passe", type="password", autocomplete="current-password")
    remember = st.checkbox("Se souvenir de moi", help="Rester connecté 14 jours sur cet appareil.")
    submitted = st.form_submit_button("Se connecter", type="primary")

if submitted:
    st.session_state.pop("login_not_activated", None)
    try:
        result = login_sessions.login(email, password, remember=remember, session_cookie=True,
                                      client=session.client_address())
    except auth.LoginRefused as exc:
        alert("error", exc.message)
        if exc.reason == "not_activated":
            st.session_state["login_not_activated"] = email
    else:
        # The login is complete here; the next run hands the cookie over without waiting for it.
        session.login(result.user, remembered=remember, handoff_token=result.handoff_token)
        session.flash(f"Bienvenue {result.user.full_name}.")
        st.rerun()

if st.session_state.get("login_not_activated"):
    if st.button("Recevoir un nouveau message d'activation", key="login_resend"):
        st.success(accounts.resend_activation(st.session_state.pop("login_not_activated"),
                                              client=session.client_address()))

st.page_link("pages/password_reset.py", label="Mot de passe oublié ?")
st.write("Vous n'avez pas de compte ?")
st.page_link("pages/signup.py", label="Créer un compte")
st.write("Vous n'avez pas reçu le message d'activation ?")
st.page_link("pages/activate_account.py", label="Renvoyer le message d'activation")
