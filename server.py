"""ASGI entry point: the Streamlit app (app.py) plus the project's own HTTP routes.

``streamlit run server.py`` detects the ``st.App`` below and serves it with uvicorn.
The routes (remembered-login cookie, logout) are defined in ``stages.web``; the page itself is
served in French (lang, accessible names) by ``stages.french_page``.
"""

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from stages import logs
from stages.web import middleware, routes

logs.configure()  # JSON lines on stdout, one per action that changes data (journald keeps them)

# app.py routes with st.navigation. Without this, Streamlit's legacy multipage mode (it
# sees the pages/ folder) answers the very first visit of a deep link such as /connexion
# with a "Page not found" dialog before app.py takes over.
PagesManager.uses_pages_directory = False

# middleware(): the security headers of stages.web, then FrenchPage (stages/french_page.py), which
# serves Streamlit's page as lang="fr" with French accessible names (RGAA, see README).
app = st.App("app.py", routes=routes(), middleware=middleware())
