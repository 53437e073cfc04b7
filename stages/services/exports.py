"""Exports for spreadsheets: CSV for French Excel (``;``, UTF-8 with BOM, decimal comma) and XLSX.

Dates: the frames carry them as the app shows them (``fmt_date`` "16/06/2025", ``fmt_datetime``
"16/06/2025 à 14:05"), which is what the CSV writes. The XLSX writes real dates instead (a
column whose every filled cell is such a date), displayed ``dd/mm/yyyy`` (``dd/mm/yyyy hh:mm``),
so that Excel sorts and filters them as dates.

Every text cell that a spreadsheet would read as a formula (starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return) is neutralised with a leading apostrophe.
"""

from __future__ import annotations

import datetime as dt
import io
import re
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
    """French Excel: ``;`` between cells, ``5,8`` for decimals, UTF-8 with a BOM."""
    return safe_frame(frame).to_csv(sep=";", decimal=",", index=False, date_format="%d/%m/%Y").encode("utf-8-sig")


_DATE = re.compile(r"^(\d{2})/(\d{2})/(\d{4})(?: à (\d{2}):(\d{2}))?$")


def _as_date(value):
    """"16/06/2025" -> date, "16/06/2025 à 14:05" -> datetime; anything else -> None."""
    match = _DATE.match(value) if isinstance(value, str) else None
    if match is None:
        return None
    day, month, year, hour, minute = match.groups()
    try:
        if hour is None:
            return dt.date(int(year), int(month), int(day))
        return dt.datetime(int(year), int(month), int(day), int(hour), int(minute))
    except ValueError:
        return None


def real_dates(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[int, str]]:
    """The frame with its date columns (every filled cell a date as the app writes it) as real
    dates, and the Excel display format of each such column (by position)."""
    out = frame.copy()
    formats: dict[int, str] = {}
    for position, column in enumerate(out.columns):
        if not (out[column].dtype == object or pd.api.types.is_string_dtype(out[column])):
            continue
        parsed = [None if v in ("", None) or (isinstance(v, float) and pd.isna(v)) else _as_date(v)
                  for v in out[column]]
        filled = [v for v in out[column] if v not in ("", None) and not (isinstance(v, float) and pd.isna(v))]
        if not filled or sum(p is not None for p in parsed) != len(filled):
            continue
        out[column] = pd.Series(parsed, index=out.index, dtype=object)
        with_time = any(isinstance(p, dt.datetime) for p in parsed)
        formats[position] = "dd/mm/yyyy hh:mm" if with_time else "dd/mm/yyyy"
    return out, formats


def to_xlsx_bytes(frame: pd.DataFrame, sheet_name: str = "Export") -> bytes:
    buffer = io.BytesIO()
    out, formats = real_dates(safe_frame(frame))
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        out.to_excel(writer, index=False, sheet_name=sheet_name[:31])
        sheet = writer.sheets[sheet_name[:31]]
        for position, number_format in formats.items():
            for (cell,) in sheet.iter_rows(min_row=2, min_col=position + 1, max_col=position + 1):
                cell.number_format = number_format
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
