"""备案编号 clashes in a merge are reported and kept visible, never fatal (issue 8 item 3).

Reproduced before the fix, through the CLI as below: a county files 2026-000NN, the city merges
it; the county restores a backup from before that filing and files again, reusing the number
for a new filing (a new uuid); its next snapshot — and every later one — ended in
``内部错误：IntegrityError … UNIQUE constraint failed: index 'ux_filing_origin_number'`` (exit 2),
because the new filing was inserted before the one gone from the county was deleted.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from gzdesk.cli import main
from gzdesk.exchange.snapshot import reseal


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def filings_of(path: Path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT uuid, number, origin, reason FROM filing ORDER BY id").fetchall()
    finally:
        conn.close()


@pytest.fixture
def offices(tmp_path, capsys):
    county, city = tmp_path / "county.db", tmp_path / "city.db"
    assert cli(capsys, "init", "--unit", "海门区人民政府办公室", "--profile", "nantong", "--db", str(county))[0] == 0
    assert cli(capsys, "demo", "--accounts", "4", "--seed", "3", "--db", str(county))[0] == 0
    assert cli(capsys, "init", "--unit", "南通市人民政府办公室", "--profile", "nantong", "--db", str(city))[0] == 0
    return county, city


def new_filing(capsys, db: Path, reason: str, account: int = 1) -> str:
    code, out, err = cli(capsys, "filing", "new", "--account", str(account), "--kind", "变更", "--reason", reason,
                         "--set", f"名称=改名{reason}", "--db", str(db), "--json")
    assert code == 0, err
    return json.loads(out)["number"]


def test_a_county_that_restored_a_backup_and_filed_again_can_still_be_merged(offices, tmp_path, capsys):
    county, city = offices
    code, out, _ = cli(capsys, "backup", "--db", str(county), "--json")
    saved = json.loads(out)["path"]
    first = new_filing(capsys, county, "第一次")
    snap1 = tmp_path / "s1.gzsnap"
    assert cli(capsys, "snapshot", "export", str(snap1), "--db", str(county))[0] == 0
    assert cli(capsys, "snapshot", "merge", str(snap1), "--db", str(city))[0] == 0
    old_uuid = next(u for u, n, _o, _r in filings_of(city) if n == first)

    assert cli(capsys, "restore", saved, "--db", str(county))[0] == 0
    again = new_filing(capsys, county, "第二次")
    assert again == first  # the county's numbering went back with its backup
    snap2 = tmp_path / "s2.gzsnap"
    assert cli(capsys, "snapshot", "export", str(snap2), "--db", str(county))[0] == 0
    code, _, err = cli(capsys, "snapshot", "merge", str(snap2), "--db", str(city))
    assert code == 1 and "--reset-history" in err  # its history went back with the backup: refused, then
    assert cli(capsys, "snapshot", "sources", "--reset-history", "海门区人民政府办公室", "--db", str(city))[0] == 0
    code, out, err = cli(capsys, "snapshot", "merge", str(snap2), "--db", str(city), "--json")
    assert code == 0, err
    report = json.loads(out)[0]
    # the filing gone from the county is listed as gone; the new one holds the number, and the reuse is said
    assert any(i["uuid"] == old_uuid for i in report["gone_items"])
    assert [(r["number"], r["previous_uuid"]) for r in report["reused_numbers"]] == [(first, old_uuid)]
    rows = {u: (n, r) for u, n, _o, r in filings_of(city)}
    assert old_uuid not in rows
    assert [n for n, r in rows.values() if r == "第二次"] == [first]

    # and the next snapshot merges too (it died again, every time, before)
    new_filing(capsys, county, "第三次", account=2)
    snap3 = tmp_path / "s3.gzsnap"
    assert cli(capsys, "snapshot", "export", str(snap3), "--db", str(county))[0] == 0
    code, out, err = cli(capsys, "snapshot", "merge", str(snap3), "--db", str(city))
    assert code == 0 and "内部错误" not in err, err
    assert cli(capsys, "verify", "--db", str(city))[0] == 0


def test_two_filings_of_one_snapshot_with_one_number_are_both_kept_and_reported(offices, tmp_path, capsys):
    """A county whose library holds filings merged from its townships numbers alike: in the city,
    all of them are the county's, and a number used twice is kept visible with a suffix."""
    county, city = offices
    number = new_filing(capsys, county, "县里的")
    snap = tmp_path / "s.gzsnap"
    assert cli(capsys, "snapshot", "export", str(snap), "--db", str(county))[0] == 0
    conn = sqlite3.connect(snap)  # a second filing with that number, as from a township's snapshot
    conn.execute("INSERT INTO filing (number, account_id, kind, state, reason, uuid, created_at, updated_at, origin) "
                 "SELECT number, account_id, kind, state, '镇里的', '1b4e28ba-2fa1-11d2-883f-0016d3cca427', "
                 "created_at, updated_at, '某某镇人民政府' FROM filing WHERE number = ?", (number,))
    conn.commit()
    conn.close()
    reseal(snap)
    code, out, err = cli(capsys, "snapshot", "merge", str(snap), "--db", str(city), "--json")
    assert code == 0, err
    report = json.loads(out)[0]
    kept = {r: n for _u, n, _o, r in filings_of(city)}
    assert kept["县里的"] != kept["镇里的"] and number in (kept["县里的"], kept["镇里的"])
    suffixed = kept["镇里的"] if kept["县里的"] == number else kept["县里的"]
    assert suffixed.startswith(number + "（")
    assert [(r["label"], r["stored"]) for r in report["renamed"]] == [(number, suffixed)]
    code, out, _ = cli(capsys, "snapshot", "merge", str(snap), "--db", str(city))
    assert code == 0 and "已合并过" in out
    code, text, _ = cli(capsys, "snapshot", "merge", str(snap), "--db", str(tmp_path / "city2.db"))
    assert code == 1  # (no such database) — the text report is checked below on a fresh city
    cli(capsys, "init", "--unit", "南通市人民政府办公室", "--profile", "nantong", "--db", str(tmp_path / "city3.db"))
    code, out, _ = cli(capsys, "snapshot", "merge", str(snap), "--db", str(tmp_path / "city3.db"))
    assert code == 0 and f"编号与本库已有记录重复、已加来源后缀：1 项（如 {suffixed}）" in out


def test_a_suffixed_number_fits_its_column_whatever_the_source_is_called():
    from gzdesk import value_check
    from gzdesk.exchange.merge_rows import suffixed as _suffixed

    limit = value_check.text_limit("filing", "number")
    long_name = "江苏省南通市海门区经济技术开发区管理委员会党政办公室综合科"
    seen = set()
    for n in (1, 2, 12):
        text = _suffixed("2026-00001", long_name, n, limit)
        assert len(text) <= limit and text.startswith("2026-00001（") and text not in seen
        seen.add(text)
    assert _suffixed("2026-00001", "海门区", 1, limit) == "2026-00001（海门区）"
    assert len(_suffixed("9" * limit, "海门区", 2, limit)) == limit
