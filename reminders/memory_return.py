"""Memory a reload freed, handed back to the system.

A reload of a long timeline builds a new set of feeds and drops the old one; glibc's
allocator keeps the freed heap for later use, so the process would stay at the size of
its largest moment (two loads at once). `malloc_trim` returns the free pages. Elsewhere
than glibc there is no such call and nothing is done.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable


def _malloc_trim() -> Callable[[int], int] | None:
    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None
    return trim


_TRIM = _malloc_trim()


def return_free_memory() -> bool:
    """Give free heap pages back to the system; False where the C library cannot."""
    if _TRIM is None:
        return False
    _TRIM(0)
    return True
