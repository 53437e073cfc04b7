"""The dashboard's « Conventions de stage » block: figures per circonscription (signed / in progress /
not started), the stages starting within 10 days whose convention is not signed, their exports, and
the coordinator's upload of a convention signed on paper. The figures come from
``stages.services.conventions.tracking``, which checks the caller's scope."""

from __future__ import annotations

import streamlit as st

from stages.services.auth import CurrentUser
from stages.services.conventions import files, tracking
from stages.services.errors import ServiceError
from stages.ui.conventions import upload_field
from stages.ui.downloads import download_buttons
from stages.ui.safe import alert


def block(user: CurrentUser, circonscription_ids: list[int] | None) -> None:
    """The DSDEN's view of the conventions, within the dashboard's filters."""
    st.header("Conventions de stage", anchor=False)
    try:
        figures = tracking.figures(user, circonscription_ids)
        urgent = tracking.urgent_frame(user, circonscription_ids)
    except ServiceError as exc:
        alert("error", exc.message)
        return
    if figures.empty:
        st.text("Aucune convention pour la campagne en cours.")
    else:
        st.dataframe(figures, hide_index=True, width="stretch")
    download_buttons("conv_export_figures", tracking.EXPORT_NAMES["figures"],
                     lambda fmt: tracking.export(user, "figures", fmt, circonscription_ids),
                     label="Synthèse ({fmt})")
    st.markdown("**Stages qui commencent dans 10 jours ou moins, convention non signée**")
    if urgent.empty:
        st.text("Aucun : toutes les conventions des stages qui commencent bientôt sont signées.")
    else:
        st.dataframe(urgent, hide_index=True, width="stretch",
                     column_config={"Jours restants": st.column_config.NumberColumn(format="%d")})
    download_buttons("conv_export_urgent", tracking.EXPORT_NAMES["urgent"],
                     lambda fmt: tracking.export(user, "urgent", fmt, circonscription_ids),
                     label="À signer sous 10 jours ({fmt})")
    if tracking.can_record_offline(user):
        _coordinator_upload(user)


def _coordinator_upload(user: CurrentUser) -> None:
    """A coordinator records a convention signed on paper, by the number printed on it."""
    # Lazy: the form is sent only while the expander is open.
    box = st.expander("Déposer une convention signée hors plateforme", key="dsden_upload_box", on_change="rerun")
    if not box.open:
        return
    with box:
        st.caption("Pour une convention signée sur papier par toutes les parties : indiquez son numéro "
                   "(imprimé en bas de chaque page) et déposez son scan (PDF, 5 Mo au plus).")
        with st.form("dsden_upload"):
            number = st.text_input("Numéro de la convention", placeholder="CONV-071-2026-2027-000042",
                                   key="dsden_upload_number")
            upload_field("dsden_upload",
                         lambda name, data: files.upload_signed_by_number(user, number, name, data),
                         "Convention {result} enregistrée comme signée hors plateforme.")
