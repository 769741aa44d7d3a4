"""`i`: one item's details, the full reason it was recommended and the model's evidence for it."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tuneup.history.stats import item_listening
from tuneup.store.items import fields_of, genres
from tuneup.text import to_json
from tuneup.tui.text import clean

FIELDS = (
    "title",
    "artist",
    "album",
    "albumartist",
    "year",
    "genres",
    "kind",
    "format",
    "duration",
    "path",
    "composer",
    "mood",
    "label",
    "bpm",
    "initial_key",
)


def item_details(db, item_id: int, profile_id: int) -> list[tuple[str, str]]:
    row = fields_of(db, item_id, FIELDS)
    if row is None:
        return [("item", f"#{item_id} is no longer in the library")]
    out = []
    for name, value in row.items():
        if name == "genres":
            value = ", ".join(genres(value))
        if value in (None, "", "[]"):
            continue
        if name == "duration":
            value = f"{int(value) // 60}:{int(value) % 60:02d}"
        out.append((name, clean(value)))
    heard = item_listening(db, item_id, profile_id)
    last = heard["last"]
    out.append(
        (
            "your plays",
            f"{heard['plays']} ({heard['skips']} skipped)"
            + (f", last {last[:10]}" if last else ""),
        )
    )
    if heard["feedback"]:
        out.append(("feedback", ", ".join(heard["feedback"])))
    return out


def evidence_rows(evidence: dict) -> list[tuple[str, str]]:
    """The model's evidence for a pick, one row per key: a nested table as ``name value, ...``."""
    rows = []
    for key, value in evidence.items():
        if isinstance(value, dict):
            text = ", ".join(f"{k} {_number(v)}" for k, v in value.items())
        else:
            text = _number(value)
        rows.append((clean(key), clean(text)))
    return rows


def _number(value) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return value if isinstance(value, str) else to_json(value, indent=None)


class DetailsScreen(ModalScreen):
    BINDINGS = [
        Binding("escape,i,q", "dismiss", "Close"),
        Binding("enter", "play", "Play"),
        Binding("r", "radio", "Radio"),
    ]
    DEFAULT_CSS = """
    DetailsScreen { align: center middle; }
    DetailsScreen > VerticalScroll { width: 90; height: auto; max-height: 90%; border: thick $accent;
                                     background: $surface; padding: 0 1; }
    """

    def __init__(
        self,
        item_id: int,
        reason: str = "",
        evidence: dict | None = None,
        exploration: bool = False,
    ):
        super().__init__()
        self.item_id, self.reason, self.evidence, self.exploration = (
            item_id,
            reason,
            evidence or {},
            exploration,
        )

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, expand=True)
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        self.rows = item_details(self.app.env.db, self.item_id, self.app.profile_id)
        if self.reason:
            self.rows.append(
                ("why", clean(self.reason) + ("  (exploration)" if self.exploration else ""))
            )
        for name, value in self.rows:
            table.add_row(Text(name), Text(value))
        self.evidence_rows = evidence_rows(self.evidence)
        for name, value in self.evidence_rows:
            table.add_row(Text(name, style="dim"), Text(value, style="dim"))
        with VerticalScroll():
            yield Static(table, id="details-table")
            yield Static(Text("enter plays · r radio · esc closes", style="dim"))

    def action_dismiss(self) -> None:
        self.dismiss()

    def action_play(self) -> None:
        self.dismiss()
        self.app.playback.play([self.item_id], 0, "details")

    def action_radio(self) -> None:
        self.dismiss()
        self.app.playback.radio(self.item_id)
