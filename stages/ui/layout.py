"""Frame of every page: readiness of the database, the header, and the error guard."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from stages.services.auth import ROLE_LABELS, CurrentUser
from stages.services.errors import ServiceError
from stages.services.maintenance import prepare_database
from stages.ui import session
from stages.ui.safe import alert, md_escape

log = logging.getLogger("stages")


@st.cache_resource(show_spinner=False)
def _migrated() -> bool:
    prepare_database()
    return True


def ensure_ready() -> None:
    """Create and migrate the database on first run (once per process)."""
    _migrated()


@contextmanager
def guard() -> Iterator[None]:
    """No traceback ever reaches a user: a refusal shows its French message, a bug a generic one."""
    try:
        yield
    except ServiceError as exc:
        alert("error", exc.message)
    except Exception:  # noqa: BLE001 - logged in full on the server
        log.exception("Erreur inattendue")
        st.error(
            "Une erreur inattendue est survenue. Rien n'a été perdu de ce qui était enregistré ; "
            "réessayez, et si l'erreur persiste, contactez la DSDEN."
        )


def header(user: CurrentUser | None) -> None:
    with st.sidebar:
        st.markdown("**Stages de seconde**  \nDSDEN de Saône-et-Loire")
        if user is not None:
            st.caption(f"Connecté : {md_escape(user.full_name)} — {ROLE_LABELS.get(user.role, user.role)}")
            if st.button("Se déconnecter", key="logout", icon=":material/logout:"):
                session.logout()
                session.flash("Vous êtes déconnecté.", "info")
                st.rerun()
