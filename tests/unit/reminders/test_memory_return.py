"""Free memory is handed back where the C library can (glibc), and nothing fails elsewhere."""

from __future__ import annotations

import platform
import subprocess
import sys

from reminders.memory_return import map_large_blocks, return_free_memory

GLIBC = platform.libc_ver()[0] == "glibc"

#: Frees a 20 MB block (glibc then maps only blocks over 20 MB on their own), then makes
#: and frees a 13 MB body, as a feed request does; prints how much the process kept (MB).
_KEPT_AFTER_A_BODY = """
import sys
from pathlib import Path
from reminders.memory_return import map_large_blocks

def rss():
    lines = Path("/proc/self/status").read_text().splitlines()
    return int(next(l for l in lines if l.startswith("VmRSS:")).split()[1]) / 1024

if sys.argv[1] == "mapped":
    map_large_blocks()
block = b"x" * 20_000_000
del block
before = rss()
body = b"y" * 13_000_000
del body
print(round(rss() - before))
"""


def kept_after_a_body(mode: str) -> int:
    done = subprocess.run(
        [sys.executable, "-c", _KEPT_AFTER_A_BODY, mode],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return int(done.stdout)


def test_return_free_memory_on_this_c_library_says_whether_it_could() -> None:
    assert return_free_memory() == GLIBC


def test_a_large_body_freed_goes_back_to_the_system_once_large_blocks_are_mapped() -> None:
    assert map_large_blocks() == GLIBC
    # Without it glibc keeps the 13 MB in its heap.
    assert (kept_after_a_body("mapped"), kept_after_a_body("default") >= 12) == (0, GLIBC)
