"""Tag text is data: shown literally, never as markup, never as terminal control sequences."""

from __future__ import annotations

from rich.text import Text

from tuneup.text import display


def clean(value: object) -> str:
    """``value`` as one terminal line by the display policy of ``tuneup.text`` (line breaks become
    spaces, controls are shown escaped, bidi overrides and isolates are removed)."""
    return display(value)


def literal(value: object, style: str = "") -> Text:
    """A Rich Text that shows ``value`` exactly: brackets stay brackets, escapes cannot act."""
    return Text(clean(value), style=style, no_wrap=True, overflow="ellipsis")


def fit(value: object, width: int) -> str:
    """``value`` cleaned and cut (or padded) to exactly ``width`` cells."""
    text = Text(clean(value))
    text.truncate(max(width, 0), overflow="ellipsis", pad=True)
    return text.plain
