"""Which player plays: the one the ``player`` setting names, mpv (the default) or MPD. The TUI
builds its player here; ``env`` is anything with ``paths`` and ``config`` (tuneup.env.Env)."""

from __future__ import annotations


def default_player(env, profile_id: int, **kwargs):
    """The player the ``player`` setting names, acting for ``profile_id``."""
    env.paths.ensure()
    if env.config.get("player") == "mpd":
        from tuneup.playback.mpd_player import MpdPlayer

        return MpdPlayer.from_env(env, profile_id, **kwargs)
    from tuneup.history.watch import CompletionRule
    from tuneup.playback.mpv import Player

    return Player(
        env.paths.db_file,
        profile_id,
        env.paths.run_dir,
        skip_seconds=env.config.get("history.skip_seconds"),
        watch_rule=CompletionRule.from_config(env.config),
        **kwargs,
    )
