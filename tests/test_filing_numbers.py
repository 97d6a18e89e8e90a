"""备案编号 are unique per origin: a city library holds many counties' 2026-00001."""

import pytest

from gzdesk import filings, registry
from gzdesk.errors import UserError
from gzdesk.models import Filing


def test_local_numbers_win_and_merged_ones_do_not_advance_local_numbering(db):
    with db.transaction() as s:
        aid = registry.save_account(s, registry.AccountData(name="海门发布", platform="weibo"))
        s.add(Filing(number="2026-00007", account_id=aid, kind="open", state="filed", origin="启东市人民政府办公室"))
        s.add(Filing(number="2026-00007", account_id=aid, kind="open", state="filed", origin="如东县人民政府办公室"))
        s.flush()
        assert filings.next_number(s, 2026) == "2026-00001"
        with pytest.raises(UserError, match="多个来源"):
            filings.find_filing(s, "2026-00007")
        s.add(Filing(number="2026-00007", account_id=aid, kind="open", state="draft"))
        s.flush()
        local = filings.find_filing(s, "2026-00007")
        assert s.get(Filing, local).origin is None
