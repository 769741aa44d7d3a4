"""Small charts drawn with text: horizontal bars and a braille scatter plot."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from tuneup.tui.text import fit

# Braille dot bits for (column, row) inside one 2x4 cell.
_DOTS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))


class Bars(Widget):
    """Labelled horizontal bars, longest first."""

    DEFAULT_CSS = "Bars { height: auto; }"

    def __init__(self, title: str, **kwargs):
        super().__init__(**kwargs)
        self.title = title
        self.data: list[tuple[str, int]] = []

    def set_data(self, data: list[tuple[str, int]]) -> None:
        self.data = data
        self.refresh(layout=True)

    def get_content_height(self, container, viewport, width: int) -> int:
        return 1 + max(len(self.data), 1)

    def render(self) -> Text:
        width = max(self.size.width, 20)
        text = Text(self.title + "\n", style="bold")
        if not self.data:
            text.append("no plays yet", style="dim")
            return text
        label_w = min(18, width // 3)
        bar_w = max(width - label_w - 8, 4)
        top = max(n for _, n in self.data) or 1
        for label, n in self.data:
            text.append(fit(label, label_w) + " ")
            text.append("█" * max(1, round(bar_w * n / top)), style="cyan")
            text.append(f" {n}\n", style="dim")
        text.rstrip()
        return text


def braille_scatter(
    points: list[tuple[float, float, bool]], width: int, height: int
) -> list[list[tuple[int, bool]]]:
    """Cells of a ``width`` x ``height`` grid: (braille bits, any point played) per cell."""
    grid = [[(0, False) for _ in range(width)] for _ in range(height)]
    if not points:
        return grid
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    sx = (width * 2 - 1) / ((x1 - x0) or 1)
    sy = (height * 4 - 1) / ((y1 - y0) or 1)
    for x, y, played in points:
        px = int((x - x0) * sx)
        py = (height * 4 - 1) - int((y - y0) * sy)
        cx, cy = px // 2, py // 4
        bits, hot = grid[cy][cx]
        grid[cy][cx] = (bits | _DOTS[py % 4][px % 2], hot or played)
    return grid


class Scatter(Widget):
    """The taste map: every analysed item as a braille dot; the ones you played are highlighted."""

    DEFAULT_CSS = "Scatter { height: 14; }"

    def __init__(self, title: str, **kwargs):
        super().__init__(**kwargs)
        self.title = title
        self.points: list[tuple[float, float, bool]] = []
        self.axes = ("x", "y")

    def set_data(self, points, axes: tuple[str, str]) -> None:
        self.points, self.axes = points, axes
        self.refresh()

    def render(self) -> Text:
        width, height = max(self.size.width - 2, 10), max(self.size.height - 3, 3)
        text = Text(self.title + "\n", style="bold")
        if not self.points:
            text.append("no audio features yet: run Re-analyse (ctrl+p)", style="dim")
            return text
        text.append(f"↑ {self.axes[1]}\n", style="dim")
        for row in braille_scatter(self.points, width, height):
            for bits, hot in row:
                text.append(
                    chr(0x2800 + bits) if bits else " ", style="bold magenta" if hot else "grey50"
                )
            text.append("\n")
        text.append(f"{self.axes[0]} →   ", style="dim")
        text.append("● played", style="bold magenta")
        text.append("  ● not yet", style="grey50")
        return text
