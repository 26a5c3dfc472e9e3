"""A small in-process cache of rendered public pages, with a time-to-live. Pure."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class CachedPage:
    html: str
    #: when the page was rendered (shown to readers as 最后更新)
    rendered_at: datetime
    #: clock() value after which the entry is stale
    expires: float
    #: the version of the data it was rendered from; a read asking for another version misses
    version: str = ""


class PageCache:
    """Rendered HTML per key until it expires or is invalidated; safe across threads.

    Each worker process has its own copy, so an invalidation reaches only the process that
    made it; callers must re-check anything that must take effect everywhere (publication).
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic, max_entries: int = 500) -> None:
        self._clock = clock
        self._max = max_entries
        self._entries: dict[Hashable, CachedPage] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, version: str = "") -> CachedPage | None:
        """Return the fresh entry for key rendered from `version` of the data, or None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry.expires <= self._clock() or entry.version != version:
                del self._entries[key]
                return None
            return entry

    def put(self, key: Hashable, html: str, rendered_at: datetime, ttl: float, version: str = "") -> CachedPage:
        """Store a page rendered from `version` of the data for ttl seconds (ttl <= 0 stores nothing)."""
        entry = CachedPage(html=html, rendered_at=rendered_at, expires=self._clock() + ttl, version=version)
        if ttl <= 0:
            return entry
        with self._lock:
            if len(self._entries) >= self._max and key not in self._entries:
                # Evict the entry closest to expiry; the cache is small, a scan is fine.
                del self._entries[min(self._entries, key=lambda k: self._entries[k].expires)]
            self._entries[key] = entry
        return entry

    def invalidate(self, key: Hashable) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
