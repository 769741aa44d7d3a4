"""Stats ("your listening"): charts over the profile's listens."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Sparkline, Static

from tuneup.history.stats import Stats, load_stats
from tuneup.tui.text import clean
from tuneup.tui.widgets.charts import Bars, Scatter


class StatsPane(VerticalScroll, can_focus=True):
    def compose(self) -> ComposeResult:
        yield Static("", id="stats-year", markup=False)
        with Horizontal(classes="stats-sparks"):
            with Vertical():
                yield Static("", id="plays-title", markup=False)
                yield Sparkline([], id="plays-per-day")
            with Vertical():
                yield Static("", id="skips-title", markup=False)
                yield Sparkline([], id="skip-trend")
        with Horizontal(classes="stats-bars"):
            yield Bars("Top artists", id="top-artists")
            yield Bars("Top genres", id="top-genres")
        yield Scatter("Taste map", id="taste-map")

    shown = False

    def reload(self) -> None:
        """Load now if Stats is on screen; otherwise when it is next shown."""
        self.stale = True
        if self.shown:
            self.stale = False
            self._load()

    def activate(self) -> None:
        self.shown = True
        self.reload()

    @work(thread=True, exclusive=True, group="stats")
    def _load(self) -> None:
        from tuneup.store import connection

        app = self.app
        with connection(app.env.paths.db_file) as db:
            stats = load_stats(db, app.profile_id, today=getattr(app, "today", None))
        app.call_from_thread(self.show, stats)

    def show(self, s: Stats) -> None:
        y = s.year
        text = Text(f"Your {y['year']} so far  ", style="bold")
        if y["plays"]:
            text.append(
                f"{y['plays']:,} plays · {y['hours']:.1f} hours · {y['artists']} artists · "
                f"{y['skips']} skips"
            )
            if y["top_title"]:
                text.append(f"\nMost played: {clean(y['top_title'])}")
                if y["top_artist"]:
                    text.append(f" — {clean(y['top_artist'])}")
                text.append(f" ({y['top_plays']} plays)")
        else:
            text.append("nothing played yet this year", style="dim")
        self.query_one("#stats-year", Static).update(text)
        total = sum(s.plays_per_day)
        self.query_one("#plays-title", Static).update(
            Text(f"Plays per day, last {len(s.days)} days ({total} plays)", style="bold")
        )
        self.query_one("#plays-per-day", Sparkline).data = s.plays_per_day
        recent = next((r for r in reversed(s.skip_rate) if r), 0.0)
        self.query_one("#skips-title", Static).update(
            Text(
                f"Skip rate by week, last {len(s.weeks)} weeks (latest {recent:.0%})", style="bold"
            )
        )
        self.query_one("#skip-trend", Sparkline).data = s.skip_rate
        self.query_one("#top-artists", Bars).set_data(s.top_artists)
        self.query_one("#top-genres", Bars).set_data(s.top_genres)
        self.query_one("#taste-map", Scatter).set_data(s.taste, s.taste_axes)
