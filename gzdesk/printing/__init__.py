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

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gzdesk.printing.render import render_blank, render_filing, render_filings
    from gzdesk.printing.templates import get as get_template
    from gzdesk.printing.templates import list_templates

__all__ = ["get_template", "list_templates", "render_blank", "render_filing", "render_filings"]

# Loaded when first asked for: reading a profile checks its form template (``printing.templates``),
# and that must not import reportlab for every command (~0.3 s of ``gzdesk check`` and ``due``).
_LAZY = {"render_blank": ("render", "render_blank"), "render_filing": ("render", "render_filing"),
         "render_filings": ("render", "render_filings"), "get_template": ("templates", "get"),
         "list_templates": ("templates", "list_templates")}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, attr = _LAZY[name]
    value = getattr(importlib.import_module(f"{__name__}.{module}"), attr)
    globals()[name] = value
    return value
