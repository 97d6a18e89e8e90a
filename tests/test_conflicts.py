"""Two readers of one record: a save made from the older reading is refused (data safety 6).

Reproduced before the fix: editor A renames an account; editor B, opened earlier, saves a phone
change — B's save wrote back the old name too, and the audit log blamed B for the rename's revert.
"""

from __future__ import annotations

import json
import sqlite3

import pytest
from PySide6.QtWidgets import QMessageBox
from test_ui_account_editor import ModalDriver

from gzdesk import enums, registry
from gzdesk.conflicts import ConflictError
from gzdesk.models import AuditEvent
from gzdesk.registry import AccountData, PersonData, UnitData


@pytest.fixture
def account_id(db) -> int:
    with db.transaction() as s:
        return registry.save_account(s, AccountData(name="财政之声", platform=enums.Platform.WECHAT_SUBSCRIPTION,
                                                    host_phone="0513-82345678"))


def test_a_save_from_an_older_reading_is_refused_and_names_the_change(db, account_id):
    with db.reader() as s:
        a = registry.get_account(s, account_id)
        b = registry.get_account(s, account_id)
    a.name = "测试财政"
    with db.transaction("张三") as s:
        registry.save_account(s, a)
    b.host_phone = "0513-87654321"
    with pytest.raises(ConflictError) as err:
        with db.transaction("李四") as s:
            registry.save_account(s, b)
    message = err.value.message
    assert "账号“测试财政”在您打开后已被修改" in message and "张三" in message and "名称" in message
    with db.reader() as s:
        now = registry.get_account(s, account_id)
        actors = [e.actor for e in s.query(AuditEvent).filter(AuditEvent.entity_uuid == now.uuid)]
    assert (now.name, now.host_phone) == ("测试财政", "0513-82345678")
    assert "李四" not in actors
    # read again, the same change goes through
    b = now
    b.host_phone = "0513-87654321"
    with db.transaction("李四") as s:
        registry.save_account(s, b)
    with db.reader() as s:
        assert registry.get_account(s, account_id).host_phone == "0513-87654321"


def test_units_and_people_are_guarded_too(db):
    with db.transaction() as s:
        unit_id = registry.save_unit(s, UnitData(name="测试县财政局", kind=enums.UnitType.DEPARTMENT))
        person_id = registry.save_person(s, PersonData(name="王五", unit_id=unit_id))
    with db.reader() as s:
        unit_a, unit_b = registry.get_unit(s, unit_id), registry.get_unit(s, unit_id)
        person_a, person_b = registry.get_person(s, person_id), registry.get_person(s, person_id)
    unit_a.phone, person_a.title = "0513-82345678", "科员"
    with db.transaction() as s:
        registry.save_unit(s, unit_a)
        registry.save_person(s, person_a)
    unit_b.head, person_b.mobile = "赵六", "13812345678"
    with pytest.raises(ConflictError, match="单位“测试县财政局”在您打开后已被修改"):
        with db.transaction() as s:
            registry.save_unit(s, unit_b)
    with pytest.raises(ConflictError, match="人员“王五”在您打开后已被修改.*职务"):
        with db.transaction() as s:
            registry.save_person(s, person_b)


def test_a_cli_change_meanwhile_is_not_overwritten_by_an_open_editor(db, account_id):
    """The command line approves a 变更 (renaming the account) while an editor is open."""
    with db.reader() as s:
        stale = registry.get_account(s, account_id)
    with db.transaction() as s:  # what `gzdesk filing …` does to the account, in another process
        from gzdesk.models import Account

        s.get(Account, account_id).name = "测试财政发布"
    stale.notes = "编辑器里的备注"
    with pytest.raises(ConflictError):
        with db.transaction() as s:
            registry.save_account(s, stale)


def test_every_update_raises_the_version(db, account_id):
    with db.reader() as s:
        first = registry.get_account(s, account_id).version
    with db.transaction() as s:
        data = registry.get_account(s, account_id)
        data.notes = "一"
        registry.save_account(s, data)
    with db.reader() as s:
        assert registry.get_account(s, account_id).version == first + 1
    conn = sqlite3.connect(db.path)
    assert conn.execute("SELECT version FROM account WHERE id = ?", (account_id,)).fetchone()[0] == first + 1
    conn.close()


def test_two_editors_in_the_window_the_second_is_told(db, account_id, qtbot):
    from gzdesk.ui.account_editor import AccountEditor
    from gzdesk.ui.controller import Controller

    late = AccountEditor(Controller(db), account_id)  # opened first, left open
    early = AccountEditor(Controller(db), account_id)
    for ed in (late, early):
        qtbot.addWidget(ed)
        ed.show()
    early.name_edit.setText("测试财政")
    assert early.save()

    late.phone_edits["host"].setText("0513-87654321")
    driver = ModalDriver()
    seen: dict[str, str] = {}

    def read_and_close(box: QMessageBox) -> None:
        seen["text"] = box.text()
        box.accept()

    driver.expect(QMessageBox, read_and_close)
    assert not late.save()
    driver.check()
    assert "在您打开后已被修改" in seen["text"]
    assert late.isVisible() and "在您打开后已被修改" in late.summary.text()
    with db.reader() as s:
        data = registry.get_account(s, account_id)
    assert (data.name, data.host_phone) == ("测试财政", "0513-82345678")
    late.done(0)


def test_the_audit_log_does_not_record_the_version(db, account_id):
    with db.transaction() as s:
        data = registry.get_account(s, account_id)
        data.notes = "改"
        registry.save_account(s, data)
    with db.reader() as s:
        changes = [json.loads(e.changes) for e in s.query(AuditEvent).filter(AuditEvent.entity == "account")]
    assert all("version" not in c for c in changes)
