"""Column types that read a bad stored value as "unknown" (None) instead of raising.

A database is a file a clerk can edit with any SQLite tool, and a snapshot brings another office's
file: a date may say ``'2019.3.12'``, a number ``'abc'``, a text column may hold a BLOB. SQLAlchemy's
own types raise on such a value as soon as a row is loaded (``Invalid isoformat string``), and
every page and command that reads the row dies with it. These types read every stored value
through the one rule of its kind below (``read_date``, ``read_int``, …): a value the rule accepts
comes back as the Python type the column declares; any other value comes back as **None**, a state
every caller already handles for an empty field. The raw value itself stays in the file untouched
(the ORM writes only the fields a save changes), and ``gzdesk.value_check`` — which applies the
same rules — names it: ``gzdesk verify``, ``snapshot export`` and ``snapshot merge`` refuse it with
the table, record and field, and lists mark the record.

Writing is unchanged (SQLAlchemy's own bind processing), so what the program writes always reads
back. ``entities.py`` imports its column types from here (same names as SQLAlchemy's), so a new
column is covered without anyone remembering to.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

from gzdesk.dates import DATE_MAX, DATE_MIN


class BadValue(ValueError):
    """A stored value that breaks its column's rule; the message says how (Chinese)."""


# --------------------------------------------------------------------------- the rules

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME_RE = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?")
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
INT_MIN, INT_MAX = -(2**63), 2**63 - 1


def _shown(value: Any) -> str:
    """A stored value as a message may quote it: short, on one line, control characters shown."""
    if isinstance(value, bytes):
        return f"<{len(value)} 字节的二进制数据>"
    return one_line(str(value))


def one_line(text: str, limit: int = 40) -> str:
    text = "".join(ch if ch.isprintable() or ch == " " else f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else "\ufffd"
                   for ch in text[: limit * 2])
    return text if len(text) <= limit else text[:limit] + "…"


_READ_DATES: dict[str, date] = {}  # a registry has a few thousand distinct dates: read each once


def read_date(value: Any) -> date | None:
    """A stored DATE: text ``YYYY-MM-DD`` of a real day between ``DATE_MIN`` and ``DATE_MAX``."""
    if value is None:
        return None
    if type(value) is str:
        known = _READ_DATES.get(value)
        if known is not None:
            return known
    if type(value) is not str or not _DATE_RE.fullmatch(value):
        raise BadValue(f"“{_shown(value)}”不是有效日期（应为 2019-03-12 这样的日期）")
    try:
        d = date.fromisoformat(value)
    except ValueError:
        raise BadValue(f"“{value}”是不存在的日期") from None
    if not DATE_MIN <= d <= DATE_MAX:
        raise BadValue(f"日期“{value}”超出 {DATE_MIN.year}—{DATE_MAX.year} 年的范围")
    if len(_READ_DATES) < 100_000:
        _READ_DATES[value] = d
    return d


def read_datetime(value: Any) -> datetime | None:
    """A stored DATETIME: ``YYYY-MM-DD HH:MM:SS[.ffffff]`` (no time zone), within the date range."""
    if value is None:
        return None
    if type(value) is not str or not _DATETIME_RE.fullmatch(value):
        raise BadValue(f"“{_shown(value)}”不是有效时间（应为 2019-03-12 08:30:00 这样的时间）")
    try:
        t = datetime.fromisoformat(value)
    except ValueError:
        raise BadValue(f"“{value}”是不存在的时间") from None
    if not DATE_MIN <= t.date() <= DATE_MAX:
        raise BadValue(f"时间“{value}”超出 {DATE_MIN.year}—{DATE_MAX.year} 年的范围")
    return t


def read_int(value: Any) -> int | None:
    if value is None or type(value) is int:
        return value
    raise BadValue(f"“{_shown(value)}”不是整数")


def read_bool(value: Any) -> bool | None:
    if value is None:
        return None
    if type(value) is int and value in (0, 1):
        return bool(value)
    raise BadValue(f"“{_shown(value)}”不是“是/否”值（应为 0 或 1）")


def read_text(value: Any, length: int | None = None) -> str | None:
    """Stored text: valid UTF-8 (see ``gzdesk.db``'s text factory) and at most ``length`` characters."""
    if value is None:
        return None
    if type(value) is UndecodedText:
        raise BadValue("含有无法解码的字节（不是有效的 UTF-8 文字）")
    if type(value) is not str:
        raise BadValue(f"{_shown(value)}不是文字" if isinstance(value, bytes) else f"“{_shown(value)}”不是文字")
    if length is not None and len(value) > length:
        raise BadValue(f"长度 {len(value)} 个字符，超过上限 {length}")
    return value


def read_blob(value: Any, max_bytes: int | None = None) -> bytes | None:
    if value is None:
        return None
    if type(value) is not bytes:
        raise BadValue(f"“{_shown(value)}”不是二进制数据")
    if max_bytes is not None and len(value) > max_bytes:
        raise BadValue(f"大小 {len(value)} 字节，超过上限 {max_bytes} 字节")
    return value


class UndecodedText(str):
    """Text whose stored bytes were not valid UTF-8 (undecodable bytes shown as U+FFFD)."""

    __slots__ = ()


def decode_text(raw: bytes) -> str:
    """SQLite text factory: UTF-8, and never an exception for a damaged or foreign byte.

    ``sqlite3`` raises ``OperationalError: Could not decode to UTF-8`` for a GBK byte in a text
    column, on whatever read meets it; read as U+FFFD (marked ``UndecodedText`` so that
    ``read_text`` names it) the row stays readable and the bad field is reported.
    """
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return UndecodedText(raw.decode("utf-8", errors="replace"))


T = TypeVar("T")


def sqlite_text_first(conn: Any, read: Callable[[], T], again: Callable[[], T] | None = None) -> T:
    """``read()`` with SQLite's own UTF-8 decoding on the plain ``sqlite3`` connection ``conn`` (a
    Python text factory costs a call per value); only where a byte is not UTF-8 is it run again
    (or ``again()`` in its place) through the connection's own factory, which gives the same text
    wherever the bytes are valid.

    ``read`` may go through SQLAlchemy on that connection (``session_text_first``): the driver's
    error then arrives wrapped in SQLAlchemy's. ``read`` must only read: it may run twice."""
    factory = conn.text_factory
    if factory is str:
        return read()
    conn.text_factory = str
    try:
        return read()
    except (sqlite3.OperationalError, sa.exc.OperationalError) as exc:
        if "decode" not in str(getattr(exc, "orig", None) or exc):
            raise
    finally:
        conn.text_factory = factory
    return (again or read)()


def session_text_first(session: Any, read: Callable[[], T]) -> T:
    """``sqlite_text_first`` on the SQLite connection of the ORM session ``session``: for the
    read-only passes over the whole registry (``rules.check``: 900,000 text values at 200,000
    accounts, each a Python call through ``decode_text``). What the session has to write is flushed
    first, as the first query would have, so that no flush runs while the text is read so."""
    session.flush()
    return sqlite_text_first(session.connection().connection.driver_connection, read)


# JSON columns: the shape each one must have (filing.chain, filing.frozen, filing.proposed)

JSON_DATE_KEYS = ("registered_on", "followers_on", "last_update_on", "last_original_on")


def _json(value: Any) -> Any:
    text = read_text(value)
    if text is None:
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise BadValue(f"“{_shown(text)}”不是有效的 JSON") from None


def _check_dates_in(obj: dict) -> None:
    for key in JSON_DATE_KEYS:
        if obj.get(key) is not None:
            try:
                read_date(obj[key])
            except BadValue as exc:
                raise BadValue(f"其中的 {key} {exc}") from None


def json_list_of_titles(value: Any) -> None:
    """A filing's approval chain: a list of step titles (text, or objects with a text ``title``)."""
    data = _json(value)
    if data is None:
        return
    if not isinstance(data, list):
        raise BadValue("应为审批步骤的列表（JSON 数组）")
    for entry in data:
        if isinstance(entry, str) or (isinstance(entry, dict) and isinstance(entry.get("title"), str)):
            continue
        raise BadValue(f"审批步骤“{_shown(entry)}”应为文字")


def json_account_data(value: Any) -> None:
    """Account data as filed or proposed: a JSON object; its dates valid, its team a list of objects."""
    data = _json(value)
    if data is None:
        return
    if not isinstance(data, dict):
        raise BadValue("应为账号数据（JSON 对象）")
    _check_dates_in(data)
    team = data.get("team")
    if team is not None and not (isinstance(team, list) and all(isinstance(m, dict) for m in team)):
        raise BadValue("其中的管理队伍（team）应为对象的列表")
    for key in ("merged_accounts",):
        items = data.get(key)
        if items is not None and not (isinstance(items, list) and all(isinstance(m, dict) for m in items)):
            raise BadValue(f"其中的 {key} 应为对象的列表")


# --------------------------------------------------------------------------- the column types


def _tolerant(rule: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def process(value: Any) -> Any:
        try:
            return rule(value)
        except BadValue:
            return None

    return process


class Date(TypeDecorator):
    """``sqlalchemy.Date`` read with ``read_date``."""

    impl = sa.Date
    cache_ok = True
    rule = staticmethod(read_date)

    def result_processor(self, dialect, coltype):  # replaces (not wraps) the raising ISO parser
        return _tolerant(read_date)


class DateTime(TypeDecorator):
    impl = sa.DateTime
    cache_ok = True
    rule = staticmethod(read_datetime)

    def result_processor(self, dialect, coltype):
        return _tolerant(read_datetime)


def _int_or_none(value: Any) -> Any:
    return value if value is None or type(value) is int else None


class Integer(TypeDecorator):
    impl = sa.Integer
    cache_ok = True
    rule = staticmethod(read_int)

    def result_processor(self, dialect, coltype):
        return _int_or_none


class Boolean(TypeDecorator):
    impl = sa.Boolean
    cache_ok = True
    rule = staticmethod(read_bool)

    def result_processor(self, dialect, coltype):
        return _tolerant(read_bool)


def _str_or_none(value: Any) -> Any:
    return value if value is None or type(value) is str or type(value) is UndecodedText else None


class String(TypeDecorator):
    """``sqlalchemy.String(length)``; a BLOB or number stored in it reads as None."""

    impl = sa.String
    cache_ok = True

    def rule(self, value: Any) -> Any:
        return read_text(value, getattr(self.impl, "length", None))

    def result_processor(self, dialect, coltype):
        return _str_or_none


TEXT_MAX_CHARS = 1_000_000  # 简介、备注、意见: far beyond any real text, short of a poisoned megabyte run


class Text(TypeDecorator):
    impl = sa.Text
    cache_ok = True

    def rule(self, value: Any) -> Any:
        return read_text(value, TEXT_MAX_CHARS)

    def result_processor(self, dialect, coltype):
        return _str_or_none


@lru_cache(maxsize=4096)
def _json_ok(check: Callable[[Any], None], text: str) -> bool:
    try:
        check(text)
    except BadValue:
        return False
    return True


class JSONText(TypeDecorator):
    """JSON kept as text (callers ``json.loads`` it); text of the wrong shape reads as None."""

    impl = sa.Text
    cache_ok = True

    def __init__(self, check: Callable[[Any], None], max_chars: int = 20_000_000):
        super().__init__()
        self.check = check
        self.max_chars = max_chars

    def rule(self, value: Any) -> Any:
        read_text(value, self.max_chars)
        self.check(value)
        return value

    def result_processor(self, dialect, coltype):
        check, limit = self.check, self.max_chars

        def process(value: Any) -> Any:
            if value is None or type(value) is not str or len(value) > limit:
                return None
            if len(value) < 2000:  # chains repeat on every filing: remember the short ones
                return value if _json_ok(check, value) else None
            try:
                check(value)
            except BadValue:
                return None
            return value

        return process


class LargeBinary(TypeDecorator):
    """``sqlalchemy.LargeBinary``; text stored in it reads as None (SQLAlchemy's raises TypeError)."""

    impl = sa.LargeBinary
    cache_ok = True

    def rule(self, value: Any) -> Any:
        return read_blob(value)

    def result_processor(self, dialect, coltype):
        return lambda value: value if value is None or type(value) is bytes else None


def column_rule(column: sa.Column) -> Callable[[Any], Any] | None:
    """The reading rule of a column's type (None for types not from this module)."""
    t = column.type
    rule = getattr(t, "rule", None)
    if rule is None:
        return None
    return rule
