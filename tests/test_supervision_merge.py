"""A county's supervision records reach the city in its 上报快照, and the city assesses the county.

Inspections, their findings and 整改, quarter reports, assessment entries and fake-account reports
all have uuid and origin (``merge.synced_tables``): merged once they are there, merged again they
are not duplicated, deleted at the county they are gone at the city.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select

from gzdesk import assessment, fakes, inspections, quarters, registry, scope
from gzdesk.exchange.merge import merge_snapshots, synced_tables
from gzdesk.exchange.snapshot import export_snapshot
from gzdesk.inspections import DEDUCT, FindingInput
from gzdesk.models import FakeReport, Inspection, InspectionFinding, QuarterReport
from gzdesk.registry import AccountData, UnitData
from gzdesk.reports import quarter as quarter_report

TODAY = date(2026, 11, 30)
SUPERVISION_TABLES = {"inspection", "inspection_finding", "quarter_report", "assessment_entry", "fake_report",
                      "fake_step", "census_report"}


def test_every_supervision_table_travels():
    assert SUPERVISION_TABLES <= {t.name for t in synced_tables()}


def _county(make_db):
    county = make_db("nantong", unit="海门区人民政府办公室", name="haimen.db")
    with county.transaction() as s:
        u = registry.save_unit(s, UnitData(name="海门区教育局", kind="department"))
        ids = [registry.save_account(s, AccountData(name=f"海门教育{p}", platform=p, host_unit_id=u,
                                                    registered_on=date(2020, 1, 1)))
               for p in ("weibo", "douyin")]
        q3 = quarters.parse("2026Q3")
        for aid in ids:
            inspections.new_inspection(s, aid, q3, date(2026, 8, 10), "王建国",
                                       [FindingInput(DEDUCT, "名称不规范")], today=TODAY)
        inspections.notify(s, q3, date(2026, 8, 20), today=TODAY)
        quarter_report.record_sent(s, q3, date(2026, 10, 9), today=TODAY)  # late
        assessment.set_entry(s, 2026, scope.resolve(s), "考核评价", "否")
        fakes.new_report(s, "海门教育官方", date(2026, 11, 1), platform="抖音", today=TODAY)
    return county, ids


def _counts(db) -> dict[str, int]:
    with db.reader() as s:
        return {m.__tablename__: s.scalar(select(func.count()).select_from(m))
                for m in (Inspection, InspectionFinding, QuarterReport, FakeReport)}


def test_a_countys_inspections_reach_the_city_and_the_city_assesses_it(make_db, tmp_path):
    county, ids = _county(make_db)
    city = make_db("nantong", unit="南通市人民政府办公室", name="city.db")
    snap = export_snapshot(county.path, tmp_path / "haimen-1.gzsnap", now=datetime(2026, 11, 30, 9, 0)).path
    [report] = merge_snapshots(city, [snap])
    assert report.per_table()["inspection"]["added"] == 2 and report.per_table()["inspection_finding"]["added"] == 2
    assert _counts(city) == {"inspection": 2, "inspection_finding": 2, "quarter_report": 1, "fake_report": 1}

    with city.reader() as s:
        haimen = scope.resolve(s, "海门区人民政府办公室")
        here = scope.resolve(s)
        assert haimen.origin == "海门区人民政府办公室"
        rows = inspections.list_inspections(s, "2026Q3", haimen)
        assert {r.account for r in rows} == {"海门教育weibo", "海门教育douyin"} and all(r.origin for r in rows)
        assert inspections.list_inspections(s, "2026Q3", here) == []  # not the city's own
        a = assessment.assess(s, 2026, haimen, TODAY)
        # the county's own accounts and records, as merged
        late = next(ln for it in a.items for ln in it.lines if ln.key == "抽查检查.1")
        assert late.value == 3 and "2026年第三季度于2026年10月9日报送（应于2026年10月5日前）" in late.source
        entry = next(ln for it in a.items for ln in it.lines if ln.key == "考核评价")
        assert entry.manual == 0 and entry.source.startswith("海门区人民政府办公室自报")
        cov = inspections.coverage(s, quarters.parse("2026Q3"), haimen)
        assert (cov.inspected, cov.active) == (2, 2)
        assert [f.name for f in fakes.list_reports(s, scope=haimen)] == ["海门教育官方"]
    with city.transaction() as s:  # the city's own judgement of the county wins over the county's
        assessment.set_entry(s, 2026, scope.resolve(s, "海门区"), "考核评价", "是", "未见绩效考核文件")
    with city.reader() as s:
        a = assessment.assess(s, 2026, scope.resolve(s, "海门区人民政府办公室"), TODAY)
        entry = next(ln for it in a.items for ln in it.lines if ln.key == "考核评价")
        assert entry.manual == 1 and entry.source == "手工填写" and entry.note == "未见绩效考核文件"

    # the city's own spot check of a county account counts for the county's 上级抽查 and 合格率
    with city.transaction() as s:
        account = inspections.search_accounts(s, "海门教育weibo")[0]
        assert account.origin == "海门区人民政府办公室" and account.text.endswith("〔海门区人民政府办公室〕")
        inspections.new_inspection(s, account.id, "2026Q4", date(2026, 11, 5), "市办检查组", [], level="市办抽查",
                                   today=TODAY)
        a = assessment.assess(s, 2026, scope.resolve(s, "海门区人民政府办公室"), TODAY)
        passed = next(ln for it in a.items for ln in it.lines if ln.key == "合格率")
        assert passed.value == 1 and "上级抽查 1 个账号次" in passed.source
        assert inspections.list_inspections(s, "2026Q4", scope.resolve(s)) != []  # the city's own record

    # merged again: nothing is duplicated; an inspection deleted at the county is gone at the city
    with county.transaction() as s:
        first = inspections.list_inspections(s)[0]
        inspections.delete_inspection(s, first.id)
    snap2 = export_snapshot(county.path, tmp_path / "haimen-2.gzsnap", now=datetime(2026, 11, 30, 10, 0)).path
    merge_snapshots(city, [snap2])
    assert _counts(city) == {"inspection": 2, "inspection_finding": 1, "quarter_report": 1, "fake_report": 1}


def test_merged_records_are_the_countys_to_change(make_db, tmp_path):
    county, _ids = _county(make_db)
    city = make_db("nantong", unit="南通市人民政府办公室", name="city2.db")
    merge_snapshots(city, [export_snapshot(county.path, tmp_path / "h.gzsnap").path])
    import pytest

    from gzdesk import rectify
    from gzdesk.errors import UserError

    with city.transaction() as s:
        item = rectify.list_items(s, TODAY)[0]
        with pytest.raises(UserError, match="来自“海门区人民政府办公室”的上报快照"):
            rectify.mark_done(s, [item.id], TODAY, today=TODAY)
        with pytest.raises(UserError, match="来自“海门区人民政府办公室”的上报快照"):
            inspections.delete_inspection(s, item.inspection_id)
