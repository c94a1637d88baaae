"""Chinese PDFs with reportlab's built-in CID font (STSong-Light): no font file in the
repository or on the server. Shared by the contract and the evaluation report."""

from __future__ import annotations

import io
from collections.abc import Iterable
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

from .pdf_glyphs import printable

FONT = "STSong-Light"
_registered = False


def font() -> str:
    global _registered
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _registered = True
    return FONT


class Styles:
    def __init__(self):
        f = font()
        self.title = ParagraphStyle("t", fontName=f, fontSize=16, leading=22, alignment=1)
        self.head = ParagraphStyle("h", fontName=f, fontSize=12, leading=18, spaceBefore=8)
        self.body = ParagraphStyle("b", fontName=f, fontSize=10.5, leading=16, wordWrap="CJK")


def para(text, style) -> Paragraph:
    """A paragraph of plain text; every character one the font draws (pdf_glyphs)."""
    return Paragraph(escape(printable(str(text or ""))).replace("\n", "<br/>"), style)


def _cell(value):
    return printable(value) if isinstance(value, str) else value


def table(rows: list[list], widths_mm: Iterable[float], *, header: bool = True) -> Table:
    """A grid; plain-text cells pass through ``printable`` as paragraphs do."""
    rows = [[_cell(v) for v in row] for row in rows]
    t = Table(rows, colWidths=[w * mm for w in widths_mm])
    t.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font()),
                ("FONTSIZE", (0, 0), (-1, -1), 9.5),
                ("GRID", (0, 0), (-1, -1), 0.5, "#888888"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
            + ([("BACKGROUND", (0, 0), (-1, 0), "#eeeeee")] if header else [])
        )
    )
    return t


def build(story: list, *, title: str) -> bytes:
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=title,
        author="Caidan",
    )
    doc.build(story)
    return buf.getvalue()
