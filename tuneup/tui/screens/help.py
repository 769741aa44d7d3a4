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
    ("tab / shift+tab", "move between the tabs' controls (cards, search, filters, list)"),
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


def _own_bindings(node) -> list[Binding]:
    """The bindings tuneup's classes declare (Textual's generic ones, like tab's Focus Next, are
    listed once in EXTRA in tuneup's words)."""
    own = []
    for cls in type(node).__mro__:
        if cls.__module__.startswith("tuneup.") and "BINDINGS" in vars(cls):
            own += [b for b in vars(cls)["BINDINGS"] if isinstance(b, Binding)]
    return own


def screen_keys(screen: Screen) -> list[tuple[str, str, str]]:
    """(keys, description, where) for tuneup's own bindings on this screen: the focused chain, then the
    widgets that are visible (so the Library's keys show even while the search box has focus).

    A key means one thing: where the focused widget binds it (Home's left and right move between cards),
    the app's meaning of that key (seek) is not listed beside it."""
    app = screen.app
    focused = screen.focused
    chain = [focused, *focused.ancestors_with_self[1:]] if focused is not None else []
    nodes = [n for n in chain if n is not app and n is not screen]
    nodes += [n for n in screen.query("*") if n not in nodes and n.display and n.is_on_screen]
    nodes += [screen, app]
    found: dict[tuple[str, str], list[str]] = {}
    claimed: set[str] = set()
    for node in nodes:
        where = WHERE.get(type(node).__name__, type(node).__name__)
        in_chain = node in chain or node is app or node is screen
        for binding in _own_bindings(node):
            if not binding.description:
                continue
            for key in binding.key.split(","):
                key = key.strip()
                if key in claimed:
                    continue
                if in_chain:
                    claimed.add(key)
                shown = app.get_key_display(Binding(key, binding.action, binding.description))
                found.setdefault((binding.description, where), []).append(shown)
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
