"""Spotify extended streaming history: ``Streaming_History_Audio_*.json`` (older: ``endsong_*.json``).

Each entry is one play; ``ts`` is when playback ENDED (UTC), so it started ``ms_played`` earlier.
Incognito plays are dropped and podcast/audiobook entries ignored. A play shorter than the skip
threshold that Spotify marks ``skipped`` or that ended with a skip reason counts as a skip.
"""

from __future__ import annotations

from pathlib import Path

from tuneup.history.importers.base import (
    MAX_NUMBER,
    MAX_TEXT,
    Options,
    Where,
    entry_object,
    epoch_from_iso,
    ignored,
    int_field,
    iter_json_array,
    listen,
    text_field,
)

FORMAT = "spotify-extended"
SOURCE = "spotify"
HELP = "Spotify extended streaming history (Streaming_History_Audio_*.json, endsong_*.json)"

# reason_end values meaning the person moved on to something else.
SKIP_REASONS = frozenset(
    {"fwdbtn", "backbtn", "clickrow", "playbtn", "uriopen", "popup", "endplay"}
)
STOP_REASONS = frozenset({"logout", "remote", "unknown", "appload"})
ERROR_REASONS = frozenset({"trackerror", "unexpected-exit", "unexpected-exit-while-paused"})


def end_reason(reason_end: str | None) -> str:
    if reason_end == "trackdone":
        return "finished"
    if reason_end in SKIP_REASONS:
        return "skipped"
    if reason_end in ERROR_REASONS:
        return "error"
    return "stopped"


def parse(path: Path, options: Options = Options()):
    where = Where(path)
    skip_ms = options.skip_seconds * 1000
    for where.n, entry in enumerate(iter_json_array(path), 1):
        entry = entry_object(entry, where)
        get = entry.get
        ends = epoch_from_iso(get("ts"), where, "ts")
        ms = get("ms_played")
        if type(ms) is not int or not 0 <= ms <= MAX_NUMBER:  # the slow path converts or explains
            ms = int_field(entry, "ms_played", where)
        if get("incognito_mode") is True:
            yield ignored("incognito")
            continue
        title = get("master_metadata_track_name")
        if type(title) is not str or not title or len(title) > MAX_TEXT:
            title = text_field(entry, "master_metadata_track_name", where)
        if title is None:
            podcast = get("episode_name") or get("episode_show_name") or get("spotify_episode_uri")
            yield ignored("podcast" if podcast else "no track name")
            continue
        reason = get("reason_end")
        if reason is not None and type(reason) is not str:
            reason = text_field(entry, "reason_end", where)  # explains: a list, an object, ...
        ended = end_reason(reason)
        skipped = ms < skip_ms and (get("skipped") is True or reason in SKIP_REASONS)
        if skipped:
            ended = "skipped"
        yield listen(
            ends - ms // 1000,
            ms,
            ended,
            skipped,
            text_field(entry, "master_metadata_album_artist_name", where),
            title,
            text_field(entry, "master_metadata_album_album_name", where),
        )
