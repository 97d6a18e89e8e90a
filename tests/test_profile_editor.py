"""Issue 12 item 13: the profile's numbers, articles and signers edited in the window, each number
beside its article; the edited copy checked in full and refused with the field named as the form
shows it, nothing changed on refusal."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from gzdesk import office
from gzdesk.models import AuditEvent
from gzdesk.ui import profile_editor
from gzdesk.ui.controller import Controller
from gzdesk.ui.profile_editor import UNSET, ProfileEditor


@pytest.fixture
def yes(monkeypatch):
    asked: list[str] = []

    def question(_parent, _title, text, *_a, **_k):
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(profile_editor.QMessageBox, "question", question)
    return asked


def _editor(qtbot, db) -> ProfileEditor:
    editor = ProfileEditor(Controller(db))
    qtbot.addWidget(editor)
    editor.show()
    return editor


def _save(editor: ProfileEditor) -> None:
    editor.buttons.button(QDialogButtonBox.StandardButton.Save).click()


def _audits(db) -> int:
    with db.reader() as s:
        return s.query(AuditEvent).count()


def test_numbers_articles_and_signers_are_saved_to_this_database(qtbot, make_db, yes):
    db = make_db("yanhu", unit="运城市盐湖区人民政府办公室")
    editor = _editor(qtbot, db)
    assert editor.spins[("announcement", "workdays")].value() == 3
    assert editor.articles["announcement"].text().startswith("第十一条")  # the article beside the number
    provincial = editor.spins[("provincial_filing", "workdays")]
    assert provincial.text() == UNSET  # 盐湖 第十一条 names no number of days
    assert ("filing_deadline", "workdays") not in editor.spins  # 盐湖 has no 备案时限: nothing to edit
    editor.spins[("announcement", "workdays")].setValue(5)
    editor.articles["announcement"].setText("第十一条 账号关停、注销前5个工作日内应发布停更注销公告")
    provincial.setValue(3)
    editor.signers[0].setText("主要负责人签字（盖章）")
    before = _audits(db)
    _save(editor)
    assert yes and editor.saved is not None and editor.result() == ProfileEditor.DialogCode.Accepted
    with db.reader() as s:
        p = office.current_profile(s)
    assert p.workdays("announcement") == 5 and p.workdays("provincial_filing") == 3
    assert p.rule("announcement")["article"].startswith("第十一条 账号关停、注销前5个工作日")
    assert p.chain[0]["signer_label"] == "主要负责人签字（盖章）" and p.id == "yanhu"
    assert _audits(db) == before + 1


@pytest.mark.parametrize(("edit", "said"), [
    (lambda e: e.articles["announcement"].setText("关停前五日"), "公告的依据：应以条款号开头"),
    (lambda e: e.signers[1].setText("  "), "审批流程第2级（县（市、区）办公室意见）的签字：应为文字"),
])
def test_a_wrong_entry_is_refused_with_its_field_and_nothing_changes(qtbot, make_db, yes, edit, said):
    db = make_db("yanhu", unit="运城市盐湖区人民政府办公室")
    with db.reader() as s:
        before = office.current_profile(s).to_json()
    audits = _audits(db)
    editor = _editor(qtbot, db)
    editor.spins[("backfill", "workdays")].setValue(30)
    edit(editor)
    _save(editor)
    assert editor.error.isVisible() and editor.error.text().startswith(said), editor.error.text()
    assert editor.isVisible() and not yes
    with db.reader() as s:
        assert office.current_profile(s).to_json() == before
    assert _audits(db) == audits
    editor.spins[("backfill", "workdays")].setValue(31)
    assert not editor.error.isVisible()  # the red line goes as soon as the clerk edits


def test_each_office_sees_its_own_numbers(qtbot, make_db):
    editor = _editor(qtbot, make_db("yunnan"))
    with editor.controller.db.reader() as s:
        p = office.current_profile(s)
    for (key, name), spin in editor.spins.items():
        assert spin.value() == (p.rule(key)[name] or 0), (key, name)
    assert editor.spins[("filing_deadline", "workdays")].value() == 7  # 云南 第十七条 7个工作日
    assert "第十七条" in editor.articles["filing_deadline"].text()
