"""Timing a build from the outside: stages from its progress reports, and what the model encodes.

Only public API: `Archive.build`/`Archive.update` take a `progress(stage, done, total)` callback
and an `Embedder`; nothing here reaches into archive/ internals, so the phases are the stages
the build reports (finer when it reports more of them).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any


class StageClock:
    """A build progress callback that times the stages the build reports (public API only).

    `Archive.build` and `Archive.update` call `progress(stage, done, total)` as they go. The
    time from one report to the next goes to the stage reported, while it stays the same;
    the time between a stage's last report and the next stage's first goes to "after
    <stage>" (after "reading" comes planning; after "postings" nothing is reported, so the
    coarse vectors, stories, arrays and publishing fall into `breakdown`'s "other").
    `current` is the stage now running, for recording which stage asked the embedder.
    """

    def __init__(self, now: Callable[[], float] = time.perf_counter) -> None:
        self.now = now
        self.reset()

    def reset(self) -> None:
        self.current = ""
        self.seconds: dict[str, float] = {}
        self._at = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        at = self.now()
        if self.current:
            phase = stage if stage == self.current else f"after {self.current}"
            self.seconds[phase] = self.seconds.get(phase, 0.0) + at - self._at
        self.current, self._at = stage, at

    def breakdown(self, total: float) -> dict[str, float]:
        """Seconds per stage of a build that took `total` seconds; "other" is the rest."""
        phases = dict(self.seconds)
        phases["other"] = max(0.0, total - sum(phases.values()))
        return phases


def recording_embedder(settings: Any, clock: StageClock | None = None) -> Any:
    """An Embedder that records what the build asks it to encode, and how long the model takes."""
    from archive.api import embedder_for
    from index.embedder import Embedder

    class Recording(Embedder):
        def __init__(self, *args: Any) -> None:
            super().__init__(*args)
            self.clock = clock
            self.recording = False
            self.texts: dict[str, list[str]] = {}
            self.encode_seconds = 0.0

        def encode(self, texts: Sequence[str]) -> Any:
            started = time.perf_counter()
            result = super().encode(texts)
            if self.recording:
                self.encode_seconds += time.perf_counter() - started
                stage = self.clock.current if self.clock else ""
                self.texts.setdefault(stage, []).extend(texts)
            return result

        def encode_with_spans(self, texts: Sequence[str], spans: Any) -> Any:
            started = time.perf_counter()
            result = super().encode_with_spans(texts, spans)
            if self.recording:
                self.encode_seconds += time.perf_counter() - started
                stage = self.clock.current if self.clock else ""
                self.texts.setdefault(stage, []).extend(texts)
            return result

    return embedder_for(settings, Recording)  # as the archive makes it: ARCHIVE_QUANTIZE, ARCHIVE_BACKEND
