"""Library folders in the TUI: the folder browser (wizard and Settings), removing a folder, odd trees."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap

import pytest
from media import make_audio
from textual.widgets import Input
from tuidata import settle

from tuneup.tui.app import create_app

SIZE = (120, 40)


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """A home folder holding a small music library, a video folder and a hidden folder."""
    home = tmp_path / "house"
    music = home / "music"
    for n, artist in enumerate(["Night Ferry", "Hollow Pines", "Cold Cipher"]):
        make_audio(
            music / artist,
            "ogg",
            {"title": f"Song {n}", "artist": artist, "genre": "jazz"},
            name=f"{n:02d}.ogg",
        )
    make_audio(
        home / "more",
        "ogg",
        {"title": "Extra", "artist": "Paper Moons", "genre": "folk"},
        name="x.ogg",
    )
    (home / ".cache" / "deep").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    return home


async def until(pilot, condition, what: str = "condition", seconds: float = 10.0):
    """Pause until ``condition()`` is truthy. (settle() cannot be used while a DirectoryTree is mounted:
    its loader worker waits for work forever.)"""
    for _ in range(int(seconds / 0.05)):
        value = condition()
        if value:
            return value
        await pilot.pause(0.05)
    raise AssertionError(f"timed out waiting for {what}")


async def wait_check(pilot, picker, contains: str) -> str:
    """Wait until the picker's check line mentions ``contains`` (the count runs in a thread)."""
    line = lambda: str(picker.query_one("#picker-check").render())  # noqa: E731
    await until(
        pilot, lambda: contains in line(), f"check line to say {contains!r} (it says {line()!r})"
    )
    return line()


async def wait_tree(pilot, picker, labels: list[str]) -> None:
    await until(
        pilot, lambda: tree_labels(picker) == labels, f"tree {labels} (shows {tree_labels(picker)})"
    )


def tree_labels(picker) -> list[str]:
    tree = picker.query_one("#picker-tree")
    return [str(tree.get_node_at_line(i).label) for i in range(tree.last_line + 1)]


def test_wizard_browse_with_the_keyboard(env, tree):
    async def run():
        app = create_app(env)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            wizard = app.screen
            assert type(wizard).__name__ == "OnboardingScreen"
            await pilot.press("ctrl+o")
            picker = app.screen
            assert type(picker).__name__ == "FolderPicker"
            await wait_tree(
                pilot, picker, ["house", "more", "music"]
            )  # folders only, no dot folders
            await wait_check(pilot, picker, "4 media files")  # the home folder itself
            await pilot.press("full_stop")  # dot folders on, then off again
            await wait_tree(pilot, picker, ["house", ".cache", "more", "music"])
            await pilot.press("full_stop")
            await wait_tree(pilot, picker, ["house", "more", "music"])
            await pilot.press("down", "down")
            line = await wait_check(pilot, picker, "3 media files")
            assert "music" in line
            await pilot.press("space")  # choose
            assert app.screen is wizard
            await until(pilot, lambda: wizard.folders, "the folder to be added")
            assert wizard.folders == [str(tree / "music")]
            assert "3 media files" in str(wizard.query_one("#folder-check").render())
            # `b` opens the browser too once the typing box is not focused; `?` lists the browser's keys
            wizard.query_one("#browse-folder").focus()
            await pilot.press("b")
            picker = app.screen
            assert type(picker).__name__ == "FolderPicker"
            await wait_tree(pilot, picker, ["house", "more", "music"])
            await pilot.press("question_mark")
            keys = {desc: key for key, desc, where in app.screen.rows if where == "Folder browser"}
            assert keys["Choose folder"] == "space / c" and keys["Parent folder"] == "⌫ / u", keys
            await pilot.press("escape")
            # the mouse: click a folder, then Choose
            await pilot.click("#picker-tree", offset=(8, 1))  # the line of "more"
            await wait_check(pilot, picker, "1 media file")
            await pilot.click("#picker-choose")
            await until(pilot, lambda: len(wizard.folders) == 2, "the clicked folder to be added")
            assert wizard.folders == [str(tree / "music"), str(tree / "more")]
            await pilot.press("ctrl+n")  # → scan, with the browsed folders
            await settle(app, pilot, 0.3)
            assert wizard.scanned, wizard.query_one("#scan-status").render()
        roots = [r[0] for r in env.db.execute("SELECT path FROM roots ORDER BY path")]
        assert roots == [str(tree / "more"), str(tree / "music")]

    asyncio.run(run())


def test_picker_survives_odd_folders(env, tmp_path):
    """An unreadable folder, a name that is not UTF-8 and a name that looks like markup: shown, never a crash."""
    root = tmp_path / "odd"
    make_audio(root / "music", "ogg", {"title": "One", "artist": "Night Ferry"}, name="01.ogg")
    locked = root / "locked"
    (locked / "inside").mkdir(parents=True)
    os.mkdir(os.fsencode(root) + b"/caf\xe9")  # Latin-1 bytes: not valid UTF-8
    (root / "[red]x").mkdir()
    locked.chmod(0)
    try:
        asyncio.run(_browse_odd(env, root))
    finally:
        locked.chmod(0o755)


async def _browse_odd(env, root):
    app = create_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        wizard = app.screen
        wizard.query_one("#folder-input", Input).value = str(root / "not-there" / "deeper")
        await pilot.press("ctrl+o")  # starts at the typed path's nearest existing folder
        picker = app.screen
        await wait_tree(pilot, picker, ["odd", "[red]x", "caf\\xe9", "locked", "music"])
        await pilot.press("down")
        await wait_check(pilot, picker, "[red]x holds no media files")
        await pilot.press("down")
        await wait_check(pilot, picker, "not valid UTF-8")
        await pilot.press("down")
        if os.geteuid() != 0:  # root reads any folder, whatever its mode
            await wait_check(pilot, picker, "is not readable")
        await pilot.press(
            "enter", "enter"
        )  # open it (nothing inside can be listed: no crash) and close it
        await pilot.press("down")
        await wait_check(pilot, picker, "1 media file")
        await pilot.press("full_stop", "full_stop")  # hidden folders on and off
        await pilot.press("u")  # the parent folder becomes the tree's root
        await until(pilot, lambda: tree_labels(picker)[0] == root.parent.name, "the parent folder")
        await pilot.press("escape")
        assert app.screen is wizard and wizard.folders == []
        # choosing the undecodable folder: refused with the reason
        await pilot.press("ctrl+o")
        picker = app.screen
        await wait_tree(pilot, picker, ["odd", "[red]x", "caf\\xe9", "locked", "music"])
        await pilot.press("down", "down", "c")
        await until(
            pilot, lambda: "UTF-8" in str(wizard.query_one("#folder-check").render()), "refusal"
        )
        assert wizard.folders == []


def _new_env(env):
    from tuneup.env import Env

    return Env(paths=env.paths)


def present(db, under) -> list[int]:
    return [
        r[0]
        for r in db.execute(
            "SELECT id FROM items WHERE status = 'present' AND path LIKE ? ORDER BY id",
            [f"{under}/%"],
        )
    ]


async def settings_folders(app, pilot, expected: int):
    from tuneup.tui.widgets.library_folders import LibraryFolders

    await pilot.press("4")
    folders = app.screen.query_one(LibraryFolders)
    await until(pilot, lambda: len(folders.folders) == expected, f"{expected} folders listed")
    return folders


def test_settings_remove_then_add_back_by_browsing(env, tree):
    from tuidata import mixes_from_db

    from tuneup.tui import jobs

    music, more = tree / "music", tree / "more"
    jobs.scan_paths(env.db, lambda *a, **k: None, None, [music, more])
    ids = present(env.db, music)
    assert len(ids) == 3

    async def remove():
        app = create_app(env, rows_loader=mixes_from_db)
        async with app.run_test(size=SIZE) as pilot:
            folders = await settings_folders(app, pilot, 2)
            assert folders.folders == [(str(more), 1), (str(music), 3)]
            listed = folders.query_one("#roots")
            assert "3 items" in str(listed.get_option_at_index(1).prompt)
            assert "never deletes files" in str(folders.query_one("#roots-note").render())
            typed = folders.query_one("#add-folder", Input)
            typed.value = str(tree / "nowhere")
            typed.focus()
            await pilot.press("enter")  # a typed folder is checked too
            await until(
                pilot,
                lambda: any("does not exist" in n.message for n in app._notifications),
                "refusal",
            )
            listed.focus()
            await pilot.press("down")  # → music
            await pilot.press("d")
            confirm = app.screen
            assert type(confirm).__name__ == "ConfirmRemove"
            assert "3 items leave the library" in str(confirm.query_one("Static").render())
            await pilot.press("n")  # keep: nothing changes
            assert env.db.execute("SELECT count(*) FROM roots").fetchone()[0] == 2
            await pilot.press("delete", "y")
            await until(
                pilot, lambda: folders.folders == [(str(more), 1)], "the list without music"
            )
            assert any("3 items left the library" in n.message for n in app._notifications)
            assert (music / "Night Ferry" / "00.ogg").exists()  # no file deleted

    asyncio.run(remove())
    env2 = _new_env(env)  # what a restart sees
    try:
        assert [r[0] for r in env2.db.execute("SELECT path FROM roots")] == [str(more)]
        assert present(env2.db, music) == []
        # a rescan leaves them out (their folder is no longer a library folder)
        jobs.rescan(env2.db, lambda *a, **k: None, None)
        assert present(env2.db, music) == [] and len(present(env2.db, more)) == 1
    finally:
        env2.close()

    async def add_back():
        app = create_app(_new_env(env), rows_loader=mixes_from_db)
        async with app.run_test(size=SIZE) as pilot:
            folders = await settings_folders(app, pilot, 1)
            await pilot.press("1")
            await pilot.press("ctrl+o")  # from any tab: Settings' folders, and the browser on top
            picker = app.screen
            await wait_tree(pilot, picker, ["house", "more", "music"])
            await pilot.press("down", "down")
            await wait_check(pilot, picker, "3 media files")
            await pilot.press("space")
            await until(
                pilot, lambda: len(folders.folders) == 2, "music listed again after its scan", 30
            )
            assert folders.folders == [(str(more), 1), (str(music), 3)]
        app.env.close()

    asyncio.run(add_back())
    assert present(env.db, music) == ids  # the same items (and so their history) came back


def test_remove_folder_keeps_items_of_an_enclosing_folder(env, tmp_path):
    """Nested folders: removing the inner one leaves its items in (the outer one still holds them)."""
    from tuneup.library.scan.roots import library_folders, remove_folder
    from tuneup.tui import jobs
    from tuneup.tui.folders import check_folder

    outer = tmp_path / "all"
    inner = outer / "jazz"
    make_audio(inner, "ogg", {"title": "In", "artist": "Night Ferry"}, name="in.ogg")
    make_audio(outer, "ogg", {"title": "Out", "artist": "Cold Cipher"}, name="out.ogg")
    jobs.scan_paths(env.db, lambda *a, **k: None, None, [outer, inner])
    assert library_folders(env.db) == [(str(outer), 2), (str(inner), 1)]
    assert remove_folder(env.db, str(inner)) == 0
    assert library_folders(env.db) == [(str(outer), 2)]
    assert remove_folder(env.db, str(outer)) == 2
    assert remove_folder(env.db, str(outer)) == 0  # already gone
    assert library_folders(env.db) == []
    assert env.db.execute("SELECT count(*) FROM items WHERE status = 'missing'").fetchone()[0] == 2
    # a stale check stops at once
    stopped = check_folder(str(outer), cancel=lambda: True)
    assert stopped.cancelled and not stopped.ok


_AS_NOBODY = textwrap.dedent("""
    import asyncio, sys
    from textual.app import App
    from tuneup.tui.screens.folder_picker import FolderPicker

    async def until(pilot, condition):
        for _ in range(400):
            if condition():
                return
            await pilot.pause(0.05)
        raise SystemExit("timed out")

    async def main(root):
        app = App()
        async with app.run_test(size=(100, 30)) as pilot:
            picker = FolderPicker(root)
            await app.push_screen(picker)
            tree = picker.query_one("#picker-tree")
            labels = lambda: [str(tree.get_node_at_line(i).label) for i in range(tree.last_line + 1)]
            await until(pilot, lambda: labels()[1:] == ["locked", "music"])
            check = lambda: str(picker.query_one("#picker-check").render())
            await pilot.press("down")
            await until(pilot, lambda: "is not readable" in check())
            await pilot.press("enter", "enter", "down")
            await until(pilot, lambda: "1 media file" in check())
            print("unreadable:", labels())

    asyncio.run(main(sys.argv[1]))
""")


@pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("setpriv"),
    reason="needs root and setpriv (as a "
    "normal user test_picker_survives_odd_folders already meets a real unreadable folder)",
)
def test_unreadable_folder_as_nobody():
    """chmod 000 does not stop root: as root, the browser runs as `nobody` in a child process."""
    base = tempfile.mkdtemp(prefix="tuneup-picker-perm-")
    try:
        os.chmod(base, 0o777)
        make_audio(os.path.join(base, "music"), "ogg", {"title": "One"}, name="01.ogg")
        locked = os.path.join(base, "locked")
        os.makedirs(os.path.join(locked, "inside"))
        for dirpath, dirs, files in os.walk(base):
            for name in dirs + files:
                os.chmod(os.path.join(dirpath, name), 0o777)
        os.chmod(locked, 0)
        proc = subprocess.run(
            [
                "setpriv",
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                sys.executable,
                "-c",
                _AS_NOBODY,
                base,
            ],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=base,
            env=dict(os.environ, HOME=base),
        )
        assert proc.returncode == 0 and "unreadable:" in proc.stdout, (
            proc.stdout[-2000:] + proc.stderr[-3000:]
        )
    finally:
        os.chmod(locked, 0o777)
        shutil.rmtree(base, ignore_errors=True)
