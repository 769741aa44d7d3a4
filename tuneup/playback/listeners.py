"""A player's state listeners (the front end's now-playing bar): added, removed, told of each new state."""

from __future__ import annotations

from typing import Callable


class StateListeners:
    def __init__(self, on_failure: Callable[[str], None]):
        self._callbacks: list[Callable] = []
        self._on_failure = (
            on_failure  # where "listener failed" goes: a broken listener must not stop the player
        )

    def add(self, callback: Callable) -> None:
        self._callbacks.append(callback)

    def remove(self, callback: Callable) -> None:
        if callback in self._callbacks:
            self._callbacks.remove(callback)

    def notify(self, state) -> None:
        for callback in list(self._callbacks):
            try:
                callback(state)
            except Exception as exc:
                self._on_failure(f"listener failed: {exc!r}")
