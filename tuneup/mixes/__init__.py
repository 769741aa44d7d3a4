"""Mixes and rows: what a person sees and plays, each item with its reason.

Entry points (the CLI and the TUI call the same ones; nothing heavy is imported here):

- ``weekly.weekly(db, model_dir, profile_id, now=, config=, size=, refresh=, model=) -> Mix``
- ``daily.daily(db, model_dir, profile_id, now=, config=, refresh=, model=) -> list[Mix]``
- ``radio.RadioSession(db, model, profile_id, seeds, now=)``: ``next_batch(n)``, ``skipped(item_id)``
- ``rows.build_rows(db, model_dir, profile_id, now=, config=) -> list[Mix]``
- ``onboard.onboard(db, profile_id, genres, artists, import_file=None, import_format=None) -> OnboardSummary``
- ``playlists.render(mix, fmt, paths=)`` / ``playlists.write_playlist(mix, out, fmt, paths=)``;
  ``playlist_read.parse(text, fmt)`` reads them back.

Each raises ``tuneup.errors.NothingToMixError`` with a one-line reason when there is nothing to mix.
"""
