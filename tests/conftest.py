"""Shared fixtures. Qt runs offscreen; every test gets its own data folder and database."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "*.debug=false;qt.qpa.*=false")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    """Keep every test away from the real user data folder."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("GZDESK_HOME", str(home))
    monkeypatch.delenv("GZDESK_DB", raising=False)
    yield
    from gzdesk.logs import stop_logging

    stop_logging()  # the log file was in this test's data folder


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "office.db"


@pytest.fixture
def db(db_path):
    """An initialised office database (南通 profile) with no accounts."""
    from gzdesk import office
    from gzdesk.db import Database

    database = Database(db_path, actor="测试员")
    with database.transaction() as s:
        office.init_office(s, "测试县人民政府办公室", "nantong")
    yield database
    database.close()


@pytest.fixture
def make_db(tmp_path):
    """Factory: an initialised database for any profile, at a fresh path."""
    from gzdesk import office
    from gzdesk.db import Database

    made = []

    def factory(profile: str = "nantong", unit: str = "测试县人民政府办公室", name: str | None = None) -> Database:
        path = tmp_path / (name or f"{profile}-{len(made)}.db")
        database = Database(path, actor="测试员")
        with database.transaction() as s:
            office.init_office(s, unit, profile)
        made.append(database)
        return database

    yield factory
    for d in made:
        d.close()
