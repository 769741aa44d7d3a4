"""Tag text is data: shown literally, never as markup, never as terminal control sequences."""

from __future__ import annotations

import re

from rich.text import Text

# C0/C1 control characters and DEL (ESC included), which could move the cursor or change colours.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def clean(value: object) -> str:
    """``value`` as one printable line: control characters (escape sequences' ESC included) become spaces."""
    if value is None:
        return ""
    return _CONTROL.sub(" ", str(value))


def literal(value: object, style: str = "") -> Text:
    """A Rich Text that shows ``value`` exactly: brackets stay brackets, escapes cannot act."""
    return Text(clean(value), style=style, no_wrap=True, overflow="ellipsis")


def fit(value: object, width: int) -> str:
    """``value`` cleaned and cut (or padded) to exactly ``width`` cells."""
    text = Text(clean(value))
    text.truncate(max(width, 0), overflow="ellipsis", pad=True)
    return text.plain
