"""What an office decides about its printed forms, beyond the template.

- the form's title: the profile names its form (云南 第十七条 《云南省政务新媒体备案登记表》), which
  the generic layout then prints instead of its own title;
- whether 附件1 is printed above the 南通 form's title, as in the seed (an office that prints the
  form on its own, not as an attachment to the 办法, may turn it off);
- the 二维码 cell: by default the account's own QR picture, or the seed's （请插入图片） space left
  empty; an office may allow a code drawn from the 访问链接, which is then marked （据访问链接生成）
  so that nobody takes it for the account's own.

The two switches are office settings (``print.attachment_label``, ``print.qr_from_url``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ATTACHMENT_LABEL = "print.attachment_label"
QR_FROM_URL = "print.qr_from_url"
SETTINGS = {ATTACHMENT_LABEL: ("打印“附件1”等附件标注", True), QR_FROM_URL: ("无二维码图片时按访问链接生成（标注“据访问链接生成”）", False)}


@dataclass(frozen=True)
class PrintOptions:
    title: str | None = None
    attachment_label: bool = True
    qr_from_url: bool = False

    def as_context(self) -> dict[str, Any]:
        return {"title": self.title, "attachment_label": self.attachment_label, "qr_from_url": self.qr_from_url}

    @staticmethod
    def for_profile(profile, attachment_label: bool = True, qr_from_url: bool = False) -> PrintOptions:
        """The options of a profile's own form (its title) with the given switches."""
        title = (profile.data.get("form_template") or {}).get("title") if profile is not None else None
        return PrintOptions(title or None, attachment_label, qr_from_url)


def _flag(value: str | None, default: bool) -> bool:
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on", "是")


def read_settings(session) -> dict[str, bool]:
    from gzdesk.office import get_setting

    return {key: _flag(get_setting(session, key), default) for key, (_label, default) in SETTINGS.items()}


def write_setting(session, key: str, value: bool) -> None:
    from gzdesk.errors import UserError
    from gzdesk.office import set_setting
    from gzdesk.permissions import Cap, require

    require(session, Cap.SETTINGS)  # an office setting: 管理员 (gzdesk.permissions)
    if key not in SETTINGS:
        raise UserError(f"未知的打印设置“{key}”，可选：{'、'.join(SETTINGS)}")
    set_setting(session, key, "1" if value else "0")


def office_options(session, template_id: str | None = None) -> PrintOptions:
    """This office's options; the profile's form title only for the profile's own template."""
    from gzdesk.office import current_profile, is_initialized

    flags = read_settings(session)
    profile = current_profile(session) if is_initialized(session) else None
    if profile is not None and template_id not in (None, profile.template_id):
        profile = None
    return PrintOptions.for_profile(profile, flags[ATTACHMENT_LABEL], flags[QR_FROM_URL])
