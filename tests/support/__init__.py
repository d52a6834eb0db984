"""Helpers the tests share, imported as `from tests.support import ...` (fixtures stay in conftest.py).

- this module: where the repository and its bundled seeds are, and a question the seeds answer;
- `tests.support.tui_helpers`: Pilot helpers and archive stand-ins for the TUI tests;
- `tests.support.reliability`: two corpus versions, the forking builder client, index checks;
- `tests.support.builder_zygote`: the builder process itself (`python -m tests.support.builder_zygote`).
"""

from __future__ import annotations

from pathlib import Path

from index import layout
from index.snapshot import Snapshot

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
SEED_QUESTION = "How many Lebanese detainees did Israel agree to release?"
SEED_ANSWER = "five Lebanese detainees"  # the words of the seed sentence that answers SEED_QUESTION


def open_generation(index_dir: Path) -> Snapshot:
    """The index's live generation, opened through index/ (what an `Archive` there serves from); close it."""
    return Snapshot(layout.current_generation(index_dir))


__all__ = ["ROOT", "SEEDS", "SEED_ANSWER", "SEED_QUESTION", "open_generation"]
