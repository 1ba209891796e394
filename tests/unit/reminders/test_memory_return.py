"""Free memory is handed back where the C library can (glibc), and nothing fails elsewhere."""

from __future__ import annotations

import platform

from reminders.memory_return import return_free_memory


def test_return_free_memory_on_this_c_library_says_whether_it_could() -> None:
    assert return_free_memory() == (platform.libc_ver()[0] == "glibc")
