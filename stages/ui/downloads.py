"""One pair of download buttons (CSV, XLSX) for any export: the file is built only when clicked."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from stages.services.exports import MIME_TYPES, ExportFile

FORMATS = (("csv", "CSV"), ("xlsx", "XLSX"))


def download_buttons(key: str, file_stem: str, fetch: Callable[[str], ExportFile], *,
                     label: str = "Exporter en {fmt}") -> None:
    """``fetch(fmt)`` returns the ``ExportFile`` (its ``mime`` is the one of ``MIME_TYPES`` for ``fmt``).

    The data is a callable, so nothing is queried nor written until a button is pressed. The two
    buttons share one flex row (one block for the browser to draw, not three columns).
    """
    row = st.container(horizontal=True)
    for fmt, name in FORMATS:
        row.download_button(
            label.format(fmt=name), key=f"{key}_{fmt}", file_name=f"{file_stem}.{fmt}", mime=MIME_TYPES[fmt],
            on_click="ignore", icon=":material/download:", data=lambda fmt=fmt: fetch(fmt).data,
        )
