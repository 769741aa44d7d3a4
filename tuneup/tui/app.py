"""The Textual app. (The TUI issue fills this in; this shell shows the library's size.)"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static

from tuneup.env import Env


class TuneupApp(App):
    TITLE = "tuneup"
    BINDINGS = [("q", "quit", "Quit")]

    def __init__(self, env: Env):
        super().__init__()
        self.env = env

    def compose(self) -> ComposeResult:
        yield Header()
        count = self.env.db.execute("SELECT count(*) FROM items WHERE status = 'present'").fetchone()[0]
        yield Static(f"{count} items in your library.", markup=False)
        yield Footer()


def run_app(env: Env) -> None:
    TuneupApp(env).run()
