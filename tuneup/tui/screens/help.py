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


WHERE = {
    "TuneupApp": "everywhere",
    "HomePane": "Home",
    "LibraryView": "Library list",
    "LibraryPane": "Library",
    "OnboardingScreen": "Setup",
    "MainScreen": "everywhere",
    "DetailsScreen": "Details",
    "LibraryFolders": "Settings: folders",
    "FolderList": "Settings: folder list",
    "FolderPicker": "Folder browser",
    "FolderTree": "Folder browser",
}


def screen_keys(screen: Screen) -> list[tuple[str, str, str]]:
    """(keys, description, where) for tuneup's own bindings on this screen: the focused chain, then the
    widgets that are visible (so the Library's keys show even while the search box has focus)."""
    app = screen.app
    found: dict[tuple[str, str], list[str]] = {}

    def add(node, binding: Binding) -> None:
        if not binding.description or not type(node).__module__.startswith("tuneup."):
            return
        where = WHERE.get(type(node).__name__, type(node).__name__)
        found.setdefault((binding.description, where), []).append(app.get_key_display(binding))

    for node in [app, screen, *screen.query("*")]:
        if node is app or node is screen or (node.display and node.is_on_screen):
            for bindings in node._bindings.key_to_bindings.values():
                for b in bindings:
                    add(node, b)
    rows = [(" / ".join(dict.fromkeys(keys)), desc, where) for (desc, where), keys in found.items()]
    return sorted(rows, key=lambda r: (r[2] != "everywhere", r[2], r[1]))


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
