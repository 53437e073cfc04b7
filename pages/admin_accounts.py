"""Comptes: search accounts, resend an activation, deactivate or reactivate, create a coordinator or an IEN."""

import streamlit as st

from stages.domain.vocabulary import Role
from stages.services.admin import account_management, status_history
from stages.services.errors import ValidationError
from stages.ui.field_errors import field_error
from stages.ui.paging import fetch_page
from stages.ui.session import flash, page_user
from stages.ui.safe import alert

user = page_user()
st.title("Comptes")
roles = account_management.role_choices()
circs = dict(account_management.circonscription_choices(user))

# --------------------------------------------------------------------------- search
c1, c2, c3, c4 = st.columns([2, 1, 1, 1])
search = c1.text_input("Rechercher (nom, prénom ou adresse électronique)", key="acc_search")
role = c2.selectbox("Rôle", [None, *roles], format_func=lambda r: "Tous" if r is None else roles[r], key="acc_role")
school = c3.text_input("École (UAI, nom ou commune)", key="acc_school")
circ = c4.selectbox("Circonscription", [None, *circs], format_func=lambda i: "Toutes" if i is None else circs[i],
                    key="acc_circ")
result = fetch_page("acc_page", lambda number: account_management.list_accounts(
    user, search=search, role=role, school=school, circonscription_id=circ, page=number))
st.caption(f"{result.total} compte(s)")
st.dataframe(result.rows, hide_index=True, width="stretch")

# --------------------------------------------------------------------------- one account
st.subheader("Agir sur un compte")
labels = {int(row["N°"]): f"{row['Nom']} — {row['Courriel']} ({row['État']})" for _, row in result.rows.iterrows()}
target = st.selectbox("Compte", list(labels), format_func=lambda i: labels.get(i, str(i)), index=None,
                      placeholder="Choisissez un compte de la liste", key="acc_target")
if target is not None:
    target = int(target)
    actions = account_management.account_actions(user, target)
    b1, b2, b3 = st.columns(3)
    try:
        if actions.can_resend_activation and b1.button("Renvoyer le message d'activation", key="acc_resend"):
            flash(account_management.resend_account_activation(user, target))
            st.rerun()
        if actions.can_deactivate and b2.button("Désactiver le compte", key="acc_deactivate"):
            flash(account_management.deactivate_account(user, target))
            st.rerun()
        if actions.can_reactivate and b2.button("Réactiver le compte", key="acc_reactivate"):
            flash(account_management.reactivate_account(user, target))
            st.rerun()
    except ValidationError as exc:
        alert("error", exc.message)
    st.write("Historique du compte")
    events = status_history.user_history(user, target)
    if events.empty:
        st.write("Aucun changement enregistré.")
    else:
        st.dataframe(events, hide_index=True, width="stretch")

# --------------------------------------------------------------------------- create
st.subheader("Créer un compte de coordinateur ou d'IEN")
errors = st.session_state.pop("acc_create_errors", {})
if errors:
    st.error("Le compte n'a pas été créé : corrigez les champs signalés.")
new_role = st.radio("Rôle du compte", [Role.COORDINATOR, Role.IEN], format_func=roles.get, horizontal=True,
                    key="acc_new_role")
with st.form("acc_create"):
    f1, f2 = st.columns(2)
    first_name = f1.text_input("Prénom", max_chars=100, key="acc_first_name")
    last_name = f2.text_input("Nom", max_chars=100, key="acc_last_name")
    field_error("acc_first_name" if "first_name" in errors else "acc_last_name",
                errors.get("first_name") or errors.get("last_name"))
    email = st.text_input("Adresse électronique", placeholder="prenom.nom@ac-dijon.fr", key="acc_email")
    field_error("acc_email", errors.get("email"))
    function = st.text_input("Fonction", max_chars=150)
    new_circ = None
    if new_role == Role.IEN:
        new_circ = st.selectbox("Circonscription", list(circs), format_func=circs.get, index=None,
                                placeholder="Choisissez la circonscription", key="acc_circ")
        field_error("acc_circ", errors.get("circonscription"))
    password = st.text_input("Mot de passe provisoire", value=st.session_state.setdefault(
        "acc_suggested", account_management.suggested_password()), help="À transmettre à la personne, qui le changera "
        "dans « Mon compte ».", key="acc_password")
    field_error("acc_password", errors.get("password"))
    create = st.form_submit_button("Créer le compte", type="primary")
if create:
    try:
        created = account_management.create_staff_account(user, role=new_role, email=email, first_name=first_name,
                                             last_name=last_name, function=function, circonscription_id=new_circ,
                                             password=password)
    except ValidationError as exc:
        st.session_state["acc_create_errors"] = exc.errors or {"email": exc.message}
        st.rerun()
    else:
        st.session_state.pop("acc_suggested", None)
        st.session_state.pop("acc_password", None)  # the field shows the next suggested password
        flash(f"Compte créé pour {created.full_name} ({created.email}), actif avec le mot de passe provisoire.")
        st.rerun()
