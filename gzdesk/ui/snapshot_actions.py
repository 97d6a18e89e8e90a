"""数据交换 → 上报快照 (export, merge lower offices' snapshots, 来源快照 page) and 文件 → 备份/恢复/检查.

The work is done by domain functions (``gzdesk.exchange.snapshot`` / ``merge``, ``gzdesk.backup``)
that open their own transactions on the controller's database; widgets only pick files, run the
export and the merge in a worker thread behind a progress dialog (``ui.background.BackgroundRunner``)
whose 取消 stops the work (a cancelled merge is rolled back, a cancelled export deletes its partial
file) and show the report.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gzdesk import backup, signing
from gzdesk.backup import RestoreResult, VerifyReport  # (the class below has a method named backup)
from gzdesk.dates import cn_date
from gzdesk.errors import UserError
from gzdesk.exchange import merge, snapshot, trust
from gzdesk.exchange.progress import Cancelled
from gzdesk.overview import record_snapshot_sent
from gzdesk.permissions import Cap
from gzdesk.ui import files as chooser
from gzdesk.ui.background import BackgroundRunner
from gzdesk.ui.controller import ALL, EXCHANGE, Controller, may
from gzdesk.ui.widgets import LazyPage

SNAPSHOT_FILTER = "上报快照 (*.gzsnap *.db *.sqlite);;所有文件 (*)"
BACKUP_FILTER = "数据库备份 (*.db *.bak *.sqlite);;所有文件 (*)"
SOURCES_PAGE = "snapshot_sources"


class ReportDialog(QDialog):
    """Shows a multi-line Chinese report (merge result, database check)."""

    def __init__(self, title: str, heading: str, text: str, parent: QWidget | None = None,
                 path: Path | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(720, 420)
        layout = QVBoxLayout(self)
        self.heading = QLabel(heading)
        self.heading.setWordWrap(True)
        layout.addWidget(self.heading)
        self.text = QPlainTextEdit(text)
        self.text.setReadOnly(True)
        layout.addWidget(self.text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        if path is not None:  # a file just written (a snapshot to e-mail): show where it is
            folder = buttons.addButton("打开所在文件夹", QDialogButtonBox.ButtonRole.ActionRole)
            folder.setObjectName("openFolder")
            folder.clicked.connect(lambda: chooser.open_folder(path))
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)


class SourcesPage(LazyPage):
    """来源快照: per lower office, the date of its last snapshot merged here and its counts."""

    HEADERS = ["来源单位", "策略配置", "最近快照日期", "合并时间", "快照账号数", "本库现有账号", "本库现有记录",
               "上次合并结果", "公钥指纹"]

    def __init__(self, controller: Controller, on_merge: Callable[[], object] | None = None,
                 parent: QWidget | None = None):
        super().__init__(controller, parent)
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.summary = QLabel()
        top.addWidget(self.summary, 1)
        self.merge_button = QPushButton("合并下级快照…")
        top.addWidget(self.merge_button)
        # a 管理员's actions on a source, each written to the audit log (gzdesk/exchange/trust.py)
        self.repin_button = QPushButton("重新登记公钥…")
        self.repin_button.setToolTip("该单位重建数据库、更换了密钥时：先电话核对新指纹，再选择其新快照")
        self.reset_time_button = QPushButton("重置快照时间")
        self.reset_time_button.setToolTip("该单位电脑时钟曾不准、最近快照时间晚于实际时：重置为合并时间")
        self.reset_history_button = QPushButton("重置审计链")
        self.reset_history_button.setToolTip("该单位从备份恢复或重建了数据库：其下一份快照作为新的历史开始")
        for b in (self.repin_button, self.reset_time_button, self.reset_history_button):
            top.addWidget(b)
            b.setVisible(may(controller, Cap.TRUST))
        self.repin_button.clicked.connect(lambda: self.repin())
        self.reset_time_button.clicked.connect(lambda: self._reset(trust.reset_time, "重置快照时间"))
        self.reset_history_button.clicked.connect(lambda: self._reset(trust.reset_history, "重置审计链"))
        layout.addLayout(top)
        if on_merge is not None:
            self.merge_button.clicked.connect(on_merge)
        self.table = QTableWidget(0, len(self.HEADERS))
        self.table.setHorizontalHeaderLabels(self.HEADERS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table)

    def selected_name(self) -> str | None:
        row = self.table.currentRow()
        return self.rows[row].name if 0 <= row < len(self.rows) else None

    def repin(self, file: str | Path | None = None) -> bool:
        if file is None:
            file = chooser.ask_open_file(self, "选择该单位用新密钥签名的快照", SNAPSHOT_FILTER)
            if not file:
                return False
        try:
            done = self.controller.write(trust.repin_from_file, Path(file), topic=ALL)
        except UserError as exc:
            QMessageBox.warning(self, "重新登记公钥", exc.message)
            return False
        old = (done.old or "（无）") + ("（该单位重建的数据库）" if done.rebuilt else "")
        QMessageBox.information(self, "重新登记公钥", f"已重新登记“{done.source}”的签名公钥：\n{old} → {done.new}\n已记入审计日志。")
        return True

    def _reset(self, fn, title: str) -> bool:
        name = self.selected_name()
        if name is None:
            QMessageBox.warning(self, title, "请先在列表中选择来源单位")
            return False
        if QMessageBox.question(self, title, f"{title}：来源“{name}”？此操作记入审计日志。") != \
                QMessageBox.StandardButton.Yes:
            return False
        try:
            self.controller.write(fn, name, topic=ALL)
        except UserError as exc:
            QMessageBox.warning(self, title, exc.message)
            return False
        return True

    def reload(self) -> None:
        self._stale = False
        try:
            rows = self.controller.read(merge.list_sources)
        except UserError:
            rows = []
        self.rows = rows
        self.table.setRowCount(len(rows))
        for r, src in enumerate(rows):
            result = src.last_result
            values = [src.name, src.profile_name or src.profile_id or "", cn_date(src.snapshot_created_at.date()),
                      f"{cn_date(src.merged_at.date())} {src.merged_at:%H:%M}", str(src.counts.get("account", 0)),
                      str(src.accounts_here), str(src.records_here),
                      f"新增 {result.get('added', 0)}、更新 {result.get('changed', 0)}、已不存在 {result.get('gone', 0)}",
                      src.fingerprint or "（未登记）"]
            for c, text in enumerate(values):
                item = QTableWidgetItem(text)
                if c >= 4 and c <= 6:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self.summary.setText(f"已合并 {len(rows)} 个下级单位的上报快照" if rows else
                             "尚未合并过下级单位的上报快照。用“合并下级快照…”选择各县（区）报来的快照文件。")

    refresh = reload


class SnapshotActions:
    """The actions and their handlers; kept on the window as ``window.snapshot_actions``."""

    def __init__(self, window):
        self.window = window
        self.controller: Controller = window.controller
        self.last_dialog: QDialog | None = None
        settings = getattr(window, "settings", None)
        folder = settings.value("files/last_backup_folder") if settings is not None else None
        self.last_backup_folder: Path | None = Path(folder) if isinstance(folder, str) and folder else None

    # ------------------------------------------------------------------ helpers
    def _error(self, error: BaseException | str) -> None:
        show = getattr(self.window, "show_error", None)
        if callable(show):
            show(error)
        else:
            QMessageBox.warning(self.window, "提示", str(error))

    def _status(self, text: str) -> None:
        status = getattr(self.window, "status_message", None)
        if callable(status):
            status(text)

    def _show(self, dialog: QDialog) -> None:
        self.last_dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def _db_path(self) -> Path:
        return Path(self.controller.db.path)

    # ------------------------------------------------------------------ snapshots
    def export(self, target: str | Path | None = None) -> snapshot.SnapshotInfo | None:
        """导出上报快照…"""
        if target is None:
            try:
                unit = self.controller.office().unit_name
            except UserError:
                unit = "本单位"
            suggested = f"{unit}-上报快照-{date.today():%Y%m%d}.gzsnap"
            target = chooser.ask_save_file(self.window, "导出上报快照", suggested, SNAPSHOT_FILTER)
            if not target:
                return None
        try:
            self.controller.db.require(Cap.EXPORT)  # a snapshot is a full, unmasked copy
            if self.controller.read(signing.office_key) is None:  # a database from before signing
                self.controller.write_quiet(signing.ensure_key)
            # in a worker: checking and copying 200,000 accounts takes tens of seconds (issue 14)
            runner = BackgroundRunner(self.window, "导出上报快照", "正在导出上报快照…")
            db_path, out = self._db_path(), Path(target)
            info = runner.run(lambda cb: snapshot.export_snapshot(db_path, out, progress=cb))
        except Cancelled:
            self._status("已取消导出，未留下文件")
            return None
        except UserError as exc:
            self._error(exc)
            return None
        m = info.manifest
        try:
            self.controller.write(record_snapshot_sent, info.path, m.created, topic=EXCHANGE)
        except UserError:  # a read-only database: the snapshot is written all the same
            pass
        counts = "、".join(f"{merge.TABLE_LABELS.get(t, t)} {n}" for t, n in m.counts.items() if n)
        self._show(ReportDialog("导出上报快照", f"已导出上报快照：{info.path}",
                                f"来源：{m.source_name}\n导出时间：{cn_date(m.created.date())} {m.created:%H:%M}\n"
                                f"记录数：{counts}\n文件大小：{info.size // 1024} KB\nSHA-256：{m.sha256}\n"
                                + (f"审计链末端：第 {m.chain_head[0]} 条 {m.chain_head[1][:16]}\n" if m.chain_head else "")
                                + (f"已用本单位密钥签名，公钥指纹：{signing.fingerprint(m.public_key)}"
                                   "（上级首次合并时请与之电话核对）\n" if m.signature and m.public_key else "") + "\n"
                                "请把此文件通过电子邮件或U盘报送上级单位。", self.window, path=info.path))
        self._status(f"已导出上报快照 {info.path}")
        return info

    def merge(self, files: Sequence[str | Path] | None = None) -> list[merge.MergeReport] | None:
        """合并下级快照… (several files at once; all or nothing)."""
        if files is None:
            files = chooser.ask_open_files(self.window, "选择下级单位报来的快照文件", SNAPSHOT_FILTER)
            if not files:
                return None
        # in a worker (one transaction of its own, all or nothing); the pages are told on this thread
        runner = BackgroundRunner(self.window, "合并下级快照", "正在合并下级快照…")
        db, paths, actor = self.controller.db, [Path(f) for f in files], self.controller.actor
        try:
            reports = runner.run(lambda cb: merge.merge_snapshots(db, paths, progress=cb, actor=actor))
        except Cancelled:
            self._status("已取消合并，本库未作任何改动")
            return None
        except UserError as exc:
            self._error(f"{exc}\n\n本库未作任何改动。")
            return None
        self.controller.notify(ALL)
        changed = sum(len(r.added) + len(r.changed) + len(r.gone) for r in reports)
        heading = (f"已合并 {len(reports)} 个快照文件，共 {changed} 项改动。" if changed else
                   f"{len(reports)} 个快照文件都已合并过或较旧，本库未作任何改动。")
        self._show(ReportDialog("合并结果", heading, "\n\n".join(r.text() for r in reports), self.window))
        self._status(heading)
        return reports

    # ------------------------------------------------------------------ backups
    def backup(self, folder: str | Path | None = None) -> Path | None:
        """文件 → 备份数据库…"""
        if folder is None:
            default = backup.backups_dir(self._db_path())
            default.mkdir(parents=True, exist_ok=True)
            folder = chooser.ask_folder(self.window, "选择备份文件夹", default)
            if not folder:
                return None
        try:
            self.controller.db.require(Cap.EXPORT)
            path = backup.backup_database(self._db_path(), Path(folder))
        except UserError as exc:
            self._error(exc)
            return None
        self.last_backup_folder = Path(folder)
        settings = getattr(self.window, "settings", None)
        if settings is not None:
            settings.setValue("files/last_backup_folder", str(folder))
        self.controller.notify(EXCHANGE)
        QMessageBox.information(self.window, "备份数据库", f"已备份到：\n{path}")
        return path

    def restore(self, file: str | Path | None = None, confirm: bool = True) -> RestoreResult | None:
        """文件 → 从备份恢复…"""
        if file is None:
            start = backup.backups_dir(self._db_path())
            file = chooser.ask_open_file(self.window, "选择要恢复的备份", BACKUP_FILTER, start)
            if not file:
                return None
        try:
            backup.require_restore(self._db_path(), lambda: self.controller.db.require(Cap.RESTORE))
            backup.check_database_file(Path(file))
        except UserError as exc:
            self._error(exc)
            return None
        if confirm and QMessageBox.question(
                self.window, "从备份恢复",
                f"用备份“{Path(file).name}”替换当前数据库？\n当前数据库会先自动备份（已损坏的改名保留）。") != QMessageBox.StandardButton.Yes:
            return None
        try:
            user = self.controller.user
            result = backup.restore_database(self._db_path(), Path(file), actor=user.name if user else None)
        except UserError as exc:
            self._error(exc)
            return None
        self.controller.db.close()  # a damaged file set aside: no connection may stay on it
        self.controller.notify(ALL)
        before = (f"原数据库已损坏，已改名保留为：\n{result.set_aside}" if result.set_aside else
                  f"恢复前的数据库已备份到：\n{result.safety_copy}")
        note = "\n\n此备份没有校验文件（较早的备份），无法确认它在备份之后未被改动。" \
            if result.checksum == backup.UNCHECKED else ""
        QMessageBox.information(self.window, "从备份恢复", f"已从备份恢复。\n{before}{note}")
        return result

    def verify(self) -> VerifyReport | None:
        """文件 → 检查数据库"""
        try:
            report = backup.verify_database(self._db_path())
        except UserError as exc:
            self._error(exc)
            return None
        heading = "检查通过：文件完整，外键一致，审计日志的校验链完整、每条记录都与日志相符（这说明文件内部一致）。" \
            if report.ok else \
            f"发现 {len(report.problems)} 个问题，请联系管理员并保留数据库文件。"
        self._show(ReportDialog("检查数据库", heading, "\n".join(report.lines()), self.window))
        return report


def install(window) -> None:
    actions = SnapshotActions(window)
    window.snapshot_actions = actions

    exchange = window.menu("数据交换")
    if exchange.actions():
        exchange.addSeparator()
    export_action = QAction("导出上报快照…", window)
    export_action.setStatusTip("把本库导出为一个快照文件，报送上级单位")
    export_action.triggered.connect(lambda: actions.export())
    merge_action = QAction("合并下级快照…", window)
    merge_action.setStatusTip("把各县（区）报来的快照合并到本库")
    merge_action.triggered.connect(lambda: actions.merge())
    exchange.addAction(export_action)
    exchange.addAction(merge_action)

    page = SourcesPage(window.controller, on_merge=lambda: actions.merge())
    window.add_page(SOURCES_PAGE, "来源快照", page)
    sources_action = QAction("来源快照", window)
    sources_action.triggered.connect(lambda: window.show_page(SOURCES_PAGE))
    exchange.addAction(sources_action)

    file_menu = window.menu("文件")
    before = getattr(window, "quit_action", None)
    items = []
    for title, slot in (("备份数据库…", actions.backup), ("从备份恢复…", actions.restore), ("检查数据库", actions.verify)):
        action = QAction(title, window)
        action.triggered.connect(lambda _=False, fn=slot: fn())
        items.append(action)
    if before is not None and before in file_menu.actions():
        for action in items:
            file_menu.insertAction(before, action)
        file_menu.insertSeparator(before)
    else:
        file_menu.addSeparator()
        file_menu.addActions(items)
    window.snapshot_menu_actions = {"export": export_action, "merge": merge_action, "sources": sources_action,
                                    "backup": items[0], "restore": items[1], "verify": items[2]}
    for key, cap in (("export", Cap.EXPORT), ("merge", Cap.IMPORT), ("backup", Cap.EXPORT),
                     ("restore", Cap.RESTORE)):
        window.snapshot_menu_actions[key].setEnabled(may(window.controller, cap))
