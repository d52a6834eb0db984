"""Build progress from a worker thread, thinned out so the UI gets a message per visible step."""

from __future__ import annotations

from archive.models import Progress

STEPS = 50  # messages per stage at most (plus its first and last)


def throttled(report: Progress, steps: int = STEPS) -> Progress:
    """A `(stage, done, total)` callback that calls `report` on a new stage, the end of a stage,
    and each time `done` crosses another 1/`steps` of `total`."""
    last: dict[str, int] = {}

    def update(stage: str, done: int, total: int) -> None:
        step = done * steps // total if total > 0 else 0
        previous = last.get(stage)
        if previous is None or step > previous or done >= total:
            last[stage] = step
            report(stage, done, total)

    return update
