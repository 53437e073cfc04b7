"""The pages each role may open. A page of another role is not registered, so its URL is
unreachable (Streamlit falls back to the default page)."""

from __future__ import annotations

import streamlit as st

from stages.domain.vocabulary import Role
from stages.services import mail
from stages.services.auth import CurrentUser
from stages.ui.safe import label_text, md_escape


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
    return {"Stages de seconde": pages + [_sign_page()], "Informations": info}


def _sign_page() -> st.Page:
    """The legal representative's signing page (no account: the link of a mail)."""
    return _hidden("convention_signature.py", "Signature de la convention", "signature-convention")


def _dev_pages(user: CurrentUser) -> list[st.Page]:
    """The developers' outbox shows activation and reset links: DEV_OUTBOX and a coordinator only."""
    if mail.dev_outbox_enabled(user):
        return [_page("dev_outbox.py", "Courriels envoyés (dév.)", ":material/outgoing_mail:", "courriels")]
    return []


# (file, title, icon, url_path, default) of the pages of each role.
ROLE_MAIN_PAGES: dict[str, list[tuple[str, str, str, str, bool]]] = {
    Role.DIRECTOR: [
        ("director_space.py", "Espace de {space}", ":material/school:", "espace", True),
        ("director_offer_form.py", "Déposer une offre de stage", ":material/post_add:", "deposer-une-offre", False),
    ],
    Role.STUDENT: [
        ("student_offers.py", "Offres de stage", ":material/search:", "offres", True),
        ("student_candidatures.py", "Mes candidatures", ":material/assignment:", "mes-candidatures", False),
    ],
    Role.LYCEE_HEAD: [
        ("lycee_conventions.py", "Conventions de stage", ":material/description:", "conventions-lycee", True),
    ],
    Role.IEN: [
        ("dashboard.py", "Tableau de bord", ":material/monitoring:", "tableau-de-bord", True),
    ],
    Role.COORDINATOR: [
        ("dashboard.py", "Tableau de bord", ":material/monitoring:", "tableau-de-bord", True),
        ("admin_campaign.py", "Campagne", ":material/event:", "campagne", False),
        ("admin_referential.py", "Référentiel", ":material/database:", "referentiel", False),
        ("admin_accounts.py", "Comptes", ":material/group:", "comptes", False),
        ("admin_history.py", "Historique", ":material/history:", "historique", False),
        ("admin_mails.py", "Courriels non remis", ":material/unsubscribe:", "courriels-non-remis", False),
    ],
}
ACCOUNT_URL = "mon-compte"
LOGIN_REQUIRED_KEY = "_login_required"
LOGIN_NEXT_KEY = "_login_next"


def _protected_urls() -> list[str]:
    urls = [ACCOUNT_URL]
    for pages in ROLE_MAIN_PAGES.values():
        urls += [url for _f, _t, _i, url, _d in pages if url not in urls]
    return urls


def _hidden(path: str, title: str, url: str) -> st.Page:
    return st.Page(f"pages/{path}", title=title, url_path=url, visibility="hidden")


def anonymous_pages() -> dict[str, list[st.Page]]:
    """Public pages, plus every protected URL (a link from a mail, a bookmark) leading to the login
    form: once logged in, the same URL opens the page asked for."""
    pages = public_pages()
    pages["Stages de seconde"] += [_hidden("login.py", "Connexion requise", url) for url in _protected_urls()]
    return pages


def role_pages(user: CurrentUser) -> dict[str, list[st.Page]]:
    if user.must_change_password:
        # A provisional password: "Mon compte" alone (every URL leads there) until it is changed.
        home = _page("account.py", "Mon compte", ":material/account_circle:", "accueil", default=True)
        return {"Mon compte": [home, *(_hidden("account.py", "Mon compte", url) for url in _protected_urls())]}
    account = [
        _page("account.py", "Mon compte", ":material/account_circle:", ACCOUNT_URL),
        _page("terms.py", "Conditions d'utilisation", ":material/gavel:", "conditions-utilisation"),
        _page("privacy.py", "Politique de confidentialité", ":material/shield:", "confidentialite"),
        *_dev_pages(user),
    ]
    # Streamlit serves the default page at "/" only, and its own path ("/espace") would answer
    # "Page not found". So the role's home is the default page (highlighted in the menu at "/"),
    # and its path, which links in mails and bookmarks use, opens the same file through a hidden alias.
    main = []
    for path, title, icon, url, default in ROLE_MAIN_PAGES[user.role]:
        label = title.format(space=label_text(user.space_name))  # a typed name: no Markdown in the menu
        if default:
            main.append(_page(path, label, icon, "accueil", default=True))
            main.append(st.Page(f"pages/{path}", title=label, icon=icon, url_path=url, visibility="hidden"))
        else:
            main.append(_page(path, label, icon, url))
    own = {ACCOUNT_URL, *(url for _p, _t, _i, url, _d in ROLE_MAIN_PAGES[user.role])}
    # Another role's URL answers in French that it is not for this account (not Streamlit's
    # English "Page not found"); the page itself is never registered.
    refused = [_hidden("forbidden.py", "Accès refusé", url) for url in _protected_urls() if url not in own]
    return {"Stages de seconde": main + refused + [_sign_page()], "Mon compte": account}


def mark_login_required(current: st.Page, user: CurrentUser | None) -> None:
    """Tell the login page it was reached through a protected URL, and which one (path and query),
    so that a login that goes through an HTTP route (remembered login) returns to it."""
    required = user is None and current.title == "Connexion requise"
    st.session_state[LOGIN_REQUIRED_KEY] = required
    if required:
        st.session_state[LOGIN_NEXT_KEY] = requested_path(current.url_path, st.query_params.to_dict())
    elif user is None:
        st.session_state.pop(LOGIN_NEXT_KEY, None)


def requested_path(url_path: str, params: dict[str, str]) -> str:
    """The app-relative address of a page and its query string ("/deposer-une-offre?offre=3")."""
    from urllib.parse import urlencode

    query = urlencode(params)
    return "/" + url_path.lstrip("/") + (f"?{query}" if query else "")


def sidebar_menu(pages: dict[str, list[st.Page]]) -> None:
    """The menu, drawn by the project (``st.navigation(position="hidden")``): Streamlit's own
    sidebar menu nests its ``<li>`` badly (axe ``list``/``listitem``, RGAA 9.3). Each section is a
    caption followed by its links, the current page marked by Streamlit's page link."""
    with st.sidebar, st.container(key="menu"):
        for section, section_pages in pages.items():
            visible = [p for p in section_pages if p.visibility != "hidden"]
            if not visible:
                continue
            st.caption(md_escape(section))
            for page in visible:
                st.page_link(page, label=md_escape(page.title), icon=page.icon or None)
