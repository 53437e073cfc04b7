"""The pages each role may open. A page of another role is not registered, so its URL is
unreachable (Streamlit falls back to the default page)."""

from __future__ import annotations

import streamlit as st

from db.models import Role
from stages.config import get_settings
from stages.services.auth import CurrentUser


def _page(path: str, title: str, icon: str, url: str, default: bool = False) -> st.Page:
    return st.Page(f"pages/{path}", title=title, icon=icon, url_path=url, default=default)


def public_pages() -> dict[str, list[st.Page]]:
    pages = [
        _page("home.py", "Accueil", ":material/home:", "accueil", default=True),
        _page("login.py", "Se connecter", ":material/login:", "connexion"),
        _page("signup.py", "Créer un compte", ":material/person_add:", "inscription"),
        _page("activate_account.py", "Activer mon compte", ":material/mark_email_read:", "activation"),
        _page("password_reset.py", "Mot de passe oublié", ":material/key:", "mot-de-passe-oublie"),
    ]
    info = [
        _page("terms.py", "Conditions d'utilisation", ":material/gavel:", "conditions-utilisation"),
        _page("privacy.py", "Politique de confidentialité", ":material/shield:", "confidentialite"),
    ]
    return {"Stages de seconde": pages, "Informations": info + _dev_pages()}


def _dev_pages() -> list[st.Page]:
    if get_settings().dev_outbox:
        return [_page("dev_outbox.py", "Courriels envoyés (dév.)", ":material/outgoing_mail:", "courriels")]
    return []


def role_pages(user: CurrentUser) -> dict[str, list[st.Page]]:
    account = [
        _page("account.py", "Mon compte", ":material/account_circle:", "mon-compte"),
        _page("terms.py", "Conditions d'utilisation", ":material/gavel:", "conditions-utilisation"),
        _page("privacy.py", "Politique de confidentialité", ":material/shield:", "confidentialite"),
        *_dev_pages(),
    ]
    if user.role == Role.DIRECTOR:
        main = [
            _page("director_space.py", f"Espace de {user.space_name}", ":material/school:", "espace", default=True),
            _page("director_offer_form.py", "Déposer une offre de stage", ":material/post_add:", "deposer-une-offre"),
        ]
    elif user.role == Role.STUDENT:
        main = [
            _page("student_offers.py", "Offres de stage", ":material/search:", "offres", default=True),
            _page("student_candidatures.py", "Mes candidatures", ":material/assignment:", "mes-candidatures"),
        ]
    elif user.role == Role.IEN:
        main = [
            _page("dashboard.py", "Tableau de bord", ":material/monitoring:", "tableau-de-bord", default=True),
        ]
    else:  # coordinator
        main = [
            _page("dashboard.py", "Tableau de bord", ":material/monitoring:", "tableau-de-bord", default=True),
            _page("admin_campaign.py", "Campagne", ":material/event:", "campagne"),
            _page("admin_referential.py", "Référentiel", ":material/database:", "referentiel"),
            _page("admin_accounts.py", "Comptes", ":material/group:", "comptes"),
            _page("admin_history.py", "Historique", ":material/history:", "historique"),
        ]
    return {"Stages de seconde": main, "Mon compte": account}
