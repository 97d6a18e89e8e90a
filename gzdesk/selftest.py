"""``gzdesk --self-test``: does this installed or frozen program work? (the headless steps)

Each step does the real thing in a temporary folder — never in the user's data folder — and
returns a few words for the summary, or raises. The window's own checks (Qt's Chinese
translations, the icon, the platform plugin) are in ``gzdesk.ui.selftest``; the command line
runs both (``gzdesk.cli.self_test``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date
from pathlib import Path

Step = tuple[str, Callable[[Path], str]]


def check_database(work: Path) -> str:
    """A new database at schema 1, upgraded to the latest with its backup copy, a record written
    in an audited transaction, and ``verify`` content."""
    from gzdesk import backup, office, registry
    from gzdesk.db import Database
    from gzdesk.enums import Platform
    from gzdesk.models import migrations

    path = work / "自检.db"
    migrations.migrate(path, upto=1)
    db = Database(path, actor="自检")
    try:
        if db.upgraded_from != 1 or db.backup_path is None or not db.backup_path.exists():
            raise RuntimeError("从第 1 版升级时没有留下升级前的副本")
        with db.transaction() as s:
            office.init_office(s, "自检县人民政府办公室", "nantong")
            unit = registry.save_unit(s, registry.UnitData(name="自检县教育局", kind="department"))
            registry.save_account(s, registry.AccountData(name="自检发布", platform=Platform.WECHAT_SERVICE,
                                                          host_unit_id=unit, handle="zijian"))
    finally:
        db.close()
    report = backup.verify_database(path)
    if not report.ok:
        raise RuntimeError("数据库检查未通过：" + "；".join(p.message for p in report.problems[:3]))
    conn = sqlite3.connect(path)
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()
    return f"数据库（第 1 版升级到第 {version} 版）"


def check_forms(work: Path) -> str:
    """Every official form printed blank, and one filled from a filing, with its fonts embedded;
    the PDF opens in the print preview's renderer (pdfium)."""
    import pypdfium2 as pdfium

    from gzdesk import filings, registry
    from gzdesk.db import Database
    from gzdesk.enums import FilingKind
    from gzdesk.printing import list_templates, render_blank, render_filing

    pdfs = {f"空白{t.id}": render_blank(t.id) for t in list_templates()}
    db = Database(work / "自检.db", actor="自检")
    try:
        with db.transaction() as s:
            account = registry.list_accounts(s)[0].id
            filing = filings.new_filing(s, account, FilingKind.OPEN, "自检", filled_on=date(2026, 1, 5))
        with db.reader() as s:
            pdfs["填写的登记表"] = render_filing(s, filing.id)
    finally:
        db.close()
    for name, data in pdfs.items():
        if not data.startswith(b"%PDF") or b"/FontFile2" not in data:
            raise RuntimeError(f"{name}：PDF 不完整或字体未嵌入")
        doc = pdfium.PdfDocument(data)
        try:
            if len(doc) < 1:
                raise RuntimeError(f"{name}：PDF 没有页面")
        finally:
            doc.close()
    (work / "登记表.pdf").write_bytes(pdfs["填写的登记表"])
    return f"登记表 PDF（{len(pdfs)} 份，字体已嵌入）"


def check_excel(work: Path) -> str:
    """The registry written as .xlsx and read back (XlsxWriter out, python-calamine in)."""
    from gzdesk.db import Database
    from gzdesk.exchange.excel_export import ACCOUNTS_SHEET, export_workbook
    from gzdesk.exchange.sheet_reader import load_tables

    path = work / "台账.xlsx"
    db = Database(work / "自检.db", actor="自检")
    try:
        with db.reader() as s:
            export_workbook(s, path)
    finally:
        db.close()
    tables = load_tables(path)
    cells = {str(c) for row in tables.get(ACCOUNTS_SHEET, []) for c in row}
    if "自检发布" not in cells:
        raise RuntimeError("导出后读回的台账中没有刚写入的账号")
    return "Excel 台账读写"


def check_signing(_work: Path) -> str:
    """An Ed25519 key made, a snapshot's text signed and checked, a changed text refused: the
    ``cryptography`` library is present and works (a frozen build that missed it could not send)."""
    from gzdesk import signing

    public, private = signing.new_key_pair()
    message = "自检快照".encode()
    signature = signing.sign(private, message)
    if not signing.verify(public, message, signature):
        raise RuntimeError("签名后核对未通过")
    if signing.verify(public, message + b"!", signature):
        raise RuntimeError("改动后的内容仍通过了签名核对")
    return "快照签名（Ed25519）"


STEPS: list[Step] = [
    ("数据库与迁移", check_database),
    ("登记表打印", check_forms),
    ("Excel 读写", check_excel),
    ("快照签名", check_signing),
]
