"""Stages de seconde (DSDEN 71): the Streamlit entry point.

It resolves the logged-in user, then routes to the pages of that user's role only.
Run with ``make run`` (``streamlit run server.py``: server.py adds the HTTP routes).
"""

import streamlit as st

from stages.ui import layout
from stages.ui.navigation import anonymous_pages, mark_login_required, role_pages, sidebar_menu
from stages.ui.session import current_user, remember_current, show_flashes

# An emoji favicon is drawn locally; a ":material/…:" one would be fetched from fonts.gstatic.com.
st.set_page_config(page_title="Stages de seconde – DSDEN 71", page_icon="🎓", layout="wide")

with layout.guard():
    layout.ensure_ready()
    user = current_user()
    remember_current(user)
    pages = role_pages(user) if user else anonymous_pages()
    # The project draws the menu itself (sidebar_menu): Streamlit's has list errors (RGAA 9.3).
    navigation = st.navigation(pages, position="hidden")
    mark_login_required(navigation, user)
    layout.header(user)
    sidebar_menu(pages)
    show_flashes()
    navigation.run()
