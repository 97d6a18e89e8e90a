"""Helpers for lists of hundreds of thousands of rows (a national registry: 200,000 accounts,
~90,000 units, ~240,000 people)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """No garbage collection while a big list of rows and their keys is made.

    Every few hundred new container objects Python's collector walks the young ones again, and
    a growing list of 200,000 rows keeps promoting them: up to a third of the time of a reload
    (and most of the time of building 240,000 small choice objects) goes there. Nothing made
    inside holds reference cycles, so nothing is lost by collecting later.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
