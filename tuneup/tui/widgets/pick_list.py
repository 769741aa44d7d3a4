"""The wizard's genre and artist lists: a picked line reads differently from one not picked.

Textual's SelectionList draws the same "X" for both and tells them apart only by its colour, which
on many terminal themes is the same grey; and it highlights nothing until Down is pressed, so the
first space did nothing. Here a picked line shows ✓ in bold on the success colour and an unpicked
one a blank box, and the cursor is on the first line as soon as there are lines.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.strip import Strip
from textual.widgets import SelectionList
from textual.widgets._toggle_button import ToggleButton

PICKED, NOT_PICKED = "✓", " "


class PickList(SelectionList[str]):
    DEFAULT_CSS = """
    PickList > .selection-list--button-selected,
    PickList > .selection-list--button-selected-highlighted {
        color: $text; background: $success; text-style: bold;
    }
    """

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        segments = list(strip)
        if len(segments) < 4 or segments[1].text != ToggleButton.BUTTON_INNER:
            return strip
        meta = segments[1].style.meta if segments[1].style else {}
        index = meta.get("option")
        if index is None:
            return strip
        picked = self.get_option_at_index(index).value in self.selected
        segments[1] = Segment(PICKED if picked else NOT_PICKED, segments[1].style)
        return Strip(segments, strip.cell_length)

    def add_options(self, items):
        result = super().add_options(items)
        if self.highlighted is None and self.option_count:
            self.highlighted = 0
        return result
