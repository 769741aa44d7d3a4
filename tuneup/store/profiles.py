"""A profile's own state in its settings JSON: whether the first-run wizard should run, kept there so a
half-done wizard resumes."""

from __future__ import annotations

import json

from tuneup.store.db import write
from tuneup.store.items import has_items


def _settings(db, profile_id: int) -> dict:
    row = db.execute("SELECT settings FROM profiles WHERE id = ?", [profile_id]).fetchone()
    try:
        value = json.loads(row[0]) if row and row[0] else {}
    except ValueError:
        value = {}
    return value if isinstance(value, dict) else {}


def set_onboarding_state(db, profile_id: int, state: str) -> None:
    """``state`` is "started", "cancelled" or "done"."""
    with write(db):
        settings = _settings(db, profile_id)
        settings["onboarding"] = state
        db.execute(
            "UPDATE profiles SET settings = ? WHERE id = ?", [json.dumps(settings), profile_id]
        )


def needs_onboarding(db, profile_id: int) -> bool:
    """Run the wizard when the library is empty, or when it was started and never finished."""
    if _settings(db, profile_id).get("onboarding") == "started":
        return True
    return not has_items(db)


def profile_names(db) -> list[str]:
    """Every profile (household member), by name."""
    return [r[0] for r in db.execute("SELECT name FROM profiles ORDER BY name")]
