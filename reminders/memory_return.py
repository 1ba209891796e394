"""Memory a reload or a long response freed, handed back to the system.

A reload of a long timeline builds a new set of feeds and drops the old one; glibc's
allocator keeps the freed heap for later use, so the process would stay at the size of
its largest moment (two loads at once). `malloc_trim` returns the free pages.

A feed body joined for a request (13 MB for the all-regions feed of 10,000 events) is
freed once sent. glibc maps a block that large on its own and unmaps it when freed, but
then raises its threshold for doing so to the size freed (up to 32 MB): the next bodies
come from the heap and their pages stay with the process. `map_large_blocks` fixes the
threshold. Elsewhere than glibc there are no such calls and nothing is done.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable


def _libc_call(name: str) -> Callable[..., int] | None:
    try:
        call: Callable[..., int] = getattr(ctypes.CDLL(None), name)
    except (OSError, AttributeError):
        return None
    return call


_TRIM = _libc_call("malloc_trim")
_MALLOPT = _libc_call("mallopt")
#: glibc's `mallopt` parameter for the size from which a block is mapped on its own.
_M_MMAP_THRESHOLD = -3
#: Blocks this large are mapped on their own: feed bodies of long timelines, never the
#: small objects of a load (a mapping per block would slow those).
LARGE_BLOCK = 1024 * 1024


def return_free_memory() -> bool:
    """Give free heap pages back to the system; False where the C library cannot."""
    if _TRIM is None:
        return False
    _TRIM(0)
    return True


def map_large_blocks(threshold: int = LARGE_BLOCK) -> bool:
    """Have every block of `threshold` bytes or more mapped on its own and unmapped when
    freed; False where the C library cannot."""
    if _MALLOPT is None:
        return False
    return bool(_MALLOPT(_M_MMAP_THRESHOLD, threshold))
