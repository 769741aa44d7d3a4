"""One line that shows running jobs (scan, analyse, import, fit) and how far they are."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tuneup.tui.messages import WorkProgress
from tuneup.tui.text import clean


def describe(m: WorkProgress) -> str:
    count = f"{m.done:,}" + (f"/{m.total:,}" if m.total else "")
    parts = [f"{m.job}: {count}", f"{m.rate:,.0f}/s"]
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
            line = result.line() if result is not None else ""
            self.app.notify(f"{job} finished" + (f": {clean(line)}" if line else ""), markup=False)
        self._show()

    def _show(self) -> None:
        self.display = bool(self.running)
        self.update(Text(" │ ".join(self.running.values())))
