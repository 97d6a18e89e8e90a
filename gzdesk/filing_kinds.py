"""Which states and kinds of a filing mean what: still open, live, done; closing; first.

Shared by the filing lifecycle (``gzdesk.filings``), deadlines, checks and reports.
"""

from __future__ import annotations

from gzdesk.enums import AccountStatus, FilingKind, FilingState

OPEN_STATES = (FilingState.DRAFT, FilingState.PENDING_SIGNATURE)  # still going up the chain
LIVE_STATES = (FilingState.DRAFT, FilingState.PENDING_SIGNATURE, FilingState.FILED, FilingState.REPORTED)
DONE_STATES = (FilingState.FILED, FilingState.REPORTED)
CLOSING_KINDS = (FilingKind.CLOSE, FilingKind.CANCEL)
FIRST_KINDS = (FilingKind.OPEN, FilingKind.BACKFILL)  # an account's first filing
STATUS_AFTER = {FilingKind.CLOSE: AccountStatus.CLOSED, FilingKind.CANCEL: AccountStatus.CANCELLED}


def announcement_kinds(profile) -> tuple[str, ...]:
    """The filing kinds that need a 公告 in this profile: 关停、注销; 变更 too where the document
    says so (云南 第十八条: 变更、关停、注销……并向社会公告)."""
    return profile.kinds("announcement", CLOSING_KINDS)
