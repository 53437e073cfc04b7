"""Exports for French Excel: decimal comma in CSV, real dates (dd/mm/yyyy) in XLSX."""

import datetime as dt
import io

import openpyxl
import pandas as pd

from stages.services import exports


def frame() -> pd.DataFrame:
    return pd.DataFrame({
        "Circonscription": ["Mâcon Nord", "Autun"],
        "Taux de couverture (%)": [5.8, 12.0],
        "Reçue le": ["16/06/2025 à 14:05", ""],
        "Première publication": ["02/01/2026", "16/06/2025"],
        "Motif": ["16/06/2025", "pas une date"],
    })


def test_csv_writes_decimal_commas():
    text = exports.to_csv_bytes(frame()).decode("utf-8-sig")
    assert text.splitlines()[1] == "Mâcon Nord;5,8;16/06/2025 à 14:05;02/01/2026;16/06/2025"


def test_xlsx_writes_real_dates_formatted_dd_mm_yyyy():
    sheet = openpyxl.load_workbook(io.BytesIO(exports.to_xlsx_bytes(frame()))).active
    published = sheet["D2"]
    assert published.value == dt.datetime(2026, 1, 2) and published.number_format == "dd/mm/yyyy"
    received = sheet["C2"]
    assert received.value == dt.datetime(2025, 6, 16, 14, 5) and received.number_format == "dd/mm/yyyy hh:mm"
    assert sheet["C3"].value is None
    assert sheet["E2"].value == "16/06/2025"  # a text column stays text
    assert sheet["B2"].value == 5.8
