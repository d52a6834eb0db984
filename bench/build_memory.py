"""Peak memory (RSS) and time of a build, unsharded and sharded, each in a fresh process.

    python -m bench.build_memory --out /tmp/bench-mem --cache /tmp/bench-mem/embeddings.sqlite \
        --replicas 1 --shards 0 4 8 [--batch 1000]

`--shards 0` is the unsharded build. Each build runs in its own child process, and its peak
resident set is the child's `ru_maxrss` (os.wait4), so one build's memory never hides another's.
Replicas' titles are embedded unmarked (`scale.embed_unmarked_titles`), so a cache filled
at 1x serves every scale and nothing is embedded. The unsharded build streams
articles in batches of `--batch` (archive/building.py); a sharded build holds one shard's
vectors at a time (archive/sharded_building.py), and still every article's text and plan.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from archive.settings import Settings
from bench import scale

CHILD = """
import sys
from pathlib import Path
from archive.api import Archive
from archive.settings import Settings
from bench.scale import embed_unmarked_titles
folder, index_dir, cache = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
shards, batch = int(sys.argv[4]), int(sys.argv[5])
embed_unmarked_titles()
settings = Settings.from_env(environ={}, index_dir=index_dir, embedding_cache=cache, build_batch=batch)
archive = Archive.build([folder], index_dir=index_dir, settings=settings, shards=shards or None)
report = archive.last_report
print(f"  {report.articles} articles, {report.passages} passages; {report.embedded} embedded, "
      f"{report.cache_hits} from the cache", flush=True)
archive.close()
"""


def measure(folder: Path, index_dir: Path, cache: Path, shards: int, batch: int) -> dict[str, float]:
    """Build in a child process; its wall time and peak RSS in MB."""
    if index_dir.exists():
        shutil.rmtree(index_dir)
    started = time.perf_counter()
    command = [sys.executable, "-c", CHILD, str(folder), str(index_dir), str(cache), str(shards), str(batch)]
    child = subprocess.Popen(command)
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"the build with {shards} shards failed")
    return {"seconds": time.perf_counter() - started, "peak_rss_mb": usage.ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--cache", type=Path, required=True, help="the embedding cache (copied in beforehand)")
    parser.add_argument("--replicas", type=int, default=1)
    parser.add_argument("--shards", type=int, nargs="+", default=[0, 4, 8])
    parser.add_argument("--batch", type=int, default=Settings.build_batch, help="articles per batch (unsharded)")
    parser.add_argument("--limit", type=int, default=None, help="only the first N SciFact abstracts")
    args = parser.parse_args()
    folder = args.out / f"corpus-x{args.replicas}"
    scale.scifact_replicas(folder, args.replicas, args.limit)
    results = {}
    for shards in args.shards:
        results[shards] = measure(folder, args.out / f"index-{shards}", args.cache, shards, args.batch)
        name = f"{shards} shards" if shards else "unsharded"
        rss, seconds = results[shards]["peak_rss_mb"], results[shards]["seconds"]
        print(f"x{args.replicas} {name:10} peak RSS {rss:7.0f} MB  {seconds:6.0f} s")
    record = {"replicas": args.replicas, "batch": args.batch, "load": os.getloadavg(), "builds": results}
    (args.out / f"build-memory-x{args.replicas}.json").write_text(json.dumps(record, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
