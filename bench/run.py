"""One command for every speed measurement of issue 14, each against its bare baseline in the same run.

    .venv/bin/python bench/run.py [--scale 2000,20000,200000] [--only export,merge] [--repeat 3]

For each scale it builds (once, kept in ``bench/.cache/``, not committed) a demo database of that
many accounts, its Excel 台账, its snapshot and the county snapshots of 2,000 accounts each that a
city merges (scale / 2,000 of them: 1, 10, 100). Every measurement runs in a child process of its
own — the gzdesk operation in one, its baseline in another — so each side's peak memory
(``resource.getrusage``: the process's own and its children's maximum resident size) is its own.
Times are medians of ``--repeat`` runs (one run at 100,000 accounts and more, where a run takes
minutes). The table goes to ``bench/RESULTS.md``: scale, measured, baseline, ratio, goal, met, and
per operation the growth from the smallest to the largest scale (linear when the time grows no
faster than the rows: exponent ≤ 1.1).

Ratios, not absolute times, are what a change is judged by: both sides run on the same machine,
one right after the other (at 200,000 rows that is minutes apart: on a busy machine the load may
have changed between them). The tests never assert a time; ``tests/test_bench_run.py`` only checks that
this command runs at a tiny scale.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

CITY = "南通市人民政府办公室"
OFFICE = "海门区人民政府办公室"
PROFILE = "nantong"
COUNTY_ACCOUNTS = 2000
TODAY = "2026-11-20"
GZDESK = [sys.executable, "-m", "gzdesk"]


# --------------------------------------------------------------------------- the cached inputs


def _new_db(path: Path, unit: str):
    from gzdesk import office
    from gzdesk.db import Database

    for p in path.parent.glob(path.name + "*"):
        p.unlink()
    db = Database(path, actor="bench", backup=False)
    with db.transaction() as s:
        office.init_office(s, unit, PROFILE)
    return db


def _demo_db(cache: Path, n: int) -> Path:
    from gzdesk import demo

    path = cache / f"demo-{n}.db"
    if not path.exists():
        tmp = cache / f"demo-{n}.tmp.db"
        db = _new_db(tmp, OFFICE)
        demo.generate(db, n, seed=1, today=date.fromisoformat(TODAY))
        db.close()
        tmp.rename(path)
    return path


def _xlsx(cache: Path, n: int) -> Path:
    from gzdesk.db import Database
    from gzdesk.exchange.excel_export import export_workbook

    path = cache / f"demo-{n}.xlsx"
    if not path.exists():
        db = Database(_demo_db(cache, n), actor="bench", backup=False)
        with db.reader() as s:
            export_workbook(s, path)
        db.close()
    return path


def _snapshot(cache: Path, n: int) -> Path:
    from gzdesk.exchange.snapshot import export_snapshot

    path = cache / f"demo-{n}.gzsnap"
    if not path.exists():
        export_snapshot(_demo_db(cache, n), path)
    return path


def _counties(cache: Path, count: int, size: int = COUNTY_ACCOUNTS) -> list[Path]:
    """``count`` snapshots of different counties, ``size`` accounts each (what a city merges)."""
    from gzdesk import demo
    from gzdesk.exchange.snapshot import export_snapshot

    folder = cache / "counties"
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for k in range(count):
        path = folder / (f"county-{k:03d}.gzsnap" if size == COUNTY_ACCOUNTS else f"county{size}-{k:03d}.gzsnap")
        if not path.exists():
            db_path = folder / "county.db"
            db = _new_db(db_path, f"第{k + 1}县人民政府办公室")
            demo.generate(db, size, seed=k + 1, today=date.fromisoformat(TODAY))
            db.close()
            export_snapshot(db_path, path)
        out.append(path)
    return out


def _bare_copy(snapshots: list[Path], target: Path) -> None:
    """What any merge must do at least: every synced row copied by SQLite into plain tables (no
    keys, no checks, no id mapping)."""
    from gzdesk.exchange.merge import synced_tables

    conn = sqlite3.connect(target)
    for path in snapshots:
        conn.execute("ATTACH DATABASE ? AS snap", (str(path),))
        for t in synced_tables():
            conn.execute(f'CREATE TABLE IF NOT EXISTS main."{t.name}" AS SELECT * FROM snap."{t.name}" WHERE 0')
            conn.execute(f'INSERT INTO main."{t.name}" SELECT * FROM snap."{t.name}"')
        conn.commit()
        conn.execute("DETACH DATABASE snap")
    conn.close()


# --------------------------------------------------------------------------- measurements (in the child)


@dataclass
class Ctx:
    cache: Path
    scale: int
    tmp: Path
    repeat: int


def _timed(fn: Callable[[], object], repeat: int, setup: Callable[[], object] | None = None) -> list[float]:
    times = []
    for _ in range(repeat):
        if setup:
            setup()
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return times


def _run_cli(args: list[str]) -> None:
    subprocess.run(GZDESK + args, check=True, stdout=subprocess.DEVNULL, cwd=ROOT,
                   env=dict(os.environ, GZDESK_HOME=str(Path(tempfile.gettempdir()) / "gzdesk-bench-home")))


def export_measured(c: Ctx) -> list[float]:
    from gzdesk.db import Database
    from gzdesk.exchange.excel_export import export_workbook

    db = Database(_demo_db(c.cache, c.scale), actor="bench", backup=False)

    def run():
        with db.reader() as s:
            export_workbook(s, c.tmp / "out.xlsx")
    return _timed(run, c.repeat)


def export_baseline(c: Ctx) -> list[float]:
    from bench_excel import _cells, bare_xlsxwriter

    from gzdesk.db import Database

    sheets = _cells(Database(_demo_db(c.cache, c.scale), actor="bench", backup=False))
    return _timed(lambda: bare_xlsxwriter(c.tmp / "bare.xlsx", sheets), c.repeat)


def import_measured(c: Ctx) -> list[float]:
    from gzdesk.exchange.excel_import import apply_plan, read_workbook

    xlsx = _xlsx(c.cache, c.scale)
    holder = {}

    def setup():
        holder["db"] = _new_db(c.tmp / "target.db", OFFICE)

    def run():
        db = holder["db"]
        with db.transaction() as s:
            plan = read_workbook(xlsx, session=s)
            apply_plan(s, plan)
        db.close()
    return _timed(run, c.repeat, setup)


def calamine_baseline(c: Ctx) -> list[float]:
    from bench_excel import bare_calamine

    xlsx = _xlsx(c.cache, c.scale)
    return _timed(lambda: bare_calamine(xlsx), c.repeat)


def cli_import_measured(c: Ctx) -> list[float]:
    xlsx = _xlsx(c.cache, c.scale)
    target = c.tmp / "cli.db"

    def setup():
        for p in c.tmp.glob("cli.db*"):
            p.unlink()
        _run_cli(["init", "--unit", OFFICE, "--profile", PROFILE, "--db", str(target)])
    return _timed(lambda: _run_cli(["import-excel", str(xlsx), "--db", str(target)]), c.repeat, setup)


WIZARD_FILE_ROWS = 300


def _wizard_file(cache: Path, scale: int) -> Path:
    """A county's 300-account 台账 (its own demo registry's export), for the import wizard."""
    _demo_db(cache, scale)
    return _xlsx(cache, WIZARD_FILE_ROWS)


def wizard_check_measured(c: Ctx) -> list[float]:
    """What the import wizard runs before its preview: the file read and checked against the scale's
    registry (``preview_file``), then checked once more after the mapping page (``check_against``)."""
    from gzdesk.db import Database
    from gzdesk.exchange.excel_import import check_against, preview_file

    xlsx = _xlsx(c.cache, WIZARD_FILE_ROWS)
    db = Database(_demo_db(c.cache, c.scale), actor="bench", backup=False)

    def run():
        with db.reader() as s:
            plan = preview_file(s, xlsx)
        with db.reader() as s:
            check_against(s, plan)
    return _timed(run, c.repeat)


def wizard_read_baseline(c: Ctx) -> list[float]:
    """The same 300-row file read and planned with no registry at all."""
    from gzdesk.exchange.excel_import import read_workbook

    xlsx = _xlsx(c.cache, WIZARD_FILE_ROWS)
    return _timed(lambda: read_workbook(xlsx), c.repeat)


def _county_count(scale: int) -> int:
    return max(1, scale // COUNTY_ACCOUNTS)


def _county_files(cache: Path, scale: int) -> list[Path]:
    """scale / 2,000 counties of 2,000 accounts (one of ``scale`` accounts below 2,000)."""
    return _counties(cache, _county_count(scale), min(scale, COUNTY_ACCOUNTS))


def _merge_timed(c: Ctx, files: list[Path]) -> list[float]:
    """gzdesk's merge of ``files`` into a new city library, timed."""
    from gzdesk.exchange.merge import merge_snapshots

    holder = {}

    def setup():
        holder["db"] = _new_db(c.tmp / "city.db", CITY)

    def run():
        merge_snapshots(holder["db"], files)
        holder["db"].close()
    return _timed(run, c.repeat, setup)


def _bare_copy_timed(c: Ctx, files: list[Path]) -> list[float]:
    target = c.tmp / "bare.db"

    def setup():
        for p in c.tmp.glob("bare.db*"):
            p.unlink()
    return _timed(lambda: _bare_copy(files, target), c.repeat, setup)


def merge_measured(c: Ctx) -> list[float]:
    return _merge_timed(c, _county_files(c.cache, c.scale))


def merge_baseline(c: Ctx) -> list[float]:
    return _bare_copy_timed(c, _county_files(c.cache, c.scale))


def merge_one_measured(c: Ctx) -> list[float]:
    return _merge_timed(c, [_snapshot(c.cache, c.scale)])


def merge_one_baseline(c: Ctx) -> list[float]:
    return _bare_copy_timed(c, [_snapshot(c.cache, c.scale)])


def merge_floor_measured(c: Ctx) -> list[float]:
    """The least any merge into the real schema costs: the snapshot's synced rows copied by SQLite
    (ATTACH + INSERT…SELECT, nothing checked or translated) into a new city library, whose tables
    keep their indexes (uuid, origin, references, per-origin numbers). A row whose id the city
    already uses (its own unit) is skipped: this is a floor, not a merge."""
    from gzdesk.exchange.merge import synced_tables

    snap = _snapshot(c.cache, c.scale)
    target = c.tmp / "floor.db"

    def setup():
        _new_db(target, CITY).close()

    def run():
        conn = sqlite3.connect(target, isolation_level=None)
        conn.execute("ATTACH DATABASE ? AS snap", (str(snap),))
        conn.execute("BEGIN")
        for t in synced_tables():
            cols = ", ".join(f'"{col.name}"' for col in t.columns)
            conn.execute(f'INSERT OR IGNORE INTO main."{t.name}" ({cols}) SELECT {cols} FROM snap."{t.name}"')
        conn.execute("COMMIT")
        conn.close()
    return _timed(run, c.repeat, setup)


def snapshot_measured(c: Ctx) -> list[float]:
    from gzdesk.exchange.snapshot import export_snapshot

    src = _demo_db(c.cache, c.scale)
    return _timed(lambda: export_snapshot(src, c.tmp / "out.gzsnap"), c.repeat)


def snapshot_baseline(c: Ctx) -> list[float]:
    src_path = _demo_db(c.cache, c.scale)

    def run():
        src, dst = sqlite3.connect(src_path), sqlite3.connect(c.tmp / "backup.db")
        src.backup(dst)
        src.close()
        dst.close()
    return _timed(run, c.repeat)


def check_measured(c: Ctx) -> list[float]:
    db = str(_demo_db(c.cache, c.scale))
    return _timed(lambda: _run_cli(["check", "--today", TODAY, "--db", db]), c.repeat)


def due_measured(c: Ctx) -> list[float]:
    db = str(_demo_db(c.cache, c.scale))
    return _timed(lambda: _run_cli(["due", "--today", TODAY, "--db", db]), c.repeat)


def scan_baseline(c: Ctx) -> list[float]:
    """A new Python process reading every account row (what listing the registry needs at least)."""
    db = str(_demo_db(c.cache, c.scale))
    code = ("import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
            "rows = c.execute('SELECT * FROM account').fetchall(); print(len(rows))")
    return _timed(lambda: subprocess.run([sys.executable, "-c", code, db], check=True,
                                         stdout=subprocess.DEVNULL), c.repeat)


def demo_measured(c: Ctx) -> list[float]:
    target = c.tmp / "demo.db"

    def setup():
        for p in c.tmp.glob("demo.db*"):
            p.unlink()
        _run_cli(["init", "--unit", OFFICE, "--profile", PROFILE, "--db", str(target)])
    return _timed(lambda: _run_cli(["demo", "--accounts", str(c.scale), "--db", str(target)]), c.repeat, setup)


def _form_setup():
    from bench_forms import context, count_strings

    from gzdesk.printing import templates
    from gzdesk.printing.fonts import fonts
    from gzdesk.printing.render import layout_form

    fonts()
    t = templates.get(PROFILE)
    return t, count_strings(layout_form(t, context(0)))


def form_measured(c: Ctx) -> list[float]:
    from bench_forms import context

    from gzdesk.printing.render import render_context

    t, _ = _form_setup()
    render_context(t, context(0))
    return _timed(lambda: render_context(t, context(1)), max(c.repeat, 5))


def form_baseline(c: Ctx) -> list[float]:
    from bench_forms import bare_page

    _, strings = _form_setup()
    bare_page(strings)
    return _timed(lambda: bare_page(strings), max(c.repeat, 5))


def forms_measured(c: Ctx) -> list[float]:
    from bench_forms import context

    from gzdesk.printing.render import layout_form, render_layouts

    t, _ = _form_setup()
    n = min(1000, c.scale)
    return _timed(lambda: render_layouts([layout_form(t, context(i)) for i in range(n)], "batch"), c.repeat)


def forms_baseline(c: Ctx) -> list[float]:
    import io

    from reportlab.pdfgen.canvas import Canvas

    from gzdesk.printing.fonts import fonts

    _, strings = _form_setup()
    n = min(1000, c.scale)
    fs = fonts()

    def run():
        buf = io.BytesIO()
        canvas = Canvas(buf, pageCompression=1, initialFontName=fs.body.name)
        for _ in range(n):
            canvas.setFont(fs.body.name, 10)
            for k in range(strings):
                canvas.drawString(40 + (k % 5) * 100, 800 - (k // 5) * 12 % 760, f"政务新媒体{k}")
            canvas.showPage()
        canvas.save()
    return _timed(run, c.repeat)


_WINDOW_CHILD = r"""
import os, sys, time
os.environ["QT_QPA_PLATFORM"] = "offscreen"
sys.path.insert(0, sys.argv[3])
if sys.argv[1] == "gzdesk":  # the steps of `gzdesk --db F`: gzdesk.cli.main (before Qt is imported)
    from gzdesk import cli
    argv = ["--db", sys.argv[2]]
    cli.build_parser(cli._modules_for(argv)).parse_args(argv)
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            print(time.time(), flush=True)
            QTimer.singleShot(0, lambda: os._exit(0))
        return False

if sys.argv[1] == "gzdesk":  # then ui.app.run_window / _open_and_run
    from gzdesk.ui.app import make_application
    from gzdesk.ui.waiting import show_wait
    from gzdesk.db import Database
    from gzdesk.ui.controller import Controller
    from gzdesk.ui.file_actions import ensure_initialized, profile_problem
    from gzdesk.ui.main_window import MainWindow
    from gzdesk.logs import environment, setup_logging
    from gzdesk.ui.crash_dialog import CrashReporter
    from pathlib import Path
    app = make_application()
    environment(), CrashReporter(Path(sys.argv[2]), setup_logging("window")).install()
    controller = Controller(Database(Path(sys.argv[2]), window=True, on_wait=show_wait))
    assert ensure_initialized(controller, None) and profile_problem(controller) is None
    assert not controller.has_users()  # the login (a dialog) is left out
    from PySide6.QtWidgets import QTableView
    window = MainWindow(controller)
    window.show_page("accounts")  # 首页 is shown first: the table would never paint
    view = window.findChild(QTableView, "accountTable") or window.findChild(QTableView)
else:
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QMainWindow, QTableView
    app = QApplication([])
    window = QMainWindow()
    model = QStandardItemModel(50, 8)
    for r in range(50):
        for c in range(8):
            model.setItem(r, c, QStandardItem(f"{r}-{c}"))
    view = QTableView()
    view.setModel(model)
    window.setCentralWidget(view)
f = FirstPaint()
view.viewport().installEventFilter(f)
window.resize(1366, 768)
window.show()
app.exec()
"""


def _window(kind: str, c: Ctx) -> list[float]:
    """Start-up as the installed program starts: with its modules' bytecode compiled (pip and
    PyInstaller compile it; where PYTHONDONTWRITEBYTECODE is set, as on the build machines, every
    start compiled ~120 modules again: 0.4–1 s), so one untimed start first writes it to a cache."""
    db = str(_demo_db(c.cache, c.scale))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(GZDESK_HOME=str(Path(tempfile.gettempdir()) / "gzdesk-bench-home"),
               PYTHONPYCACHEPREFIX=str(c.cache / "pycache"))
    times = []
    for n in range(c.repeat + 1):
        t = time.time()
        out = subprocess.run([sys.executable, "-c", _WINDOW_CHILD, kind, db, str(ROOT)], check=True,
                             capture_output=True, text=True, timeout=600, env=env)
        if n:
            times.append(float(out.stdout.split()[-1]) - t)
    return times


def window_measured(c: Ctx) -> list[float]:
    return _window("gzdesk", c)


def window_baseline(c: Ctx) -> list[float]:
    return _window("bare", c)


# ------------------------------------------------------------------ the window's table and pages

SEARCHES = ("青", "发布", "人民政府")  # one to three (and four) Chinese characters, as a clerk types
SORTS = ("name", "followers", "handle", "registered_on")  # 名称 / 关注量 / 账号ID / 创建日期


def _registry_model(c: Ctx):
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtWidgets import QApplication

    from gzdesk import registry
    from gzdesk.db import Database
    from gzdesk.ui.account_table import AccountTableModel

    app = QApplication.instance() or QApplication([])
    db = Database(_demo_db(c.cache, c.scale), actor="bench", backup=False)
    with db.reader() as s:
        table = registry.account_table(s, shown_only=True)  # the window's read (RegistryPage.reload)
    db.close()
    model = AccountTableModel()
    model.set_table(table)
    return app, model


def search_measured(c: Ctx) -> list[float]:
    """A search keystroke, typing to table updated: the page's fixed wait before it filters
    (RegistryPage.SEARCH_DELAY_MS) plus the model's filter and reset, median over SEARCHES."""
    from gzdesk.ui.account_table import RegistryPage

    _app, model = _registry_model(c)
    while not model.rows.prepare():  # what the window makes while idle after its first paint
        pass
    times = []
    for _ in range(c.repeat):
        for text in SEARCHES:
            t = time.perf_counter()
            model.set_filter(text=text)
            times.append(time.perf_counter() - t + RegistryPage.SEARCH_DELAY_MS / 1000)
            model.set_filter(text="")
    return times


def search_baseline(c: Ctx) -> list[float]:
    """SQLite LIKE over name, 账号ID and host unit, the same words."""
    con = sqlite3.connect(_demo_db(c.cache, c.scale))
    sql = ("SELECT a.id FROM account a LEFT JOIN unit u ON u.id = a.host_unit_id "
           "WHERE a.name LIKE ?1 OR a.handle LIKE ?1 OR u.name LIKE ?1 ORDER BY a.id")
    times = []
    for _ in range(c.repeat):
        for text in SEARCHES:
            t = time.perf_counter()
            con.execute(sql, (f"%{text}%",)).fetchall()
            times.append(time.perf_counter() - t)
    return times


def sort_measured(c: Ctx) -> list[float]:
    """A header click on each of SORTS (the first click on a column after loading; slowest of the four)."""
    from PySide6.QtCore import Qt

    from gzdesk.ui.account_table import COLUMN_KEYS

    times = []
    for _ in range(c.repeat):
        _app, model = _registry_model(c)
        while not model.rows.prepare():  # what the window makes while idle after its first paint
            pass
        each = []
        for key in SORTS:
            t = time.perf_counter()
            model.sort(COLUMN_KEYS.index(key), Qt.SortOrder.AscendingOrder)
            each.append(time.perf_counter() - t)
        times.append(max(each))
    return times


def sort_baseline(c: Ctx) -> list[float]:
    """SQLite ORDER BY each of the same columns (slowest of the four)."""
    con = sqlite3.connect(_demo_db(c.cache, c.scale))
    times = []
    for _ in range(c.repeat):
        each = []
        for col in SORTS:
            t = time.perf_counter()
            con.execute(f"SELECT id FROM account ORDER BY {col}, id").fetchall()  # noqa: S608 (fixed names)
            each.append(time.perf_counter() - t)
        times.append(max(each))
    return times


_PAGES_CHILD = r"""
import os, sys, time, json
os.environ["QT_QPA_PLATFORM"] = "offscreen"
sys.path.insert(0, sys.argv[3])
from PySide6.QtCore import QElapsedTimer, QTimer
from PySide6.QtWidgets import QApplication

gaps = []
clock = QElapsedTimer()

def tick():  # a 10 ms timer: the gap between two ticks is how long the GUI thread was busy
    if clock.isValid():
        gaps.append(clock.restart() / 1000)
    else:
        clock.start()

if sys.argv[1] == "gzdesk":
    from gzdesk.db import Database
    from gzdesk.ui.app import make_application
    from gzdesk.ui.main_window import MainWindow
    from gzdesk.ui.controller import Controller
    app = make_application()
    window = MainWindow(Controller(Database(sys.argv[2], window=True)))
    keys = list(window._page_keys)
else:
    from PySide6.QtWidgets import QMainWindow, QStackedWidget, QLabel
    app = QApplication([])
    window = QMainWindow()
    stack = QStackedWidget()
    for i in range(12):
        stack.addWidget(QLabel(f"page {i}"))
    window.setCentralWidget(stack)
    keys = list(range(12))
window.resize(1366, 768)
window.show()
timer = QTimer()
timer.setInterval(10)
timer.timeout.connect(tick)
timer.start()
worst = {}

def visit(i=0):
    if i:
        worst[str(keys[i - 1])] = max(gaps, default=0.0)
    gaps.clear()
    if i == len(keys):
        print(json.dumps(worst), flush=True)
        app.quit()
        return
    if sys.argv[1] == "gzdesk":
        window.show_page(keys[i])
    else:
        stack.setCurrentIndex(i)
    QTimer.singleShot(300, lambda: settled(i + 1))  # the page's own deferred work runs meanwhile

def settled(i):  # "settle": the page's reads in a worker are shown before the next page (else they land on a later one)
    if len(sys.argv) > 4 and sys.argv[1] == "gzdesk":
        from gzdesk.ui.background import reads_pending
        if reads_pending():
            QTimer.singleShot(50, lambda: settled(i))
            return
    visit(i)

QTimer.singleShot(500, visit)
app.exec()
"""


def _pages(kind: str, c: Ctx, *settle: str) -> list[float]:
    db = str(_demo_db(c.cache, c.scale))
    times = []
    for _ in range(c.repeat):
        out = subprocess.run([sys.executable, "-c", _PAGES_CHILD, kind, db, str(ROOT), *settle], check=True,
                             capture_output=True, text=True, timeout=1800,
                             env=dict(os.environ, GZDESK_HOME=str(Path(tempfile.gettempdir()) / "gzdesk-bench-home")))
        worst = json.loads(out.stdout.strip().splitlines()[-1])
        print("  worst GUI-thread block per page: " + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in worst.items()),
              file=sys.stderr)
        times.append(max(worst.values()))
    return times


def pages_measured(c: Ctx) -> list[float]:
    """The worst GUI-thread block (event-loop gap) while every page of the window is shown in turn;
    the peak memory is the window's after every page was visited."""
    return _pages("gzdesk", c)


def pages_baseline(c: Ctx) -> list[float]:
    return _pages("bare", c)


def pages_settled_measured(c: Ctx) -> list[float]:
    """As ``pages``, but each page's reads in a worker (``ui.background``) are shown before the next
    page: at 200,000 a page's read takes seconds, and in ``pages`` most of them land after the
    last page was measured."""
    return _pages("gzdesk", c, "settle")


# --------------------------------------------------------------------------- the table


def _goal_ratio(limit: float) -> Callable[[int, float, float | None, float], bool | None]:
    return lambda scale, t, base, peak: None if base is None else t / base <= limit


def _goal_time(limit_at: dict[int, float] | float, mem_mb: float | None = None):
    def check(scale, t, base, peak):
        limit = limit_at if isinstance(limit_at, float) else limit_at.get(scale)
        if limit is None:
            return None
        return t <= limit and (mem_mb is None or peak <= mem_mb)
    return check


@dataclass
class Bench:
    name: str
    label: str
    measured: Callable[[Ctx], list[float]]
    baseline: Callable[[Ctx], list[float]] | None
    baseline_label: str
    goal: str
    met: Callable[[int, float, float | None, float], bool | None]
    prepare: Callable[[Path, int], object] | None = None
    once: bool = False  # independent of the scale: measured at the first scale only


def _mem_and(limit: float, mem_mb: float, at: int = 100_000):
    def check(scale, t, base, peak):
        ok = base is not None and t / base <= limit
        return ok and (scale < at or peak <= mem_mb)
    return check


BENCHES = [
    Bench("window", "窗口启动到表格首次绘制（offscreen）", window_measured, window_baseline,
          "bare PySide6 window + table", "≤ 0.8 s (≤ 1.5 s, ≤ 400 MB at 200,000)",
          lambda s, t, b, p: t <= (1.5 if s >= 100_000 else 0.8) and (s < 100_000 or p <= 400),
          prepare=_demo_db),
    Bench("search", "查找 keystroke, typing to table updated (the wait + filter)", search_measured,
          search_baseline, "SQLite LIKE, same words", "≤ 100 ms", lambda s, t, b, p: t <= 0.100,
          prepare=_demo_db),
    Bench("sort", "sort by 名称/关注量/账号ID/创建日期 (slowest)", sort_measured, sort_baseline,
          "SQLite ORDER BY, same columns", "≤ 300 ms", lambda s, t, b, p: t <= 0.300, prepare=_demo_db),
    Bench("pages", "worst GUI-thread block, every page shown in turn", pages_measured, pages_baseline,
          "bare window, 12 label pages", "≤ 100 ms (≤ 400 MB at 200,000)",
          lambda s, t, b, p: t <= 0.100 and (s < 100_000 or p <= 400), prepare=_demo_db),
    Bench("pages_settled", "worst GUI-thread block, every page shown in turn until its reads are shown",
          pages_settled_measured, pages_baseline, "bare window, 12 label pages", "≤ 100 ms (≤ 400 MB at 200,000)",
          lambda s, t, b, p: t <= 0.100 and (s < 100_000 or p <= 400), prepare=_demo_db),
    Bench("export", "Excel export (4 sheets)", export_measured, export_baseline, "bare XlsxWriter, same cells",
          "≤ 1.3×, ≤ 1 GB", _mem_and(1.3, 1024), prepare=_demo_db),
    Bench("import", "Excel import (read, check, apply)", import_measured, calamine_baseline,
          "bare python-calamine read", "≤ 2×, ≤ 1 GB", _mem_and(2.0, 1024), prepare=_xlsx),
    Bench("cli_import", "gzdesk import-excel (CLI)", cli_import_measured, calamine_baseline,
          "bare python-calamine read", "≤ 2×, ≤ 1 GB", _mem_and(2.0, 1024), prepare=_xlsx),
    Bench("wizard_check", "import wizard: 300-row file checked against the registry", wizard_check_measured,
          wizard_read_baseline, "the 300-row file read, no registry", "≤ 2× at every scale (cost by the file)",
          _goal_ratio(2.0), prepare=_wizard_file),
    Bench("merge", "merge of scale/2,000 county snapshots", merge_measured, merge_baseline,
          "bare ATTACH + INSERT…SELECT copy", "≤ 60 s for 100 files, linear",
          _goal_time({200_000: 60.0}), prepare=_county_files),
    Bench("merge_one", "merge of one snapshot of the scale", merge_one_measured, merge_one_baseline,
          "bare ATTACH + INSERT…SELECT copy", "≤ 5×", _goal_ratio(5.0), prepare=_snapshot),
    Bench("merge_floor", "INSERT…SELECT of one snapshot into the gzdesk schema (floor under merge_one)",
          merge_floor_measured, merge_one_baseline, "bare ATTACH + INSERT…SELECT copy", "— (for reading merge_one)",
          lambda s, t, b, p: None, prepare=_snapshot),
    Bench("snapshot", "snapshot export", snapshot_measured, snapshot_baseline, "SQLite backup API",
          "≤ 2×", _goal_ratio(2.0), prepare=_demo_db),
    Bench("check", "gzdesk check (CLI)", check_measured, scan_baseline, "bare account scan (new process)",
          "≤ 3 s at 200,000", _goal_time({200_000: 3.0}), prepare=_demo_db),
    Bench("due", "gzdesk due (CLI)", due_measured, scan_baseline, "bare account scan (new process)",
          "≤ 1 s at 200,000", _goal_time({200_000: 1.0}), prepare=_demo_db),
    Bench("demo", "gzdesk demo --accounts N (CLI)", demo_measured, None, "—", "≤ 30 s at 200,000",
          _goal_time({200_000: 30.0})),
    Bench("form", "one 备案登记表 PDF (南通)", form_measured, form_baseline,
          "bare reportlab page, same strings", "≤ 150 ms", lambda s, t, b, p: t <= 0.150, once=True),
    Bench("forms", "1,000 forms in one PDF", forms_measured, forms_baseline,
          "bare reportlab, 1,000 pages", "≤ 150 ms a form", lambda s, t, b, p: t / min(1000, s) <= 0.150, once=True),
]
def _domain_call(c: Ctx, fn_name: str) -> list[float]:
    """A domain function as the window's page runs it: in a process that has already run it once
    (imports, SQLAlchemy's statement cache, chinese-calendar's days), on a session of its own."""
    from importlib import import_module

    from gzdesk.db import Database

    module, name = fn_name.split(":")
    fn = getattr(import_module(module), name)
    db = Database(_demo_db(c.cache, c.scale), actor="bench", backup=False)
    today = date.fromisoformat(TODAY)

    def run():
        with db.reader() as s:
            fn(s, today)
    run()
    times = _timed(run, c.repeat)
    db.close()
    return times


def check_page_measured(c: Ctx) -> list[float]:
    return _domain_call(c, "gzdesk.rules:check")


def due_page_measured(c: Ctx) -> list[float]:
    return _domain_call(c, "gzdesk.deadlines:pending")


def scan_in_process_baseline(c: Ctx) -> list[float]:
    """Every account row read in a process already running (what listing the registry needs at least)."""
    db = str(_demo_db(c.cache, c.scale))

    def run():
        conn = sqlite3.connect(db)
        conn.execute("SELECT * FROM account").fetchall()
        conn.close()
    return _timed(run, c.repeat)


BENCHES += [
    Bench("check_page", "rules.check in a running process (检查 page)", check_page_measured, scan_in_process_baseline,
          "bare account scan (same process)", "—", lambda s, t, b, p: None, prepare=_demo_db),
    Bench("due_page", "deadlines.pending in a running process (待办 page)", due_page_measured,
          scan_in_process_baseline, "bare account scan (same process)", "—", lambda s, t, b, p: None,
          prepare=_demo_db),
]

CHILD = {b.name: b for b in BENCHES}


@dataclass
class Row:
    bench: Bench
    scale: int
    t: float
    peak: float
    base: float | None
    base_peak: float | None


def _child(name: str, side: str, ctx: Ctx) -> None:
    bench = CHILD[name]
    if side == "prepare":
        if bench.prepare:
            bench.prepare(ctx.cache, ctx.scale)
        print(json.dumps({"times": [0.0], "peak_mb": 0}))
        return
    fn = bench.measured if side == "measured" else bench.baseline
    assert fn is not None
    times = fn(ctx)
    peak_kb = max(_own_peak_kb(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    print(json.dumps({"times": times, "peak_mb": peak_kb / 1024}))


def _own_peak_kb() -> int:
    """This process's peak resident memory since it started (``VmHWM``; ``ru_maxrss`` would also
    count what the parent held when it forked)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _spawn(name: str, side: str, scale: int, cache: Path, repeat: int) -> tuple[float, float]:
    tmp = Path(tempfile.mkdtemp(prefix=f"gzdesk-bench-{name}-"))
    try:
        out = subprocess.run([sys.executable, __file__, "--child", name, "--side", side, "--scale", str(scale),
                              "--cache", str(cache), "--repeat", str(repeat), "--tmp", str(tmp)],
                             check=True, capture_output=True, text=True, cwd=ROOT)
    except subprocess.CalledProcessError as exc:
        sys.stderr.write(exc.stderr)
        raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    data = json.loads(out.stdout.strip().splitlines()[-1])
    return statistics.median(data["times"]), data["peak_mb"]


def _fmt_s(t: float | None) -> str:
    if t is None:
        return "—"
    return f"{t * 1000:.0f} ms" if t < 1 else f"{t:.2f} s"


def write_results(rows: list[Row], path: Path, scales: list[int], started: str, seconds: float,
                  done: bool = True) -> None:
    state = f"{seconds / 60:.0f} min in all" if done else f"**stopped or still running** after {seconds / 60:.0f} min"
    lines = ["# Speed measurements", "",
             f"`python bench/run.py --scale {','.join(map(str, scales))}` on {started} ({os.cpu_count()} cores, "
             f"Python {sys.version.split()[0]}), {state}. Medians; peak = the process's "
             "maximum resident memory (with its child processes). Ratio = measured / baseline, the baseline run "
             "right after the operation (minutes apart at 200,000 rows). Regenerate with the command above.", "",
             "| operation | scale | measured | peak MB | baseline | baseline | base MB | ratio | goal | met |",
             "|---|---:|---:|---:|---|---:|---:|---:|---|---|"]
    for r in rows:
        ratio = f"{r.t / r.base:.2f}×" if r.base else "—"
        met = r.bench.met(r.scale, r.t, r.base, r.peak)
        lines.append(f"| {r.bench.label} | {'—' if r.bench.once else f'{r.scale:,}'} | {_fmt_s(r.t)} | "
                     f"{r.peak:.0f} | {r.bench.baseline_label} | {_fmt_s(r.base)} | "
                     f"{'—' if r.base_peak is None else f'{r.base_peak:.0f}'} | {ratio} | {r.bench.goal} | "
                     f"{'—' if met is None else ('yes' if met else '**no**')} |")
    multi = [b for b in BENCHES if not b.once and len({r.scale for r in rows if r.bench is b}) > 1]
    if multi:
        lines += ["", "Growth with the scale: time per 1,000 accounts at each scale, and the exponent k of "
                  "time ∝ scale^k between the smallest and largest scale (k ≤ 1.1: linear).", "",
                  "| operation | " + " | ".join(f"{s:,}" for s in scales) + " | k | linear |",
                  "|---|" + "---:|" * len(scales) + "---:|---|"]
        for b in multi:
            mine = {r.scale: r.t for r in rows if r.bench is b}
            cells = [f"{mine[s] / s * 1000 * 1000:.1f} ms" if s in mine else "—" for s in scales]
            lo, hi = min(mine), max(mine)
            k = math.log(mine[hi] / mine[lo]) / math.log(hi / lo)
            lines.append(f"| {b.label} | " + " | ".join(cells) + f" | {k:.2f} | {'yes' if k <= 1.1 else '**no**'} |")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", default="2000,20000,200000", help="account counts, comma-separated")
    ap.add_argument("--only", help="measurements to run, comma-separated: " + ", ".join(CHILD))
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement (1 at ≥ 100,000 accounts)")
    ap.add_argument("--cache", default=str(ROOT / "bench" / ".cache"), help="where the databases are kept")
    ap.add_argument("--out", default=str(ROOT / "bench" / "RESULTS.md"))
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--side", help=argparse.SUPPRESS)
    ap.add_argument("--tmp", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    os.environ["GZDESK_HOME"] = str(Path(tempfile.gettempdir()) / "gzdesk-bench-home")
    if args.child:
        _child(args.child, args.side, Ctx(cache, int(args.scale), Path(args.tmp), args.repeat))
        return 0
    scales = [int(s) for s in args.scale.split(",")]
    names = args.only.split(",") if args.only else list(CHILD)
    unknown = set(names) - set(CHILD)
    if unknown:
        ap.error(f"unknown measurement: {', '.join(sorted(unknown))}")
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    t_all = time.perf_counter()
    rows: list[Row] = []
    for i, scale in enumerate(scales):
        repeat = 1 if scale >= 100_000 else args.repeat
        for bench in (CHILD[n] for n in names):
            if bench.once and i > 0:
                continue
            if bench.prepare:  # in a child too, so that this process stays small for the ones it forks
                t = time.perf_counter()
                _spawn(bench.name, "prepare", scale, cache, repeat)
                if time.perf_counter() - t > 1:
                    print(f"  (prepared inputs for {bench.name} at {scale:,}: {time.perf_counter() - t:.0f} s)",
                          flush=True)
            t, peak = _spawn(bench.name, "measured", scale, cache, repeat)
            base, base_peak = _spawn(bench.name, "baseline", scale, cache, repeat) if bench.baseline else (None, None)
            rows.append(Row(bench, scale, t, peak, base, base_peak))
            ratio = f"{t / base:6.2f}×" if base else "      —"
            print(f"{scale:>8,} {bench.name:<11} {_fmt_s(t):>10} {peak:7.0f} MB   baseline {_fmt_s(base):>10} "
                  f"ratio {ratio}", flush=True)
            # after every measurement, so that a run stopped early still leaves what it measured
            write_results(rows, Path(args.out), scales, started, time.perf_counter() - t_all, done=False)
    write_results(rows, Path(args.out), scales, started, time.perf_counter() - t_all)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
