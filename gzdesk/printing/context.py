"""The values a form prints, gathered from a filing (or nothing, for a blank form).

``build_context`` is pure (plain dicts in, a nested dict out) so the layout can be tested without a
database; ``filing_context`` reads the Filing row, its approval steps and the office.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from gzdesk import enums, fields
from gzdesk.enums import FilingKind, Platform

# Platforms the official forms list by name; anything else goes in their 其他 blank.
NAMED_ON_FORMS = {Platform.WECHAT_SERVICE, Platform.WECHAT_SUBSCRIPTION, Platform.WECHAT_MINIPROGRAM,
                  Platform.WEIBO, Platform.APP}

# 南通 备案事由 has only 开设 / 变更 / 关停 / 注销: 补办 is the account's first filing (开设);
# an 整合 keeps one account (变更) and closes the others (关停).
FORM_KIND = {FilingKind.OPEN: "open", FilingKind.BACKFILL: "open", FilingKind.CHANGE: "change",
             FilingKind.CLOSE: "close", FilingKind.CANCEL: "cancel"}

_DATE_KEYS = fields.DATE_KEYS  # the catalogue's dates (gzdesk.fields)


def _as_date(value: Any) -> date | None:
    if isinstance(value, date) or value is None:
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _qr_bytes(value: Any) -> bytes | None:
    if not value:
        return None
    if isinstance(value, bytes):
        return value
    try:
        return base64.b64decode(str(value), validate=True)
    except (binascii.Error, ValueError):
        return None


def chain_entries(chain: Any) -> list[dict[str, str]]:
    """A filing's chain (JSON text or list of titles or {"title", "signer_label"}) as dicts."""
    if isinstance(chain, str):
        try:
            chain = json.loads(chain) if chain.strip() else []
        except json.JSONDecodeError:
            chain = []
    out = []
    for entry in chain or []:
        if isinstance(entry, dict) and entry.get("title"):
            out.append({"title": str(entry["title"]), "signer_label": str(entry.get("signer_label") or "")})
        elif isinstance(entry, str) and entry.strip():
            out.append({"title": entry.strip(), "signer_label": ""})
    return out


def build_context(frozen: dict[str, Any] | None = None, filing: dict[str, Any] | None = None,
                  steps: list[dict[str, Any]] | None = None, chain: Any = None,
                  signer_labels: dict[str, str] | None = None, form: dict[str, Any] | None = None) -> dict[str, Any]:
    """Nested dict read by field paths (``account.name``, ``team.leader.mobile``, ``steps.<title>.signer``).

    ``frozen`` is ``registry.account_snapshot`` output; ``filing`` has number/kind/reason/filled_on/
    unit_name/kept_account_id/account_id; ``steps`` are dicts with title/opinion/signer/signed_on;
    ``form`` the print settings (``gzdesk.printing.options.PrintOptions.as_context``): the form's
    title from the profile, whether 附件1 is printed, whether a QR code may be drawn from the 访问链接.
    """
    a = dict(frozen or {})
    f = dict(filing or {})
    form = {"title": None, "attachment_label": True, "qr_from_url": False, **(form or {})}
    for key in _DATE_KEYS:
        a[key] = _as_date(a.get(key))
    a["qr_image"] = _qr_bytes(a.get("qr_image"))
    # the account's own picture, or — only when the office allows it, and marked so — a code drawn
    # from its 访问链接; otherwise the seed's （请插入图片） space stays empty
    a["qr_printed"] = bool(a["qr_image"]) or bool(form["qr_from_url"] and a.get("url"))
    platform = a.get("platform")
    if platform and not a.get("platform_label"):
        a["platform_label"] = enums.label("platform", platform)
    if platform and platform not in NAMED_ON_FORMS:
        a["other_platform_name"] = a.get("platform_other") or a.get("platform_label")
    else:
        a["other_platform_name"] = None
    if platform == Platform.OTHER and a.get("platform_other"):
        a["platform_label"] = f"其他（{a['platform_other']}）"
    name, handle = a.get("name"), a.get("handle")
    a["handle_and_name"] = f"{handle}\n{name}" if name and handle and handle != name else (name or handle)
    kind = f.get("kind")
    # The form shows the state the filing asks for: a 关停/注销 filing ticks 关停/注销.
    if kind == FilingKind.CLOSE:
        a["status"] = "closed"
    elif kind == FilingKind.CANCEL:
        a["status"] = "cancelled"
    form_kind = FORM_KIND.get(kind) if kind else None
    if kind == FilingKind.MERGE:
        kept, own = f.get("kept_account_id"), f.get("account_id")
        form_kind = "change" if kept is not None and kept == own else "close"
    f["form_kind"] = form_kind
    f["kind_label"] = enums.label("filing_kind", kind) if kind else None
    f["filled_on"] = _as_date(f.get("filled_on"))
    f["event_on"] = _as_date(f.get("event_on"))
    f.setdefault("unit_name", a.get("host_unit"))
    if not f.get("unit_name"):
        f["unit_name"] = a.get("host_unit")

    team: dict[str, dict[str, Any]] = {}
    for m in a.get("team") or []:
        role = m.get("role")
        if role in team or not role:
            continue
        unit_title = "".join(x for x in (m.get("unit") or "", m.get("title") or "") if x)
        team[role] = dict(m, unit_title=unit_title or None)

    labels = dict(signer_labels or {})
    by_title: dict[str, dict[str, Any]] = {}
    for s in steps or []:
        title = s.get("title")
        if title:
            step = dict(s, signed_on=_as_date(s.get("signed_on")))
            if s.get("result") == "returned":  # a 退回 is printed as such, never as an approval
                step["opinion"] = "（退回）" + (s.get("opinion") or "")
            by_title[title] = step
    chain_list = chain_entries(chain)
    step_rows = []
    for entry in chain_list:
        title = entry["title"]
        s = dict(by_title.get(title, {}), title=title)
        s["signer_label"] = entry.get("signer_label") or labels.get(title) or None
        step_rows.append(s)
        by_title.setdefault(title, s)
    return {"account": a, "filing": f, "team": team, "steps": by_title, "chain": step_rows, "form": form}


def resolve_filing(session: Session, ref: int | str) -> int:
    """A filing's id from its id or its 备案号 (e.g. ``2026-00001``); NotFound otherwise."""
    from sqlalchemy import select

    from gzdesk.errors import NotFound
    from gzdesk.models import Filing

    text = str(ref).strip()
    found = session.scalars(select(Filing.id).where(Filing.number == text)).first()
    if found is not None:
        return found
    if text.isdigit() and session.get(Filing, int(text)) is not None:
        return int(text)
    raise NotFound(f"没有编号或备案号为“{text}”的备案事项")


def filing_context(session: Session, filing_id: int) -> tuple[str, dict[str, Any]]:
    """(template id, context) for one Filing row; NotFound when there is no such filing."""
    from gzdesk import office as office_service
    from gzdesk import registry
    from gzdesk.errors import NotFound
    from gzdesk.models import Filing
    from gzdesk.printing.options import office_options

    filing = session.get(Filing, filing_id)
    if filing is None:
        raise NotFound(f"没有编号为 {filing_id} 的备案事项")
    info = office_service.office(session)
    frozen = json.loads(filing.frozen) if filing.frozen else None
    if frozen is None and filing.account_id is not None:
        frozen = registry.account_snapshot(session, filing.account_id)
    labels = {s["title"]: s.get("signer_label", "") for s in info.profile.chain}
    chain = filing.chain if filing.chain else [s["title"] for s in info.profile.chain]
    steps = [{"title": s.title, "opinion": s.opinion, "signer": s.signer, "signed_on": s.signed_on,
              "result": s.result} for s in filing.steps]  # a re-signed title (after 退回) keeps the last
    template_id = filing.template_id or info.profile.template_id
    options = office_options(session, template_id)
    ctx = build_context(frozen, {
        "number": filing.number, "kind": filing.kind, "reason": filing.reason, "filled_on": filing.filled_on,
        "event_on": filing.event_on, "account_id": filing.account_id, "kept_account_id": filing.kept_account_id,
        "unit_name": (frozen or {}).get("host_unit") or info.unit_name,
    }, steps, chain, labels, options.as_context())
    return template_id, ctx


def blank_context(chain: Any = None, form: dict[str, Any] | None = None) -> dict[str, Any]:
    """The context of a blank form: the chain's titles and signer labels, the print settings."""
    entries = chain_entries(chain)
    labels = {e["title"]: e["signer_label"] for e in entries if e["signer_label"]}
    return build_context(None, None, None, entries or None, labels, form)
