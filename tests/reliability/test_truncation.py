"""A power-cut style truncation of any one index file is refused on open, naming the file.

Every file of a generation is truncated in turn (to nothing, to half, by one byte) in a
copy of a built index: opening must raise IndexCorruptError naming the file and saying
`archive build`, never answer from the damaged files. The CLI must say the same in one
`error:` line with exit status 1. A damaged embedding cache only costs speed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from archive import Archive, IndexCorruptError, Settings
from index import layout
from index.embedder import Embedder
from tests.support import SEED_QUESTION, SEEDS
from tests.support.reliability import run_cli


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder, settings: Settings) -> Path:
    index = tmp_path_factory.mktemp("truncation") / "index"
    Archive.build([SEEDS], index, settings, embedder).close()
    return index


def damaged_copy(built: Path, target: Path, relative: str, size: int) -> Path:
    """A copy of the index with one file of its live generation cut to `size` bytes."""
    copy = target / "index"
    shutil.copytree(built, copy)
    path = layout.current_generation(copy) / relative
    with path.open("r+b") as handle:
        handle.truncate(size)
    return copy


def generation_files(built: Path) -> dict[str, int]:
    folder = layout.current_generation(built)
    return {str(p.relative_to(folder)): p.stat().st_size for p in sorted(folder.rglob("*")) if p.is_file()}


def test_every_file_truncated_is_refused_by_name(
    built: Path, tmp_path: Path, embedder: Embedder, settings: Settings
) -> None:
    files = {name: size for name, size in generation_files(built).items() if size > 0}
    kinds = {name.rsplit(".", 1)[-1] for name in files}
    # manifest, articles, vectors, Whoosh's segment files (postings, terms, stored fields and lengths) and TOC
    assert {"json", "bin", "npy", "pst", "trm", "col", "toc"} <= kinds
    tried = 0
    for name, size in files.items():
        for cut in sorted({0, size // 2, size - 1}):
            work = tmp_path / f"{tried}"
            copy = damaged_copy(built, work, name, cut)
            with pytest.raises(IndexCorruptError) as refused:
                Archive.open(copy, settings, embedder)
            message = str(refused.value)
            assert Path(name).name in message and "archive build" in message, message
            tried += 1
            shutil.rmtree(work)
    print(f"\n{tried} truncations of {len(files)} files, each refused by name")


@pytest.mark.parametrize("content", [b"", b"gen-", b"\xff\xfe garbage"])
def test_a_damaged_current_pointer_is_refused_not_rebuilt_from_the_seeds(
    built: Path, tmp_path: Path, settings: Settings, content: bytes
) -> None:
    copy = tmp_path / "index"
    shutil.copytree(built, copy)
    (copy / layout.CURRENT_FILE).write_bytes(content)
    with pytest.raises(IndexCorruptError, match="archive build") as refused:
        Archive.open(copy, settings)
    assert layout.CURRENT_FILE in str(refused.value)
    # `ask` and `search` build from the bundled seeds only where there is no index at all.
    result = run_cli("search", "Naqoura", "--mode", "bm25", index=copy)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert (copy / layout.CURRENT_FILE).read_bytes() == content


@pytest.mark.parametrize("pattern", ["whoosh/*.pst", "sentence_vectors.npy", "manifest.json"])
def test_the_cli_names_the_damaged_file_without_a_traceback(built: Path, tmp_path: Path, pattern: str) -> None:
    name = str(next(layout.current_generation(built).glob(pattern)).relative_to(layout.current_generation(built)))
    copy = damaged_copy(built, tmp_path, name, generation_files(built)[name] // 2)
    for command in (["ask", SEED_QUESTION], ["verify"]):
        result = run_cli(*command, index=copy)
        assert result.returncode == 1, result
        shown = result.stderr + result.stdout
        assert Path(name).name in shown and "archive build" in shown, shown
        assert "Traceback" not in shown


@pytest.mark.parametrize("size", [100, 5000])  # a torn header (fails on open), a torn page (on lookup)
def test_a_damaged_embedding_cache_is_replaced(
    built: Path, tmp_path: Path, embedder: Embedder, settings: Settings, size: int
) -> None:
    copy = tmp_path / "index"
    shutil.copytree(built, copy)
    cache = copy / "embeddings.sqlite"
    data = cache.read_bytes()
    cache.write_bytes(data[:size] + b"\xde\xad" * 64)  # a torn header or page
    archive = Archive.build([SEEDS], copy, settings, embedder)
    assert archive.ask(SEED_QUESTION).answered
    archive.close()
    rebuilt = Archive.build([SEEDS], copy, settings, embedder)  # and the fresh cache serves the next build
    assert rebuilt.last_report is not None and rebuilt.last_report.cache_hits > 0
    rebuilt.close()
