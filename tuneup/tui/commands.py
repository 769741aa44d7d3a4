"""Every action of the app in the command palette (ctrl+p)."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tuneup.text import terminal

# (title, app action, help). The app action runs through App.run_action, so the keys and the
# palette share one code path.
COMMANDS: list[tuple[str, str, str]] = [
    ("Go to Home", "app.show_tab('home')", "Rows of mixes worth playing"),
    ("Go to Library", "app.show_tab('library')", "Every item: search, filter, sort"),
    ("Search the library", "app.search", "Type to search title, artist, album, series, genre (/)"),
    ("Go to Stats", "app.show_tab('stats')", "Your listening, in charts"),
    ("Go to Settings", "app.show_tab('settings')", "Folders, adventurousness, player, profiles"),
    ("Play / pause", "app.toggle_pause", "Pause or resume playback (space)"),
    ("Next", "app.next", "Next item in the queue (n)"),
    ("Previous", "app.previous", "Previous item (b)"),
    ("Skip", "app.skip", "Skip the current item; recorded as a skip (s)"),
    ("Like / unlike", "app.like", "Like what plays (or the focused item); again takes it back (l)"),
    ("Dislike / undislike", "app.dislike", "Less like this; again takes it back (d)"),
    ("Ban / unban", "app.ban", "Never recommend or play this again; again lifts the ban (x)"),
    ("Undo the last like, dislike or ban", "app.undo_feedback", "(u)"),
    ("Radio from this item", "app.radio", "Endless radio seeded from what plays or is focused (r)"),
    (
        "Exclude from my taste",
        "app.exclude",
        "What plays (or the focused item) stops shaping your mixes; history kept (e)",
    ),
    ("Volume up", "app.volume(5)", "(+)"),
    ("Volume down", "app.volume(-5)", "(-)"),
    ("Seek forward 10 s", "app.seek(10)", "(right or .)"),
    ("Seek back 10 s", "app.seek(-10)", "(left or ,)"),
    ("Stop playback", "app.stop", "Stop and clear the queue"),
    (
        "Library folders",
        "app.library_folders('show')",
        "Settings: the folders tuneup scans, with item counts",
    ),
    (
        "Add a library folder (browse)",
        "app.library_folders('browse')",
        "Browse to a folder, check it and scan it (ctrl+o in Settings and setup)",
    ),
    (
        "Remove a library folder",
        "app.library_folders('remove')",
        "Forget the highlighted folder; no file is deleted (delete or d in the folder list)",
    ),
    ("Rescan the library", "app.rescan", "Find new, changed and missing files"),
    ("Re-analyse audio", "app.reanalyse", "Compute audio features again"),
    (
        "Prompt mix",
        "app.prompt_mix",
        "A mix from words: 'calm acoustic evening, no metal, some jazz'; refine it the same way",
    ),
    ("Refresh home rows", "app.refresh_home", "Build the home rows again"),
    ("Run onboarding again", "app.onboarding", "Choose folders, genres and artists again"),
    ("Help: keys of this screen", "app.help", "(?)"),
    ("Quit", "app.quit", "(q)"),
]


def _entries(app) -> list[tuple[str, str, str]]:
    """The fixed actions, then one entry per Home row and per profile (they change as the app runs)."""
    from tuneup.tui.widgets.home import HomePane

    entries = list(COMMANDS)
    for pane in app.query(HomePane):
        for index, mix in enumerate(pane.mixes):
            entries.append((f"Play {terminal(mix.name)}", f"app.play_mix({index})", "Home row"))
    current = app.env.profile_name
    for (name,) in app.env.db.execute("SELECT name FROM profiles ORDER BY name"):
        if name != current:
            entries.append(
                (f"Switch to profile {terminal(name)}", f"app.switch_profile({name!r})", "")
            )
    return entries


class TuneupCommands(Provider):
    _cached: list | None = None

    @property
    def entries(self) -> list[tuple[str, str, str]]:
        """Read once per palette opening (a provider lives that long), not per key typed."""
        if self._cached is None:
            self._cached = _entries(self.app)
        return self._cached

    async def discover(self) -> Hits:
        for title, action, help_text in self.entries:
            yield DiscoveryHit(title, partial(self.app.run_action, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, action, help_text in self.entries:
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(title),
                    partial(self.app.run_action, action),
                    help=help_text,
                )
