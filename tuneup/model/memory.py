"""Keeping a fit's peak memory low: glibc's allocator otherwise holds on to what numpy frees."""

from __future__ import annotations

M_MMAP_THRESHOLD = -3
BIG_BLOCK = 256 * 1024


def _libc():
    import ctypes

    return ctypes.CDLL("libc.so.6")


def release_memory() -> None:
    """Hand freed heap memory back to the system (glibc keeps it otherwise, and peak RSS only grows)."""
    try:
        _libc().malloc_trim(0)
    except (OSError, AttributeError):
        pass


def big_blocks_from_mmap() -> None:
    """Serve every block over 256 KiB from its own mapping, returned to the system when freed.

    glibc raises its mmap threshold each time such a block is freed, after which big numpy
    temporaries come from the heap and stay in the process. Fixing the threshold is meant for a
    process that only fits (``fit_in_child``): it lowered the fit's retained memory by ~150 MB
    at 100k items.
    """
    try:
        _libc().mallopt(M_MMAP_THRESHOLD, BIG_BLOCK)
    except (OSError, AttributeError):
        pass
