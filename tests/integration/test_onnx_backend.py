"""The ONNX Runtime backend: same vectors as sentence-transformers, and no torch when answering."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from archive.api import Archive
from archive.errors import IndexIncompatibleError
from archive.settings import Settings
from index.embedder import Embedder
from index.onnx_export import PROBE_TEXTS
from tests.support import ROOT, SEED_QUESTION, SEEDS

HEAVY = ("torch", "transformers", "sentence_transformers")


@pytest.fixture(scope="module")
def reference() -> Embedder:
    """Today's sentence-transformers path, kept as the reference backend."""
    model = Embedder(backend="torch")
    model.load()
    return model


def seed_lines() -> list[str]:
    return [line for path in sorted(SEEDS.iterdir()) for line in path.read_text("utf-8").splitlines() if line.strip()]


def test_the_default_backend_is_onnx(embedder: Embedder) -> None:
    assert embedder.backend == "onnx" and Settings.from_env(environ={}).backend == "onnx"
    assert type(embedder._load()).__name__ == "OnnxEncoder"


def test_both_backends_give_the_same_vectors_and_word_counts(embedder: Embedder, reference: Embedder) -> None:
    texts = [*seed_lines(), *PROBE_TEXTS]
    ours, theirs = embedder.encode(texts), reference.encode(texts)
    assert ours.shape == theirs.shape == (len(texts), embedder.dimension) and ours.dtype == np.float32
    cosines = np.sum(ours * theirs, axis=1)
    assert cosines.min() >= 0.9999, f"worst: {texts[int(np.argmin(cosines))][:60]!r}"
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    # One text alone and inside a batch of longer ones (padding) gives the same vector.
    assert np.dot(embedder.encode_one(texts[0]), ours[0]) >= 0.99999
    assert embedder.count_tokens(texts) == reference.count_tokens(texts)
    assert embedder.fingerprint == reference.fingerprint and embedder.dimension == reference.dimension == 384


def test_both_backends_give_the_same_late_chunked_sentence_vectors(embedder: Embedder, reference: Embedder) -> None:
    text = "Tesla was renowned for his achievements. His patents earned him a considerable amount of money."
    spans = [(0, 40), (41, len(text))]
    assert text[41:].startswith("His patents")
    ours, ours_spans = embedder.encode_with_spans([text], [spans])
    theirs, their_spans = reference.encode_with_spans([text], [spans])
    assert float(ours[0] @ theirs[0]) >= 0.9999
    assert float(ours[0] @ embedder.encode_one(text)) >= 0.99999  # the text's own vector, as `encode` gives it
    agreement = np.sum(ours_spans[0].vectors * their_spans[0].vectors, axis=1)
    assert agreement.min() >= 0.9999 and ours_spans[0].whole.all() and their_spans[0].whole.all()
    # Pooled in context, not encoded alone: the second sentence's vector differs from its own encoding.
    assert float(ours_spans[0].vectors[1] @ embedder.encode_one(text[41:])) < 0.98


def test_a_bulk_encode_runs_batches_side_by_side_and_changes_no_vector(embedder: Embedder) -> None:
    """From BULK_TEXTS texts on, batches run in parallel on a one-thread session; every row's vectors
    are, bit for bit, those the wide session gives one batch after another."""
    from index.onnx_encoder import BULK_TEXTS

    lines = seed_lines()
    # Texts of many lengths, so that every batch holds different ones: a line, cut after i words.
    texts = [" ".join(lines[i % len(lines)].split()[: 3 + i % 40]) + f" ({i})" for i in range(BULK_TEXTS + 3)]
    spans = [[(0, len(text) // 2), (len(text) // 2, len(text))] for text in texts]
    side_by_side, one_after_another = Embedder(threads=2), Embedder(threads=2)
    one_after_another._load().bulk_texts = sys.maxsize
    vectors, pooled = side_by_side.encode_with_spans(texts, spans)
    assert side_by_side._load()._bulk_session is not None, "the bulk session was never used"
    assert one_after_another._load()._bulk_session is None
    expected, expected_pooled = one_after_another.encode_with_spans(texts, spans)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5), "a row was never written"
    assert np.array_equal(vectors, expected)
    for i, (found, wanted) in enumerate(zip(pooled, expected_pooled, strict=True)):
        assert np.array_equal(found.vectors, wanted.vectors) and np.array_equal(found.whole, wanted.whole), texts[i]
    assert np.array_equal(side_by_side.encode(texts), one_after_another.encode(texts))
    # And each text's vector is the one it gets alone (a batch of one: no padding, no neighbours).
    for i in (0, len(texts) // 2, len(texts) - 1):
        assert float(vectors[i] @ embedder.encode_one(texts[i])) >= 0.99999, texts[i]


def test_a_bulk_encode_whose_second_session_cannot_open_runs_on_the_first(
    embedder: Embedder, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The export can be set aside after the first session opened it (a long-running TUI or watch):
    a later bulk encode warns and embeds on the session it has, and gives the same vectors."""
    from index.onnx_encoder import BULK_TEXTS

    texts = [f"{line} ({i})" for i, line in enumerate(seed_lines() * 4)][: BULK_TEXTS + 1]
    encoder = Embedder(threads=2)
    encoder._load()._file = tmp_path / "set-aside" / "model.onnx"  # gone since the first session opened
    with caplog.at_level("WARNING", logger="index.onnx_encoder"):
        vectors = encoder.encode(texts)
    assert "without the side-by-side session" in caplog.text
    assert encoder._load()._bulk_session is None
    assert np.array_equal(vectors, embedder.encode(texts))


def test_counting_before_loading_shares_the_word_pieces_and_changes_no_vector(embedder: Embedder) -> None:
    """A build counts word pieces before the model loads; the model then reuses that tokenizer, which
    truncates for the model and not while counting, whichever came first."""
    texts = ["Shares in the company fell 12% after it cut its full-year forecast.", PROBE_TEXTS[6]]
    fresh = Embedder()
    counts = fresh.count_tokens(texts)
    assert counts[0] == 16  # 10 plain words, "12" "%", "full" "-" "year", "."
    assert counts[1] > 256  # the long probe, twelve times two long sentences: counted whole, past truncation
    assert not fresh.loaded
    vectors = fresh.encode(texts)
    assert fresh._load().words is fresh._word_pieces()
    assert np.array_equal(vectors, embedder.encode(texts))  # the long probe is truncated exactly as before
    assert fresh.count_tokens(texts) == counts


def test_loading_in_the_background_shares_the_word_pieces_and_never_exports(embedder: Embedder, tmp_path: Path) -> None:
    """A build starts the session on a thread while it counts word pieces: one tokenizer either way;
    where no export exists the thread does nothing (exporting prints, and is left to first use)."""
    texts = ["Shares in the company fell 12% after it cut its full-year forecast.", PROBE_TEXTS[6]]
    fresh = Embedder()
    fresh.load_in_background()
    counts = fresh.count_tokens(texts)  # while the session loads
    assert counts[0] == 16
    assert np.array_equal(fresh.encode(texts), embedder.encode(texts))
    assert fresh._load().words is fresh._word_pieces()

    empty = tmp_path / "no-exports"
    unexported = Embedder(onnx_cache=empty)
    unexported.load_in_background()
    time.sleep(1.0)
    assert not unexported.loaded
    assert not list(empty.rglob("*.onnx"))  # nothing exported


def test_fp32_indexes_mix_across_backends_and_int8_stays_apart(
    seeds_archive: Archive, reference: Embedder, settings: Settings
) -> None:
    built_with_onnx = seeds_archive.index_dir
    torch_reader = Archive.open(built_with_onnx, settings=replace(settings, backend="torch"), embedder=reference)
    ours, theirs = seeds_archive.ask(SEED_QUESTION), torch_reader.ask(SEED_QUESTION)
    assert [c.sentence for c in theirs.citations] == [c.sentence for c in ours.citations]
    assert any("five Lebanese detainees" in c.sentence for c in ours.citations)
    int8 = Embedder(quantize="int8")
    # Each backend's int8 vectors are their own kind: neither mixes with fp32 nor with the other.
    assert int8.fingerprint == seeds_archive.embedder.fingerprint + "+int8-r7-onnx"
    assert Embedder(quantize="int8", backend="torch").fingerprint == seeds_archive.embedder.fingerprint + "+int8"
    int8_reader = Archive.open(built_with_onnx, settings=replace(settings, quantize="int8"), embedder=int8)
    with pytest.raises(IndexIncompatibleError, match="archive build"):
        int8_reader.ask(SEED_QUESTION)
    assert not int8.loaded, "refused before loading a model"
    torch_reader.close()
    int8_reader.close()


QUERY_SCRIPT = """
import sys, io, contextlib, asyncio
heavy = {heavy!r}
index = {index!r}
def loaded():
    return sorted(m for m in sys.modules if m.split('.')[0] in heavy)
from archive.api import Archive
from archive.cli import main
archive = Archive.open(index)
answer = archive.ask({question!r})
assert any('five Lebanese detainees' in c.sentence for c in answer.citations), answer
assert archive.embedder.loaded
archive.close()
out = io.StringIO()
with contextlib.redirect_stdout(out):
    assert main(['--index', index, 'ask', {question!r}]) == 0
    assert main(['--index', index, 'search', 'Lebanese detainees']) == 0
assert 'five Lebanese detainees' in out.getvalue(), out.getvalue()
print('api+cli:', ','.join(loaded()))
from archive.settings import Settings
from tui.app import make_app
sys.path.insert(0, {root!r})
from tests.support.tui_helpers import SIZE, ask, settle
async def drive():
    app = make_app(settings=Settings.from_env(index_dir=index), stable=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await ask(pilot, {question!r})
        await settle(pilot)
        assert app.archive is not None and app.archive.embedder.loaded
asyncio.run(drive())
print('tui:', ','.join(loaded()))
"""


@pytest.mark.slow
def test_answering_in_a_fresh_process_never_imports_torch(seeds_archive: Archive) -> None:
    code = QUERY_SCRIPT.format(heavy=HEAVY, index=str(seeds_archive.index_dir), question=SEED_QUESTION, root=str(ROOT))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.splitlines()[-2:] == ["api+cli: ", "tui: "], result.stdout
    assert "exporting" not in result.stderr, "the export made at setup (or by the session's embedder) was reused"


def test_an_index_build_counts_and_embeds_without_torch(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from archive.api import Archive\n"
        f"archive = Archive.build([{str(SEEDS)!r}], index_dir={str(tmp_path / 'index')!r})\n"
        f"assert archive.ask({SEED_QUESTION!r}).citations\n"
        f"print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == ""
    manifest = json.loads(next((tmp_path / "index").glob("gen-*/manifest.json")).read_text("utf-8"))
    assert manifest["model_fingerprint"] == Embedder().fingerprint
