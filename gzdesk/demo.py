"""Realistic made-up data for demonstrations, screenshots and speed tests (``gzdesk demo``).

Units follow real county naming patterns (XX镇人民政府, XX街道办事处, XX县教育局, XX县融媒体中心,
XX经济开发区管委会, and a few 内设机构), accounts get plausible names per platform, people get common
names and phone numbers in valid formats. A few accounts break the rules on purpose (two on one
platform, one opened by a 内设机构, stale updates, untrained staff) so that checks have something to
find. Any size up to 200,000 accounts: beyond one county's worth, more counties are made.

Rows are written with bulk inserts in one transaction and one summary audit event.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from itertools import chain
from operator import methodcaller
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gzdesk import audit, enums, filing_decisions, office
from gzdesk.db import Database
from gzdesk.errors import UserError
from gzdesk.models import Account, AccountRole, ApprovalStep, Base, Filing, Person, Unit, new_uuid
from gzdesk.permissions import Cap, require

MAX_ACCOUNTS = 200_000

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
            "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = ("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬斌宇浩凯鹏辉晨欣怡佳琪雪梅婷"
         "慧颖丹蕾倩楠鑫宁波峰亮建国建华志强志明海燕春梅晓东晓燕文静文杰俊杰子涵一鸣思远天宇雨桐梓萱")
COUNTY_STEMS = ("海门", "如东", "启东", "通州", "盐湖", "太白", "临猗", "稷山", "闻喜", "芮城", "兰陵", "沂南", "郯城",
                "沂水", "平邑", "费县", "蒙阴", "莒南", "临沭", "宜良", "石林", "嵩明", "禄劝", "寻甸", "富民", "晋宁",
                "安宁", "陆良", "师宗", "罗平", "富源", "会泽", "宣威", "马龙", "沾益", "麒麟", "眉县", "凤县", "岐山",
                "扶风", "陇县", "千阳", "麟游", "凤翔", "金台", "渭滨", "陈仓", "如皋", "海安", "崇川")
TOWN_STEMS = ("城关", "三星", "悦来", "包场", "常乐", "正余", "四甲", "余东", "临江", "海永", "东灶港", "刘浩", "德胜",
              "瓦店", "汇龙", "南阳", "北新", "惠萍", "王鲍", "吕四港", "近海", "寅阳", "大兴", "新港", "石庄",
              "桃园", "马塘", "岔河", "洋口", "丰利", "曹埠", "双甸", "新店", "河口", "袁庄", "大豫", "长沙",
              "鹦鹉", "姜庄", "太平", "靖口", "咀头", "桃川", "王家塄", "黄柏塬", "高龙", "鹦鸽", "太白河", "龙门",
              "解州", "北城", "西城", "东郊", "金井", "上王", "泓芝驿", "冯村", "三路里", "陶村", "龙居")
DEPARTMENTS = (
    ("教育局", "教育"), ("卫生健康局", "健康"), ("公安局", "公安"), ("人力资源和社会保障局", "人社"),
    ("市场监督管理局", "市场监管"), ("生态环境局", "生态环境"), ("应急管理局", "应急"), ("交通运输局", "交通"),
    ("农业农村局", "农业农村"), ("文化和旅游局", "文旅"), ("民政局", "民政"), ("自然资源局", "自然资源"),
    ("住房和城乡建设局", "住建"), ("水利局", "水利"), ("财政局", "财政"), ("税务局", "税务"), ("医疗保障局", "医保"),
    ("退役军人事务局", "退役军人"), ("司法局", "司法"), ("统计局", "统计"), ("行政审批服务局", "政务服务"),
    ("商务局", "商务"), ("发展和改革局", "发改"), ("科学技术局", "科技"), ("审计局", "审计"),
)
INSTITUTIONS = (("融媒体中心", "融媒"), ("疾病预防控制中心", "疾控"), ("公共资源交易中心", "公共资源交易"),
                ("政务服务中心", "政务服务中心"), ("图书馆", "图书馆"), ("人民医院", "人民医院"))
INTERNAL_UNITS = ("办公室", "政策法规股", "宣传科", "综合科")
PLATFORM_WEIGHTS = (
    (enums.Platform.WECHAT_SUBSCRIPTION, 30), (enums.Platform.WECHAT_SERVICE, 8), (enums.Platform.DOUYIN, 18),
    (enums.Platform.WEIBO, 14), (enums.Platform.TOUTIAO, 10), (enums.Platform.KUAISHOU, 7),
    (enums.Platform.CHANNELS, 8), (enums.Platform.WECHAT_MINIPROGRAM, 2), (enums.Platform.APP, 2),
    (enums.Platform.OTHER, 1),
)
OTHER_PLATFORMS = ("一点资讯", "美篇", "知乎", "哔哩哔哩", "小红书")
AREA_CODES = ("0513", "0359", "0917", "0539", "0871", "0874")
HOME_AREA_CODES = {"nantong": "0513", "yanhu": "0359", "taibai": "0917", "linyi": "0539", "yunnan": "0871"}
COUNTY_ACCOUNTS = 400  # a large county's registry; a demo beyond it adds counties (a city's or province's view)
MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155",
                   "156", "157", "158", "159", "166", "176", "177", "178", "180", "181", "182", "183", "185",
                   "186", "187", "188", "189", "191", "198", "199")
INTROS = ("发布{u}政务信息，解读惠民政策，回应群众关切，提供便民服务。",
          "{u}官方账号，及时发布工作动态、通知公告和办事指南。",
          "权威发布{u}重要信息，开展政民互动，服务企业群众。")
REASONS = ("为加强政务公开、优化政务服务，拟开设本账号发布{u}政务信息。",
           "按照《政务新媒体管理办法》要求，补办已开设账号的备案手续。",
           "账号运营维护力量不足、关注度低，经本单位集体研究决定关停。")


@dataclass
class DemoSummary:
    units: int
    people: int
    accounts: int
    roles: int
    filings: int


class _Ids:
    def __init__(self, session: Session, model):
        self.next = (session.scalar(select(func.max(model.id))) or 0) + 1

    def take(self) -> int:
        value = self.next
        self.next += 1
        return value


def _stamp() -> datetime:
    return datetime.now().replace(microsecond=0)


def _name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
    return rng.choice(SURNAMES) + given[:2]


def _mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def _landline(rng: random.Random, area: str) -> str:
    return f"{area}-{rng.randrange(2, 9)}{rng.randrange(10**6, 10**7):07d}"


def _handle(rng: random.Random, platform: str, slug: str) -> str:
    if platform in (enums.Platform.WECHAT_SUBSCRIPTION, enums.Platform.WECHAT_SERVICE,
                    enums.Platform.WECHAT_MINIPROGRAM, enums.Platform.CHANNELS):
        return "gh_" + "".join(rng.choice("0123456789abcdef") for _ in range(12))
    if platform == enums.Platform.WEIBO:
        return f"https://weibo.com/u/{rng.randrange(10**9, 10**10)}"
    if platform == enums.Platform.DOUYIN:
        return f"dy{rng.randrange(10**8, 10**9)}"
    if platform == enums.Platform.KUAISHOU:
        return f"ks{rng.randrange(10**8, 10**9)}"
    if platform == enums.Platform.TOUTIAO:
        return f"https://www.toutiao.com/c/user/{rng.randrange(10**10, 10**11)}/"
    if platform == enums.Platform.APP:
        return f"https://app.{slug}.gov.cn/download"
    return f"https://www.example.gov.cn/{slug}"


def _url(platform: str, handle: str) -> str | None:
    if handle.startswith("http"):
        return handle
    if platform == enums.Platform.DOUYIN:
        return f"https://www.douyin.com/user/{handle}"
    if platform == enums.Platform.KUAISHOU:
        return f"https://www.kuaishou.com/profile/{handle}"
    return None


def _short_name(county: str) -> str:
    """The name accounts use: 运城市盐湖区 → 盐湖, 如东县 → 如东, 南通市 → 南通."""
    name = county
    for mark in ("省", "市"):
        head, sep, rest = name.partition(mark)
        if sep and len(rest) >= 2:
            name = rest
    if len(name) > 2 and name[-1] in "省县区市":
        name = name[:-1]
    return name


def _deputy_title(unit_name: str, kind: str) -> str:
    """The deputy who leads a unit's new-media work: 副镇长, 副主任, 副所长, 副院长, 副校长, 副局长."""
    if kind == enums.UnitType.TOWNSHIP:
        return "副镇长"
    for ending, title in (("街道办事处", "副主任"), ("中心", "副主任"), ("委员会", "副主任"), ("派出所", "副所长"),
                          ("卫生院", "副院长"), ("医院", "副院长"), ("中学", "副校长"), ("小学", "副校长"),
                          ("图书馆", "副馆长"), ("办公室", "副主任")):
        if unit_name.endswith(ending):
            return title
    return "副局长"


def _account_name(rng: random.Random, platform: str, short: str, kind: str) -> str:
    options: tuple[str, ...]
    if kind in (enums.UnitType.TOWNSHIP, enums.UnitType.SUBDISTRICT):
        options = (f"{short}发布", f"魅力{short}", f"{short}微讯", f"今日{short}", f"{short}之声")
    else:
        options = (f"{short}", f"{short}发布", f"{short}在线", f"{short}微讯")
    name = rng.choice(options)
    if platform == enums.Platform.APP:
        return f"{short}APP" if not name.endswith("APP") else name
    if platform == enums.Platform.WECHAT_MINIPROGRAM:
        return f"{short}办事通"
    return name


def generate(db: Database, accounts: int = 300, seed: int = 1, today: date | None = None) -> DemoSummary:
    """Fill an initialised, empty office database with ``accounts`` made-up accounts."""
    if accounts < 1 or accounts > MAX_ACCOUNTS:
        raise UserError(f"账号数应在 1 到 {MAX_ACCOUNTS} 之间")
    rng = random.Random(seed)
    today = today or date.today()
    with db.transaction() as s:
        require(s, Cap.IMPORT)
        info = office.office(s)
        if s.scalar(select(func.count(Account.id))):
            raise UserError("数据库中已有账号，演示数据只能填入新建的数据库")
        profile = info.profile
        builder = _Builder(s, rng, today, info.unit_id, info.unit_name, profile)
        builder.build(accounts)
        builder.flush()
        audit.record_bulk(s, "demo", "account", summary=f"生成演示数据：{builder.summary()}")
        return builder.summary_obj()


def _insert(session: Session, table, rows: list[dict]) -> None:
    """INSERT ``rows`` (dicts of column values; ``label`` and an ``id`` of None left out) in one
    executemany on the session's own connection and transaction.

    Each value is bound as SQLAlchemy binds it — the column type's own bind processor — and a column
    a row does not name takes its Python-side default (``version``), as ``insert(table)`` would give
    them; only SQLAlchemy's per-row, per-value parameter handling is skipped: it was the larger part
    of writing a 200,000-account demo. Rows naming different keys (会议研究, 名称同意) get None for the
    keys they lack: those columns' default."""
    conn = session.connection()
    keys = [k for k in dict.fromkeys(chain.from_iterable(rows))
            if k != "label" and not (k == "id" and all(r.get("id") is None for r in rows))]
    columns = [table.c[k] for k in keys]
    defaults = []
    for c in table.columns:
        if c.key in keys or c.default is None:
            continue
        if not (c.default.is_scalar or c.default.is_callable):
            raise ValueError(f"{table.name}.{c.key}: a SQL default, not written here")
        columns.append(c)
        defaults.append(c.default)
    binds = [c.type.dialect_impl(conn.dialect).bind_processor(conn.dialect) for c in columns]
    extra = [d.arg if d.is_scalar else d.arg(None) for d in defaults]  # one value for the batch (now(): its time)
    # built a column at a time, in C: each column's values, bound through its processor once per
    # distinct value and type (a few thousand dates and one time for 200,000 rows)
    values = [list(map(methodcaller("get", k), rows)) for k in keys] + [[v] * len(rows) for v in extra]
    for i, bind in enumerate(binds):
        if bind is not None:
            values[i] = list(map(lru_cache(maxsize=None, typed=True)(bind), values[i]))
    names = ", ".join(f'"{c.name}"' for c in columns)
    raw: Any = conn.connection.driver_connection
    raw.executemany(f'INSERT INTO "{table.name}" ({names}) VALUES ({", ".join("?" * len(columns))})',
                    zip(*values, strict=True))


class _Builder:
    def __init__(self, session: Session, rng: random.Random, today: date, office_id: int, office_name: str,
                 profile):
        self.s, self.rng, self.today = session, rng, today
        self.office_id, self.office_name, self.profile = office_id, office_name, profile
        self.unit_ids, self.person_ids = _Ids(session, Unit), _Ids(session, Person)
        self.account_ids, self.filing_ids = _Ids(session, Account), _Ids(session, Filing)
        self.units: list[dict] = []
        self.people: list[dict] = []
        self.accounts: list[dict] = []
        self.roles: list[dict] = []
        self.filings: list[dict] = []
        self.steps: list[dict] = []
        self.counts = {"units": 0, "people": 0, "accounts": 0, "roles": 0, "filings": 0}
        self.filing_seq: dict[int, int] = {}
        self.chain = [step["title"] for step in profile.chain]
        self.chain_json = json.dumps(self.chain, ensure_ascii=False)
        # asked once, not for each of 200,000 accounts and filings
        self.stamp = _stamp()  # the rows' created/updated time, taken again at each flush
        self.policy = profile.published_on
        self.name_consent = bool(profile.rule("place_name_consent"))
        self.decision_rules = {k: filing_decisions.decision_rule(profile, k)
                               for k in (enums.FilingKind.OPEN, enums.FilingKind.BACKFILL)}
        base = office_name
        for mark in ("人民政府办公厅", "人民政府办公室", "政府办公室", "人民政府", "办公厅", "办公室"):
            if base.endswith(mark):
                base = base[: -len(mark)]
                break
        self.home_county = base or "示范县"
        self.home_area = HOME_AREA_CODES.get(profile.id) or rng.choice(AREA_CODES)

    # -- plan ------------------------------------------------------------------------------

    def build(self, n_accounts: int) -> None:
        """One county's registry (up to ``COUNTY_ACCOUNTS``) under the office; beyond that, a city's view.

        The office's own county comes first, so a demo of a few hundred accounts is one county,
        as a county office would see it. Larger demos add further counties under the office.
        """
        made = 0
        county_index = 0
        while made < n_accounts:
            county = self.home_county if county_index == 0 else self._county_name(county_index)
            parent = self.office_id if county_index == 0 else self._unit(
                f"{county}人民政府办公室", enums.UnitType.GOVERNMENT, self.office_id, county, None)["id"]
            area = self.home_area if county_index == 0 else self.rng.choice(AREA_CODES)
            target = min(n_accounts - made, COUNTY_ACCOUNTS)
            plan = self._county_plan(county)
            created: dict[str, dict] = {}
            for (name, kind, label, under), n in zip(plan, self._spread(target, len(plan)), strict=False):
                parent_id = parent
                if under is not None:  # a 派出所 under the 公安局, a 卫生院 under the 卫健局 …
                    if under not in created:
                        u_name, u_kind, u_label, _ = next(entry for entry in plan if entry[0] == under)
                        created[under] = self._unit(u_name, u_kind, parent, u_label, area)
                    parent_id = created[under]["id"]
                host = created.get(name) or self._unit(name, kind, parent_id, label, area)
                created[name] = host
                self._accounts_for(host, parent, n, area)
            made += target
            county_index += 1
        self.flush()

    def _spread(self, target: int, n_units: int) -> list[int]:
        """Accounts per unit, 1–4 each (a township has two or three, a busy bureau more), summing to ``target``.

        A small target stops after the units it needs; a large one scales every unit up.
        """
        weights = [self.rng.choice((1, 2, 2, 3, 3, 4)) for _ in range(n_units)]
        total = sum(weights)
        if total >= target:
            counts: list[int] = []
            left = target
            for w in weights:
                if left <= 0:
                    break
                counts.append(min(w, left))
                left -= counts[-1]
            return counts
        counts = [w * target // total for w in weights]
        for i in self.rng.sample(range(n_units), target - sum(counts)):
            counts[i] += 1
        return counts

    def _county_name(self, index: int) -> str:
        stem = COUNTY_STEMS[index % len(COUNTY_STEMS)]
        cycle = index // len(COUNTY_STEMS)
        suffix = ("县", "区", "市")[index % 3]
        return f"{stem}{'第' + str(cycle + 1) if cycle else ''}{suffix}"

    def _county_plan(self, county: str) -> list[tuple[str, str, str, str | None]]:
        """Host units of one county as (name, type, short name for accounts, parent unit name or None).

        Townships and 街道, the government departments, institutions, a development zone, and the
        bodies below them that commonly run accounts of their own: 派出所, 卫生院, schools.
        """
        rng = self.rng
        short = _short_name(county)
        towns = list(TOWN_STEMS)
        rng.shuffle(towns)
        plan: list[tuple[str, str, str, str | None]] = []
        police, health, education = f"{county}公安局", f"{county}卫生健康局", f"{county}教育局"
        for stem in towns[: rng.randrange(12, 22)]:
            if rng.random() < 0.2:
                plan.append((f"{stem}街道办事处", enums.UnitType.SUBDISTRICT, stem, None))
            else:
                plan.append((f"{stem}镇人民政府", enums.UnitType.TOWNSHIP, stem, None))
                if rng.random() < 0.5:
                    plan.append((f"{stem}镇卫生院", enums.UnitType.INSTITUTION, f"{stem}卫生院", health))
            if rng.random() < 0.6:
                plan.append((f"{county}公安局{stem}派出所", enums.UnitType.AGENCY, f"平安{stem}", police))
        for full, abbr in DEPARTMENTS:
            plan.append((f"{county}{full}", enums.UnitType.DEPARTMENT, f"{short}{abbr}", None))
        for full, abbr in INSTITUTIONS:
            plan.append((f"{county}{full}", enums.UnitType.INSTITUTION, f"{short}{abbr}", None))
        for school, abbr in (("第一中学", "一中"), ("实验小学", "实验小学"), ("职业中学", "职中")):
            plan.append((f"{county}{school}", enums.UnitType.INSTITUTION, f"{short}{abbr}", education))
        plan.append((f"{short}经济开发区管理委员会", enums.UnitType.DEV_ZONE, f"{short}开发区", None))
        rng.shuffle(plan)
        return plan

    def _unit(self, name: str, kind: str, parent: int | None, label: str, area: str | None) -> dict:
        rng = self.rng
        area = area or rng.choice(AREA_CODES)
        row = {"id": self.unit_ids.take(), "uuid": new_uuid(), "name": name, "kind": kind, "parent_id": parent,
               "head": _name(rng), "leader": f"{_name(rng)} {_deputy_title(name, kind)}",
               "phone": _landline(rng, area), "classified": False, "notes": None, "origin": None,
               "created_at": self.stamp, "updated_at": self.stamp, "label": label}
        self.units.append(row)
        return row

    def _person(self, unit: dict, title: str, area: str, trained: bool = True) -> dict:
        rng = self.rng
        left = None
        if rng.random() < 0.03:
            left = self.today - timedelta(days=rng.randrange(5, 400))
        trained_on = self.today - timedelta(days=rng.randrange(30, 1500)) if trained else None
        if left and trained_on and left < trained_on:
            left = trained_on + timedelta(days=30)
        row = {"id": self.person_ids.take(), "uuid": new_uuid(), "name": _name(rng), "unit_id": unit["id"],
               "title": title, "office_phone": _landline(rng, area), "mobile": _mobile(rng),
               "trained_on": trained_on, "left_on": left if left and left <= self.today else None, "notes": None,
               "origin": None, "created_at": self.stamp, "updated_at": self.stamp}
        self.people.append(row)
        return row

    def _accounts_for(self, host: dict, supervisor_id: int, n: int, area: str) -> None:
        rng = self.rng
        kind = host["kind"]
        lead_title = _deputy_title(host["name"], kind)
        leader = self._person(host, lead_title, area)
        head = self._person(host, "办公室主任", area)
        admin = self._person(host, rng.choice(("科员", "办事员", "信息员")), area, trained=rng.random() > 0.06)
        operator_unit = host
        if rng.random() < 0.15:  # run by an internal unit (承办单位) — occasionally also opened by it
            internal = self._unit(f"{host['name']}{rng.choice(INTERNAL_UNITS)}", enums.UnitType.INTERNAL,
                                  host["id"], host["label"], area)
            operator_unit = internal
        platforms = self._platforms(n)
        base_name = None
        for platform in platforms:
            name = _account_name(rng, platform, host["label"], kind)
            if base_name is None:
                base_name = name
            elif rng.random() < 0.7 and platform not in (enums.Platform.APP, enums.Platform.WECHAT_MINIPROGRAM):
                name = base_name  # the same name across a unit's platforms (盐湖9, 南通14)
            self._account(name, platform, host, supervisor_id, operator_unit, leader, head, admin, area)

    def _platforms(self, n: int) -> list[str]:
        rng = self.rng
        pool = [p for p, _ in PLATFORM_WEIGHTS]
        weights = [w for _, w in PLATFORM_WEIGHTS]
        chosen: list[str] = []
        while len(chosen) < n:
            p = rng.choices(pool, weights)[0]
            if p in chosen and rng.random() > 0.02:  # rarely two on one platform (太白5, 云南12)
                continue
            chosen.append(p)
        return chosen

    def _account(self, name, platform, host, supervisor_id, operator_unit, leader, head, admin, area) -> None:
        rng = self.rng
        today = self.today
        registered = date(rng.randrange(2013, 2026), rng.randrange(1, 13), rng.randrange(1, 29))
        if registered > today:
            registered = today - timedelta(days=rng.randrange(30, 900))
        roll = rng.random()
        status = (enums.AccountStatus.NORMAL if roll < 0.9 else enums.AccountStatus.PAUSED if roll < 0.94
                  else enums.AccountStatus.CLOSED if roll < 0.97 else enums.AccountStatus.CANCELLED)
        stale = rng.random() < 0.08
        last_update = today - timedelta(days=rng.randrange(15, 200) if stale else rng.randrange(0, 7))
        last_update = max(last_update, registered)
        slug = f"u{host['id']}"
        handle = _handle(rng, platform, slug)
        followers = int(rng.lognormvariate(8.5, 1.4))
        acc_id = self.account_ids.take()
        row = {
            "id": acc_id, "uuid": new_uuid(), "name": name, "handle": handle, "platform": platform,
            "platform_other": rng.choice(OTHER_PLATFORMS) if platform == enums.Platform.OTHER else None,
            "registered_on": registered, "followers": followers,
            "followers_on": today - timedelta(days=rng.randrange(0, 30)), "status": status,
            "verified": rng.random() < 0.93, "verification_names_host": rng.random() < 0.9,
            "news_license": rng.random() < 0.05, "supervisor_unit_id": supervisor_id,
            "supervisor_leader": None, "supervisor_phone": None, "host_unit_id": host["id"],
            "host_leader": f"{leader['name']} {leader['title']}", "host_phone": leader["office_phone"],
            "operator_unit_id": operator_unit["id"], "operator_leader": f"{head['name']} {head['title']}",
            "operator_phone": head["office_phone"], "url": _url(platform, handle), "qr_image": None,
            "intro": rng.choice(INTROS).format(u=host["name"]), "last_update_on": last_update,
            "last_original_on": last_update - timedelta(days=rng.randrange(0, 20)),
            "tags": "重大活动专项" if rng.random() < 0.01 else None, "notes": None, "origin": None,
            "created_at": self.stamp, "updated_at": self.stamp,
        }
        if self.name_consent and rng.random() < 0.95:  # 云南 第十六条, now and then missing
            consent = registered - timedelta(days=rng.randrange(3, 30))
            row.update(name_consent_on=consent, name_consent_ref=f"{host['name'][:6]}函〔{consent.year}〕{rng.randrange(1, 90)}号")
        self.accounts.append(row)
        team = []
        for person, role in ((leader, enums.Role.LEADER), (head, enums.Role.DEPT_HEAD), (admin, enums.Role.ADMIN)):
            if role == enums.Role.ADMIN and rng.random() < 0.02:
                continue  # an account with no 管理员 now and then (盐湖21)
            since = registered  # staff take over after their training (盐湖22, 云南37)
            if person["trained_on"] and person["trained_on"] > since:
                since = min(person["trained_on"] + timedelta(days=rng.randrange(1, 30)), today)
            self.roles.append({"id": None, "uuid": new_uuid(), "account_id": acc_id, "person_id": person["id"],
                               "role": role, "since": since, "until": person["left_on"], "origin": None,
                               "created_at": self.stamp, "updated_at": self.stamp})
            team.append((person, role))
        self._filing_for(row, host, operator_unit, team)
        if len(self.accounts) >= 5000:
            self.flush()

    def _filing_for(self, acc: dict, host: dict, operator_unit: dict, team) -> None:
        rng = self.rng
        roll = rng.random()
        if roll < 0.06:
            return  # not filed yet: the 补办 / filing rules will find it
        policy = self.policy
        kind = enums.FilingKind.OPEN if acc["registered_on"] >= policy else enums.FilingKind.BACKFILL
        filled = max(acc["registered_on"], policy) + timedelta(days=rng.randrange(1, 20))
        if rng.random() < 0.08:  # work in progress: a re-filing in the last weeks
            filled = self.today - timedelta(days=rng.randrange(0, 40))
        filled = min(filled, self.today)
        if (self.today - filled).days > 90 and rng.random() < 0.97:
            state = enums.FilingState.REPORTED  # old filings went through long ago; a few were never reported
        else:
            state = (enums.FilingState.REPORTED if roll < 0.55 else enums.FilingState.FILED if roll < 0.75
                     else enums.FilingState.PENDING_SIGNATURE if roll < 0.9 else enums.FilingState.DRAFT)
        year = filled.year
        seq = self.filing_seq.get(year)
        if seq is None:
            prefix = f"{year}-"
            existing = self.s.scalar(select(func.max(Filing.number)).where(Filing.number.like(prefix + "%")))
            seq = int(existing.split("-")[1]) if existing else 0
        seq += 1
        self.filing_seq[year] = seq
        units = {u["id"]: u["name"] for u in (host, operator_unit)}
        # the account as it was when the form was filled: running (正常) — not as it is now, which
        # may be 关停 or 注销 — with no later readings (followers, updates) than the filing date
        then = dict(acc, status=enums.AccountStatus.NORMAL, followers=None, followers_on=None,
                    last_update_on=None, last_original_on=None)
        if acc["followers_on"] and acc["followers_on"] <= filled:
            then.update(followers=acc["followers"], followers_on=acc["followers_on"])
        frozen = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in then.items()
                  if k not in ("id", "created_at", "updated_at", "origin", "qr_image")}
        frozen.update(qr_image=None, platform_label=enums.label("platform", acc["platform"]),
                      status_label=enums.label("status", then["status"]), supervisor_unit=self.office_name,
                      host_unit=units[acc["host_unit_id"]], operator_unit=units[acc["operator_unit_id"]],
                      team=[{"person_id": p["id"], "role": r, "role_label": enums.label("role", r),
                             "name": p["name"], "unit": host["name"], "title": p["title"],
                             "office_phone": p["office_phone"], "mobile": p["mobile"]} for p, r in team])
        fid = self.filing_ids.take()
        reason = REASONS[0 if kind == enums.FilingKind.OPEN else 1].format(u=host["name"])
        self.filings.append({
            "id": fid, "uuid": new_uuid(), "number": f"{year}-{seq:05d}", "account_id": acc["id"], "kind": kind,
            "state": state, "reason": reason, "filled_on": filled, "event_on": acc["registered_on"],
            "profile_id": self.profile.id, "template_id": self.profile.template_id,
            "chain": self.chain_json, "frozen": json.dumps(frozen, ensure_ascii=False),
            "proposed": None, "announce_from": None, "announce_until": None, "effective_on": None,
            "reported_on": None,  # set below from the last signature
            "merge_parent_id": None, "kept_account_id": None, "notes": None, "origin": None,
            "created_at": self.stamp, "updated_at": self.stamp})
        rule = self.decision_rules[kind]
        if rule is not None and rng.random() < 0.95:  # 云南 第十二条: 集体研究和主要领导同意, recorded
            decided = filled - timedelta(days=rng.randrange(1, 10))
            self.filings[-1].update(meeting_on=decided, meeting_note="党组（党委）会议",
                                    head_name=_name(rng), head_approved_on=decided)
        if state in (enums.FilingState.FILED, enums.FilingState.REPORTED):
            signed = filled
            for seq_no, title in enumerate(self.chain, start=1):
                signed = min(signed + timedelta(days=rng.randrange(1, 4)), self.today)  # never signed in the future
                self.steps.append({"id": None, "uuid": new_uuid(), "filing_id": fid, "seq": seq_no, "title": title,
                                   "opinion": "同意", "signer": _name(rng), "signed_on": signed,
                                   "result": "approved", "attachment_id": None, "origin": None,
                                   "created_at": self.stamp, "updated_at": self.stamp})
            if state == enums.FilingState.REPORTED:  # entered into the national system after the last signature
                self.filings[-1]["reported_on"] = min(signed + timedelta(days=rng.randrange(0, 5)), self.today)

    # -- write -----------------------------------------------------------------------------

    def flush(self) -> None:
        s = self.s
        for model, rows, key in ((Unit, self.units, "units"), (Person, self.people, "people"),
                                 (Account, self.accounts, "accounts"), (AccountRole, self.roles, "roles"),
                                 (Filing, self.filings, "filings"), (ApprovalStep, self.steps, None)):
            if not rows:
                continue
            table = Base.metadata.tables[model.__tablename__]
            _insert(s, table, rows)
            audit.note_rows(s, model.__tablename__, (r["uuid"] for r in rows))
            if key:
                self.counts[key] += len(rows)
            rows.clear()
        self.stamp = _stamp()
    def summary_obj(self) -> DemoSummary:
        c = self.counts
        return DemoSummary(c["units"], c["people"], c["accounts"], c["roles"], c["filings"])

    def summary(self) -> str:
        c = self.counts
        return (f"单位 {c['units']} 个，人员 {c['people']} 名，账号 {c['accounts']} 个，"
                f"管理队伍岗位 {c['roles']} 条，备案 {c['filings']} 件")
