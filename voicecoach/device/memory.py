"""Keeping a long-running process's memory flat.

Every thread that allocates gets its own glibc malloc arena (up to 8 per core), and freed memory
stays in it. Speech synthesis allocates large buffers on short-lived player threads, so without a
limit the resident size climbs by hundreds of megabytes over hours, then plateaus high. Two arenas
hold it flat (measured with `voicecoach soak`: see docs/PERFORMANCE.md).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import functools
import logging

log = logging.getLogger(__name__)
M_ARENA_MAX = -8  # from glibc's malloc.h
ARENAS = 2


@functools.cache
def _libc():
    """The C library, looked up once (find_library runs a subprocess: ~6 ms each time)."""
    return ctypes.CDLL(ctypes.util.find_library("c"))


def limit_malloc_arenas(arenas: int = ARENAS) -> bool:
    """Call before any thread starts. False where the C library is not glibc (nothing to do)."""
    try:
        return bool(_libc().mallopt(M_ARENA_MAX, arenas))
    except (OSError, AttributeError, TypeError):  # musl, macOS: no mallopt
        return False


def release_free_memory() -> None:
    """Hand freed heap pages back to the system (glibc's malloc_trim), so RSS shows what is held."""
    try:
        _libc().malloc_trim(0)
    except (OSError, AttributeError, TypeError):  # not glibc
        pass


class IdleTidy:
    """Once per session, back in idle: return the heap pages synthesis freed to the system."""

    def __init__(self):
        self._tidied = True

    def tend(self, idle: bool) -> None:
        if idle and not self._tidied:
            release_free_memory()
        self._tidied = idle
