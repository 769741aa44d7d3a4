"""Settings → Library folders: the folders with their item counts; add one (type or browse), remove one.

Folders are the store's ``roots``; see tuneup.tui.folders for what removing one does to its items.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from tuneup.library.scan.roots import library_folders, remove_folder
from tuneup.library.stats import item_count
from tuneup.tui.folders import check_folder
from tuneup.tui.messages import LibraryChanged
from tuneup.tui.text import clean

REMOVE_NOTE = (
    "Removing a folder never deletes files: its items leave the library (kept as missing, with "
    "their history) and come back if you add the folder again."
)


class FolderList(OptionList):
    BINDINGS = [Binding("delete,d", "remove", "Remove folder")]

    def action_remove(self) -> None:
        self.parent.ask_remove()


class LibraryFolders(Vertical):
    DEFAULT_CSS = """
    LibraryFolders { height: auto; }
    LibraryFolders FolderList { height: auto; max-height: 10; margin: 0 1; }
    LibraryFolders #roots-note { height: auto; color: $text-muted; padding: 0 1; }
    LibraryFolders .field { height: auto; margin-bottom: 1; }
    LibraryFolders #add-folder { width: 1fr; }
    LibraryFolders .field Button { margin-left: 1; }
    """

    def __init__(self):
        super().__init__(id="library-folders")
        self.folders: list[tuple[str, int]] = []

    def compose(self) -> ComposeResult:
        yield FolderList(id="roots", compact=True)
        yield Static("", id="roots-note", markup=False)
        with Horizontal(classes="field"):
            yield Input(
                placeholder="/path/to/music (or browse: ctrl+o)", id="add-folder", compact=True
            )
            yield Button("Browse…", id="browse-folder-btn", compact=True)
            yield Button("Add and scan", id="add-folder-btn", compact=True)
            yield Button("Remove folder…", id="remove-folder-btn", compact=True)

    def on_mount(self) -> None:
        self.reload()

    # ---- the list -----------------------------------------------------------------------------
    def reload(self) -> None:
        self._count(str(self.app.env.paths.db_file))

    @work(thread=True, exclusive=True, group="folder-counts", exit_on_error=False)
    def _count(self, db_file: str) -> None:
        """Items per folder take a pass over the items: done off the UI thread, with its own connection."""
        from tuneup.store import connection

        with connection(db_file) as db:
            folders = library_folders(db)
            # files the scan found, playable or not (bookkeeping, like the per-folder counts)
            total = item_count(db)
        self.app.call_from_thread(self._show, folders, total)

    def _show(self, folders: list[tuple[str, int]], total: int) -> None:
        self.folders = folders
        lst = self.query_one(FolderList)
        keep = lst.highlighted
        lst.clear_options()
        if folders:
            lst.add_options([Option(_row(path, count), id=path) for path, count in folders])
            lst.highlighted = min(keep or 0, len(folders) - 1)
        else:
            lst.add_option(
                Option(
                    Text("no folders yet: type one below or browse (ctrl+o)", style="dim"),
                    disabled=True,
                )
            )
        note = Text(f"{total:,} items in the library. ", style="bold")
        note.append(REMOVE_NOTE)
        self.query_one("#roots-note", Static).update(note)

    def highlighted_folder(self) -> str | None:
        lst = self.query_one(FolderList)
        if lst.highlighted is None or not self.folders:
            return None
        return lst.get_option_at_index(lst.highlighted).id

    # ---- add ------------------------------------------------------------------------------------
    def action_browse(self) -> None:
        from tuneup.tui.screens.folder_picker import FolderPicker

        typed = self.query_one("#add-folder", Input).value
        self.app.push_screen(FolderPicker(typed, "Add a library folder"), self._picked)

    def _picked(self, path: Path | None) -> None:
        if path:
            self.add(path)

    def add(self, raw: str | Path) -> None:
        """Check the folder off the UI thread, then scan it (the scan remembers it as a library folder)."""
        self.app.notify(f"Checking {clean(raw)}…", timeout=2, markup=False)
        self._check_then_scan(raw)

    @work(thread=True, exclusive=True, group="folder-add", exit_on_error=False)
    def _check_then_scan(self, raw: str | Path) -> None:
        self.app.call_from_thread(self._add_checked, check_folder(raw))

    def _add_checked(self, check) -> None:
        from tuneup.tui import jobs

        if not check.ok:
            self.app.notify(
                clean(check.message), title="Folder not added", severity="error", markup=False
            )
            return
        self.query_one("#add-folder", Input).value = ""
        if self.app.start_job("scan", jobs.scan_paths, [check.path]):
            self.app.notify(f"{clean(check.message)}. Scanning…", markup=False)

    # ---- remove ---------------------------------------------------------------------------------
    def ask_remove(self) -> None:
        path = self.highlighted_folder()
        if path is None:
            self.app.notify(
                "No folder to remove: highlight one in the list first.", severity="warning"
            )
            return
        count = dict(self.folders).get(path, 0)
        self.app.push_screen(ConfirmRemove(path, count), lambda yes: yes and self.remove(path))

    def remove(self, path: str) -> None:
        if {"scan", "demo", "import"} & set(self.app.jobs):
            self.app.notify(
                "A scan is running: remove the folder when it has finished.", severity="warning"
            )
            return
        self._remove(path)

    def _remove(self, path: str) -> None:
        """Marking a big folder's items missing takes a moment (0.25 s for 25,000): off the UI thread.
        A failure is told by the app's worker handler."""
        self.app.run_in_thread(
            remove_folder, path, then=lambda gone: self._removed(path, gone), group="remove folder"
        )

    def _removed(self, path: str, gone: int) -> None:
        self.app.notify(
            f"Removed {clean(path)} from the library folders; {gone:,} items left the library. "
            "No file was deleted.",
            title="Folder removed",
            markup=False,
        )
        self.app.post_message(LibraryChanged())

    def on_button_pressed(self, event: Button.Pressed) -> None:
        action = {
            "browse-folder-btn": self.action_browse,
            "remove-folder-btn": self.ask_remove,
            "add-folder-btn": lambda: self.add(self.query_one("#add-folder", Input).value),
        }.get(event.button.id or "")
        if action:
            event.stop()
            action()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "add-folder":
            event.stop()
            self.add(event.value)


def _row(path: str, count: int) -> Text:
    text = Text(clean(path), no_wrap=True, overflow="ellipsis")
    text.append(f"   {count:,} item{'' if count == 1 else 's'}", style="dim")
    return text


class ConfirmRemove(ModalScreen[bool]):
    """Are you sure? Says what happens to the folder's items."""

    BINDINGS = [
        Binding("y", "answer(True)", "Remove"),
        Binding("n,escape", "answer(False)", "Keep"),
    ]
    DEFAULT_CSS = """
    ConfirmRemove { align: center middle; }
    ConfirmRemove > Vertical { width: 80; height: auto; border: thick $error; background: $surface; padding: 1 2; }
    ConfirmRemove Static { height: auto; margin-bottom: 1; }
    ConfirmRemove Horizontal { height: auto; align-horizontal: right; }
    ConfirmRemove Button { margin-left: 1; }
    """

    def __init__(self, path: str, count: int):
        super().__init__()
        self.path, self.count = path, count

    def compose(self) -> ComposeResult:
        text = Text("Remove this library folder?\n", style="bold")
        text.append(clean(self.path) + "\n\n", style="bold")
        text.append(
            f"Its {self.count:,} items leave the library: they are no longer shown, recommended or played. "
            "No file is deleted, and their history is kept: add the folder again and they come back. "
            "(y removes, n or esc keeps it)"
        )
        with Vertical():
            yield Static(text, markup=False)
            with Horizontal():
                yield Button("Keep", id="keep")
                yield Button("Remove", id="remove", variant="error")

    def on_mount(self) -> None:
        self.query_one("#keep", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "remove")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
