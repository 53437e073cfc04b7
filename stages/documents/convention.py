"""The convention de stage as a document: its articles (from the DSDEN's template file) and its PDF.

The *content* is a plain JSON-able dict built by ``stages.services.conventions`` from the data
(never typed twice); its SHA-256 (``stages.domain.conventions.document_hash``) is the document's
fingerprint, printed with the convention's number on every page and stored with each signature.
The PDF is made with fpdf2 and embeds the DejaVu Sans font (vendored in ``fonts/`` with its
licence) so that French accents print on any machine.
"""

from __future__ import annotations

import os
import string
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from stages.domain.conventions import SignatureLine

HERE = Path(__file__).resolve().parent
FONTS = HERE / "fonts"
DEFAULT_TEMPLATE = HERE / "convention_articles.txt"
TEMPLATE_ENV = "CONVENTION_TEMPLATE"  # path of the DSDEN's own copy of the articles, if any


def template_path() -> Path:
    custom = os.environ.get(TEMPLATE_ENV, "").strip()
    return Path(custom) if custom else DEFAULT_TEMPLATE


def load_articles(values: dict[str, str], path: Path | None = None) -> list[list[str]]:
    """[[title, text], ...] of the template, ``$names`` replaced by ``values`` (unknown ones kept)."""
    blocks: list[list[str]] = []
    for raw in (path or template_path()).read_text(encoding="utf-8").splitlines():
        line = raw.rstrip()
        if line.startswith("## "):
            blocks.append([line[3:].strip(), ""])
        elif line.startswith("#") or not blocks:
            continue
        elif line:
            text = string.Template(line).safe_substitute(values)
            blocks[-1][1] = f"{blocks[-1][1]}\n{text}" if blocks[-1][1] else text
    return blocks


class _Pdf(FPDF):
    def __init__(self, number: str, digest: str):
        super().__init__(format="A4")
        self.number, self.digest = number, digest
        self.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_auto_page_break(auto=True, margin=22)
        self.set_margins(18, 16, 18)
        self.alias_nb_pages()

    def footer(self) -> None:
        self.set_y(-17)
        self.set_font("DejaVu", "", 7)
        self.set_text_color(80, 80, 80)
        self.cell(0, 4, f"Convention n° {self.number} — page {self.page_no()}/{{nb}}",
                  new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="C")
        self.cell(0, 4, f"SHA-256 du contenu : {self.digest}", align="C")
        self.set_text_color(0, 0, 0)


def _heading(pdf: _Pdf, text: str, size: int = 11) -> None:
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", size)
    pdf.multi_cell(0, 6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 9)


def _para(pdf: _Pdf, text: str) -> None:
    pdf.set_font("DejaVu", "", 9)
    pdf.multi_cell(0, 4.6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _pairs(pdf: _Pdf, rows: list[tuple[str, str]]) -> None:
    for label, value in rows:
        pdf.set_font("DejaVu", "B", 9)
        pdf.cell(55, 4.8, label)
        pdf.set_font("DejaVu", "", 9)
        pdf.multi_cell(0, 4.8, value or "—", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def render_pdf(content: dict, digest: str, signatures: list[SignatureLine], status_note: str = "") -> bytes:
    """The convention as PDF bytes: parties, stage, articles and annexes, then the signatures page."""
    pdf = _Pdf(content["number"], digest)
    pdf.set_title(f"Convention de stage {content['number']}")
    pdf.set_author("Stages de seconde — DSDEN")
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 14)
    pdf.multi_cell(0, 7, "Convention de stage d'observation — élève de seconde", align="C",
                   new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 9)
    pdf.multi_cell(0, 5, f"Année scolaire {content['school_year']} — convention n° {content['number']}", align="C",
                   new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if status_note:
        pdf.multi_cell(0, 5, status_note, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    host, lycee, student, stage = content["host"], content["lycee"], content["student"], content["stage"]
    tutor, referent = content["tutor"], content["referent"]
    _heading(pdf, "Entre les parties")
    _pairs(pdf, [
        ("École d'accueil", f"{host['name']} (UAI {host['uai']})"),
        ("Adresse", host["address"]),
        ("Représentée par", f"{host['director']}, directeur / directrice de l'école"),
        ("Lycée", f"{lycee['name']} (UAI {lycee['uai']})"),
        ("Adresse", lycee["address"]),
        ("Représenté par", f"{lycee['head'] or 'le chef d’établissement'}, chef d'établissement"),
        ("Élève", f"{student['name']}, né(e) le {student['birth_date'] or '—'}, classe {student['class'] or '—'}"),
        ("PAI", student["pai"]),
        ("Représentant(s) légal(aux)", "\n".join(f"{r['name']} ({r['email']})" for r in student["reps"]) or "—"),
    ])
    _heading(pdf, "Le stage")
    _pairs(pdf, [
        ("Intitulé", stage["title"]),
        ("Lieu", f"{stage['place']}, {stage['address']}"),
        ("Période", f"{stage['period']} (du {stage['start']} au {stage['end']})"),
        ("Jours et horaires", "\n".join(f"{day} : {hours}" for day, hours in stage["hours"]) or "—"),
        ("Pause méridienne", stage["lunch_break"]),
        ("Tuteur", f"{tutor['name']}, {tutor['function']} ({tutor['email']})" if tutor["name"] else "—"),
        ("Professeur référent", f"{referent['name']} ({referent['email']})" if referent["name"] else "—"),
    ])
    for title, text in content["articles"]:
        _heading(pdf, title, 10)
        _para(pdf, text)

    pdf.add_page()
    _heading(pdf, "Signatures", 12)
    if signatures:
        _para(pdf, "Signature électronique simple : chaque signataire a lu la convention, coché « J'ai lu et "
                   "j'approuve la convention » et tapé son nom complet. Heures de Paris.")
        pdf.ln(2)
        widths = (32, 44, 38, 32, 28)
        pdf.set_font("DejaVu", "B", 8)
        for w, head in zip(widths, ("Partie", "Signataire", "Qualité", "Date et heure", "Empreinte signée")):
            pdf.cell(w, 6, head, border=1)
        pdf.ln()
        pdf.set_font("DejaVu", "", 8)
        from stages.domain.conventions import PARTY_LABELS

        for line in signatures:
            values = (PARTY_LABELS.get(line.party, line.party), line.name, line.role, line.at, line.digest[:12])
            for w, value in zip(widths, values):
                pdf.cell(w, 6, value[:34], border=1)
            pdf.ln()
    else:
        _para(pdf, "Aucune signature n'a encore été donnée sur la plateforme.")
    return bytes(pdf.output())
