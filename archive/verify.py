"""Check a whole index against itself: what `archive verify` runs.

`verify_index` reads the live generation as a suspicious reader would and lists every
problem it finds rather than stopping at the first:

- the manifest parses, and every file it lists is there with its recorded size;
- article rows, record offsets and counts add up;
- each stored article's text hashes to its recorded content hash, and its sentence
  and passage spans lie inside it, in order, without edge whitespace;
- the arrays have the promised shapes; a sample of vectors is finite and unit-norm,
  and re-embedding a few sentences and passages gives back their stored vectors (rows
  cannot have drifted away from their texts);
- the Whoosh store holds exactly one document per passage;
- the BM25 sidecar's arrays are consistent, and a sample of passages analysed again gives
  back exactly their stored term counts and lengths;
- questions made from stored sentences go through the public API, and every citation
  and hit slices back out of its article verbatim.

Later checks run only when the earlier ones pass, so one damaged file gives one clear
problem rather than a cascade.
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
from index import analysis, coarse, layout, store, vectors
from index.embedder import Embedder
from index.manifest import MANIFEST_FILE, Manifest, read_manifest
from index.snapshot import ARTICLES_FILE, WHOOSH_DIR, article_from_record
from index.sparse import BM25Index

VECTOR_SAMPLE = 2000  # rows per vector array checked for finiteness and unit norm
POSTINGS_SAMPLE = 20  # passages whose BM25 postings are analysed again and compared
REEMBED_SAMPLE = 8  # sentences, and as many passages, embedded again and compared with their stored rows
MIN_COSINE = 0.99  # a stored vector and a fresh embedding of its text agree at least this well
NORM_TOLERANCE = 1e-3
MAX_LISTED = 20  # problems of one kind listed before the rest are left out

Array = npt.NDArray[Any]


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


def verify_index(
    index_dir: str | Path | None = None,
    settings: Settings | None = None,
    embedder: Embedder | None = None,
    questions: int = 5,
    reembed: int = REEMBED_SAMPLE,
) -> VerifyReport:
    """Check the live generation at `index_dir` (default: settings.index_dir); never raises for a bad index.

    `questions` are asked through the API; `reembed` sentences and as many passages are embedded
    again (each costs a forward pass of the model).
    """
    settings = settings or Settings.from_env()
    path = Path(index_dir or settings.index_dir)
    embedder = embedder or Embedder(
        settings.model, settings.batch_size, settings.threads, settings.quantize, settings.backend
    )
    try:
        folder = layout.current_generation(path)
        manifest = read_manifest(folder)
    except ArchiveError as exc:
        return VerifyReport(str(path), "", (str(exc),))
    check = _Verifier(folder, manifest, embedder)
    steps = (check.files, check.rows, check.arrays, check.articles, check.whoosh, check.postings)
    later = (lambda: check.reembed(reembed), check.coarse, lambda: check.answers(path, settings, questions))
    for step in (*steps, *later):
        try:
            step()
        except Exception as exc:  # a checker must report what it trips over, not crash on it
            check.problems.append(f"the check stopped on {type(exc).__name__}: {exc}")
        if check.problems:
            break
    problems = check.problems[:MAX_LISTED]
    if len(check.problems) > MAX_LISTED:
        problems.append(f"... and {len(check.problems) - MAX_LISTED} more problems")
    return VerifyReport(str(path), folder.name, tuple(problems), check.counts)


class _Verifier:
    """The checks, in order; each appends to `problems` and `counts`."""

    def __init__(self, folder: Path, manifest: Manifest, embedder: Embedder) -> None:
        self.folder, self.manifest, self.embedder = folder, manifest, embedder
        m = manifest
        self.counts = {"articles": len(m.articles), "passages": m.passages, "sentences": m.sentences}
        self.problems: list[str] = []
        self.texts: list[str] = []
        self.array: dict[str, Array] = {}

    def files(self) -> None:
        for name, size in sorted(self.manifest.files.items()):
            path = self.folder / name
            actual = path.stat().st_size if path.is_file() else None
            if actual is None:
                self.problems.append(f"{path}: missing (the manifest lists it at {size} bytes)")
            elif actual != size:
                self.problems.append(f"{path}: {actual} bytes, the manifest says {size} (truncated or changed)")
        on_disk = {str(p.relative_to(self.folder)) for p in self.folder.rglob("*") if p.is_file()}
        for name in sorted(on_disk - set(self.manifest.files) - {MANIFEST_FILE}):
            self.problems.append(f"{self.folder / name}: not listed in the manifest")
        self.counts["files"] = len(self.manifest.files)

    def rows(self) -> None:
        """Rows and record offsets run on without gaps, in manifest order, to the totals."""
        passage = sentence = offset = 0
        for e in self.manifest.articles:
            if (e.passage_row, e.sentence_row, e.offset) != (passage, sentence, offset):
                self.problems.append(f"article {e.article_id!r}: rows or record offset out of sequence")
            if e.sentence_count and not e.passage_count:
                self.problems.append(f"article {e.article_id!r}: has sentences but no passages")
            passage, sentence, offset = passage + e.passage_count, sentence + e.sentence_count, offset + e.length
        m = self.manifest
        if (passage, sentence) != (m.passages, m.sentences):
            self.problems.append(
                f"the manifest says {m.passages} passages and {m.sentences} sentences; "
                f"its articles add up to {passage} and {sentence}"
            )
        if offset != m.files.get(ARTICLES_FILE, offset):
            self.problems.append(f"article records add up to {offset} bytes, not the size of {ARTICLES_FILE}")
        for article_id, n in Counter(e.article_id for e in m.articles).items():
            if n > 1:
                self.problems.append(f"article id {article_id!r} appears {n} times")

    def arrays(self) -> None:
        m = self.manifest
        shapes: dict[str, tuple[int, int, type[np.generic]]] = {
            vectors.PASSAGE_VECTORS: (m.passages, m.dimension, np.float32),
            vectors.SENTENCE_VECTORS: (m.sentences, m.dimension, np.float32),
            vectors.PASSAGE_SPANS: (m.passages, 4, np.int32),
            vectors.SENTENCE_SPANS: (m.sentences, 2, np.int32),
        }
        try:
            self.array = {name: vectors.load_array(self.folder, name, *shape) for name, shape in shapes.items()}
        except ArchiveError as exc:
            self.problems.append(str(exc))
            return
        rng = np.random.default_rng(0)
        for name in (vectors.PASSAGE_VECTORS, vectors.SENTENCE_VECTORS):
            array = self.array[name]
            rows = np.sort(rng.choice(len(array), size=min(len(array), VECTOR_SAMPLE), replace=False))
            sample = np.asarray(array[rows], dtype=np.float64)
            finite = np.isfinite(sample).all(axis=1)
            norms = np.linalg.norm(np.where(np.isfinite(sample), sample, 0.0), axis=1)
            bad = rows[~finite | (np.abs(norms - 1.0) > NORM_TOLERANCE)]
            self.counts[name.removesuffix(".npy") + "_sampled"] = len(rows)
            if len(bad):
                self.problems.append(
                    f"{self.folder / name}: {len(bad)} of {len(rows)} sampled rows are not finite unit vectors "
                    f"(rows {', '.join(str(int(r)) for r in bad[:MAX_LISTED])}); rebuild with `archive build`"
                )

    def coarse(self) -> None:
        """The coarse pass's rows are the passage vectors times the stored projection."""
        m = self.manifest
        if not m.coarse_dimension:
            return
        try:
            projection = vectors.load_array(self.folder, coarse.PROJECTION, m.dimension, m.coarse_dimension, np.float32)
            projected = vectors.load_array(
                self.folder, coarse.COARSE_VECTORS, m.passages, m.coarse_dimension, np.float32
            )
        except ArchiveError as exc:
            self.problems.append(str(exc))
            return
        rows = np.asarray(_spread(m.passages, VECTOR_SAMPLE), dtype=np.int64)
        expected = np.asarray(self.array[vectors.PASSAGE_VECTORS][rows]) @ projection
        if not np.allclose(np.asarray(projected[rows]), expected, atol=1e-4):
            self.problems.append(f"{self.folder / coarse.COARSE_VECTORS}: rows do not match the passage vectors")
        self.counts["coarse_rows_checked"] = len(rows)

    def articles(self) -> None:
        """Every stored text hashes to its content hash; its spans lie inside it, in order."""
        sentence_spans, passage_spans = self.array[vectors.SENTENCE_SPANS], self.array[vectors.PASSAGE_SPANS]
        with (self.folder / ARTICLES_FILE).open("rb") as handle:
            for e in self.manifest.articles:
                where = f"article {e.article_id!r}"
                handle.seek(e.offset)
                try:
                    article = article_from_record(orjson.loads(handle.read(e.length)))
                except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
                    self.problems.append(f"{where}: its stored record is damaged ({exc})")
                    continue
                text = article.text
                self.texts.append(text)
                if article.article_id != e.article_id:
                    self.problems.append(f"{where}: the record at its offset is {article.article_id!r}")
                elif content_hash(text) != e.content_hash or e.content_hash != article.content_hash:
                    self.problems.append(f"{where}: its stored text does not match its content hash")
                spans = np.asarray(sentence_spans[e.sentence_row : e.sentence_row + e.sentence_count])
                starts, ends = spans[:, 0], spans[:, 1]
                if len(spans) and (
                    starts[0] < 0 or ends[-1] > len(text) or (ends <= starts).any() or (starts[1:] < ends[:-1]).any()
                ):
                    self.problems.append(f"{where}: sentence spans fall outside its text or out of order")
                elif any(text[s:t] != text[s:t].strip() for s, t in spans):
                    self.problems.append(f"{where}: a sentence span starts or ends in whitespace")
                for first, end, start, stop in passage_spans[e.passage_row : e.passage_row + e.passage_count]:
                    if not 0 <= first < end <= len(spans) or (start, stop) != (starts[first], ends[end - 1]):
                        self.problems.append(f"{where}: passage ({first}, {end}) does not match its sentences")
                        break
        self.counts["articles_hashed"] = len(self.texts)

    def whoosh(self) -> None:
        from whoosh import index as whoosh_index

        path = self.folder / WHOOSH_DIR
        expected = Counter((e.article_id, n) for e in self.manifest.articles for n in range(e.passage_count))
        try:
            with whoosh_index.open_dir(str(path), indexname=store.INDEX_NAME).searcher() as searcher:
                found = Counter((d["article_id"], int(d["passage"])) for d in searcher.all_stored_fields())
                documents = int(searcher.doc_count())
        except Exception as exc:  # Whoosh raises many kinds on damaged files; each is a finding here
            self.problems.append(f"{path}: the Whoosh store cannot be read ({type(exc).__name__}: {exc})")
            return
        self.counts["whoosh_documents"] = documents
        missing, extra = expected - found, found - expected
        if documents != self.manifest.passages or missing or extra:
            self.problems.append(
                f"{path}: holds {documents} documents for {self.manifest.passages} passages; "
                f"{missing.total()} passages have no document, {extra.total()} documents match no passage"
            )

    def postings(self) -> None:
        """The sidecar's postings are ordered and in range; sampled passages re-analyse to their counts."""
        m = self.manifest
        try:
            bm25 = BM25Index(self.folder, m.passages, m.bm25_terms, m.bm25_postings)
        except ArchiveError as exc:
            self.problems.append(str(exc))
            return
        starts, rows = np.asarray(bm25.starts), np.asarray(bm25.rows)
        where = self.folder / "bm25_*"
        if (np.diff(starts) < 0).any() or (rows.size and (rows.min() < 0 or rows.max() >= m.passages)):
            self.problems.append(f"{where}: term offsets out of order or passage rows out of range")
            return
        term_of = np.repeat(np.arange(len(bm25.vocab)), np.diff(starts))
        if rows.size > 1 and ((term_of[1:] == term_of[:-1]) & (rows[1:] <= rows[:-1])).any():
            self.problems.append(f"{where}: a term's postings are not in ascending row order")
            return
        owner = np.repeat(np.arange(len(m.articles)), [e.passage_count for e in m.articles])
        for row in _spread(m.passages, POSTINGS_SAMPLE):
            entry = m.articles[int(owner[row])]
            _, _, start, end = self.array[vectors.PASSAGE_SPANS][row]
            text_terms = analysis.terms(self.texts[int(owner[row])][start:end])
            title_terms = analysis.terms(entry.title)
            expected = {t: (text_terms.count(t), title_terms.count(t)) for t in set(text_terms) | set(title_terms)}
            at = np.flatnonzero(rows == row)
            stored = {bm25.vocab[int(term_of[i])]: tuple(int(x) for x in bm25.tf[i]) for i in at}
            lengths = tuple(int(x) for x in bm25.lengths[row])
            if stored != expected or lengths != (len(text_terms), len(title_terms)):
                self.problems.append(f"{where}: passage row {row} ({entry.article_id!r}) has wrong BM25 postings")
        self.counts["postings_passages_checked"] = len(_spread(m.passages, POSTINGS_SAMPLE))

    def reembed(self, count: int) -> None:
        """Embed a few sentences and passages again; each must match its stored row."""
        m = self.manifest
        if self.embedder.fingerprint != m.model_fingerprint:
            self.problems.append(
                f"the index was built with {m.model_name} (weights {m.model_fingerprint[:12]}), not the "
                f"configured {self.embedder.name}: dense search will refuse; rebuild with `archive build`"
            )
            return
        sentence_owner = np.repeat(np.arange(len(m.articles)), [e.sentence_count for e in m.articles])
        passage_owner = np.repeat(np.arange(len(m.articles)), [e.passage_count for e in m.articles])
        jobs: list[tuple[str, int, str]] = []  # (array, row, the text that was embedded)
        for row in _spread(m.sentences, count):
            start, end = self.array[vectors.SENTENCE_SPANS][row]
            jobs.append((vectors.SENTENCE_VECTORS, row, self.texts[sentence_owner[row]][start:end]))
        for row in _spread(m.passages, count):
            owner = int(passage_owner[row])
            _, _, start, end = self.array[vectors.PASSAGE_SPANS][row]
            jobs.append(
                (vectors.PASSAGE_VECTORS, row, embedding_text(m.articles[owner].title, self.texts[owner][start:end]))
            )
        if not jobs:
            return
        fresh = self.embedder.encode([text for _, _, text in jobs])
        for (name, row, _), vector in zip(jobs, fresh, strict=True):
            cosine = float(np.dot(np.asarray(self.array[name][row], dtype=np.float32), vector))
            if cosine < MIN_COSINE:
                self.problems.append(
                    f"{self.folder / name} row {row}: the stored vector is not its text's (cosine {cosine:.3f})"
                )
        self.counts["vectors_reembedded"] = len(jobs)

    def answers(self, index_dir: Path, settings: Settings, count: int) -> None:
        """Ask stored sentences as questions through the API; every citation and hit must slice back verbatim."""
        from archive.api import Archive

        m = self.manifest
        checked = Counter[str]()
        mode: SearchMode = "hybrid" if self.embedder.fingerprint == m.model_fingerprint else "bm25"
        with Archive(index_dir, settings, self.embedder) as archive:
            if layout.current_name(index_dir) != self.folder.name:
                return  # a build published meanwhile; what was verified is no longer live
            for question in self._questions(count, settings.max_query_chars):
                try:
                    answer = archive.ask(question, k=3, mode=mode)
                    spans = [(c.article_id, c.start, c.end, c.sentence) for c in answer.citations]
                    hits = list(answer.hits) + archive.search(question, k=5, mode=mode)
                    spans += [(h.article_id, h.start, h.end, h.text) for h in hits]
                    for article_id, start, end, text in spans:
                        if archive.article(article_id).text[start:end] != text:
                            self.problems.append(f"a result from {article_id!r} at {start}-{end} is not its text")
                except ArchiveError as exc:
                    self.problems.append(f"asking {question[:60]!r} failed: {exc}")
                    continue
                checked.update(questions_asked=1, citations_checked=len(answer.citations), hits_checked=len(hits))
                checked["questions_citing_themselves"] += any(c.sentence == question for c in answer.citations)
        self.counts.update(checked)

    def _questions(self, count: int, limit: int) -> list[str]:
        """A stored sentence of reasonable length from each of `count` articles spread over the index."""
        asked = []
        rows = [i for i, e in enumerate(self.manifest.articles) if e.sentence_count]
        for i in _spread(len(rows), count):
            e, text = self.manifest.articles[rows[i]], self.texts[rows[i]]
            spans = self.array[vectors.SENTENCE_SPANS][e.sentence_row : e.sentence_row + e.sentence_count]
            sentences = [text[s:t] for s, t in spans]
            fitting = [s for s in sentences if 20 <= len(s) <= limit] or [s[:limit] for s in sentences]
            asked.append(fitting[len(fitting) // 2])
        return asked


def _spread(total: int, count: int) -> list[int]:
    """Up to `count` rows spread evenly over `0..total`."""
    return sorted({int(x) for x in np.linspace(0, total - 1, num=min(total, count))}) if total and count else []
