"""Spotify's basic account-data export: ``StreamingHistory_music_*.json`` (older ``StreamingHistory*.json``).

Entries: ``endTime`` "YYYY-MM-DD HH:MM" (UTC, when playback ended), ``artistName``, ``trackName``,
``msPlayed``. There is no skip flag, so the common rule applies: under the threshold is a skip.
"""

from __future__ import annotations

from pathlib import Path

from tuneup.history.importers.base import (
    Options,
    Where,
    entry_object,
    epoch_from_format,
    ignored,
    int_field,
    iter_json_array,
    listen,
    text_field,
)

FORMAT = "spotify-basic"
SOURCE = "spotify"
HELP = "Spotify basic export (StreamingHistory_music_*.json)"


def parse(path: Path, options: Options = Options()):
    where = Where(path)
    skip_ms = options.skip_seconds * 1000
    for where.n, entry in enumerate(iter_json_array(path), 1):
        entry = entry_object(entry, where)
        if "episodeName" in entry or "podcastName" in entry:
            yield ignored("podcast")
            continue
        ends = epoch_from_format(entry.get("endTime"), "%Y-%m-%d %H:%M", where, "endTime")
        ms = int_field(entry, "msPlayed", where)
        for key in ("artistName", "trackName"):
            if key not in entry:
                raise where.error(f"missing {key!r}")
        title = text_field(entry, "trackName", where)
        if title is None:
            yield ignored("no track name")
            continue
        skipped = ms < skip_ms
        yield listen(
            ends - ms // 1000,
            ms,
            "skipped" if skipped else "finished",
            skipped,
            text_field(entry, "artistName", where),
            title,
        )
