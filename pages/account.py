"""« Mon compte »: name, function, password (the current one is asked)."""

import streamlit as st

from stages.services import accounts
from stages.services.errors import ValidationError
from stages.ui import session
from stages.ui.field_errors import field_error, on_change
from stages.ui.password_field import password_input

user = session.page_user()
profile = accounts.get_profile(user)
st.title("Mon compte")
st.text(f"Adresse électronique : {profile.email}")
st.text(f"Profil : {profile.role_label}" + (f" – {profile.attachment}" if profile.attachment else ""))

if user.must_change_password:
    st.warning("Votre compte a été créé avec un mot de passe provisoire. Choisissez votre propre mot de passe "
               "ci-dessous (« Changer de mot de passe ») : les autres pages s'ouvriront ensuite.",
               icon=":material/lock_reset:")

st.subheader("Mes informations", anchor=False)
errors = st.session_state.get("account_errors", {})
with st.form("profile"):
    first_name = st.text_input("Prénom", value=profile.first_name, max_chars=100, key="account_first_name")
    field_error("account_first_name", errors.get("first_name"))
    last_name = st.text_input("Nom", value=profile.last_name, max_chars=100, key="account_last_name")
    field_error("account_last_name", errors.get("last_name"))
    function = None
    if profile.has_function:
        function = st.text_input("Fonction au sein de l'entreprise", value=profile.function or "", max_chars=150,
                                 key="account_function")
        field_error("account_function", errors.get("function"))
    saved = st.form_submit_button("Enregistrer mes informations", type="primary")
if saved:
    try:
        accounts.update_profile(user, first_name=first_name, last_name=last_name, function=function)
    except ValidationError as exc:
        st.session_state["account_errors"] = exc.errors
    else:
        st.session_state.pop("account_errors", None)
        session.flash("Vos informations ont été enregistrées.")
    st.rerun()

st.subheader("Changer de mot de passe", anchor=False)
pw_errors = st.session_state.get("password_errors", {})
current = st.text_input("Mot de passe actuel", type="password", key="account_current_password",
                        autocomplete="current-password", live=True,
                        **on_change("password_errors", "current_password"))
field_error("account_current_password", pw_errors.get("current_password"))
new = password_input("Nouveau mot de passe", key="account_new_password", error=pw_errors.get("new_password"),
                     **on_change("password_errors", "new_password"))
if st.button("Changer le mot de passe", type="primary"):
    try:
        generation = accounts.change_password(user, current_password=current, new_password=new)
    except ValidationError as exc:
        st.session_state["password_errors"] = exc.errors
    else:
        st.session_state.pop("password_errors", None)
        for key in ("account_current_password", "account_new_password"):
            st.session_state.pop(key, None)
        session.forget_remembered(generation)
        session.flash("Votre mot de passe a été changé. Vos autres connexions (autres appareils, "
                      "« Se souvenir de moi ») ont été fermées.")
    st.rerun()
