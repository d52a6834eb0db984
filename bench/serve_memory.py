"""Memory and time of serving an index: a fresh process opens it and answers questions.

    python -m bench.serve_memory --index OUT/index-x16 [--index OTHER ...] --questions 20 --repeats 3

Each index is opened in its own child process (`Archive.open`, then `ask` for the first
`--questions` SciFact queries), indexes taking turns `--repeats` times so that load drifts
hit all alike; printed per index are medians of the resident set after opening and after
the questions (VmRSS, memory-mapped pages counted once touched) and of the seconds to open.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

CHILD = """
import json, sys, time
from pathlib import Path

def rss_mb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024

from archive.api import Archive
from archive.settings import Settings
from bench import datasets
index_dir, count = Path(sys.argv[1]), int(sys.argv[2])
questions = [q.text for q in datasets.scifact_queries()[:count]]
before = rss_mb()
started = time.perf_counter()
archive = Archive.open(index_dir, Settings.from_env(environ={}, index_dir=index_dir))
opened = time.perf_counter() - started
after_open = rss_mb()
for question in questions:
    archive.ask(question)
print(json.dumps({"imports_mb": before, "open_s": opened, "open_mb": after_open, "asked_mb": rss_mb()}))
"""


def measure(index_dir: Path, questions: int) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(index_dir), str(questions)], capture_output=True, text=True, check=True
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, action="append", required=True)
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    runs: dict[Path, list[dict[str, float]]] = {index: [] for index in args.index}
    measure(args.index[0], 1)  # warm-up: bytecode and the model's files in the page cache
    for _ in range(args.repeats):
        for index in args.index:
            runs[index].append(measure(index, args.questions))
    print(f"load {os.getloadavg()[0]:.1f}; medians of {args.repeats} fresh processes, {args.questions} questions each")
    for index, results in runs.items():
        median = {key: statistics.median(r[key] for r in results) for key in results[0]}
        print(
            f"{index}: open {median['open_s']:.2f} s; RSS after imports {median['imports_mb']:.0f} MB, "
            f"opened {median['open_mb']:.0f} MB, after the questions {median['asked_mb']:.0f} MB"
        )


if __name__ == "__main__":
    main()
