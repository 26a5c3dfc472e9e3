"""The dashboard's figures, kept per plan data version so a leader's repeat visit costs no scan.

An entry's key names everything the figures depend on: the database, the plan (its id, when it
was created and its data version, which every write to its tasks or assignments renews), the
filters, the date and its status rules, the time zone and the working-day calendar. A change
anywhere gives a new key, so entries are never invalidated, only left to fall out of the
least-recently-used end.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")

#: entries kept per process: one per (plan, date, scope, category) that people actually look at
DEFAULT_ENTRIES = 256


class FigureCache(Generic[V]):
    """A thread-safe least-recently-used map from a key to computed figures. Pure."""

    def __init__(self, max_entries: int = DEFAULT_ENTRIES) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self._max = max_entries
        self._entries: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_or_compute(self, key: Hashable, compute: Callable[[], V]) -> tuple[V, bool]:
        """Return (value, True) from the cache, or compute, store and return (value, False).

        Two requests missing the same key at once both compute; the figures are the same.
        """
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                self.hits += 1
                return self._entries[key], True
            self.misses += 1
        value = compute()
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)
        return value, False

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
