"""One line that shows running jobs (scan, analyse, import, fit) and how far they are."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tuneup.tui.messages import WorkProgress
from tuneup.tui.text import clean


def describe(m: WorkProgress) -> str:
    count = f"{m.done:,}" + (f"/{m.total:,}" if m.total else "")
    parts = [f"{m.job}: {count}", f"{m.rate:,.0f}/s"]
    if m.errors:
        parts.append(f"{m.errors} errors")
    if m.info:
        parts.append(clean(m.info)[:60])
    return "  ".join(parts)


class JobsLine(Static):
    DEFAULT_CSS = "JobsLine { height: 1; display: none; background: $boost; color: $text-muted; padding: 0 1; }"

    def __init__(self, **kwargs):
        super().__init__("", markup=False, **kwargs)
        self.running: dict[str, str] = {}

    def progress(self, m: WorkProgress) -> None:
        self.running[m.job] = describe(m)
        self._show()

    def finished(self, job: str, result, failed: bool = False) -> None:
        self.running.pop(job, None)
        if not failed:
            self.app.notify(
                f"{job} finished" + (f": {summary(result)}" if summary(result) else ""),
                markup=False,
            )
        self._show()

    def _show(self) -> None:
        self.display = bool(self.running)
        self.update(Text(" │ ".join(self.running.values())))


def summary(result) -> str:
    """A one-line summary of a core function's result (a dataclass, a dict or a number)."""
    if result is None:
        return ""
    data = result if isinstance(result, dict) else getattr(result, "__dict__", None)
    if isinstance(data, dict):
        parts = [
            f"{k} {v}"
            for k, v in data.items()
            if isinstance(v, (int, float)) and not isinstance(v, bool)
        ]
        return ", ".join(parts[:6])
    return clean(result)[:80]
