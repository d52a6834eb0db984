"""Default locations, in one place so tests and settings can redirect them."""

from __future__ import annotations

from pathlib import Path

# The repository (or source tree) this package was installed from.
PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Bundled seed articles; falls back to ./seeds when the package is installed elsewhere.
DEFAULT_SEEDS_DIR = PROJECT_ROOT / "seeds" if (PROJECT_ROOT / "seeds").is_dir() else Path("seeds")

# The index folder used when none is named: local to where the user works.
DEFAULT_INDEX_DIR = Path(".archive") / "index"

# The question the bundled seeds answer (five detainees in one report, six in another):
# what `archive demo` and the README screenshot ask.
SEED_QUESTION = "How many Lebanese detainees did Israel agree to release?"
