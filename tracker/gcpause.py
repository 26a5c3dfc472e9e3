"""Hold the cyclic garbage collector off while a computation builds many small records.

Building a province's assessment makes a few hundred thousand tuples, named tuples and strings
in a second or two. Every 700 new container objects CPython runs a young-generation collection,
and each time enough survive it walks the older generations too, through everything the
process holds (the app, SQLAlchemy's registries, the facts built so far): a third of the
assessment's CPU time went to collections that found nothing to free, as records of facts and
scores form no reference cycles. Inside ``gc_paused()`` automatic collection is off; it comes
back when the last block running in the process ends (blocks may nest and run in several
threads), and what was made meanwhile is examined at the next ordinary collection.
"""
from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["gc_paused"]

_lock = threading.Lock()
#: blocks running now; automatic collection is off while it is above zero
_depth = 0
#: whether collection was on when the outermost block began (it is restored only then)
_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """Turn automatic garbage collection off for the block, then back on if it was on."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
