"""« Se créer un compte en tant qu'offreur » (directors), and the students' signup."""

import streamlit as st

from stages.ui.safe import alert, md_escape

from stages.config import get_settings
from stages.domain import security
from stages.services import accounts, referential
from stages.services.errors import ValidationError
from stages.ui.field_errors import field_error as show_field_error, on_change
from stages.ui.password_field import password_input
from stages.ui.session import client_address

DIRECTOR, STUDENT = "offreur", "eleve"
done = st.session_state.get("signup_done")
if done:
    st.title("Plus qu'une étape...")
    st.subheader(f"Bienvenue {md_escape(done['full_name'])}", anchor=False)
    st.success("Votre compte a bien été enregistré !")
    st.text(f"Un courriel vient d'être envoyé à {done['email']}.")
    st.write("Cliquez sur le bouton « Activer mon compte » de ce courriel afin d'activer votre compte. "
             f"Le lien est valable {security.ACTIVATION_HOURS} heures.")
    st.page_link("pages/activate_account.py", label="Renvoyer le message d'activation")
    if st.button("Créer un autre compte"):
        del st.session_state["signup_done"]
        st.rerun()
    st.stop()

profile = st.radio("Vous créez un compte", [DIRECTOR, STUDENT], horizontal=True, key="signup_profile",
                   format_func={DIRECTOR: "en tant qu'offreur (directeur ou directrice d'école)",
                                STUDENT: "en tant qu'élève de 2de"}.get)
st.title("Se créer un compte en tant qu'offreur" if profile == DIRECTOR else "Se créer un compte en tant qu'élève")
st.write("Déposez vos offres de stages à l'aide de votre compte personnalisé. Il vous permettra à tout moment "
         "de modifier vos offres et de suivre leur avancement." if profile == DIRECTOR else
         "Votre compte vous permet de consulter les offres de stage en école et d'y candidater.")
st.caption("Sauf mention contraire, tous les champs sont obligatoires.")
errors: dict = st.session_state.get("signup_errors", {})
ERRORS = "signup_errors"


WIDGETS = {"lycee": "signup_lycee", "terms": "signup_terms"}


def field_error(name: str) -> None:
    show_field_error(WIDGETS.get(name, f"signup_{name}"), errors.get(name))


first_name = st.text_input("Prénom", key="signup_first_name", max_chars=100, autocomplete="given-name",
                           **on_change(ERRORS, "first_name"))
field_error("first_name")
last_name = st.text_input("Nom", key="signup_last_name", max_chars=100, autocomplete="family-name",
                          **on_change(ERRORS, "last_name"))
field_error("last_name")
lycee_id = function = None
if profile == DIRECTOR:
    function = st.text_input("Fonction au sein de l'entreprise", key="signup_function", max_chars=150,
                             placeholder="Directeur (trice)", **on_change(ERRORS, "function"))
    field_error("function")
else:
    choices = {c.id: c.label for c in referential.general_lycees()}
    lycee_id = st.selectbox("Votre lycée", list(choices), format_func=choices.get, index=None,
                            placeholder="Choisissez votre lycée", key="signup_lycee",
                            **on_change(ERRORS, "lycee"))
    field_error("lycee")
domain = get_settings().director_email_domain
email = st.text_input("Adresse électronique", key="signup_email", max_chars=254, autocomplete="email",
                      placeholder=f"071xxxxX@{domain}" if profile == DIRECTOR else "nom@domaine.fr",
                      help="Format attendu : nom@domaine.fr" + (
                          f" — l'adresse de l'école : 071xxxxX@{domain} ou ce.071xxxxX@{domain}"
                          if profile == DIRECTOR else ""), **on_change(ERRORS, "email"))
field_error("email")
password = password_input("Créer un mot de passe", key="signup_password", error=errors.get("password"),
                          **on_change(ERRORS, "password"))
accepted = st.checkbox("J'accepte les conditions d'utilisation", key="signup_terms", **on_change(ERRORS, "terms"))
field_error("terms")
links = st.columns(2)
links[0].page_link("pages/terms.py", label="Lire les conditions d'utilisation")
links[1].page_link("pages/privacy.py", label="Lire la Politique de confidentialité")
st.caption("La Politique de confidentialité décrit les modalités d'utilisation des informations récoltées.")

if st.button("Valider", type="primary", key="signup_submit"):
    try:
        if profile == DIRECTOR:
            result = accounts.signup_director(first_name=first_name, last_name=last_name, function=function,
                                              email=email, password=password, accepted_terms=accepted,
                                              client=client_address())
        else:
            result = accounts.signup_student(first_name=first_name, last_name=last_name, lycee_id=lycee_id,
                                             email=email, password=password, accepted_terms=accepted,
                                             client=client_address())
    except ValidationError as exc:
        st.session_state["signup_errors"] = exc.errors or {"form": exc.message}
    else:
        for key in [k for k in st.session_state if str(k).startswith("signup_")]:
            del st.session_state[key]
        st.session_state["signup_done"] = {"full_name": result.full_name, "email": result.email}
    st.rerun()
if errors.get("form"):
    alert("error", errors["form"])  # a refusal that concerns no field (too many requests)
elif errors:
    st.error("Le compte n'a pas été créé : corrigez les champs signalés ci-dessus.")
