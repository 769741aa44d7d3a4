"""Browse to a library folder: a directory-only tree, keyboard first, with a live check of the highlighted folder.

``FolderPicker(start)`` dismisses with the chosen folder (a str) or None. The check (media file count, or
why the folder cannot be used) runs in a thread worker; moving on cancels the stale one.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Iterable

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DirectoryTree, Static, Tree
from textual.worker import get_current_worker

from tuneup.tui.folders import FolderCheck, check_folder, shown
from tuneup.tui.text import clean

CHECK_DELAY = 0.15  # seconds the cursor must rest on a folder before it is counted


def start_folder(typed: str | None) -> Path:
    """The typed path's nearest existing folder, else the home folder."""
    if typed and typed.strip():
        path = Path(os.path.expanduser(typed.strip())).absolute()
        for candidate in (path, *path.parents):
            try:
                if candidate.is_dir():
                    return candidate
            except OSError:
                continue
    return Path.home()


class FolderTree(DirectoryTree):
    """Folders only; names starting with a dot hidden until `.` shows them."""

    BINDINGS = [
        Binding("space,c", "choose", "Choose folder"),
        Binding("backspace,u", "up", "Parent folder"),
        Binding("full_stop", "toggle_hidden", "Show hidden"),
    ]

    def __init__(self, path: str | Path, **kwargs):
        self.show_hidden = False
        super().__init__(path, **kwargs)

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [
            p
            for p in paths
            if (self.show_hidden or not p.name.startswith(".")) and self._safe_is_dir(p)
        ]

    def process_label(self, label) -> Text:
        """Names are data: shown literally, undecodable bytes as \\xNN, control characters as spaces."""
        plain = label.plain if isinstance(label, Text) else str(label)
        return Text(clean(shown(plain)), no_wrap=True)

    def action_choose(self) -> None:
        self.screen.action_choose()

    def action_up(self) -> None:
        self.screen.action_up()

    def action_toggle_hidden(self) -> None:
        self.show_hidden = not self.show_hidden
        self.reload()
        self.notify(
            "Hidden folders shown." if self.show_hidden else "Hidden folders hidden.", timeout=2
        )


class FolderPicker(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("question_mark", "app.help", "Keys")]
    DEFAULT_CSS = """
    FolderPicker { align: center middle; }
    FolderPicker > Vertical { width: 90%; height: 85%; border: thick $accent; background: $surface; padding: 0 1; }
    FolderPicker #picker-title { height: auto; text-style: bold; }
    FolderPicker #picker-where { height: auto; color: $text-muted; }
    FolderPicker FolderTree { height: 1fr; }
    FolderPicker #picker-check { height: auto; min-height: 1; margin: 1 0 0 0; }
    FolderPicker #picker-help { height: auto; color: $text-muted; }
    FolderPicker #picker-buttons { height: auto; align-horizontal: right; }
    FolderPicker #picker-buttons Button { margin-left: 1; }
    """

    def __init__(self, start: str | None = None, title: str = "Choose a library folder"):
        super().__init__()
        self.start = start_folder(start)
        self.title_text = title
        self.checked: FolderCheck | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.title_text), id="picker-title")
            yield Static("", id="picker-where", markup=False)
            yield FolderTree(self.start, id="picker-tree")
            yield Static("", id="picker-check", markup=False)
            yield Static(
                "↑↓ move · enter open/close · space or c choose · backspace or u parent folder · "
                ". hidden folders · esc cancel",
                id="picker-help",
                markup=False,
            )
            with Horizontal(id="picker-buttons"):
                yield Button("Parent folder", id="picker-up", compact=True)
                yield Button("Cancel", id="picker-cancel", compact=True)
                yield Button("Choose", id="picker-choose", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.tree.focus()
        self._where(self.start)
        self._check(self.start)

    @property
    def tree(self) -> FolderTree:
        return self.query_one(FolderTree)

    def highlighted(self) -> Path:
        node = self.tree.cursor_node
        if node is not None and node.data is not None:
            return Path(node.data.path)
        return Path(self.tree.path)

    # ---- actions ------------------------------------------------------------------------------
    def action_choose(self) -> None:
        self.dismiss(
            self.highlighted()
        )  # a Path: chosen, so taken exactly (a name may end in a space)

    def action_cancel(self) -> None:
        self.workers.cancel_group(self, "folder-check")
        self.dismiss(None)

    def action_up(self) -> None:
        tree = self.tree
        current = Path(tree.path).absolute()
        if current.parent != current:
            tree.path = current.parent
            self._where(current.parent)

    def _where(self, path: Path) -> None:
        self.query_one("#picker-where", Static).update(Text("in " + clean(shown(path))))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        action = {
            "picker-choose": self.action_choose,
            "picker-cancel": self.action_cancel,
            "picker-up": self.action_up,
        }.get(event.button.id or "")
        if action:
            action()

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted) -> None:
        if event.node.data is not None:
            self._check(Path(event.node.data.path))

    def on_directory_tree_directory_selected(self, event: DirectoryTree.DirectorySelected) -> None:
        event.stop()  # enter opens and closes folders; choosing is space / c / the button

    # ---- the check line -----------------------------------------------------------------------
    def _check(self, path: Path) -> None:
        self.query_one("#picker-check", Static).update(
            Text(f"{clean(shown(path))}: counting media files…", style="dim")
        )
        self._count(path)

    @work(thread=True, exclusive=True, group="folder-check", exit_on_error=False)
    def _count(self, path: Path) -> None:
        worker = get_current_worker()
        deadline = time.monotonic() + CHECK_DELAY
        while (
            time.monotonic() < deadline
        ):  # rest a moment: arrowing through folders starts no walks
            if worker.is_cancelled:
                return
            time.sleep(0.02)
        try:
            result = check_folder(path, cancel=lambda: worker.is_cancelled)
        except OSError as exc:
            result = FolderCheck(path, False, message=f"{shown(path)}: {exc.strerror or exc}")
        if not worker.is_cancelled and not result.cancelled:
            self.app.call_from_thread(self._show_check, result)

    def _show_check(self, result: FolderCheck) -> None:
        if not self.is_attached or result.path != self.highlighted().absolute():
            return  # the cursor moved on meanwhile
        self.checked = result
        self.query_one("#picker-check", Static).update(
            Text(clean(result.message), style="green" if result.ok else "bold red")
        )
