"""Report files built in memory for the reader tests: a PDF with Chinese text (reportlab's built-in
CID font, so no font file is needed)."""

from __future__ import annotations

import io

import pytest


def pdf_bytes(*pages: str) -> bytes:
    """A PDF of one page per string (an empty string: a page without text), titled 容器云报告."""
    canvas = pytest.importorskip("reportlab.pdfgen.canvas")
    pdfmetrics = pytest.importorskip("reportlab.pdfbase.pdfmetrics")
    cidfonts = pytest.importorskip("reportlab.pdfbase.cidfonts")
    pdfmetrics.registerFont(cidfonts.UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.setTitle("容器云报告")
    for page in pages:
        pdf.setFont("STSong-Light", 12)
        if page:
            pdf.drawString(72, 720, page)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()
