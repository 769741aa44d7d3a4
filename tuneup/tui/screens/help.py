"""`?`: every key of the screen underneath, with what it does."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

EXTRA = [
    ("ctrl+p", "command palette: every action by name"),
    ("tab / shift+tab", "move between controls"),
    ("mouse", "click tabs, cards, rows and buttons; double-click plays"),
]


def screen_keys(screen: Screen) -> list[tuple[str, str, str]]:
    """(keys, description, where) for the focused chain, then for the panes of the visible tab."""
    app = screen.app
    seen: dict[tuple[str, str], tuple[str, str, str]] = {}

    def add(node, binding: Binding) -> None:
        if not binding.description:
            return
        key = app.get_key_display(binding)
        where = type(node).__name__.replace("Pane", "").replace("App", "everywhere").replace("Tuneup", "")
        seen.setdefault((binding.description, where), (key, binding.description, where))

    for active in screen.active_bindings.values():
        add(active.node, active.binding)
    for node in screen.query("*"):
        if node.display and node.is_on_screen:
            for binding in node._bindings.key_to_bindings.values():
                for b in binding:
                    add(node, b)
    merged: dict[tuple[str, str], list[str]] = {}
    for key, desc, where in seen.values():
        merged.setdefault((desc, where), []).append(key)
    return sorted(((" / ".join(dict.fromkeys(keys)), desc, where) for (desc, where), keys in merged.items()),
                  key=lambda r: (r[2] != "everywhere", r[2], r[1]))


class HelpScreen(ModalScreen):
    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close")]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 90; max-height: 90%; border: thick $accent; background: $surface;
                                  padding: 0 1; height: auto; }
    """

    def __init__(self, under: Screen):
        super().__init__()
        self.rows = screen_keys(under)

    def compose(self) -> ComposeResult:
        table = Table(box=None, expand=True, show_header=True, header_style="bold")
        table.add_column("key", style="bold cyan", no_wrap=True)
        table.add_column("what it does")
        table.add_column("where", style="dim")
        for key, desc, where in self.rows:
            table.add_row(Text(key), Text(desc), Text(where))
        for key, desc in EXTRA:
            table.add_row(Text(key), Text(desc), Text("everywhere"))
        with VerticalScroll():
            yield Static(Text("Keys on this screen   (esc closes)", style="bold"), markup=False)
            yield Static(table, id="help-table")

    def action_dismiss(self) -> None:
        self.dismiss()
