"""The cancel flag long work accepts: None, a threading.Event, or a callable returning True to stop."""

from __future__ import annotations

from typing import Callable


def cancel_check(cancel) -> Callable[[], bool]:
    if cancel is None:
        return lambda: False
    if hasattr(cancel, "is_set"):
        return cancel.is_set
    return cancel
