"""The content hash made with SQLite's ``json_array`` is byte for byte the one made in Python.

``snapshot._hash_rows_sql`` lets SQLite write each row's JSON line; the Python encoder
(``_CANON``) defines the hash (snapshot format 1, every snapshot already sent). With a text
factory other than ``str`` (``_content_digest`` as ``content_digest`` calls it again for a file
with a byte that is not UTF-8) the rows go through Python, so both can be compared on one file.
"""

from __future__ import annotations

import random
import sqlite3

from gzdesk.exchange import snapshot

TRICKY = ["", " ", "a\"b", "a\\b", "/", "\\u0041", "中文", "\u3000", "\u2028\u2029", "\ufeff", "\x7f", "\x85",
          "e\u0301", "\U0001F600", "\U0010FFFF", "\ud7ff\ue000", "[1,2]", "{\"$b\": \"AA==\"}", "null", "true",
          "1e5", "\x00", "a\x00b", "<tag>&amp;'"]
TRICKY += [chr(i) for i in range(0x80)] + ["x" * 5000 + "\x01"]
NUMBERS = [0, 1, -1, 2**31, -(2**31), 2**53 + 1, 2**63 - 1, -(2**63), 10**18]
ODD = [0.0, -0.0, 1.0, 0.1, 1e20, 1.5e-7, 3.141592653589793, float(2**53), b"", b"\x00\xff", "中".encode()]


def _file(tmp_path, rows):
    path = tmp_path / "t.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE thing (id INTEGER PRIMARY KEY, uuid TEXT, a, b TEXT, c INTEGER)")
    conn.execute("CREATE TABLE plain (x, y)")  # no uuid: ordered by every column
    conn.executemany("INSERT INTO thing (uuid, a, b, c) VALUES (?, ?, ?, ?)", rows)
    conn.executemany("INSERT INTO plain VALUES (?, ?)", [(r[1], r[2]) for r in rows])
    conn.commit()
    conn.close()
    return path


def _digests(path) -> tuple[str, str]:
    conn = sqlite3.connect(path)
    try:
        fields = {"format_version": 2, "source_name": "某县"}
        in_sql = snapshot.content_digest(conn, fields)
        conn.text_factory = lambda raw: raw.decode("utf-8")  # not ``str``: the Python encoder
        in_python = snapshot._content_digest(conn, fields)
        return in_sql, in_python
    finally:
        conn.close()


def test_every_text_and_integer_hashes_as_in_python(tmp_path):
    values = TRICKY + NUMBERS + [None]
    rows = [(f"u{i:04d}", v, values[(i * 7) % len(values)], values[(i * 3) % len(values)])
            for i, v in enumerate(values)]
    a, b = _digests(_file(tmp_path, rows))
    assert a == b


def test_rows_with_reals_and_blobs_among_text_hash_as_in_python(tmp_path):
    rng = random.Random(5)
    pool = TRICKY + NUMBERS + ODD + [None]
    rows = [(f"u{rng.randrange(50):04d}", rng.choice(pool), rng.choice(pool), rng.choice(pool)) for _ in range(400)]
    a, b = _digests(_file(tmp_path, rows))
    assert a == b


def test_random_unicode_hashes_as_in_python(tmp_path):
    rng = random.Random(11)

    def text():
        out = []
        for _ in range(rng.randrange(12)):
            cp = rng.choice([rng.randrange(0x20), rng.randrange(0x80), rng.randrange(0xD800),
                             rng.randrange(0xE000, 0x110000)])
            out.append(chr(cp))
        return "".join(out)
    rows = [(text(), text(), text(), rng.choice(NUMBERS)) for _ in range(2000)]
    a, b = _digests(_file(tmp_path, rows))
    assert a == b


def test_the_sql_path_is_the_one_taken(tmp_path, monkeypatch):
    """Guards the test above: with ``str`` text the rows are hashed by SQLite, not by ``_CANON``."""
    path = _file(tmp_path, [("u1", "a", "b", 1)])
    calls = []
    monkeypatch.setattr(snapshot, "_hash_rows_sql", lambda *a: calls.append(a[2]) or False)
    conn = sqlite3.connect(path)
    snapshot.content_digest(conn, {})
    conn.close()
    assert calls == ["plain", "thing"]
