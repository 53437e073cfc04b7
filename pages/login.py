"""« Connexion à Mon stage de seconde »."""

import streamlit as st

from stages.services import auth
from stages.ui import session

st.title("Connexion à Mon stage de seconde")
with st.form("login"):
    email = st.text_input("Adresse électronique", placeholder="071.....@ac-dijon.fr",
                          help="Format attendu : nom@domaine.fr")
    password = st.text_input("Mot de passe", type="password")
    remember = st.checkbox("Se souvenir de moi")
    submitted = st.form_submit_button("Se connecter", type="primary")
if submitted:
    try:
        user = auth.authenticate(email, password)
    except auth.LoginRefused as exc:
        st.error(exc.message)
    else:
        session.login(user, remembered=remember)
        session.flash(f"Bienvenue {user.full_name}.")
        st.rerun()
st.page_link("pages/password_reset.py", label="Mot de passe oublié ?")
st.write("Vous n'avez pas de compte ?")
st.page_link("pages/signup.py", label="Créer un compte")
st.write("Vous n'avez pas reçu le message d'activation ?")
st.page_link("pages/activate_account.py", label="Renvoyer le message d'activation")
