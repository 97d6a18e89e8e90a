"""Big query results fetched in partitions.

SQLAlchemy's compiled row loop holds the interpreter lock for a whole ``Result.all()`` (~0.3 s
over 200,000 accounts). A page of the window reads in a worker thread (``ui.background``), and
while the worker holds the lock the window cannot paint; between partitions its thread gets a turn.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Result


def all_rows(result: Result[Any], size: int = 5000) -> list[Any]:
    """``result.all()``, fetched ``size`` rows at a time."""
    return [row for part in result.partitions(size) for row in part]
