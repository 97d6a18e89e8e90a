"""Printing the official 备案登记表: templates as data (``gzdesk/forms/*.json``), fonts, PDF rendering.

Public API (other parts of the program call only these)::

    from gzdesk.printing import render_filing, render_filings, render_blank, list_templates

    pdf: bytes = render_filing(session, filing_id)        # one filled form (session from db.reader())
    pdf: bytes = render_filings(session, [id1, id2, ...])  # batch: one PDF, each form numbered on its own
    pdf: bytes = render_blank("nantong")                    # blank form; chain=["主办单位意见", ...] optional
    for t in list_templates(): t.id, t.name                 # the forms in forms/

In the window, show a PDF with ``gzdesk.ui.pdf_preview.PdfPreviewDialog(pdf, title, parent).exec()``
or print it directly with ``gzdesk.ui.pdf_preview.print_pdf(parent, pdf)``.
"""

from gzdesk.printing.render import render_blank, render_filing, render_filings
from gzdesk.printing.templates import get as get_template
from gzdesk.printing.templates import list_templates

__all__ = ["get_template", "list_templates", "render_blank", "render_filing", "render_filings"]
