"""Keep an archive current: update the index whenever files in the watched folders change.

watchfiles reports file-system events in batches (a burst of saves within `debounce_ms`
is one batch). Before updating, the watcher waits until every article file under the
folders has kept its size and modification time for `settle_s`, so a file still being
written (a download, a slow copy) is read once it is complete, not half-way. Each update
is an ordinary `Archive.update`: it publishes a whole new generation atomically, so
readers never see a half-made index. A batch whose files, once settled, are as they were
at the last update (a file saved with the same bytes and time, a temporary file come and
gone) costs a folder scan and no update. Hidden files and folders (the index itself may
live in `.archive/`) and partial-download names are ignored.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import watchfiles

from archive.api import Archive
from archive.errors import ArchiveError
from archive.folders import LinkRule, walk
from archive.models import BuildReport

# Names browsers and copy tools give files they are still writing.
PARTIAL_SUFFIXES = (".part", ".partial", ".crdownload", ".download", ".tmp", ".swp", "~")

Stats = dict[str, tuple[int, int]]  # path -> (size, mtime in ns)


@dataclass(frozen=True)
class WatchOptions:
    debounce_ms: int = 1600  # longest a batch of events is held together (watchfiles' default)
    settle_s: float = 1.0  # how long files must stay unchanged before they are read
    max_settle_s: float = 120.0  # a file growing longer than this is read anyway (and again when it settles)
    rescan_s: float = 10.0  # with no events, a folder scan this often catches what events missed
    lock_wait_s: float = 600.0  # wait for another builder instead of failing


@dataclass(frozen=True)
class WatchUpdate:
    """One update: its report (None when it failed, with `error` saying why) and how long it took."""

    report: BuildReport | None
    seconds: float
    error: str = ""

    @property
    def changed_anything(self) -> bool:
        r = self.report
        return r is not None and bool(r.added or r.changed or r.removed)


def is_watched_name(name: str) -> bool:
    """False for hidden files and for files still being downloaded or copied."""
    lower = name.lower()
    return not name.startswith(".") and not lower.endswith(PARTIAL_SUFFIXES)


def scan(folders: Sequence[Path], follow_links: bool = False) -> Stats:
    """Size and modification time of every watched file under `folders`: the files a read takes
    (archive/folders.py: hidden names skipped, links out of the folders only with
    `follow_links`), less partial downloads."""
    found: Stats = {}
    rule = LinkRule.given(folders, follow_links)
    visited: dict[str, str] = {}
    for root in folders:
        if root.is_file():
            _stat_into(found, str(root))
        elif root.is_dir():
            for path in walk(root, rule, visited).files:
                if is_watched_name(path.name):
                    _stat_into(found, str(path))
    return found


def _stat_into(found: Stats, path: str) -> None:
    try:
        st = os.stat(path)
    except OSError:
        return  # gone or unreadable between listing and stat: the next scan sees it
    found[path] = (st.st_size, st.st_mtime_ns)


def settle(folders: Sequence[Path], options: WatchOptions, stop: threading.Event, follow_links: bool = False) -> Stats:
    """Wait until a scan of `folders` stays the same for `settle_s`; the settled scan."""
    deadline = time.monotonic() + options.max_settle_s
    before = scan(folders, follow_links)
    while not stop.wait(options.settle_s):
        after = scan(folders, follow_links)
        if after == before or time.monotonic() > deadline:
            return after
        before = after
    return before


class Watcher:
    """Watches `folders` and updates `archive` from them; `run` blocks until `stop` is set."""

    def __init__(
        self,
        archive: Archive,
        folders: Sequence[str | Path],
        on_update: Callable[[WatchUpdate], None],
        options: WatchOptions | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        self.archive = archive
        self.folders = [Path(folder) for folder in folders]
        self._resolved = [folder.resolve() for folder in self.folders]  # events name absolute paths
        self.on_update = on_update
        self.options = options or WatchOptions()
        self.stop = stop or threading.Event()

    def run(self, initial_update: bool = True) -> None:
        """Bring the index in line with the folders (when asked), then follow their changes.

        The folders are scanned before the first update and the event watch starts right
        after it; the first timeout's rescan catches anything changed in between.
        """
        links = self.archive.settings.follow_links
        seen = scan(self.folders, links)
        if initial_update:
            self._update()
        for _ in self._batches():
            settled = settle(self.folders, self.options, self.stop, links)
            if self.stop.is_set():
                return
            if settled != seen:
                seen = settled
                self._update()

    def _batches(self) -> Iterator[set[tuple[watchfiles.Change, str]]]:
        """Event batches for watched names; an empty one every `rescan_s` without events."""
        yield from watchfiles.watch(
            *self.folders,
            watch_filter=lambda _change, path: _is_watched_path(path, self._resolved),
            debounce=self.options.debounce_ms,
            stop_event=self.stop,
            rust_timeout=int(self.options.rescan_s * 1000),
            yield_on_timeout=True,
            raise_interrupt=False,
        )

    def _update(self) -> None:
        started = time.perf_counter()
        try:
            report = self.archive.update(self.folders, lock_wait=self.options.lock_wait_s)
        except ArchiveError as exc:  # no article left, a busy or damaged index: say so, keep watching
            self.on_update(WatchUpdate(None, time.perf_counter() - started, str(exc)))
        else:
            self.on_update(WatchUpdate(report, time.perf_counter() - started))


def _is_watched_path(path: str, folders: Sequence[Path]) -> bool:
    """Events under hidden folders (below a watched root) or for partial files are ignored."""
    target = Path(path)
    for root in folders:
        try:
            parts = target.relative_to(root).parts
        except ValueError:
            continue
        return all(is_watched_name(part) for part in parts)
    return is_watched_name(target.name)


def watch(
    archive: Archive,
    folders: Sequence[str | Path],
    on_update: Callable[[WatchUpdate], None],
    options: WatchOptions | None = None,
    stop: threading.Event | None = None,
    initial_update: bool = True,
) -> None:
    """Follow `folders` until `stop` is set (or Ctrl-C), updating `archive` after each settled change."""
    Watcher(archive, folders, on_update, options, stop).run(initial_update)
