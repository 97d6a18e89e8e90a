"""The account editor, driven through the real dialogs: create, edit, delete, validation, QR, team."""

from __future__ import annotations

import time
from datetime import date

import pytest
from PySide6.QtCore import QMimeData, Qt, QTimer, QUrl
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QPushButton

from gzdesk import enums, registry
from gzdesk.errors import NotFound
from gzdesk.models import Filing
from gzdesk.registry import AccountData, PersonData, UnitData
from gzdesk.ui.account_editor import AccountEditor, PersonPicker
from gzdesk.ui.app import make_main_window


class ModalDriver:
    """Acts on modal dialogs as they appear (a dialog's exec() blocks the test otherwise)."""

    def __init__(self):
        self.errors: list[BaseException] = []
        self.handled: list[str] = []

    def expect(self, cls, handler, timeout_s: float = 10.0) -> None:
        deadline = time.monotonic() + timeout_s

        def poll():
            w = QApplication.activeModalWidget()
            if isinstance(w, cls) and w.isVisible():
                self.handled.append(type(w).__name__)
                try:
                    handler(w)
                except BaseException as exc:  # noqa: BLE001 - reported by check()
                    self.errors.append(exc)
                    _close_modals()
                    return
                QTimer.singleShot(int(timeout_s * 1000), lambda: watchdog(w))
                return
            if time.monotonic() > deadline:
                self.errors.append(TimeoutError(f"no {cls.__name__} appeared"))
                _close_modals()
                return
            QTimer.singleShot(20, poll)

        def watchdog(w):  # the handler should have closed its dialog: never hang the test run
            try:
                still_open = w.isVisible()
            except RuntimeError:  # already deleted
                return
            if still_open:
                self.errors.append(AssertionError(f"{type(w).__name__} still open after its handler"))
                w.done(0) if isinstance(w, QDialog) else w.close()

        QTimer.singleShot(0, poll)

    def check(self) -> None:
        if self.errors:
            raise self.errors[0]


def _close_modals() -> None:
    for _ in range(5):
        w = QApplication.activeModalWidget()
        if w is None:
            return
        w.done(0) if isinstance(w, QDialog) else w.close()


def click_box_button(text: str):
    def handler(box: QMessageBox) -> None:
        for b in box.buttons():
            if b.text() == text:
                b.click()
                return
        raise AssertionError(f"no button {text!r} in {[b.text() for b in box.buttons()]}")
    return handler


@pytest.fixture
def window(db, qtbot):
    w = make_main_window(db, extensions=())
    qtbot.addWidget(w)
    w.show()
    return w


@pytest.fixture
def editor(db, qtbot):
    """Factory for editors that are closed without questions at the end of the test."""
    from gzdesk.ui.controller import Controller

    made: list[AccountEditor] = []

    def make(account_id: int | None = None) -> AccountEditor:
        ed = AccountEditor(Controller(db), account_id)
        made.append(ed)
        ed.show()
        return ed

    yield make
    for ed in made:
        ed.done(0)
        ed.deleteLater()


@pytest.fixture
def units(db):
    with db.transaction() as s:
        town = registry.save_unit(s, UnitData(name="青山镇人民政府", kind=enums.UnitType.TOWNSHIP,
                                              leader="王五 副镇长", phone="0513-82345678"))
        bureau = registry.save_unit(s, UnitData(name="测试县财政局", kind=enums.UnitType.DEPARTMENT))
        person = registry.save_person(s, PersonData(name="李四", unit_id=town, title="宣传委员",
                                                    mobile="13812345678"))
    return {"town": town, "bureau": bureau, "person": person}


def _model_names(window) -> list[str]:
    return [r.name for r in window.registry.model.visible_rows]


def _png(tmp_path, name="qr.png") -> bytes:
    image = QImage(64, 64, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    for i in range(0, 64, 8):
        for j in range(0, 64, 8):
            if (i + j) % 16 == 0:
                for x in range(i, i + 8):
                    for y in range(j, j + 8):
                        image.setPixelColor(x, y, QColor("black"))
    path = tmp_path / name
    assert image.save(str(path), "PNG")
    return path.read_bytes()


def test_create_account_through_the_editor(window, db, units, qtbot, tmp_path):
    png = _png(tmp_path)
    driver = ModalDriver()
    seen = {}

    def fill(ed: AccountEditor) -> None:
        seen["title"] = ed.windowTitle()
        ed.name_edit.setText("青山发布")
        ed.platform_combo.setCurrentIndex(ed.platform_combo.findData(enums.Platform.DOUYIN))
        ed.handle_edit.setText("qingshanfabu")
        ed.registered_edit.setText("2019.3.12")
        ed.followers_spin.setValue(12345)
        ed.verified_combo.setValue(True)
        ed.news_license_combo.setValue(False)
        host = ed.unit_combos["host"]
        host.setCurrentIndex(host.findText("青山镇人民政府"))
        host.activated.emit(host.currentIndex())  # the user picks it: contacts are filled in
        seen["leader"] = ed.leader_edits["host"].text()
        ed.unit_combos["operator"].setEditText("青山镇融媒体中心")  # a new unit, created on save
        ed.url_edit.setText("https://www.douyin.com/user/qingshan")
        ed.intro_edit.setPlainText("发布青山镇政务信息")
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(tmp_path / "qr.png"))])
        assert ed.qr_field.accept_mime(mime)  # what a drop onto the preview does
        # add a team member through the real picker dialog
        driver.expect(PersonPicker, lambda p: (p.search.setText("李四"),
                                               p.role.setCurrentIndex(p.role.findData(enums.Role.INFORMANT)),
                                               p.accept()))
        qtbot.mouseClick(ed.team_table.add_button, Qt.MouseButton.LeftButton)
        seen["team_rows"] = ed.team_table.table.rowCount()
        driver.expect(QMessageBox, click_box_button("新建并保存"))
        qtbot.mouseClick(ed.save_button, Qt.MouseButton.LeftButton)

    driver.expect(AccountEditor, fill)
    window.new_account_action.trigger()  # Ctrl+N
    driver.check()
    assert seen["title"] == "新建账号"
    assert seen["leader"] == "王五 副镇长"
    assert seen["team_rows"] == 1
    assert _model_names(window) == ["青山发布"]
    with db.reader() as s:
        [row] = registry.list_accounts(s)
        data = registry.get_account(s, row.id)
        units_now = {u.name: u.id for u in registry.list_units(s)}
    assert data.platform == enums.Platform.DOUYIN
    assert data.handle == "qingshanfabu"
    assert data.registered_on == date(2019, 3, 12)
    assert data.followers == 12345
    assert data.verified is True and data.news_license is False and data.verification_names_host is None
    assert data.host_unit_id == units["town"]
    assert data.host_leader == "王五 副镇长" and data.host_phone == "0513-82345678"
    assert data.operator_unit_id == units_now["青山镇融媒体中心"]
    assert data.supervisor_unit_id == units_now["测试县人民政府办公室"]  # the office, by default
    assert data.qr_image == png
    assert [(m.name, m.role) for m in data.team] == [("李四", enums.Role.INFORMANT)]
    assert window.registry.current_id() == row.id
    assert "青山发布" in window.statusBar().currentMessage()


def _make_account(db, **kw) -> int:
    with db.transaction() as s:
        return registry.save_account(s, AccountData(**kw))


def test_edit_account_through_the_editor(window, db, units, qtbot):
    account_id = _make_account(db, name="财政之声", platform=enums.Platform.WECHAT_SUBSCRIPTION,
                               host_unit_id=units["bureau"], followers=10)
    window.controller.notify("accounts")
    qtbot.waitUntil(lambda: _model_names(window) == ["财政之声"])
    window.registry.select_id(account_id)
    driver = ModalDriver()
    seen = {}

    def edit(ed: AccountEditor) -> None:
        seen["title"] = ed.windowTitle()
        seen["followers"] = ed.followers_spin.value()
        ed.name_edit.setText("测试财政")
        ed.status_combo.setCurrentIndex(ed.status_combo.findData(enums.AccountStatus.PAUSED))
        ed.followers_spin.setValue(-1)  # back to 未填
        ed.last_update_edit.setText("2026年1月5日")
        ed.activateWindow()
        qtbot.waitUntil(ed.isActiveWindow)
        qtbot.keyClick(ed.name_edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # Ctrl+S saves

    driver.expect(AccountEditor, edit)
    window.registry.table.open_requested.emit()  # what Enter on the row does
    driver.check()
    assert seen == {"title": "编辑账号 — 财政之声", "followers": 10}
    assert _model_names(window) == ["测试财政"]
    assert window.registry.model.visible_rows[0].status_label == "暂停"
    with db.reader() as s:
        data = registry.get_account(s, account_id)
    assert (data.name, data.status, data.followers) == ("测试财政", enums.AccountStatus.PAUSED, None)
    assert data.last_update_on == date(2026, 1, 5)
    assert data.host_unit_id == units["bureau"]


def test_delete_account_asks_first(window, db, qtbot):
    keep = _make_account(db, name="保留账号")
    gone = _make_account(db, name="删除账号")
    window.registry.reload()
    driver = ModalDriver()

    window.registry.select_id(gone)
    driver.expect(QMessageBox, click_box_button("取消"))
    window.delete_action.trigger()  # the Delete key
    driver.check()
    assert sorted(_model_names(window)) == ["保留账号", "删除账号"]

    driver.expect(QMessageBox, click_box_button("删除"))
    window.delete_action.trigger()
    driver.check()
    assert _model_names(window) == ["保留账号"]
    with db.reader() as s:
        with pytest.raises(NotFound):
            registry.get_account(s, gone)
        assert registry.get_account(s, keep).name == "保留账号"


def test_delete_refused_shows_the_reason(window, db, qtbot):
    account_id = _make_account(db, name="已备案账号")
    with db.transaction() as s:
        s.add(Filing(number="测试-2026-001", account_id=account_id, kind=enums.FilingKind.OPEN))
    window.registry.reload()
    window.registry.select_id(account_id)
    driver = ModalDriver()
    shown = {}

    def read_warning(box: QMessageBox) -> None:
        shown["text"] = box.text()
        box.accept()

    driver.expect(QMessageBox, click_box_button("删除"))
    driver.expect(QMessageBox, read_warning, timeout_s=10)
    window.delete_action.trigger()
    qtbot.waitUntil(lambda: "text" in shown or driver.errors, timeout=10000)
    driver.check()
    assert "已有 1 条备案记录" in shown["text"]
    assert _model_names(window) == ["已备案账号"]


def test_bad_input_is_refused_with_messages_and_nothing_is_saved(editor, db, qtbot):
    ed = editor()
    ed.name_edit.setText("测试账号")
    ed.phone_edits["host"].setText("0513-123")
    ed.platform_combo.setCurrentIndex(ed.platform_combo.findData(enums.Platform.OTHER))
    ed.url_edit.setText("www.example.com")
    ed.registered_edit.setText("2019-13-45")
    qtbot.mouseClick(ed.save_button, Qt.MouseButton.LeftButton)
    assert ed.isVisible() and ed.saved_id is None
    assert "0513-123" in ed.errors["host_phone"].text() and ed.errors["host_phone"].isVisible()
    assert "其他" in ed.errors["platform_other"].text()
    assert "http" in ed.errors["url"].text()
    assert "2019-13-45" in ed.errors["registered_on"].text()
    assert not ed.errors["name"].isVisible()
    assert ed.summary.isVisible() and "4 处" in ed.summary.text()
    with db.reader() as s:
        assert registry.count_accounts(s) == 0

    # fix everything: the messages go away and the account is saved
    ed.phone_edits["host"].setText("0513-82345678")
    ed.platform_other_edit.setText("哔哩哔哩")
    ed.url_edit.setText("https://www.bilibili.com/")
    ed.registered_edit.setText("")
    qtbot.mouseClick(ed.save_button, Qt.MouseButton.LeftButton)
    assert ed.saved_id is not None and not ed.isVisible()
    with db.reader() as s:
        data = registry.get_account(s, ed.saved_id)
    assert (data.platform, data.platform_other, data.registered_on) == (enums.Platform.OTHER, "哔哩哔哩", None)


def test_empty_name_is_refused(editor, db, qtbot):
    ed = editor()
    qtbot.mouseClick(ed.save_button, Qt.MouseButton.LeftButton)
    assert ed.isVisible()
    assert ed.errors["name"].text() == "账号名称不能为空"


def test_cancel_with_unsaved_edits_asks_before_discarding(editor, db, qtbot):
    ed = editor()
    assert not ed.is_dirty()
    ed.name_edit.setText("未保存的账号")
    assert ed.is_dirty()
    driver = ModalDriver()
    driver.expect(QMessageBox, click_box_button("取消"))
    qtbot.mouseClick(ed.cancel_button, Qt.MouseButton.LeftButton)
    driver.check()
    assert ed.isVisible()  # still editing
    driver.expect(QMessageBox, click_box_button("不保存"))
    qtbot.mouseClick(ed.cancel_button, Qt.MouseButton.LeftButton)
    driver.check()
    assert not ed.isVisible()
    with db.reader() as s:
        assert registry.count_accounts(s) == 0


def test_unchanged_editor_closes_without_asking(editor, db, qtbot, units):
    account_id = _make_account(db, name="原样账号", host_unit_id=units["town"], followers=5,
                               registered_on=date(2020, 1, 2), verified=False)
    ed = editor(account_id)
    assert not ed.is_dirty()
    ed.reject()  # would block on a question if it thought something changed
    assert not ed.isVisible()


def test_qr_image_can_be_cleared_and_rejects_non_images(editor, db, qtbot, tmp_path):
    png = _png(tmp_path)
    account_id = _make_account(db, name="有二维码", qr_image=png)
    ed = editor(account_id)
    assert ed.qr_field.image_bytes() == png
    assert not ed.qr_field.preview.pixmap().isNull()
    bad = tmp_path / "notes.png"
    bad.write_text("不是图片", encoding="utf-8")
    assert not ed.qr_field.load_file(bad)
    assert "不是可识别的图片" in ed.qr_field.error.text()
    assert ed.qr_field.image_bytes() == png
    qtbot.mouseClick(ed.qr_field.clear_button, Qt.MouseButton.LeftButton)
    assert ed.qr_field.image_bytes() is None
    assert ed.save()
    with db.reader() as s:
        assert registry.get_account(s, account_id).qr_image is None


def test_team_member_can_be_removed_and_duplicates_refused(editor, db, qtbot, units):
    account_id = _make_account(db, name="队伍账号")
    with db.transaction() as s:
        registry.set_team(s, account_id, [(units["person"], enums.Role.ADMIN)])
    ed = editor(account_id)
    team = ed.team_table
    assert team.table.rowCount() == 1
    person = next(p for p in team.people() if p.id == units["person"])
    assert not team.add_member(person, enums.Role.ADMIN)
    assert "已是本账号的管理员" in team.error.text()
    assert team.add_member(person, enums.Role.LEADER)
    team.table.selectRow(0)
    qtbot.mouseClick(team.remove_button, Qt.MouseButton.LeftButton)
    assert [m.role for m in team.members()] == [enums.Role.LEADER]
    assert ed.save()
    with db.reader() as s:
        assert [(m.person_id, m.role) for m in registry.team_of(s, account_id)] == [
            (units["person"], enums.Role.LEADER)]


def test_editor_has_a_field_for_every_account_attribute(editor, db, qtbot):
    ed = editor()
    assert set(registry.ACCOUNT_FIELDS) | {"team"} <= set(ed.fields)
    assert isinstance(ed.save_button, QPushButton) and ed.save_button.text() == "保存(&S)"


def test_a_person_not_yet_registered_can_be_added_from_the_picker(editor, db, qtbot):
    from gzdesk.ui.person_editor import PersonEditor

    ed = editor()
    ed.name_edit.setText("新人账号")
    driver = ModalDriver()

    def register(pe: PersonEditor) -> None:
        pe.name_edit.setText("赵六")
        pe.mobile_edit.setText("13900001111")
        qtbot.mouseClick(pe.save_button, Qt.MouseButton.LeftButton)

    def pick(p: PersonPicker) -> None:
        driver.expect(PersonEditor, register)
        qtbot.mouseClick(p.new_person_button, Qt.MouseButton.LeftButton)
        assert p.list.currentItem() is not None and p.list.currentItem().text().startswith("赵六")
        p.accept()

    driver.expect(PersonPicker, pick)
    qtbot.mouseClick(ed.team_table.add_button, Qt.MouseButton.LeftButton)
    driver.check()
    assert [m.name for m in ed.team_table.members()] == ["赵六"]
    assert ed.save()
    with db.reader() as s:
        [member] = registry.team_of(s, ed.saved_id)
    assert (member.name, member.mobile, member.role) == ("赵六", "13900001111", enums.Role.ADMIN)
