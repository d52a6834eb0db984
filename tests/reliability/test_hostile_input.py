"""A folder of hostile files builds: every good article indexed, every bad file reported with its reason.

Small hostile files are committed under hostile/ (bytes exactly as written: see its
.gitattributes); the large and the unportable ones (50 MB single lines, a 100,000-line
JSONL, symlinks, a FIFO, an unreadable file, a name that is not UTF-8) are made in
tmp_path. The build runs through the CLI in a subprocess whose peak RSS is measured.

The 100,000-line JSONL holds 200 good articles among blank, malformed, wrongly shaped,
text-less and duplicate lines: reading it is the stress; embedding 100,000 articles on
two cores would only measure the model.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import orjson
import pytest

from archive import Archive, Settings
from archive.verify import verify_index
from index.embedder import Embedder
from tests.support.reliability import ARCHIVE_CLI

HOSTILE = Path(__file__).parent / "hostile"
Expected = dict[str, list[tuple[int | None, str]]]
MEMORY_LIMIT = 3 * 1024**3  # bytes of peak RSS allowed for the whole build, model included
BIG_LINES, BIG_GOOD_EVERY = 100_000, 500
FIRST_PLAN = "Record 1: the council approved plan number 1 for the harbour district."
GOOD = {
    "lighthouse", "front matter with spaces", "café zürich 报道", "invalid-utf8", "utf16-bom", "latin1", "crlf",
    "lone-cr", "unterminated-front-matter", "mixed/1", "jsonl-owl",
}  # fmt: skip
FAILED: Expected = {  # file name -> [(line or None, what the reason says)]
    "empty.txt": [(None, "empty file")],
    "whitespace-only.md": [(None, "only whitespace")],
    "picture.txt": [(None, "binary file (PNG image)")],
    "bundle.zip": [(None, "unsupported file type .zip")],
    "nul-bytes.txt": [(None, "contains NUL bytes")],
    "number.json": [(None, "expected an article object")],
    "list-of-numbers.json": [(None, f"record {n}: not an article object") for n in (1, 2, 3)],
    "articles-not-a-list.json": [(None, '"articles" is not a list')],
    "deeply-nested.json": [(1, "invalid JSON: depth limit exceeded")],
    "no-text.json": [(None, "no text field")],
    "bad-utf16.txt": [(None, "not valid UTF-16")],
    "orphan.meta.json": [(None, "metadata sidecar with no")],
    "notes": [(None, "unsupported file type (no suffix)")],
    "front-matter-only.md": [(None, "no text after the front matter")],
    "mixed.jsonl": [(3, "invalid JSON"), (4, "not an article object"), (5, "no text field"),
                    (7, "not an article object"), (9, "invalid JSON")],
}  # fmt: skip
WARNED = {"invalid-utf8.txt": "Windows-1252", "latin1.txt": "Windows-1252", "unterminated-front-matter.md": "never"}


def add_generated(folder: Path) -> tuple[set[str], Expected]:
    """Make the files too big or too odd to commit; the good ids and the failures then expected."""
    good, failed = set(GOOD), dict(FAILED)
    (folder / "zip-named.md").write_bytes((folder / "bundle.zip").read_bytes())  # kept out of git: tools read .md
    failed["zip-named.md"] = [(None, "binary file (ZIP archive)")]
    with (folder / "huge-single-line.txt").open("w", encoding="utf-8") as handle:
        for _ in range(100):
            handle.write("word " * 100_000)  # 50 MB, no line break
    with (folder / "huge-single-line.jsonl").open("w", encoding="utf-8") as handle:
        handle.write('{"title": "Huge", "text": "')
        for _ in range(100):
            handle.write("x" * 500_000)
        handle.write('"}\n')
    failed["huge-single-line.txt"] = [(None, "over the limit")]
    failed["huge-single-line.jsonl"] = [(1, "line is over the limit")]
    lines: list[bytes] = []
    bad: list[tuple[int | None, str]] = []
    for n in range(1, BIG_LINES + 1):
        if n % BIG_GOOD_EVERY == 1:
            text = FIRST_PLAN.replace("1", str(n))
            lines.append(orjson.dumps({"id": f"plan-{n}", "title": f"Plan {n} approved", "text": text}))
            good.add(f"plan-{n}")
        elif n % 10 in (1, 2):
            lines.append(b"   " if n % 2 else b"")
        elif n % 10 in (3, 4):
            lines.append(b'{"id": "broken", "text": ')
            bad.append((n, "invalid JSON"))
        elif n % 10 == 5:
            lines.append(b"[1, 2, 3]")
            bad.append((n, "not an article object"))
        elif n % 10 == 6:
            lines.append(b'{"title": "no text"}')
            bad.append((n, "no text field"))
        else:  # the same text as the first good line: indexed once, reported as a duplicate
            lines.append(orjson.dumps({"title": "Plan 1 again", "text": FIRST_PLAN}))
    (folder / "big.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    failed["big.jsonl"] = bad
    (folder / "loop").symlink_to(".")
    (folder / "dangling.txt").symlink_to("missing.txt")
    os.mkfifo(folder / "pipe.txt")
    failed.update({"loop": [(None, "symlink loop")], "dangling.txt": [(None, "broken symlink")]})
    failed["pipe.txt"] = [(None, "not a regular file")]
    with open(os.fsencode(folder) + b"/bad-\xff-name.txt", "wb") as handle:
        handle.write(b"A story whose file name is not UTF-8.\n")
    failed["bad-\ufffd-name.txt"] = [(None, "file name is not valid UTF-8")]
    locked = folder / "locked.txt"
    locked.write_text("Locked archive door opens\n\nThe archive door was opened by the night porter at two.\n")
    locked.chmod(0)
    if os.access(locked, os.R_OK):  # root reads it anyway: then it is simply a good article
        good.add("locked")
    else:
        failed["locked.txt"] = [(None, "permission denied")]
    return good, failed


def build_measured(folder: Path, index: Path, out: Path) -> tuple[dict[str, Any], int, int]:
    """`archive build --json` in a subprocess: its report, exit status and peak RSS in bytes."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    with out.open("wb") as stdout:
        process = subprocess.Popen(
            [str(ARCHIVE_CLI), "--index", str(index), "build", str(folder), "--json"],
            stdout=stdout,
            stderr=subprocess.PIPE,
            env=env,
        )
        assert process.stderr is not None
        errors = process.stderr.read()
        _, status, usage = os.wait4(process.pid, 0)  # this child's own rusage (RUSAGE_CHILDREN would sum all)
        process.returncode = os.waitstatus_to_exitcode(status)
        process.stderr.close()
    assert process.returncode == 0, errors.decode("utf-8", "replace")
    assert b"Traceback" not in errors
    return orjson.loads(out.read_bytes()), process.returncode, usage.ru_maxrss * 1024


@pytest.mark.slow
def test_a_hostile_folder_builds_and_reports_every_bad_file(
    tmp_path: Path, settings: Settings, embedder: Embedder
) -> None:
    folder = tmp_path / "hostile"
    shutil.copytree(HOSTILE, folder)
    good, expected = add_generated(folder)
    index = tmp_path / "index"
    report, _, peak = build_measured(folder, index, tmp_path / "report.json")
    assert peak < MEMORY_LIMIT, f"peak RSS {peak / 2**20:.0f} MiB"

    failed: dict[str, list[tuple[int | None, str]]] = {}
    for problem in report["failed"]:
        failed.setdefault(Path(problem["path"]).name, []).append((problem["line"], problem["reason"]))
    assert set(failed) == set(expected), set(failed) ^ set(expected)
    for name, wanted in expected.items():
        assert len(failed[name]) == len(wanted), name
        for (line, reason), (want_line, want) in zip(
            sorted(failed[name], key=str), sorted(wanted, key=str), strict=True
        ):
            assert want in reason and line == want_line, (name, line, reason)
    warned = {Path(p["path"]).name: p["reason"] for p in report["warnings"]}
    assert all(want in warned[name] for name, want in WARNED.items()), warned
    duplicates = report["duplicates"]
    assert len(duplicates) == 1 + sum(
        1 for n in range(1, BIG_LINES + 1) if n % BIG_GOOD_EVERY != 1 and n % 10 in (7, 8, 9, 0)
    )
    assert report["articles"] == len(good)

    with Archive.open(index, settings, embedder) as archive:
        assert {a for a in good if archive.article(a)} == good
        assert "\r" not in archive.article("crlf").text + archive.article("lone-cr").text
        answer = archive.ask("What did the keeper of the Skerry Point lighthouse find?")
        assert answer.answered and answer.citations[0].article_id == "lighthouse"
    assert verify_index(index, settings, embedder, questions=3).ok
    tried = len(list(folder.iterdir()))
    print(
        f"\n{tried} hostile files ({BIG_LINES:,}-line JSONL included): {report['articles']} articles indexed, "
        f"{sum(len(v) for v in expected.values()):,} problems reported; build peak RSS {peak / 2**20:.0f} MiB"
    )
