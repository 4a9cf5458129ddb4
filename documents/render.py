"""A Paper as PDF (WeasyPrint, from an HTML template) and as DOCX (python-docx), with the layout of
Decree 30/2020/NĐ-CP: A4; margins top and bottom 20 mm, left 30 mm, right 15 mm (the decree allows
20–25, 20–25, 30–35 and 15–20); Times New Roman 13 pt for the body, 12–13 pt for the issuer and the
first motto line. PDF readers without Times get Liberation Serif, which has the same metrics, so the
line breaks of both files match what Word shows."""

from __future__ import annotations

import io

from django.template.loader import render_to_string

from .paper import MOTTO_1, MOTTO_2, Paper

MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
SIZES_PT = {"body": 13, "small": 12, "title": 14}
FONT = "Times New Roman"

PDF = "pdf"
DOCX = "docx"
FORMATS = {
    PDF: "application/pdf",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def to_html(paper: Paper) -> str:
    rows = [paper.signatures[i : i + 2] for i in range(0, len(paper.signatures), 2)]
    return render_to_string(
        "documents/paper.html",
        {
            "paper": paper,
            "motto1": MOTTO_1,
            "motto2": MOTTO_2,
            "margins": MARGINS_MM,
            "sizes": SIZES_PT,
            "signature_rows": rows,
        },
    )


def to_pdf(paper: Paper) -> bytes:
    from weasyprint import HTML  # imported when used: loading pango costs a moment

    return HTML(string=to_html(paper)).write_pdf()


def to_docx(paper: Paper) -> bytes:
    from docx import Document as Docx
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Mm, Pt

    doc = Docx()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(SIZES_PT["body"])
    # Word picks the font of Vietnamese text from the East Asian and complex-script slots too.
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), FONT)
    normal.paragraph_format.space_after = Pt(0)

    def para(container, text="", *, bold=False, italic=False, size=None, align=None, indent=False, after=0):
        p = container.add_paragraph()
        if text:
            run = p.add_run(text)
            run.bold, run.italic = bold, italic
            if size:
                run.font.size = Pt(size)
        if align is not None:
            p.alignment = align
        if indent:
            p.paragraph_format.first_line_indent = Cm(1)
        p.paragraph_format.space_after = Pt(after)
        return p

    center, justify, right = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY, WD_ALIGN_PARAGRAPH.RIGHT

    def cell(table, row, col):
        c = table.cell(row, col)
        c.paragraphs[0]._element.getparent().remove(c.paragraphs[0]._element)
        return c

    if paper.form_number:
        para(doc, paper.form_number, bold=True, size=SIZES_PT["small"], align=right)
    head = doc.add_table(rows=1, cols=2)
    head.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right_cell = cell(head, 0, 0), cell(head, 0, 1)
    left.width, right_cell.width = Cm(6.5), Cm(9.5)
    if paper.issuer_parent:
        para(left, paper.issuer_parent, size=SIZES_PT["small"], align=center)
    para(left, paper.issuer, bold=True, size=SIZES_PT["small"], align=center)
    para(left, "―――――", align=center)
    para(left, paper.symbol, align=center)
    para(right_cell, MOTTO_1, bold=True, size=SIZES_PT["small"], align=center)
    para(right_cell, MOTTO_2, bold=True, align=center)
    para(right_cell, "―――――――――", align=center)
    para(right_cell, paper.place_date, italic=True, align=center)

    para(doc, "")
    para(doc, paper.kind_title, bold=True, size=SIZES_PT["title"], align=center)
    if paper.subject:
        para(doc, paper.subject, bold=True, align=center, after=8)
    if paper.corrects:
        para(doc, paper.corrects, italic=True, align=center, after=6)
    for i, line in enumerate(paper.preamble):
        if i == 0:
            para(doc, line, bold=True, align=center, after=6)
        else:
            para(doc, line, italic=True, align=justify, indent=True, after=4)
    if paper.addressee:
        para(doc, paper.addressee, align=center, after=8)
    for block in paper.body:
        if block.style == "heading":
            para(doc, block.text, bold=True, after=6)
        elif block.style == "center":
            para(doc, block.text, bold=True, align=center, after=6)
        elif block.style == "line":
            p = para(doc, f"- {block.text}", after=3)
            p.paragraph_format.left_indent = Cm(1)
        else:
            p = para(doc, align=justify, indent=True, after=6)
            if block.lead:
                p.add_run(f"{block.lead} ").bold = True
            p.add_run(block.text)

    if paper.signatures:
        rows = (len(paper.signatures) + 1) // 2
        table = doc.add_table(rows=rows, cols=2)
        for i, s in enumerate(paper.signatures):
            c = cell(table, i // 2, i % 2)
            para(c, s.title, bold=True, align=center)
            para(c, s.note, italic=True, size=SIZES_PT["small"], align=center, after=36)
            para(c, s.name, bold=True, align=center, after=12)
        if len(paper.signatures) % 2:
            para(cell(table, rows - 1, 1), "")

    if paper.recipients or paper.signature.title:
        foot = doc.add_table(rows=1, cols=2)
        left, right_cell = cell(foot, 0, 0), cell(foot, 0, 1)
        if paper.recipients:
            para(left, "Nơi nhận:", bold=True, italic=True, size=12)
            for r in paper.recipients:
                para(left, f"- {r}", size=11)
        else:
            para(left, "")
        s = paper.signature
        if s.title:
            if s.authority:
                para(right_cell, s.authority, bold=True, align=center)
            para(right_cell, s.title, bold=True, align=center)
            para(right_cell, s.note, italic=True, size=SIZES_PT["small"], align=center, after=48)
            para(right_cell, s.name, bold=True, align=center)
        else:
            para(right_cell, "")

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def render(paper: Paper, fmt: str) -> bytes:
    if fmt == PDF:
        return to_pdf(paper)
    if fmt == DOCX:
        return to_docx(paper)
    raise ValueError(f"unknown format {fmt}")
