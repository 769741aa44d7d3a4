"""Commands owned by this module are registered by register(app). (Filled in by its issue.)"""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    return None
