"""Exports for spreadsheets: CSV for French Excel (``;``, UTF-8 with BOM) and XLSX.

Every text cell that a spreadsheet would read as a formula (starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return) is neutralised with a leading apostrophe.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pandas as pd

from stages.services.errors import ValidationError

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(neutralise)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    return safe_frame(frame).to_csv(sep=";", index=False).encode("utf-8-sig")


def to_xlsx_bytes(frame: pd.DataFrame, sheet_name: str = "Export") -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        safe_frame(frame).to_excel(writer, index=False, sheet_name=sheet_name[:31])
    return buffer.getvalue()


MIME_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class ExportFile:
    file_name: str
    mime: str
    data: bytes


def export_file(name: str, frame: pd.DataFrame, fmt: str, sheet_name: str | None = None) -> ExportFile:
    """``frame`` as ``name.csv`` or ``name.xlsx`` (its sheet named ``sheet_name`` or ``name``), formula-safe."""
    if fmt == "csv":
        data = to_csv_bytes(frame)
    elif fmt == "xlsx":
        data = to_xlsx_bytes(frame, sheet_name=sheet_name or name)
    else:
        raise ValidationError("Format d'export inconnu : choisissez CSV ou XLSX.", field="format")
    return ExportFile(f"{name}.{fmt}", MIME_TYPES[fmt], data)
