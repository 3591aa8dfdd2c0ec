"""A small in-process LRU for summaries and charts, keyed on the state of a
survey's responses so a new or completed response makes entries stale."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from ..database import utcnow
from . import tally


class LRU:
    """Thread-safe least-recently-used mapping with a fixed number of entries."""

    def __init__(self, size: int = 128):
        self.size = size
        self._data: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get_or_set(self, key, compute: Callable[[], Any]):
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        value = compute()  # outside the lock: two misses may compute twice, never block each other
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


summaries = LRU(64)
charts = LRU(512)


def state_key(survey_id: int) -> tuple:
    """The responses' state plus the hour (break-offs depend on the clock)."""
    return (*tally.cache_key(survey_id), utcnow().strftime("%Y%m%d%H"))
