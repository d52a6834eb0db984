"""Watch latency: from a file saved into a watched folder to its article answerable.

    .venv/bin/python -m bench.watch_latency [--additions 20] [--settle 1.0]

Builds an index of the seeds in a temporary folder, loads the model, starts the watcher
(`archive.watching`, default debounce; `--settle` as `archive watch --settle`) in a thread,
then saves one new article at a time (a SciFact abstract as `.md` with YAML front matter,
written to a temporary name and renamed, as a browser saves) and times until `ask` for its
title cites it. Prints p50 / p90 / max over the additions.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import threading
import time
from pathlib import Path

from archive import Archive, Settings
from archive.watching import Watcher, WatchOptions
from bench import datasets
from bench.report import percentile

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--additions", type=int, default=20)
    parser.add_argument("--settle", type=float, default=WatchOptions.settle_s)
    parser.add_argument("--limit", type=float, default=120.0, help="seconds to wait for one article")
    args = parser.parse_args()
    rows = [json.loads(line) for line in (datasets.SCIFACT / "corpus.jsonl").open(encoding="utf-8")]
    rows = rows[: args.additions]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        folder = root / "news"
        shutil.copytree(SEEDS, folder)
        settings = Settings.from_env(index_dir=root / "index")
        archive = Archive.build([folder], settings=settings)
        archive.load_model()
        stop = threading.Event()
        watcher = Watcher(archive, [folder], lambda update: None, WatchOptions(settle_s=args.settle), stop)
        thread = threading.Thread(target=watcher.run, kwargs={"initial_update": False}, daemon=True)
        thread.start()
        time.sleep(1.0)
        latencies = []
        for n, row in enumerate(rows):
            article_id = f"scifact-{row['_id']}"
            draft = folder / f"{article_id}.md.part"
            draft.write_text(f"---\ntitle: {json.dumps(row['title'])}\nsource: SciFact\n---\n{row['text']}\n")
            draft.rename(folder / f"{article_id}.md")
            saved = time.perf_counter()
            while True:
                answer = archive.ask(row["title"], k=3)
                if any(c.article_id == article_id for c in answer.citations):
                    break
                if time.perf_counter() - saved > args.limit:
                    raise SystemExit(f"article {n + 1} not answerable after {args.limit:.0f} s")
                time.sleep(0.05)
            latencies.append(time.perf_counter() - saved)
            print(f"{n + 1:2d}: {latencies[-1]:.2f} s", flush=True)
        stop.set()
        thread.join(timeout=30)
        archive.close()
    print(
        f"{len(latencies)} additions, settle {args.settle} s: saved to answerable p50 "
        f"{percentile(latencies, 0.5):.2f} s, p90 {percentile(latencies, 0.9):.2f} s, max {max(latencies):.2f} s"
    )


if __name__ == "__main__":
    main()
