"""Read the State Council's 《国务院办公厅关于YYYY年部分节假日安排的通知》 as it is really written.

Each November the 国务院办公厅 publishes the next year's arrangement, one item per holiday::

    一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
    三、清明节：4月5日放假，4月7日（星期一）补休。
    五、端午节：6月2日放假，与周末连休。
    六、国庆节、中秋节：10月1日（周三）至8日（周三）放假调休，共8天。9月28日（周日）、10月11日（周六）上班。
    一、元旦：2022年12月31日至2023年1月2日放假调休，共3天。

Within an item every clause (split at ，；。) is read on its own: dates in a clause with 放假 or 补休
are days off — a range ``A至B`` every day of it, weekends included; dates in a clause with 上班
are 调休 working days; 共N天 checks the range before it; a weekday in brackets ((周四), (星期一),
(农历除夕、周二)) checks its date, which catches a wrong year. A date written without a year is in
the notice's year, except the 元旦 days of December before it (2018年12月29日 is usually written
out; the weekday check makes sure). A clause that only encourages (鼓励……在除夕休息) sets no day and
is reported as not used, as is any clause with dates that says neither 放假 nor 上班: the clerk sees
what was read and what was not before anything is written (``gzdesk holidays import``).

Nothing here touches the database; ``gzdesk.holidays.import_notice`` writes what was read.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from gzdesk.errors import UserError

FESTIVALS = ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")
WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_NUM = "一二三四五六七八九十"
_HEAD = re.compile(rf"(?:^|(?<=[。；\n]))\s*[{_NUM}]+、((?:{'|'.join(FESTIVALS)})(?:、(?:{'|'.join(FESTIVALS)}))*)[:：]")
_TITLE = re.compile(r"(?:国务院办公厅)?关于(调整)?(\d{4})年[^，。]{0,12}?(?:节假日|假期)安排的通知")
# a date: [YYYY年][M月]D日, then an optional bracket (周四) / (星期一) / (农历除夕、周二)
_DATE = re.compile(r"(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日(?:\(([^()]*)\))?")
_RANGE = re.compile(rf"({_DATE.pattern})至({_DATE.pattern})")
_COUNT = re.compile(r"共(\d+)天")
_WEEKDAY_IN = re.compile(r"(?:周|星期)([一二三四五六日天])")


@dataclass
class NoticeDay:
    day: date
    workday: bool  # True: 调休上班; False: 放假
    name: str  # the item it comes from: 春节, 国庆节、中秋节 …

    @property
    def kind_label(self) -> str:
        return "上班（调休）" if self.workday else "放假"


@dataclass
class Notice:
    """What was read from one notice."""

    year: int
    title: str | None
    amends: bool = False  # 关于调整……的通知: changes some days of the year's notice, not all of them
    days: list[NoticeDay] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)  # clauses with dates that set no day

    @property
    def off(self) -> list[date]:
        return sorted(d.day for d in self.days if not d.workday)

    @property
    def workdays(self) -> list[date]:
        return sorted(d.day for d in self.days if d.workday)

    def as_dict(self) -> dict[date, bool]:
        return {d.day: d.workday for d in self.days}

    def to_json(self) -> dict:
        return {"year": self.year, "off": [d.isoformat() for d in self.off],
                "workdays": [d.isoformat() for d in self.workdays]}


def normalize(text: str) -> str:
    """Full-width digits and brackets to half-width, no white space (notices break lines anywhere),
    HTML tags and entities removed (a page saved from the browser)."""
    if "<" in text and ">" in text:
        text = re.sub(r"(?is)<(script|style).*?</\1>", "", text)
        text = re.sub(r"(?i)<br\s*/?>|</p>|</div>", "\n", text)
        text = re.sub(r"<[^>]+>", "", text)
        text = text.replace("&nbsp;", " ").replace("&ensp;", " ").replace("&emsp;", " ")
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u3000", "")
    return re.sub(r"[ \t\r\f\v]+", "", text)


def _date(y: str | None, m: str | None, d: str, year: int, month: int | None, where: str) -> date:
    mm = int(m) if m else month
    if mm is None:
        raise UserError(f"无法识别日期“{d}日”的月份：{where}")
    try:
        return date(int(y) if y else year, mm, int(d))
    except ValueError:
        raise UserError(f"不存在的日期：{where}") from None


def _check_weekday(day: date, bracket: str | None, where: str) -> None:
    if not bracket:
        return
    found = _WEEKDAY_IN.findall(bracket)
    if found and WEEKDAYS[found[-1]] != day.weekday():
        names = "一二三四五六日"
        raise UserError(f"{day.year}年{day.month}月{day.day}日是星期{names[day.weekday()]}，通知写的是"
                        f"“{bracket}”：{where}（年份是否有误？）")


def _dates_in(clause: str, year: int, festival: str, where: str) -> list[date]:
    """Every date a clause names, a range ``A至B`` as every day of it."""
    out: list[date] = []
    month: int | None = None
    spans: list[tuple[int, int, list[date]]] = []
    for m in _RANGE.finditer(clause):
        y1, m1, d1, b1, y2, m2, d2, b2 = m.group(2, 3, 4, 5, 7, 8, 9, 10)
        start = _date(y1, m1, d1, year, month, where)
        end = _date(y2, m2, d2, start.year, start.month, where)
        if end < start and not y1 and festival == "元旦":  # 12月30日至1月1日: the December before
            start = start.replace(year=year - 1)
        if end < start:
            raise UserError(f"日期范围起止颠倒：{where}")
        _check_weekday(start, b1, where)
        _check_weekday(end, b2, where)
        days = [start + timedelta(days=k) for k in range((end - start).days + 1)]
        spans.append((m.start(), m.end(), days))
        month = end.month
    for _s0, _s1, days in spans:
        out.extend(days)
    covered = [(s0, s1) for s0, s1, _ in spans]
    for m in _DATE.finditer(clause):
        if any(s0 <= m.start() < s1 for s0, s1 in covered):
            continue
        y, mo, d, bracket = m.groups()
        day = _date(y, mo, d, year, month, where)
        if not y and festival == "元旦" and day.month == 12:
            day = day.replace(year=year - 1)
        _check_weekday(day, bracket, where)
        out.append(day)
        month = day.month
    return out


def _items(text: str) -> list[tuple[str, str]]:
    heads = list(_HEAD.finditer(text))
    out = []
    for i, h in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        body = text[h.end():end]
        if i + 1 == len(heads):  # the closing paragraph (值班, safety) and the signature date follow
            for marker in ("节假日期间", "\n国务院办公厅", "国务院办公厅\n"):
                cut = body.find(marker)
                if cut >= 0:
                    body = body[:cut]
        out.append((h.group(1), body))
    return out


def read_file(path: Path) -> str:
    """A notice's text from a file: UTF-8, or GB18030 as saved on many office PCs."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        raise UserError(f"无法读取文件“{path}”") from None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UserError(f"“{Path(path).name}”不是文本文件（请把通知全文另存为 .txt）")


def notice_year(text: str) -> int | None:
    m = _TITLE.search(normalize(text))
    return int(m.group(2)) if m else None


def parse(text: str, year: int | None = None) -> Notice:
    """What a notice's text says, or a UserError saying what could not be read."""
    flat = normalize(text)
    title_m = _TITLE.search(flat)
    found_year = int(title_m.group(2)) if title_m else None
    if year is not None and found_year is not None and year != found_year:
        raise UserError(f"通知标题是{found_year}年的安排，与指定的{year}年不符")
    year = year or found_year
    if year is None:
        raise UserError("无法从通知中看出年份（标题应为《国务院办公厅关于YYYY年部分节假日安排的通知》），请用 --year 指定")
    items = _items(flat)
    if not items:
        raise UserError("通知中没有找到“一、元旦：……”这样的节假日安排条目")
    notice = Notice(year, title_m.group(0) if title_m else None, amends=bool(title_m and title_m.group(1)))
    seen: dict[date, NoticeDay] = {}
    for festival, body in items:
        last_range: list[date] = []
        for sentence in re.split(r"[。；]", body):
            encourages = "鼓励" in sentence or "倡导" in sentence  # 鼓励……安排职工在除夕（2月9日）休息
            for clause in re.split(r"[，,]", sentence):
                if not clause:
                    continue
                where = f"“{festival}：{sentence}”"
                count = _COUNT.search(clause)
                dates = _dates_in(clause, year, festival, where) if _DATE.search(clause) else []
                if count and last_range and not dates:
                    if int(count.group(1)) != len(last_range):
                        raise UserError(f"{where}写共{count.group(1)}天，读到的是{len(last_range)}天"
                                        f"（{last_range[0].isoformat()} 至 {last_range[-1].isoformat()}）")
                    continue
                if not dates:
                    continue
                if encourages:
                    notice.unused.append(f"{festival}：{clause}")
                    continue
                if "上班" in clause:
                    workday = True
                elif "放假" in clause or "补休" in clause or "休息" in clause:
                    workday = False
                else:
                    notice.unused.append(f"{festival}：{clause}")
                    continue
                if not workday and "至" in clause:
                    last_range = dates
                elif not workday:
                    last_range = dates if len(dates) == 1 else []
                for day in dates:
                    prev = seen.get(day)
                    if prev is not None and prev.workday != workday:
                        raise UserError(f"{day.isoformat()} 在通知中既是放假又是上班：{where}")
                    if prev is None:
                        seen[day] = NoticeDay(day, workday, festival)
                        notice.days.append(seen[day])
                    if count and not workday and "至" in clause and int(count.group(1)) != len(dates):
                        raise UserError(f"{where}写共{count.group(1)}天，读到的是{len(dates)}天"
                                        f"（{dates[0].isoformat()} 至 {dates[-1].isoformat()}）")
    notice.days.sort(key=lambda d: d.day)
    if not notice.days:
        raise UserError("通知中没有读到任何放假或上班的日期")
    return notice


@dataclass(frozen=True)
class Difference:
    day: date
    notice: bool  # working day by the notice
    package: bool  # working day by the built-in calendar

    def text(self) -> str:
        word = {True: "上班", False: "放假"}
        return f"{self.day.isoformat()}：通知为{word[self.notice]}，内置日历为{word[self.package]}"


def differences(notice: Notice) -> list[Difference] | None:
    """Where the notice and chinese-calendar disagree about the notice's year (None: the package
    does not know the year). Every day of the year is compared — a day the notice does not name is
    an ordinary weekday or weekend — except for an amending notice, which names only what it changes."""
    import chinese_calendar

    days = notice.as_dict()
    out: list[Difference] = []
    years = {notice.year} | {d.year for d in days}
    for y in sorted(years):
        day = date(y, 1, 1)
        try:
            chinese_calendar.is_workday(day)
        except (NotImplementedError, KeyError, ValueError):
            if y == notice.year:
                return None
            continue
        while day.year == y:
            if (y == notice.year and not notice.amends) or day in days:
                by_notice = days.get(day, day.weekday() < 5)
                by_package = chinese_calendar.is_workday(day)
                if by_notice != by_package:
                    out.append(Difference(day, by_notice, by_package))
            day += timedelta(days=1)
    return out
