"""The Textual app: opens the index and loads the model in workers, and runs each question.

The window is usable at once. Opening (or building from the seeds) and loading the
embedding model happen in thread workers; a question asked before the model is ready is
answered with BM25 and asked again when it is. Each question gets a sequence number and
only the answer to the newest one is shown. The question history and the theme are kept
between runs (tui/state.py); a keymap file may move the keys (tui/keymap.py).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.theme import Theme
from textual.worker import Worker, WorkerState

from archive import discovery
from archive.api import Archive
from archive.models import IndexInfo, SearchMode
from archive.settings import Settings
from archive.watching import WatchUpdate, watch
from tui import commands
from tui.keymap import load_keymap
from tui.messages import (
    AnswerReady,
    AskFailed,
    AskRequested,
    BuildProgress,
    IndexFailed,
    IndexOpened,
    MainScreenReady,
    ModelFailed,
    ModelLoaded,
    NewerGeneration,
    Problem,
    Query,
    WatchFailed,
)
from tui.problems import problem_from
from tui.progress import throttled
from tui.screens.keys import KeysScreen
from tui.screens.main import MainScreen
from tui.state import SavedState, load_state, save_state

LOADING = "the embedding model is still loading; the answer refreshes when it is ready."
UNAVAILABLE = "the embedding model is unavailable ({title})."
OPENING = Problem("Index not ready", "The index is still opening; your question is asked as soon as it is ready.")
GENERATION_POLL_S = 1.0  # how often the app looks for a newer generation (reading one small file)


def arrived(before: IndexInfo | None, after: IndexInfo) -> str:
    """What a newer generation brought, in words: '3 newer articles arrived' or 'The index was updated'."""
    added = after.articles - before.articles if before is not None else 0
    if added > 0:
        return f"{added:,} newer article{'s' if added != 1 else ''} arrived"
    return "The index was updated"


def empty_index(info: IndexInfo) -> Problem:
    return Problem(
        "Empty index",
        f"The index at {info.path} holds no articles, so no question can be answered. "
        "Index a folder of articles with `archive build <folders>`, then start the app again.",
    )


class ArchiveApp(App[int]):
    """Ask the archive questions; every answer is verbatim, cited sentences."""

    CSS_PATH = "archive.tcss"
    TITLE = "archive-qa"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "keys", "Keys", key_display="?", id="keys"),
        Binding("q", "quit", "Quit", id="quit"),
    ]
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]  # noqa: RUF012 (declared by App)

    def __init__(
        self,
        archive: Archive | None = None,
        settings: Settings | None = None,
        *,
        build: bool = True,
        stable: bool = False,
        watch_folders: Sequence[Path] = (),
        keymap: Mapping[str, str] | None = None,
    ) -> None:
        """`archive`: an open archive to use (the caller keeps ownership); else the app opens
        `settings.index_dir`, building it from `settings.seeds_dir` when `build` and it is missing.
        `stable=True` keeps clock readings (answer seconds, build time) off the screen and the
        cursor from blinking, so screenshots are reproducible. `watch_folders`: folders whose
        changes are indexed while the app runs (`archive.watching`). `keymap`: binding id to
        keys (tui/keymap.py checks a user's file). History and theme are read from and saved to
        the `state_dir` setting's folder."""
        super().__init__()
        self.keymap = dict(keymap or {})
        if self.keymap:
            self.set_keymap(self.keymap)
        self.settings = settings or (archive.settings if archive else Settings.from_env())
        self.archive: Archive | None = archive
        self.info: IndexInfo | None = None
        self.index_problem: Problem | None = None
        self.model_problem: Problem | None = None
        self.stable = stable
        self._owns_archive = archive is None
        self._build = build
        self._seq = 0
        self._latest: Query | None = None  # the newest request
        self._pending: Query | None = None  # asked before the index was open
        self.main = MainScreen(stable=stable, export_setting=self.settings.export_dir)
        self.watch_folders = tuple(watch_folders)
        self._watch_stop = threading.Event()
        self._generation = ""
        self.state_dir = discovery.state_dir(self.settings.state_dir)
        self._state_warned = False

    def get_default_screen(self) -> Screen[None]:
        return self.main

    def on_main_screen_ready(self, _: MainScreenReady) -> None:
        """Restore the saved history and theme, then start opening the index."""
        self._restore_state()
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        self.main.status.set_activity("Opening the index…")
        if self.archive is None:
            self._open_index()
        else:
            self._open_existing(self.archive)

    def on_unmount(self) -> None:
        self._watch_stop.set()
        if self._owns_archive and self.archive is not None:
            self.archive.close()

    # ----- state kept between runs ---------------------------------------------------------

    def _restore_state(self) -> None:
        state, warning = load_state(self.state_dir)
        if warning:
            self.notify(warning, title="Saved state not used", severity="warning", timeout=10)
        self.main.question_box.restore(state.questions)
        if state.theme in self.available_themes:
            self.theme = state.theme

    def save_state(self) -> None:
        """Save the history and theme; a disk that refuses is reported once, never fatal."""
        state = SavedState(list(self.main.question_box.history), self.theme)
        try:
            save_state(self.state_dir, state)
        except OSError as exc:
            if not self._state_warned:
                self._state_warned = True
                message = f"History and theme are not saved: {exc}"
                self.notify(message, title="State not saved", severity="warning", timeout=10)

    def _theme_changed(self, _: Theme) -> None:
        self.save_state()

    # ----- the index ------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="index", exit_on_error=False)
    def _open_index(self) -> None:
        progress = throttled(self._report_progress)
        try:
            if self._build:
                archive = Archive.open_or_build(settings=self.settings, progress=progress)
            else:
                archive = Archive.open(settings=self.settings)
            info = archive.info()
        except Exception as exc:
            self.post_message(IndexFailed(problem_from(exc)))
        else:
            self.post_message(IndexOpened(archive, info))

    @work(thread=True, exclusive=True, group="index", exit_on_error=False)
    def _open_existing(self, archive: Archive) -> None:
        try:
            info = archive.info()
        except Exception as exc:
            self.post_message(IndexFailed(problem_from(exc)))
        else:
            self.post_message(IndexOpened(archive, info))

    def _report_progress(self, stage: str, done: int, total: int) -> None:
        self.post_message(BuildProgress(stage, done, total))

    def on_build_progress(self, message: BuildProgress) -> None:
        self.main.answer_pane.show_progress(message.stage, message.done, message.total)
        self.main.status.set_activity(f"Building the index: {message.stage} {message.done}/{message.total}")

    def on_index_opened(self, message: IndexOpened) -> None:
        first = self.archive is None or not self._generation
        self.archive, self.info, self.index_problem = message.archive, message.info, None
        if first:
            self._generation = message.archive.generation
            self.set_interval(GENERATION_POLL_S, self._look_for_newer)
            if self.watch_folders:
                self._watch(message.archive)
        self.main.show_index(message.archive, message.info)
        report = message.archive.last_report
        if report is not None and report.failed:
            lines = "\n".join(str(problem) for problem in report.failed[:5])
            self.notify(lines, title="Some input was not indexed", severity="warning", timeout=10)
        if message.info.articles == 0:
            self.main.show_problem(empty_index(message.info))
        if message.archive.model_ready:
            self.main.status.set_activity("Ready")
        else:
            self.main.status.set_activity("Ready (BM25) · loading the embedding model…")
            self._load_model()
        if self._pending is not None:
            pending, self._pending = self._pending, None
            self.on_ask_requested(AskRequested(pending))

    def on_index_failed(self, message: IndexFailed) -> None:
        self.index_problem = message.problem
        self._pending = None
        self.main.answer_pane.hide_progress()
        self.main.show_problem(message.problem)
        self.main.status.set_index("No index")

    # ----- newer articles -------------------------------------------------------------------

    def _look_for_newer(self) -> None:
        if self.archive is not None:
            self._check_generation(self.archive)

    @work(thread=True, exclusive=True, group="generation", exit_on_error=False)
    def _check_generation(self, archive: Archive) -> None:
        """Post `NewerGeneration` when the index moved on; questions are then answered from it."""
        generation = archive.generation
        if generation != self._generation:
            self.post_message(NewerGeneration(archive.info(), generation))

    def on_newer_generation(self, message: NewerGeneration) -> None:
        if message.generation == self._generation or self.archive is None:
            return
        self._generation = message.generation
        before, self.info = self.info, message.info
        self.main.show_index(self.archive, message.info)
        after = message.info
        same = before is not None and (before.articles, before.passages) == (after.articles, after.passages)
        if same:  # rewritten with the same content (a watcher's first pass, say): nothing to announce
            return
        news = arrived(before, after)
        self.main.status.set_activity(f"{news} · answers now include them")
        self.notify(f"{news}; questions are answered from the updated index.", title="Index updated", timeout=6)

    @work(thread=True, exclusive=True, group="watch", exit_on_error=False)
    def _watch(self, archive: Archive) -> None:
        """Index changes in the watched folders until the app closes (the poll shows what arrived)."""

        def reported(update: WatchUpdate) -> None:
            if update.error:
                self.post_message(WatchFailed(Problem("Watched folders not indexed", update.error)))

        watch(archive, self.watch_folders, reported, stop=self._watch_stop)

    def on_watch_failed(self, message: WatchFailed) -> None:
        self.notify(message.problem.message, title=message.problem.title, severity="warning", timeout=10)

    # ----- the model ------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="model", exit_on_error=False)
    def _load_model(self) -> None:
        archive = self.archive
        if archive is None:
            return
        try:
            archive.load_model()
        except Exception as exc:
            self.post_message(ModelFailed(problem_from(exc)))
        else:
            self.post_message(ModelLoaded())

    def on_model_loaded(self, _: ModelLoaded) -> None:
        self.main.status.set_activity("Ready · embedding model loaded")
        latest = self._latest
        if latest is not None and latest.fell_back and self.main.query_shown is not None:
            self.on_ask_requested(AskRequested(latest))

    def on_model_failed(self, message: ModelFailed) -> None:
        self.model_problem = message.problem
        self.main.status.set_activity("BM25 only: the embedding model is unavailable")
        self.notify(message.problem.message, title=message.problem.title, severity="warning", timeout=10)

    @property
    def model_ready(self) -> bool:
        return self.archive is not None and self.archive.model_ready

    # ----- questions ------------------------------------------------------------------------

    def on_ask_requested(self, message: AskRequested) -> None:
        """Number the request, pick the mode the archive can serve now, and run it."""
        message.stop()
        if self.archive is None:
            if self.index_problem is not None:
                self.main.show_problem(Problem(self.index_problem.title, self.index_problem.message))
            else:
                self._pending = message.query
                self.main.answer_pane.show_message(OPENING.message, busy=True)
            return
        self._seq += 1
        self.save_state()
        query = message.query
        used: SearchMode = query.mode if query.mode == "bm25" or self.model_ready else "bm25"
        fallback = ""
        if used != query.mode:
            problem = self.model_problem
            fallback = UNAVAILABLE.format(title=problem.title) if problem else LOADING
        query = replace(query, used_mode=used, seq=self._seq, fallback=fallback)
        self._latest = query
        self.main.show_busy(query)
        self._ask(self.archive, query)

    @work(thread=True, exclusive=True, group="ask", exit_on_error=False)
    def _ask(self, archive: Archive, query: Query) -> None:
        try:
            answer = archive.ask(
                query.question,
                k=query.k,
                source=query.source,
                since=query.since,
                until=query.until,
                mode=query.used_mode,
            )
        except Exception as exc:
            self.post_message(AskFailed(query, problem_from(exc)))
        else:
            self.post_message(AnswerReady(query, answer))

    def on_answer_ready(self, message: AnswerReady) -> None:
        if message.query.seq == self._seq:
            self.main.show_answer(message.query, message.answer)

    def on_ask_failed(self, message: AskFailed) -> None:
        if message.query.seq == self._seq:
            self.main.show_problem(message.problem, message.query)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A safety net: a worker that failed outside its own handling still shows a message."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            problem = problem_from(event.worker.error)
            self.notify(problem.message, title=problem.title, severity="error", timeout=10)

    # ----- actions and the command palette ---------------------------------------------------

    def action_keys(self) -> None:
        if isinstance(self.screen, KeysScreen):
            self.screen.dismiss()
        else:
            self.push_screen(KeysScreen(self.keymap))

    def set_mode(self, mode: SearchMode) -> None:
        self.main.filters.set_filters(mode=mode)

    def set_dark(self, dark: bool) -> None:
        self.theme = "textual-dark" if dark else "textual-light"

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield from commands.app_commands(self, screen)


def make_app(
    archive: Archive | None = None,
    settings: Settings | None = None,
    *,
    build: bool = True,
    stable: bool = False,
    watch_folders: Sequence[Path] = (),
    keymap: Mapping[str, str] | None = None,
) -> ArchiveApp:
    """The app, on `archive` when given (tests pass one built from seeds/), else on `settings.index_dir`."""
    return ArchiveApp(archive, settings, build=build, stable=stable, watch_folders=watch_folders, keymap=keymap)


def run_app(settings: Settings, watch_folders: Sequence[Path] = (), *, build: bool = False) -> int:
    """Run the app in the terminal (the `archive tui [FOLDER...]` command); the exit status. `build`:
    build the index from `settings.seeds_dir` when there is none (only `archive --demo tui` asks).
    A keymap file that cannot be used stops here with its error (KeymapError), before the window opens."""
    keymap = load_keymap(discovery.keymap_file())
    app = make_app(settings=settings, build=build, watch_folders=watch_folders, keymap=keymap)
    app.run()
    return app.return_code or 0
