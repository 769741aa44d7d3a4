"""The Textual app: one factory builds it for the CLI, the tests and the benchmark."""

from __future__ import annotations

import threading
import time
from typing import Callable

from textual import on
from textual.app import App
from textual.binding import Binding
from textual.worker import Worker, WorkerState

from tuneup.env import Env
from tuneup.text import terminal
from tuneup.tui.commands import TuneupCommands
from tuneup.tui.messages import LibraryChanged, WorkDone, WorkFailed, WorkProgress

TABS = ("home", "library", "stats", "settings")


class TuneupApp(App):
    TITLE = "tuneup"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {TuneupCommands}

    def get_system_commands(self, screen):
        """Textual's own entries, less the ones tuneup lists in its words (Quit, Keys)."""
        for command in super().get_system_commands(screen):
            if command.title not in ("Quit", "Keys"):
                yield command

    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("q", "quit", "Quit"),
        Binding("question_mark", "help", "Keys"),
        Binding("1", "show_tab('home')", "Home", show=False),
        Binding("2", "show_tab('library')", "Library", show=False),
        Binding("3", "show_tab('stats')", "Stats", show=False),
        Binding("4", "show_tab('settings')", "Settings", show=False),
        Binding("slash", "search", "Search", show=False),
        Binding("ctrl+o", "library_folders('browse')", "Add a library folder", show=False),
        Binding("space", "toggle_pause", "Pause"),
        Binding("n", "next", "Next"),
        Binding("b", "previous", "Prev", show=False),
        Binding("s", "skip", "Skip"),
        Binding("l", "like", "Like"),
        Binding("d", "dislike", "Dislike", show=False),
        Binding("x", "ban", "Ban", show=False),
        Binding("u", "undo_feedback", "Undo like/ban", show=False),
        Binding("e", "exclude", "Exclude from taste", show=False),
        Binding("plus,equals_sign", "volume(5)", "Vol+", show=False),
        Binding("minus", "volume(-5)", "Vol-", show=False),
        Binding("left,comma", "seek(-10)", "Seek -10s", show=False),
        Binding("right,full_stop", "seek(10)", "Seek +10s", show=False),
    ]

    def __init__(
        self,
        env: Env,
        *,
        onboarding: bool | None = None,
        player_factory: Callable | None = None,
        rows_loader: Callable | None = None,
        today=None,
    ):
        super().__init__()
        self.env = env
        self.rows_loader = (
            rows_loader  # (db, config, profile, profile_id) -> list[Mix]; tests hand in theirs
        )
        self.today = today  # Stats' "today" (None: the real date)
        self.profile_id = env.profile_id
        self._force_onboarding = onboarding
        from tuneup.tui.playback import PlaybackController

        self.playback = PlaybackController(self, player_factory)
        self.jobs: dict = {}  # name -> its cancel handle (a threading or multiprocessing Event)
        self._children: dict = {}  # name -> JobProcess, for the jobs that run in a child process

    def notify(self, message: str, *, title: str = "", **kwargs) -> None:
        """Every toast (screens' and widgets' notify() come here) by the display policy of
        tuneup.text: an error that quotes a tag or a file name cannot drive the terminal."""
        super().notify(terminal(str(message)), title=terminal(str(title)), **kwargs)

    # ---- start ---------------------------------------------------------------------------------
    def get_default_screen(self):
        from tuneup.tui.screens.main import MainScreen

        return MainScreen()

    def on_mount(self) -> None:
        self.sub_title = self.env.profile_name
        _start_resource_tracker()  # before any worker starts a process (Home's model fit, scans, analysis)
        from tuneup.store.profiles import needs_onboarding

        wanted = self._force_onboarding
        if wanted is None:
            wanted = needs_onboarding(self.env.db, self.profile_id)
        if wanted:
            self.action_onboarding()

    # ---- navigation ----------------------------------------------------------------------------
    def action_show_tab(self, tab: str) -> None:
        from tuneup.tui.screens.main import MainScreen

        if isinstance(self.screen, MainScreen):
            self.screen.show_tab(tab)

    def action_search(self) -> None:
        """`/` anywhere: the Library with the cursor in its search box."""
        from tuneup.tui.screens.main import MainScreen

        if isinstance(self.screen, MainScreen):
            self.screen.show_tab("library", focus="#library-search")

    def action_help(self) -> None:
        from tuneup.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_onboarding(self) -> None:
        from tuneup.tui.screens.onboarding import OnboardingScreen

        if not isinstance(self.screen, OnboardingScreen):
            self.push_screen(OnboardingScreen(), self._onboarding_closed)

    def action_library_folders(self, what: str = "show") -> None:
        """Settings' library folders: 'show' them, 'browse' to add one, 'remove' the highlighted one.
        The palette's and keys' way in; in the wizard, 'browse' opens its own folder picker."""
        from tuneup.tui.screens.main import MainScreen
        from tuneup.tui.screens.onboarding import OnboardingScreen
        from tuneup.tui.widgets.library_folders import FolderList, LibraryFolders

        screen = self.screen
        if isinstance(screen, OnboardingScreen) and what == "browse":
            screen.action_browse()
            return
        if not isinstance(screen, MainScreen):
            return
        screen.show_tab("settings")
        widget = screen.query_one(LibraryFolders)
        if what == "browse":
            widget.action_browse()
        elif what == "remove":
            widget.query_one(FolderList).focus()
            widget.ask_remove()
        else:
            widget.query_one(FolderList).focus()

    def _onboarding_closed(self, finished: bool | None) -> None:
        if finished:
            self.notify(
                "Your library is ready. Press enter on anything to play it.", title="Welcome"
            )
        self.post_message(LibraryChanged())

    def switch_profile(self, name: str) -> None:
        """Act for another household member (created on first use); remembered in the config."""
        from tuneup.store import profile_id

        self.env.profile = name
        self.profile_id = profile_id(self.env.db, name)
        try:
            self.env.config.set("profile", name)
            self.env.config.save()
        except Exception as exc:
            self.notify(f"profile not remembered: {exc}", severity="warning", markup=False)
        self.sub_title = name
        self.playback.player_changed()  # plays from now on are this profile's (MPD is followed for it)
        self.notify(f"Now acting for profile {name}.", markup=False)
        self.post_message(LibraryChanged())

    def action_refresh_home(self) -> None:
        self.post_message(LibraryChanged())

    # ---- playback keys (the same actions the palette runs) ---------------------------------------
    def action_toggle_pause(self) -> None:
        self.playback.toggle_pause()

    def action_next(self) -> None:
        self.playback.next()

    def action_previous(self) -> None:
        self.playback.previous()

    def action_skip(self) -> None:
        self.playback.skip()

    def action_stop(self) -> None:
        self.playback.stop()

    def action_like(self) -> None:
        self.playback.feedback("like")

    def action_ban(self) -> None:
        self.playback.feedback("ban")

    def action_dislike(self) -> None:
        self.playback.feedback("dislike")

    def action_undo_feedback(self) -> None:
        self.playback.undo_feedback()

    def action_play_mix(self, index: int) -> None:
        """Play Home's row ``index`` from its first item (the palette's mix entries)."""
        from tuneup.tui.widgets.home import HomePane

        for pane in self.query(HomePane):
            if 0 <= index < len(pane.mixes):
                mix = pane.mixes[index]
                self.playback.play([i.item_id for i in mix.items], 0, mix.kind, mix.name)
                return
        self.notify("That mix is not on Home any more.", severity="warning", markup=False)

    def action_radio(self) -> None:
        """Radio from what plays, or else the focused item."""
        from tuneup.tui.playback import focused_item

        state = self.playback.state
        item_id = state.item_id if state.playing else focused_item(self)
        if item_id is None:
            self.notify("Nothing to start a radio from: play or focus an item first.")
            return
        self.playback.radio(item_id)

    def action_switch_profile(self, name: str) -> None:
        if name != self.env.profile_name:
            self.switch_profile(name)

    def action_exclude(self) -> None:
        self.playback.feedback("exclude")

    def action_prompt_mix(self) -> None:
        """Ask for a prompt (starting from the last one), build its mix in a worker, play it."""
        from tuneup.mixes.prompt import last_prompt
        from tuneup.tui.screens.prompt import PromptScreen

        self.run_in_thread(
            last_prompt,
            self.profile_id,
            then=lambda last: self.push_screen(PromptScreen(last), self._prompt_given),
            group="prompt mix",
        )

    def _prompt_given(self, text: str | None) -> None:
        if not text:
            return
        from tuneup.mixes import prompt as prompts

        def build(db, text):
            mix = prompts.make(db, self.profile_id, text)
            prompts.remember(db, self.profile_id, text)
            return mix

        self.run_in_thread(build, text, then=self._play_prompt_mix, group="prompt mix")

    def _play_prompt_mix(self, mix) -> None:
        from tuneup.tui.messages import PlayItems

        if not mix.items:
            self.notify(f"Nothing in the library fits: {mix.description}", severity="warning")
            return
        self.notify(f"{mix.name} ({len(mix.items)} items)", markup=False)
        self.screen.post_message(
            PlayItems([i.item_id for i in mix.items], 0, source="prompt", label=mix.name)
        )

    def action_volume(self, delta: int) -> None:
        self.playback.volume(delta)

    def action_seek(self, seconds: float) -> None:
        self.playback.seek(seconds)

    # ---- long jobs in child processes -------------------------------------------------------------
    def action_rescan(self) -> None:
        from tuneup.tui import jobs

        self.start_job("scan", jobs.rescan)

    def action_reanalyse(self) -> None:
        from tuneup.tui import jobs

        self.start_job("analyse", jobs.reanalyse)

    def start_job(self, name: str, fn: Callable, *args):
        """Run ``fn(db, progress, cancel, *args)`` off the UI; progress and the result come back as messages.

        A module-level ``fn`` (everything in tuneup.tui.jobs) runs in a child process
        (tuneup.tui.job_process), so its work never competes with the UI for the GIL; a closure cannot
        be sent to one and runs in a thread with its own connection. Returns the cancel handle (its
        ``set()`` cancels), or None when a job of that name is already running.
        """
        from tuneup.tui.job_process import JobProcess, can_run_in_child

        if name in self.jobs:
            self.notify(f"{name} is already running.", severity="warning")
            return None
        _start_resource_tracker()
        if can_run_in_child(fn, args):
            job = JobProcess(name, str(self.env.paths.db_file), fn, args)
            self.jobs[name], self._children[name] = job.cancel, job
            body = lambda: self._child_job_body(job)  # noqa: E731
        else:
            cancel = threading.Event()
            self.jobs[name] = cancel
            body = lambda: self._job_body(name, fn, cancel, args)  # noqa: E731
        self.run_worker(body, thread=True, group=name, name=name, exit_on_error=False)
        return self.jobs[name]

    def _progress_poster(self, name: str) -> Callable:
        started = time.monotonic()

        def progress(done: int, total: int | None = None, info: str = "") -> None:
            rate = done / max(time.monotonic() - started, 1e-6)
            self.post_message(WorkProgress(name, done, total, str(info or ""), rate))

        return progress

    def _child_job_body(self, job) -> None:
        try:
            outcome = job.run(self._progress_poster(job.name))
        except Exception as exc:  # the process could not start, or its answer was unreadable
            self.log.error(f"{job.name} failed to run in its process", exc)
            outcome = ("failed", f"{job.name} could not run: {type(exc).__name__}: {exc}", None)
            job.stop(0)
        if outcome[0] == "done":
            self.post_message(WorkDone(job.name, outcome[1]))
            return
        if outcome[2]:
            self.log.error(f"{job.name} failed in its process", outcome[2])
        self.post_message(WorkFailed(job.name, outcome[1]))

    def _job_body(self, name: str, fn: Callable, cancel: threading.Event, args: tuple) -> None:
        from tuneup.errors import TuneupError
        from tuneup.store import connection

        try:
            with connection(self.env.paths.db_file) as db:
                result = fn(db, self._progress_poster(name), cancel, *args)
        except TuneupError as exc:
            self.post_message(WorkFailed(name, str(exc)))
        except Exception as exc:  # never a traceback on screen: one line, and the log has the rest
            self.log.error(f"{name} failed", exc)
            self.post_message(WorkFailed(name, f"{type(exc).__name__}: {exc}"))
        else:
            self.post_message(WorkDone(name, result))

    # ---- short work off the UI, and the one place worker errors become notifications ----------------
    def run_in_thread(
        self, fn: Callable, *args, then: Callable | None = None, group: str = "query"
    ) -> None:
        """``fn(db, *args)`` in a thread with a connection of its own, then ``then(result)`` on the UI.
        A newer call of the same group replaces one still running. Failures reach :meth:`_worker_failed`."""
        from tuneup.store import connection

        def work() -> None:
            with connection(self.env.paths.db_file) as db:
                result = fn(db, *args)
            if then is not None:
                self.call_from_thread(then, result)

        self.run_worker(
            work, thread=True, group=group, name=group, exclusive=True, exit_on_error=False
        )

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        """Every worker the app runs ends here when it raises (harlequin's pattern): one line for the
        person, the traceback in the log, never a crash."""
        if event.state is WorkerState.ERROR:
            self.report_error(f"{event.worker.name} failed", event.worker.error)

    def report_error(self, title: str, error: BaseException) -> None:
        """How an error reaches the person, from any thread (notify only posts a message): one line
        (a TuneupError's own message, else its type and message), the traceback in the log."""
        from tuneup.errors import TuneupError

        self.log.error(title, error)
        text = str(error) if isinstance(error, TuneupError) else f"{type(error).__name__}: {error}"
        self.notify(text, title=title, severity="error", markup=False)

    def cancel_job(self, name: str) -> None:
        event = self.jobs.get(name)
        if event is not None:
            event.set()

    def on_work_progress(self, message: WorkProgress) -> None:
        m = message
        self._broadcast(WorkProgress, m.job, m.done, m.total, m.info, m.rate)

    def on_work_done(self, message: WorkDone) -> None:
        self._job_ended(message.job)
        self._broadcast(WorkDone, message.job, message.result)
        if message.job in ("scan", "analyse", "import", "demo", "fit"):
            self.post_message(LibraryChanged())

    def on_work_failed(self, message: WorkFailed) -> None:
        self._job_ended(message.job)
        self._broadcast(WorkFailed, message.job, message.error)
        self.notify(
            message.error, title=f"{message.job} failed", severity="error", timeout=10, markup=False
        )

    def _job_ended(self, name: str) -> None:
        self.jobs.pop(name, None)
        self._children.pop(name, None)

    def stop_jobs(self) -> None:
        """Cancel every job; a child process that does not stop in time is terminated (with its readers)."""
        for event in list(self.jobs.values()):
            event.set()
        children = list(self._children.values())
        stoppers = [threading.Thread(target=job.stop, daemon=True) for job in children]
        for t in stoppers:
            t.start()
        for t in stoppers:
            t.join()

    def _broadcast(self, kind: type, *args) -> None:
        """Messages bubble up, not down: hand a copy to every screen on the stack."""
        for screen in self.screen_stack:
            screen.post_message(kind(*args))

    def on_library_changed(self, message: LibraryChanged) -> None:
        for screen in self.screen_stack:
            reload = getattr(screen, "reload_data", None)
            if reload is not None:
                reload()

    async def action_quit(self) -> None:
        import asyncio

        if (
            self._children
        ):  # stopping a job can take a few seconds: say why the app has not closed yet
            self.notify(f"Stopping {', '.join(self._children)}…", timeout=10)
        await asyncio.to_thread(self.stop_jobs)
        await asyncio.to_thread(
            self.playback.shutdown
        )  # pending likes and mpv's last listen: off the loop
        self.exit()

    async def on_unmount(self) -> None:
        import asyncio

        await asyncio.to_thread(self.stop_jobs)  # however the app ends, no job process outlives it


def _start_resource_tracker() -> None:
    """Start multiprocessing's resource tracker with the real stderr.

    The core's process pools (scan, analysis, demo) start it on first use and hand it sys.stderr's file
    descriptor; inside the app sys.stderr is Textual's capture object, whose descriptor is invalid
    ("bad value(s) in fds_to_keep"). Starting it here, once, with the real stderr avoids that.
    """
    import sys
    from multiprocessing import resource_tracker

    saved = sys.stderr
    sys.stderr = sys.__stderr__
    try:
        resource_tracker.ensure_running()
    except Exception:  # the job itself will report what goes wrong
        pass
    finally:
        sys.stderr = saved


def create_app(env: Env, **kwargs) -> TuneupApp:
    return TuneupApp(env, **kwargs)


def run_app(env: Env) -> None:
    app = create_app(env)
    try:
        app.run()
    finally:
        app.stop_jobs()
        app.playback.shutdown()
    _exit_now(env, app.return_code or 0)


def _exit_now(env: Env, code: int) -> None:
    """End the process as soon as the app's work is saved: likes, the last listen and the jobs are
    done above, the store is closed here, and what a worker thread may still be computing (a model
    fit for Home) is saved atomically or not at all (store transactions, persist's replacing file).

    A normal interpreter exit spent 2-4 s in its final garbage collections over the app's heap
    (py-spy: gc_collect_main after the last Python frame), which is most of what quitting cost.
    Under coverage (the test suite's subprocesses) the normal exit runs, so coverage saves its data;
    the heap is frozen first so those collections skip it."""
    import gc
    import os
    import sys

    env.close()
    gc.freeze()
    if "coverage" in sys.modules:
        return
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed or broken terminal: nothing more to say on it
            pass
    os._exit(code)
