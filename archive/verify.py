"""Check a whole index against itself: what `archive verify` runs.

`verify_index` reads the live generation as a suspicious reader would and lists every
problem it finds rather than stopping at the first:

- the manifest parses, and every file it lists is there with its recorded size;
- article rows, record offsets and counts add up;
- each stored article's text hashes to its recorded content hash, and its sentence
  and passage spans lie inside it, in order;
- the arrays have the promised shapes; a sample of vectors is finite and unit-norm,
  and, with the model, re-embedding sampled sentences and passages gives back their
  stored vectors (so rows cannot have drifted away from their texts);
- the Whoosh store holds exactly one document per passage;
- a few questions made from stored sentences go through the public API, and every
  citation and hit slices back out of its article verbatim.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson

from archive.building import embedding_text
from archive.errors import ArchiveError
from archive.metadata import content_hash
from archive.models import SearchMode
from archive.settings import Settings
from index import layout, store, vectors
from index.embedder import Embedder
from index.manifest import MANIFEST_FILE, Manifest, read_manifest
from index.snapshot import ARTICLES_FILE, WHOOSH_DIR, article_from_record

VECTOR_SAMPLE = 2000  # rows per vector array checked for finiteness and unit norm
REEMBED_SAMPLE = 8  # sentences and passages re-embedded and compared with their stored vectors
MIN_COSINE = 0.99  # a stored vector and a fresh embedding of its text agree at least this well
NORM_TOLERANCE = 1e-3
MAX_LISTED = 20  # problems of one kind listed before the rest are summarised


@dataclass(frozen=True)
class VerifyReport:
    """What `verify_index` checked. Invariant: `ok` is True exactly when `problems` is empty."""

    index_dir: str
    generation: str
    problems: tuple[str, ...]
    counts: dict[str, int] = field(default_factory=dict)  # what was checked, by kind
    ok: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "ok", not self.problems)


@dataclass
class _Texts:
    """Every article's stored text, by manifest row; None where the record is unreadable."""

    texts: list[str | None]


def verify_index(
    index_dir: str | Path | None = None,
    settings: Settings | None = None,
    embedder: Embedder | None = None,
    questions: int = 5,
) -> VerifyReport:
    """Check the live generation at `index_dir` (default: settings.index_dir); never raises for a bad index."""
    settings = settings or Settings.from_env()
    path = Path(index_dir or settings.index_dir)
    embedder = embedder or Embedder(settings.model, settings.batch_size, settings.threads)
    try:
        folder = layout.current_generation(path)
        manifest = read_manifest(folder)
    except ArchiveError as exc:
        return VerifyReport(str(path), "", (str(exc),))
    counts = {"articles": len(manifest.articles), "passages": manifest.passages, "sentences": manifest.sentences}
    counts["files"] = len(manifest.files)
    problems = _check_files(folder, manifest) + _check_rows(manifest)
    asked: list[str] = []
    if not problems:
        problems, asked = _check_contents(folder, manifest, embedder, counts, questions, settings.max_query_chars)
    if not problems:
        problems = _check_answers(path, settings, embedder, folder.name, manifest, asked, counts)
    return VerifyReport(str(path), folder.name, tuple(problems), counts)


def _check_files(folder: Path, manifest: Manifest) -> list[str]:
    problems = []
    for name, size in sorted(manifest.files.items()):
        try:
            actual = (folder / name).stat().st_size
        except OSError:
            problems.append(f"{folder / name}: missing (the manifest lists it at {size} bytes)")
            continue
        if actual != size:
            problems.append(f"{folder / name}: {actual} bytes, the manifest says {size} (truncated or changed)")
    on_disk = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()} - {MANIFEST_FILE}
    problems += [f"{folder / name}: not listed in the manifest" for name in sorted(on_disk - set(manifest.files))]
    return problems


def _check_rows(manifest: Manifest) -> list[str]:
    """Rows, record offsets and totals must run on without gaps, in manifest order."""
    problems = []
    passage_row = sentence_row = offset = 0
    for entry in manifest.articles:
        if (entry.passage_row, entry.sentence_row, entry.offset) != (passage_row, sentence_row, offset):
            problems.append(f"article {entry.article_id!r}: rows or record offset out of sequence in the manifest")
        if entry.sentence_count > 0 and entry.passage_count == 0:
            problems.append(f"article {entry.article_id!r}: has sentences but no passages")
        passage_row += entry.passage_count
        sentence_row += entry.sentence_count
        offset += entry.length
    if (passage_row, sentence_row) != (manifest.passages, manifest.sentences):
        problems.append(
            f"manifest totals say {manifest.passages} passages and {manifest.sentences} sentences; "
            f"its articles add up to {passage_row} and {sentence_row}"
        )
    if offset != manifest.files.get(ARTICLES_FILE, offset):
        problems.append(
            f"article records add up to {offset} bytes, {ARTICLES_FILE} holds {manifest.files[ARTICLES_FILE]}"
        )
    repeated = [i for i, n in Counter(e.article_id for e in manifest.articles).items() if n > 1]
    problems += [f"article id {article_id!r} appears more than once" for article_id in repeated[:MAX_LISTED]]
    return problems


def _check_contents(
    folder: Path, manifest: Manifest, embedder: Embedder, counts: dict[str, int], questions: int, limit: int
) -> tuple[list[str], list[str]]:
    """Problems with the arrays, articles and Whoosh store, and questions made from stored sentences."""
    m = manifest
    try:
        arrays = {
            "passage_vectors": vectors.load_array(folder, vectors.PASSAGE_VECTORS, m.passages, m.dimension, np.float32),
            "sentence_vectors": vectors.load_array(
                folder, vectors.SENTENCE_VECTORS, m.sentences, m.dimension, np.float32
            ),
            "passage_spans": vectors.load_array(folder, vectors.PASSAGE_SPANS, m.passages, 4, np.int32),
            "sentence_spans": vectors.load_array(folder, vectors.SENTENCE_SPANS, m.sentences, 2, np.int32),
        }
    except ArchiveError as exc:
        return [str(exc)], []
    problems = _check_norms(folder, arrays, counts)
    texts, text_problems = _read_articles(folder, manifest, counts)
    problems += text_problems
    problems += _check_spans(manifest, texts, arrays["sentence_spans"], arrays["passage_spans"])
    problems += _check_whoosh(folder, manifest, counts)
    if problems:
        return problems, []
    return _reembed(manifest, texts, arrays, embedder, counts), _questions(
        manifest, texts, arrays["sentence_spans"], questions, limit
    )


def _check_norms(folder: Path, arrays: dict[str, npt.NDArray[Any]], counts: dict[str, int]) -> list[str]:
    problems = []
    rng = np.random.default_rng(0)
    for name in ("passage_vectors", "sentence_vectors"):
        array = arrays[name]
        rows = np.sort(rng.choice(len(array), size=min(len(array), VECTOR_SAMPLE), replace=False))
        sample = np.asarray(array[rows], dtype=np.float64)
        finite = np.isfinite(sample).all(axis=1)
        norms = np.linalg.norm(np.where(np.isfinite(sample), sample, 0.0), axis=1)
        bad = rows[~finite | (np.abs(norms - 1.0) > NORM_TOLERANCE)]
        counts[f"{name}_checked"] = len(rows)
        if len(bad):
            listed = ", ".join(str(int(r)) for r in bad[:MAX_LISTED])
            problems.append(
                f"{folder / (name + '.npy')}: {len(bad)} of {len(rows)} sampled rows are not finite unit vectors "
                f"(rows {listed}); rebuild with `archive build`"
            )
    return problems


def _read_articles(folder: Path, manifest: Manifest, counts: dict[str, int]) -> tuple[_Texts, list[str]]:
    problems: list[str] = []
    texts: list[str | None] = []
    with (folder / ARTICLES_FILE).open("rb") as handle:
        for entry in manifest.articles:
            handle.seek(entry.offset)
            try:
                article = article_from_record(orjson.loads(handle.read(entry.length)))
            except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
                problems.append(f"article {entry.article_id!r}: stored record is damaged ({exc})")
                texts.append(None)
                continue
            digest = content_hash(article.text)
            if article.article_id != entry.article_id:
                problems.append(f"article {entry.article_id!r}: the record at its offset is {article.article_id!r}")
            elif digest != entry.content_hash or digest != article.content_hash:
                problems.append(f"article {entry.article_id!r}: stored text does not match its content hash")
            texts.append(article.text)
    counts["articles_hashed"] = len(texts)
    return _Texts(texts), problems[: MAX_LISTED + 1]


def _check_spans(
    manifest: Manifest,
    texts: _Texts,
    sentence_spans: npt.NDArray[np.int32],
    passage_spans: npt.NDArray[np.int32],
) -> list[str]:
    problems = []
    for entry, text in zip(manifest.articles, texts.texts, strict=True):
        if text is None:
            continue
        sentences = np.asarray(sentence_spans[entry.sentence_row : entry.sentence_row + entry.sentence_count])
        passages = np.asarray(passage_spans[entry.passage_row : entry.passage_row + entry.passage_count])
        where = f"article {entry.article_id!r}"
        starts, ends = sentences[:, 0], sentences[:, 1]
        if len(sentences) and (
            starts[0] < 0 or ends[-1] > len(text) or (ends <= starts).any() or (starts[1:] < ends[:-1]).any()
        ):
            problems.append(f"{where}: sentence spans fall outside the text or out of order")
            continue
        if any(text[s:e] != text[s:e].strip() for s, e in sentences):
            problems.append(f"{where}: a sentence span starts or ends in whitespace")
        for first, end, start, stop in passages:
            if not 0 <= first < end <= len(sentences) or (start, stop) != (starts[first], ends[end - 1]):
                problems.append(f"{where}: passage span ({first}, {end}, {start}, {stop}) does not match its sentences")
                break
    return problems[: MAX_LISTED + 1]


def _check_whoosh(folder: Path, manifest: Manifest, counts: dict[str, int]) -> list[str]:
    from whoosh import index as whoosh_index

    path = folder / WHOOSH_DIR
    expected = Counter(
        (entry.article_id, number) for entry in manifest.articles for number in range(entry.passage_count)
    )
    try:
        with whoosh_index.open_dir(str(path), indexname=store.INDEX_NAME).searcher() as searcher:
            found = Counter((doc["article_id"], int(doc["passage"])) for doc in searcher.all_stored_fields())
            doc_count = int(searcher.doc_count())
    except Exception as exc:  # Whoosh raises many kinds on damaged files; each is a finding here
        return [f"{path}: the Whoosh store cannot be read ({type(exc).__name__}: {exc})"]
    counts["whoosh_docs"] = doc_count
    problems = []
    if doc_count != manifest.passages:
        problems.append(f"{path}: holds {doc_count} documents, the manifest says {manifest.passages} passages")
    missing, extra = expected - found, found - expected
    if missing or extra:
        problems.append(
            f"{path}: {sum(missing.values())} passages have no document and {sum(extra.values())} documents "
            f"match no passage (e.g. {sorted(missing or extra)[0]})"
        )
    return problems


def _reembed(
    manifest: Manifest,
    texts: _Texts,
    arrays: dict[str, npt.NDArray[Any]],
    embedder: Embedder,
    counts: dict[str, int],
) -> list[str]:
    """Re-embed a few sentences and passages; each must match its stored row."""
    if embedder.fingerprint != manifest.model_fingerprint:
        return [
            f"the index was built with {manifest.model_name} (weights {manifest.model_fingerprint[:12]}), "
            f"not the configured {embedder.name}: dense search will refuse; rebuild with `archive build`"
        ]
    owner = np.repeat(np.arange(len(manifest.articles)), [e.sentence_count for e in manifest.articles])
    passage_owner = np.repeat(np.arange(len(manifest.articles)), [e.passage_count for e in manifest.articles])
    jobs: list[tuple[str, int, str]] = []  # (array, row, text embedded)
    for row in _spread(manifest.sentences, REEMBED_SAMPLE):
        text = texts.texts[int(owner[row])] or ""
        start, end = (int(x) for x in arrays["sentence_spans"][row])
        jobs.append(("sentence_vectors", row, text[start:end]))
    for row in _spread(manifest.passages, REEMBED_SAMPLE):
        entry = manifest.articles[int(passage_owner[row])]
        _, _, start, end = (int(x) for x in arrays["passage_spans"][row])
        jobs.append(
            (
                "passage_vectors",
                row,
                embedding_text(entry.title, (texts.texts[int(passage_owner[row])] or "")[start:end]),
            )
        )
    if not jobs:
        return []
    fresh = embedder.encode([text for _, _, text in jobs])
    counts["vectors_reembedded"] = len(jobs)
    problems = []
    for (name, row, _), vector in zip(jobs, fresh, strict=True):
        cosine = float(np.dot(np.asarray(arrays[name][row], dtype=np.float32), vector))
        if cosine < MIN_COSINE:
            problems.append(f"{name} row {row}: the stored vector does not match its text (cosine {cosine:.3f})")
    return problems


def _spread(total: int, count: int) -> list[int]:
    """Up to `count` rows spread evenly over `0..total`."""
    return sorted({int(x) for x in np.linspace(0, total - 1, num=min(total, count))}) if total else []


def _check_answers(
    index_dir: Path,
    settings: Settings,
    embedder: Embedder,
    generation: str,
    manifest: Manifest,
    asked: list[str],
    counts: dict[str, int],
) -> list[str]:
    """Ask `asked` through the public API; every citation and hit must slice back out verbatim."""
    from archive.api import Archive

    problems: list[str] = []
    checked = hits_checked = self_cited = 0
    mode: SearchMode = "hybrid" if embedder.fingerprint == manifest.model_fingerprint else "bm25"
    with Archive(index_dir, settings, embedder) as archive:
        if layout.current_name(index_dir) != generation:  # a build published meanwhile: its checks are its own
            return []
        for question in asked:
            try:
                answer = archive.ask(question, k=3, mode=mode)
                hits = list(answer.hits) + archive.search(question, k=5, mode=mode)
                for citation in answer.citations:
                    if archive.article(citation.article_id).text[citation.start : citation.end] != citation.sentence:
                        where = f"{citation.article_id!r} at {citation.start}-{citation.end}"
                        problems.append(f"citation of {where} is not the article's text there")
                    self_cited += citation.sentence == question
                    checked += 1
                for hit in hits:
                    if archive.article(hit.article_id).text[hit.start : hit.end] != hit.text:
                        problems.append(f"hit in {hit.article_id!r} at {hit.start}-{hit.end} is not the article's text")
                    hits_checked += 1
            except ArchiveError as exc:
                problems.append(f"asking {question[:60]!r} failed: {exc}")
    counts.update(questions=len(asked), citations_checked=checked, hits_checked=hits_checked, self_cited=self_cited)
    return problems


def _questions(
    manifest: Manifest, texts: _Texts, sentence_spans: npt.NDArray[np.int32], count: int, limit: int
) -> list[str]:
    """A stored sentence of reasonable length from each of `count` articles spread over the index."""
    asked: list[str] = []
    rows = [i for i, e in enumerate(manifest.articles) if e.sentence_count]
    for index in _spread(len(rows), count):
        entry, text = manifest.articles[rows[index]], texts.texts[rows[index]] or ""
        spans = sentence_spans[entry.sentence_row : entry.sentence_row + entry.sentence_count]
        sentences = [text[int(s) : int(e)] for s, e in spans]
        fitting = [s for s in sentences if 20 <= len(s) <= limit] or [s[:limit] for s in sentences]
        asked.append(fitting[len(fitting) // 2])
    return asked
