"""Export the registry as the 政务新媒体台账 workbook an office hands in, and the blank template.

Three sheets: 账号台账 (one row per account, every field, unit names, 是/否, uuid last so a
re-import matches exactly), 管理队伍 (one row per role on an account, plus people with no role),
备案记录 (one row per filing; hidden machine columns carry the approval steps, chain and the
frozen account data so that a re-import rebuilds the filing exactly).

Written with XlsxWriter in ``constant_memory`` mode: rows stream to disk as they are written, so
memory stays flat at 200,000 accounts and it is about twice as fast as openpyxl's write-only mode
(see bench/bench_excel.py). The file is written under a temporary name and renamed at the end; a
cancel or an error deletes the partial file.
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter
import xlsxwriter.exceptions
from sqlalchemy import RowMapping, case, func, select
from sqlalchemy.orm import Session, aliased

from gzdesk import enums
from gzdesk.dates import cn_date
from gzdesk.errors import UserError
from gzdesk.exchange.columns import (
    ACCOUNT_COLUMNS,
    ACCOUNTS_SHEET,
    BOOL,
    DATE,
    FILING_COLUMNS,
    FILINGS_SHEET,
    KIND,
    LONG_TEXT_COLUMNS,
    LONG_TEXT_SHEET,
    PHONE,
    PLATFORM,
    ROLE,
    SEQ,
    STATE,
    STATUS,
    TEAM_COLUMNS,
    TEAM_SHEET,
    UNIT_COLUMNS,
    UNIT_TYPE,
    UNITS_SHEET,
    Column,
)
from gzdesk.exchange.long_text import EXCEL_CELL_CHARS, LongText, split_cell, too_long
from gzdesk.exchange.masking import mask_json, mask_phone_field, mask_text
from gzdesk.exchange.progress import ProgressCallback, Ticker
from gzdesk.exchange.write_target import check_target, write_error
from gzdesk.filing_changes import changes_text
from gzdesk.models import Account, AccountRole, ApprovalStep, Filing, Person, Unit
from gzdesk.office import office
from gzdesk.permissions import Cap, require

DATE_FORMAT = 'yyyy"年"m"月"d"日"'
HEADER_ROW = 2  # rows 0–1: title and subtitle; data starts below the header
TEMPLATE_ROWS = 1000  # rows of drop-downs in the blank template
YES, NO = "是", "否"
JSON_COLUMNS = frozenset({"chain", "steps", "frozen", "proposed"})
_LABELLED = {PLATFORM: "platform", STATUS: "status", ROLE: "role", KIND: "filing_kind", STATE: "filing_state",
             UNIT_TYPE: "unit_type"}
_SHORT = EXCEL_CELL_CHARS // 2  # a text this short fits a cell whatever its characters (long_text.too_long)


@dataclass
class ExportResult:
    path: Path
    accounts: int
    team_rows: int
    filings: int
    masked: bool
    units: int = 0
    long_texts: list[LongText] = field(default_factory=list)  # continued in the 超长文本 sheet


# --------------------------------------------------------------------------- reading the database


STREAM = {"yield_per": 2000}  # rows stream from SQLite to the sheet: memory stays flat at 200,000


def _account_stmt():
    host, sup, op = aliased(Unit), aliased(Unit), aliased(Unit)
    cols = [c for c in Account.__table__.columns if c.key not in ("qr_image",)]
    return (select(*cols, host.name.label("host_unit"), sup.name.label("supervisor_unit"),
                   op.name.label("operator_unit"), host.uuid.label("host_unit_uuid"),
                   sup.uuid.label("supervisor_unit_uuid"), op.uuid.label("operator_unit_uuid"))
            .outerjoin(host, Account.host_unit_id == host.id)
            .outerjoin(sup, Account.supervisor_unit_id == sup.id)
            .outerjoin(op, Account.operator_unit_id == op.id)
            .order_by(Account.id))


def iter_accounts(session: Session) -> Iterator[RowMapping]:
    """Every account with its unit names, in id order."""
    yield from session.execute(_account_stmt().execution_options(**STREAM)).mappings()


def _tuples(session: Session, stmt) -> tuple[list[str], Iterator[Sequence[Any]]]:
    """(column keys, rows as tuples) of a Core statement, streamed: each value read by its
    column's type as the ORM reads it, without a mapping made per row."""
    result = session.connection().execute(stmt.execution_options(**STREAM))
    return list(result.keys()), iter(result)


def _account_rows(session: Session) -> list[dict[str, Any]]:
    return [dict(r) for r in iter_accounts(session)]


_PERSON_COLS = (Person.id.label("person_id"), Person.name, Unit.name.label("unit"), Person.title,
                Person.office_phone, Person.mobile, Person.trained_on, Person.left_on, Person.notes,
                Person.uuid.label("person_uuid"), Unit.uuid.label("unit_uuid"))


def iter_units(session: Session) -> list[dict[str, Any]]:
    """Every unit, parents before their children (so a re-import can link each to its parent)."""
    parent = aliased(Unit)
    stmt = (select(Unit.__table__, parent.name.label("parent"), parent.uuid.label("parent_uuid"))
            .outerjoin(parent, Unit.parent_id == parent.id).order_by(Unit.id))
    rows = [dict(r) for r in session.execute(stmt).mappings()]
    children: dict[int | None, list[dict[str, Any]]] = {}
    for r in rows:
        children.setdefault(r["parent_id"], []).append(r)
    ids = {r["id"] for r in rows}
    out, todo = [], [r for r in rows if r["parent_id"] is None or r["parent_id"] not in ids]
    while todo:  # breadth-first from the roots
        out.extend(todo)
        todo = [c for r in todo for c in children.get(r["id"], [])]
    return out


def iter_team(session: Session) -> Iterator[RowMapping]:
    """One row per role on an account (in role order), then people on no team with blank account."""
    yield from session.execute(_team_stmt().execution_options(**STREAM)).mappings()
    yield from session.execute(_lone_people_stmt().execution_options(**STREAM)).mappings()


def _team_stmt():
    role_order = case({r: i for i, r in enumerate(enums.ROLE_LABELS)}, value=AccountRole.role, else_=99)
    return (select(Account.name.label("account_name"), Account.platform.label("account_platform"),
                   Account.uuid.label("account_uuid"), AccountRole.role, AccountRole.since, AccountRole.until,
                   *_PERSON_COLS)
            .join(AccountRole, AccountRole.account_id == Account.id)
            .join(Person, AccountRole.person_id == Person.id)
            .outerjoin(Unit, Person.unit_id == Unit.id)
            .order_by(Account.id, role_order, Person.name, Person.id))


def _lone_people_stmt():
    return (select(*_PERSON_COLS).outerjoin(Unit, Person.unit_id == Unit.id)
            .where(~Person.id.in_(select(AccountRole.person_id))).order_by(Person.id))


def _team_rows(session: Session) -> list[dict[str, Any]]:
    return [dict(r) for r in iter_team(session)]


def steps_summary(steps: Sequence[dict[str, Any]]) -> str:
    """1.主办单位意见：同意（张三，2024年3月1日）；2.… — the approval chain in one cell."""
    parts = []
    for s in steps:
        who = "，".join(x for x in (s.get("signer") or "", cn_date(s.get("signed_on"))) if x)
        returned = "（退回）" if s.get("result") == "returned" else ""
        parts.append(f"{s['seq']}.{s['title']}：{s.get('opinion') or ''}{returned}" + (f"（{who}）" if who else ""))
    return "；".join(parts)


def iter_filings(session: Session, mask: bool = False) -> Iterator[dict[str, Any]]:
    """Filings with their steps, in id order (``mask`` is kept for callers; the sheet masks)."""
    acc, kept, parent = aliased(Account), aliased(Account), aliased(Filing)
    f = Filing.__table__.c
    stmt = (select(Filing.__table__, acc.name.label("account_name"), acc.uuid.label("account_uuid"),
                   kept.uuid.label("kept_account_uuid"), parent.uuid.label("merge_parent_uuid"))
            .outerjoin(acc, f.account_id == acc.id)
            .outerjoin(kept, f.kept_account_id == kept.id)
            .outerjoin(parent, f.merge_parent_id == parent.id)
            .order_by(f.id))
    step_rows = session.execute(
        select(ApprovalStep.filing_id, ApprovalStep.seq, ApprovalStep.title, ApprovalStep.opinion,
               ApprovalStep.signer, ApprovalStep.signed_on, ApprovalStep.result, ApprovalStep.uuid)
        .order_by(ApprovalStep.filing_id, ApprovalStep.seq).execution_options(**STREAM)).mappings()
    pending = next(step_rows, None)
    for r in session.execute(stmt.execution_options(**STREAM)).mappings():
        st: list[dict[str, Any]] = []
        while pending is not None and pending["filing_id"] <= r["id"]:  # both streams in filing id order
            if pending["filing_id"] == r["id"]:
                st.append({k: pending[k] for k in ("seq", "title", "opinion", "signer", "signed_on", "result",
                                                   "uuid")})
            pending = next(step_rows, None)
        row = {k: r[k] for k in ("number", "account_name", "kind", "state", "filled_on", "reason", "event_on",
                                 "announce_from", "announce_until", "effective_on", "reported_on", "notes",
                                 "uuid", "account_uuid", "profile_id", "template_id", "merge_parent_uuid",
                                 "kept_account_uuid", "chain")}
        proposed = json.loads(r["proposed"]) if r["proposed"] else {}
        changes = changes_text(proposed, json.loads(r["frozen"]) if r["frozen"] and proposed else {})
        row.update(steps_summary=steps_summary(st), changes_summary=changes, frozen=r["frozen"], proposed=r["proposed"],
                   steps=json.dumps([dict(x, signed_on=x["signed_on"].isoformat() if x["signed_on"] else None)
                                     for x in st], ensure_ascii=False) if st else None)
        yield row


def _filing_rows(session: Session, mask: bool = False) -> list[dict[str, Any]]:
    return list(iter_filings(session, mask))


def _counts(session: Session) -> tuple[int, int, int]:
    """(accounts, 管理队伍 rows, filings) — known before streaming, for the subtitle and progress."""
    n_acc = session.scalar(select(func.count(Account.id))) or 0
    n_team = (session.scalar(select(func.count(AccountRole.id))) or 0) + (
        session.scalar(select(func.count()).select_from(_lone_people_stmt().subquery())) or 0)
    return n_acc, n_team, session.scalar(select(func.count(Filing.id))) or 0


# --------------------------------------------------------------------------- writing


class _Sheet:
    """One sheet of the 台账: title, subtitle, header, typed cells, drop-downs."""

    def __init__(self, book: xlsxwriter.Workbook, fmt: dict[str, Any], name: str, columns: Sequence[Column],
                 title: str, subtitle: str, mask: bool, record_key: str = "name", uuid_key: str = "uuid"):
        self.ws = book.add_worksheet(name)
        self.name = name
        self.fmt = fmt
        self.columns = list(columns)
        self.mask = mask
        self.record_key, self.uuid_key = record_key, uuid_key
        self.long_texts: list[LongText] = []
        self.row = HEADER_ROW + 1
        self._keys: Sequence[str] | None = None  # the columns of the rows being written, when tuples
        last = len(self.columns) - 1
        # Title and subtitle span the printed columns (the uuid columns are left off paper).
        visible_last = max(i for i, c in enumerate(self.columns) if not c.hidden and c.kind != "uuid")
        ws = self.ws
        for i, col in enumerate(self.columns):
            options = {"hidden": True} if col.hidden else {}
            ws.set_column(i, i, col.width, fmt["uuid"] if col.kind == "uuid" else None, options)
        ws.set_row(0, 30)
        ws.merge_range(0, 0, 0, visible_last, title, fmt["title"])
        ws.set_row(1, 18)
        ws.merge_range(1, 0, 1, visible_last, subtitle, fmt["note" if subtitle.startswith("填写说明") else "subtitle"])
        ws.set_row(HEADER_ROW, 36)
        for i, col in enumerate(self.columns):
            ws.write_string(HEADER_ROW, i, col.header, fmt["header"])
        ws.freeze_panes(HEADER_ROW + 1, 2 if columns is ACCOUNT_COLUMNS else 1)
        ws.set_landscape()
        ws.set_paper(8 if len(self.columns) > 16 else 9)  # A3 for the wide 账号台账, else A4
        ws.repeat_rows(HEADER_ROW)
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
        self.last_col = last

    def write(self, values: Mapping[Any, Any], seq: int | None = None) -> None:
        """One row from a mapping of column keys to values (its 序号 ``seq``, if any)."""
        self.write_rows([values], None, seq)

    def write_rows(self, rows: Iterable[Any], keys: Sequence[str] | None = None, first_seq: int | None = 1,
                   ticker: Ticker | None = None) -> None:
        """Rows as tuples of the columns ``keys`` (or, with no keys, as mappings), one writer per
        column made once: the cell's type, label and format are decided per column, not per cell."""
        ws, cell = self.ws, self.fmt["cell"]
        seqs = [i for i, col in enumerate(self.columns) if col.kind == SEQ] if first_seq is not None else []
        cells: list[tuple[int, Any, Callable[[int, int, Any, Any], None]]]  # (column, key or position, writer)
        if keys is None:
            cells = [(i, col.key, self._writer(col)) for i, col in enumerate(self.columns) if col.kind != SEQ]
        else:
            pos = {k: n for n, k in enumerate(keys)}
            cells = [(i, pos[col.key], self._writer(col)) for i, col in enumerate(self.columns)
                     if col.kind != SEQ and col.key in pos]
        self._keys = keys
        r, n = self.row, first_seq or 1
        for row in rows:
            for i in seqs:
                ws.write_number(r, i, n, cell)
            if keys is None:
                get = row.get
                for i, key, write in cells:
                    v = get(key)
                    if v is not None and v != "":
                        write(r, i, v, row)
            else:
                for i, at, write in cells:
                    v = row[at]
                    if v is not None and v != "":
                        write(r, i, v, row)
            r += 1
            n += 1
            if ticker is not None:
                ticker.advance()
        self.row = r

    def _writer(self, col: Column) -> Callable[[int, int, Any, Any], None]:
        """The function writing a non-blank value of ``col`` at (row, column)."""
        ws, fmt, kind = self.ws, self.fmt, col.kind
        cell = fmt["cell"]
        write_string, write_number = _cell_writers(ws)
        if kind == DATE:
            date_fmt = fmt["date"]
            serials: dict[Any, float] = {}
            convert: Any = getattr(ws, "_convert_date_time", None)

            def day(r: int, i: int, v: Any, _row: Any) -> None:
                # The same cell as write_datetime's (a number in the date format), each day's
                # serial number worked out once.
                serial = serials.get(v)
                if serial is None:
                    serial = serials[v] = convert(v if isinstance(v, datetime) else datetime(v.year, v.month, v.day))
                write_number(r, i, serial, date_fmt)

            def day_public(r: int, i: int, v: Any, _row: Any) -> None:  # an XlsxWriter without it
                ws.write_datetime(r, i, v if isinstance(v, datetime) else datetime(v.year, v.month, v.day), date_fmt)
            return day if callable(convert) else day_public
        if kind == BOOL:
            def yes_no(r: int, i: int, v: Any, _row: Any) -> None:
                write_string(r, i, YES if v else NO, cell)
            return yes_no
        if kind in _LABELLED:
            table = _LABELLED[kind]
            labels: dict[tuple[type, Any], str] = {}

            def labelled(r: int, i: int, v: Any, _row: Any) -> None:
                key = (type(v), v)
                text = labels.get(key)
                if text is None:
                    text = labels[key] = enums.label(table, v)
                write_string(r, i, text, cell)
            return labelled
        text_fmt = fmt["wrap"] if col.width >= 24 else cell
        plain = not self.mask or col.kind == "uuid"

        def value(r: int, i: int, v: Any, row: Any) -> None:
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                ws.write_number(r, i, v, cell)
            elif plain and type(v) is str and len(v) <= _SHORT:
                write_string(r, i, v, text_fmt)
            else:
                self._text(r, i, col, row, str(v))
        return value

    def _text(self, r: int, i: int, col: Column, row: Any, text: str) -> None:
        """A text cell: masked in a 脱敏 copy (云南 第三十条), continued in 超长文本 when too long."""
        if self.mask and col.kind != "uuid":
            if col.kind == PHONE:
                text = mask_phone_field(text) or ""
            elif col.key in JSON_COLUMNS:
                text = mask_json(text) or ""
            else:
                text = mask_text(text) or ""
        if too_long(text):
            parts = split_cell(text)
            values: Mapping[str, Any] = row if self._keys is None else dict(zip(self._keys, row, strict=True))
            self.long_texts.append(LongText(self.name, r + 1, str(values.get(self.record_key) or ""), col.header,
                                            len(text), values.get(self.uuid_key), parts))
            text = parts[0]
        self.ws.write_string(r, i, text, self.fmt["wrap"] if col.width >= 24 else self.fmt["cell"])

    def finish(self, dropdown_rows: int) -> None:
        """Drop-downs for the enumerated and 是/否 columns, an autofilter on the header."""
        first, last = HEADER_ROW + 1, max(self.row - 1, HEADER_ROW + dropdown_rows)
        lists = {PLATFORM: list(enums.PLATFORM_LABELS.values()), STATUS: list(enums.STATUS_LABELS.values()),
                 BOOL: [YES, NO], ROLE: list(enums.ROLE_LABELS.values()),
                 KIND: list(enums.FILING_KIND_LABELS.values()), STATE: list(enums.FILING_STATE_LABELS.values()),
                 UNIT_TYPE: list(enums.UNIT_TYPE_LABELS.values())}
        for i, col in enumerate(self.columns):
            if col.kind in lists:
                self.ws.data_validation(first, i, last, i, {
                    "validate": "list", "source": lists[col.kind],
                    "error_title": col.header, "error_message": f"请从下拉列表中选择{col.header}",
                    "input_title": col.header[:32], "input_message": "请从下拉列表中选择"})
        visible_last = max(i for i, c in enumerate(self.columns) if not c.hidden)
        last_row = max(self.row - 1, HEADER_ROW)
        self.ws.autofilter(HEADER_ROW, 0, last_row, visible_last)
        printed = max(i for i, c in enumerate(self.columns) if not c.hidden and c.kind != "uuid")
        self.ws.print_area(0, 0, last_row, printed)  # uuids are for machines, not for paper


def _cell_writers(ws: Any) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """(write_string, write_number) for row and column numbers: XlsxWriter's own undecorated
    methods, which its public ones call after reading the cell's address (A1 or numbers) — a
    tenth of the export's time at 200,000 accounts; the public ones if a version lacks them.
    Numbers are given only where the value is a finite float or int of our own (a date serial)."""
    string, number = getattr(ws, "_write_string", None), getattr(ws, "_write_number", None)
    if callable(string) and callable(number):
        return string, number
    return ws.write_string, ws.write_number


def _formats(book: xlsxwriter.Workbook) -> dict[str, Any]:
    font = {"font_name": "宋体", "font_size": 10, "valign": "vcenter"}
    border = {"border": 1, "border_color": "#999999"}
    return {
        "title": book.add_format({"font_name": "黑体", "font_size": 16, "bold": True, "align": "center",
                                  "valign": "vcenter"}),
        "subtitle": book.add_format({**font, "align": "right"}),
        "note": book.add_format({**font, "align": "left", "font_color": "#C00000"}),
        "header": book.add_format({**font, **border, "bold": True, "align": "center", "text_wrap": True,
                                   "bg_color": "#DDEBF7"}),
        "cell": book.add_format({**font, **border}),
        "wrap": book.add_format({**font, **border}),
        "date": book.add_format({**font, **border, "num_format": DATE_FORMAT, "align": "left"}),
        "uuid": book.add_format({**font, "font_color": "#808080", "font_size": 8}),
    }


def _write_book(path: Path, build) -> None:
    """Write to ``path`` via a temporary file; remove the partial file on any error or cancel."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise UserError(f"导出文件应以 .xlsx 结尾：{path.name}")
    check_target(path)
    tmp = path.with_name(f".{path.stem}.part.xlsx")
    book = xlsxwriter.Workbook(str(tmp), {"constant_memory": True, "strings_to_numbers": False,
                                          "strings_to_formulas": False, "strings_to_urls": False,
                                          "default_date_format": DATE_FORMAT})
    try:
        build(book)
        book.close()
        os.replace(tmp, path)
    except UserError:
        _discard(book, tmp)
        raise
    except (OSError, xlsxwriter.exceptions.XlsxWriterException) as exc:  # full disk, read-only, open in Excel…
        _discard(book, tmp)
        raise write_error(exc, path) from None
    except BaseException:
        _discard(book, tmp)
        raise


write_book = _write_book  # (the 审计日志 export too: gzdesk.audit_log)


def _discard(book: xlsxwriter.Workbook, tmp: Path) -> None:
    try:
        if not getattr(book, "fileclosed", False):
            book.close()
    except Exception:
        pass
    _drop_row_files(book)
    try:
        tmp.unlink()
    except OSError:
        pass


def _drop_row_files(book: xlsxwriter.Workbook) -> None:
    """Close and delete the row files ``constant_memory`` keeps per sheet in the temp folder.

    ``Workbook.close`` does that when it succeeds; when it fails (a full disk) they stay open and
    on disk, where they keep filling the disk the export has just failed on.
    """
    for sheet in book.worksheets():
        handle = getattr(sheet, "row_data_fh", None)
        if handle is not None and not handle.closed:
            handle.close()
        name = getattr(sheet, "row_data_filename", None)
        if name:
            try:
                os.unlink(name)
            except OSError:
                pass


def export_workbook(session: Session, path: Path | str, *, mask_phones: bool = False,
                    progress: ProgressCallback | None = None, today: date | None = None) -> ExportResult:
    """Write the whole registry to ``path`` (.xlsx). ``mask_phones`` gives 138****1234 for copies
    that leave the office (云南 第三十条 脱敏). A 只读 user gets only masked copies."""
    if not mask_phones:
        require(session, Cap.EXPORT)
    info = office(session)
    today = today or date.today()
    n_acc, n_team, n_fil = _counts(session)
    units = iter_units(session)
    ticker = Ticker(progress, n_acc + n_team + n_fil + len(units), step=1000)
    ticker.check()
    masked_note = "（脱敏）" if mask_phones else ""
    written = [0, 0, 0, 0]
    long_texts: list[LongText] = []

    def build(book: xlsxwriter.Workbook) -> None:
        book.set_properties({"title": f"{info.unit_name}政务新媒体台账", "author": info.unit_name,
                             "comments": "gzdesk 导出"})
        fmt = _formats(book)
        title = f"{info.unit_name}政务新媒体台账{masked_note}"
        sub = f"导出日期：{cn_date(today)}    共 {n_acc} 个账号"
        account_keys, account_rows = _tuples(session, _account_stmt())
        team_keys, team_rows = _tuples(session, _team_stmt())
        lone_keys, lone_rows = _tuples(session, _lone_people_stmt())
        assert lone_keys == team_keys[-len(lone_keys):]
        blank = (None,) * (len(team_keys) - len(lone_keys))
        team = itertools.chain(team_rows, (blank + tuple(r) for r in lone_rows))
        sheets: tuple[tuple[str, tuple[Column, ...], str, str, Iterable[Any], list[str] | None, str, str], ...] = (
            (ACCOUNTS_SHEET, ACCOUNT_COLUMNS, title, sub, account_rows, account_keys, "name", "uuid"),
            (TEAM_SHEET, TEAM_COLUMNS, f"{info.unit_name}政务新媒体管理队伍{masked_note}",
             f"导出日期：{cn_date(today)}", team, team_keys, "name", "person_uuid"),
            (FILINGS_SHEET, FILING_COLUMNS, f"{info.unit_name}政务新媒体备案记录{masked_note}",
             f"导出日期：{cn_date(today)}    共 {n_fil} 条", iter_filings(session, mask_phones), None, "number", "uuid"),
            (UNITS_SHEET, UNIT_COLUMNS, f"{info.unit_name}政务新媒体单位名录{masked_note}",
             f"导出日期：{cn_date(today)}    共 {len(units)} 个单位", units, None, "name", "uuid"),
        )
        for i, (name, columns, head, subtitle, rows, keys, record_key, uuid_key) in enumerate(sheets):
            sheet = _Sheet(book, fmt, name, columns, head, subtitle, mask_phones, record_key, uuid_key)
            sheet.write_rows(rows, keys, ticker=ticker)
            written[i] = sheet.row - HEADER_ROW - 1
            sheet.finish(200)
            long_texts.extend(sheet.long_texts)
        if long_texts:
            _long_text_sheet(book, fmt, long_texts, info.unit_name)

    _write_book(Path(path), build)
    ticker.finish()
    return ExportResult(Path(path), written[0], written[1], written[2], mask_phones, written[3], long_texts)


def _long_text_sheet(book: xlsxwriter.Workbook, fmt: dict[str, Any], long_texts: list[LongText], unit: str) -> None:
    """The rest of every text longer than a cell holds, in parts (long_text.py joins them back)."""
    sheet = _Sheet(book, fmt, LONG_TEXT_SHEET, LONG_TEXT_COLUMNS, f"{unit}政务新媒体台账超长文本",
                   "填写说明：以下内容超过 Excel 单元格上限（32,767 字），原表中只放得下开头，其余按段接在这里；"
                   "导入本程序时自动接回，请勿改动", False, "record", "uuid")
    for t in long_texts:
        for n, part in enumerate(t.parts[1:], 2):
            sheet.write({"sheet": t.sheet, "line": t.line, "record": t.record, "field": t.field, "part": n,
                         "total": t.length, "text": part, "uuid": t.uuid})
    sheet.finish(0)


def export_template(path: Path | str, unit_name: str = "") -> Path:
    """A blank import template: the same columns and drop-downs, no data."""

    def build(book: xlsxwriter.Workbook) -> None:
        fmt = _formats(book)
        note = "填写说明：账号名称、平台必填；日期写成 2019-03-12 或 2019年3月12日；是/否列请选择；唯一标识留空"
        sheet = _Sheet(book, fmt, ACCOUNTS_SHEET, ACCOUNT_COLUMNS, f"{unit_name}政务新媒体台账（导入模板）",
                       note, False)
        sheet.finish(TEMPLATE_ROWS)
        sheet = _Sheet(book, fmt, TEAM_SHEET, TEAM_COLUMNS, f"{unit_name}政务新媒体管理队伍（导入模板）",
                       "填写说明：每行一人一岗；账号名称与平台须与账号台账一致", False)
        sheet.finish(TEMPLATE_ROWS)

    _write_book(Path(path), build)
    return Path(path)


def iter_headers(columns: Iterable[Column]) -> list[str]:
    return [c.header for c in columns]
