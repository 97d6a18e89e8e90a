"""A policy profile as a clerk reads it: dates as 2024年5月27日, the form by its title, not its id."""

from __future__ import annotations

import html
import re
from datetime import date

from gzdesk.dates import cn_date
from gzdesk.errors import UserError
from gzdesk.profiles import Profile

_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_FORM_ID = re.compile(r"（[A-Za-z0-9_\-]+）$")


def template_title(template_id: str) -> str:
    """山西省政府系统政务新媒体备案登记表（县市区） for shanxi_county (the id when unknown)."""
    from gzdesk.printing import templates

    try:
        return templates.get(template_id).name
    except UserError:
        return template_id


def readable(what: str, value: str) -> str:
    """A line of ``Profile.numbers()`` for people: ISO dates as 2024年5月27日, the form by its title."""
    if what == "备案登记表":  # the form by its title: 《…》（shanxi_county） or the bare id
        titled = _FORM_ID.sub("", value)
        return titled if titled != value or "《" in value else template_title(value)
    return _ISO_DATE.sub(lambda m: cn_date(date(*map(int, m.groups()))), value)


def numbers(p: Profile) -> list[tuple[str, str, str]]:
    """``Profile.numbers()`` with readable values."""
    return [(what, readable(what, value), article) for what, value, article in p.numbers()]


def profile_html(p: Profile) -> str:
    """The profile's document and its numbers, each with its article (the first-run preview pane)."""
    rows = "".join(
        f"<tr><td width='18%' style='padding:4px 8px 4px 0;color:#555'>{html.escape(what)}</td>"
        f"<td width='42%' style='padding:4px 8px 4px 0'>{html.escape(value)}</td>"
        f"<td width='40%' style='padding:4px 0;color:#777'>{html.escape(article)}</td></tr>"
        for what, value, article in numbers(p))
    return (f"<h3 style='margin:0 0 4px 0'>{html.escape(p.name)}</h3>"
            f"<p style='margin:0 0 8px 0;color:#444'>{html.escape(p.document)}</p>"
            f"<table width='100%' cellspacing='0'>{rows}</table>")
