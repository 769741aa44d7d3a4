"""A prompt mix from the command palette: one line of words ("calm acoustic evening, no metal, some
jazz"; the grammar in tuneup.mixes.prompt), built in a worker and played. The line starts with the
last prompt, so changing a word or adding "more jazz" refines it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class PromptScreen(ModalScreen[str | None]):
    """Dismisses with the prompt typed (or None)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    PromptScreen { align: center middle; }
    PromptScreen > Vertical { width: 80; height: auto; border: round $accent; padding: 1 2; }
    """

    def __init__(self, last: str = ""):
        super().__init__()
        self.last = last

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(
                "A mix from words: genres, artists, moods (calm, energetic, slow, fast, acoustic, "
                "dark, bright, party), eras (90s), 'no X', 'some X', 'more X', mode:easy|hard",
                markup=False,
            )
            yield Input(
                value=self.last,
                placeholder="calm acoustic evening, no metal, some jazz",
                id="prompt",
            )

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
