"""The file-level checks of one generation against itself (index/schema.py), for `archive verify`.

`GenerationChecks` reads a generation as a suspicious reader would and lists every problem
rather than stopping at the first:

- every file the manifest lists is there with its recorded size, and no other;
- article rows, record offsets and counts add up;
- each stored article's text hashes to its recorded content hash, and its sentence and
  passage spans lie inside it, in order, without edge whitespace;
- the arrays (record digests included, where kept) have the promised shapes; a sample of
  vectors is finite and unit-norm, and re-embedding a few passages, and pooling a few
  sentences from their passages again, gives back their stored vectors (rows cannot have
  drifted away from their texts);
- the Whoosh store holds exactly one document per passage;
- the BM25 sidecar's arrays are consistent, and a sample of passages analysed again gives
  back exactly their stored term counts and lengths;
- the coarse pass's rows are the passage vectors times its projection.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from index import analysis, encoding, pooling, schema, store
from index.embedder import Embedder
from index.errors import EngineError
from index.manifest import Manifest
from index.records import content_hash
from index.sparse import BM25Index

VECTOR_SAMPLE = 2000  # rows per vector array checked for finiteness and unit norm
POSTINGS_SAMPLE = 20  # passages whose BM25 postings are analysed again and compared
REEMBED_SAMPLE = 8  # sentences, and as many passages, embedded again and compared with their stored rows
MIN_COSINE = 0.99  # a stored vector and a fresh embedding of its text agree at least this well
NORM_TOLERANCE = 1e-3
MAX_LISTED = 20  # problems of one kind listed before the rest are left out

PASSAGE_VECTORS, SENTENCE_VECTORS = schema.PASSAGE_VECTORS.name, schema.SENTENCE_VECTORS.name
PASSAGE_SPANS, SENTENCE_SPANS = schema.PASSAGE_SPANS.name, schema.SENTENCE_SPANS.name

Array = npt.NDArray[Any]


class GenerationChecks:
    """The file-level checks of one generation, in order; each appends to `problems` and `counts`."""

    def __init__(self, folder: Path, manifest: Manifest, embedder: Embedder) -> None:
        self.folder, self.manifest, self.embedder = folder, manifest, embedder
        m = manifest
        self.counts = {"articles": len(m.articles), "passages": m.passages, "sentences": m.sentences}
        self.problems: list[str] = []
        self.texts: list[str] = []
        self.array: dict[str, Array] = {}

    def steps(self, reembed: int = REEMBED_SAMPLE) -> list[Callable[[], None]]:
        """The checks in the order they should run: later ones assume the earlier ones passed."""
        return [self.files, self.rows, self.arrays, self.articles, self.whoosh, self.postings,
                lambda: self.reembed(reembed), self.coarse]  # fmt: skip

    def files(self) -> None:
        for name, size in sorted(self.manifest.files.items()):
            path = self.folder / name
            actual = path.stat().st_size if path.is_file() else None
            if actual is None:
                self.problems.append(f"{path}: missing (the manifest lists it at {size} bytes)")
            elif actual != size:
                self.problems.append(f"{path}: {actual} bytes, the manifest says {size} (truncated or changed)")
        on_disk = {str(p.relative_to(self.folder)) for p in self.folder.rglob("*") if p.is_file()}
        for name in sorted(on_disk - set(self.manifest.files) - {schema.MANIFEST}):
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
        if offset != m.files.get(schema.ARTICLES, offset):
            self.problems.append(f"article records add up to {offset} bytes, not the size of {schema.ARTICLES}")
        for article_id, n in Counter(e.article_id for e in m.articles).items():
            if n > 1:
                self.problems.append(f"article id {article_id!r} appears {n} times")

    def arrays(self) -> None:
        sizes = self.manifest.sizes()
        try:
            self.array = {spec.name: schema.load(self.folder, spec, sizes) for spec in schema.CORE_ARRAYS}
            if schema.RECORD_DIGESTS.name in self.manifest.files:  # absent in older generations
                schema.load(self.folder, schema.RECORD_DIGESTS, sizes)
        except EngineError as exc:
            self.problems.append(str(exc))
            return
        rng = np.random.default_rng(0)
        for name in (PASSAGE_VECTORS, SENTENCE_VECTORS):
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
            projection = schema.load(self.folder, schema.COARSE_PROJECTION, m.sizes())
            projected = schema.load(self.folder, schema.COARSE_VECTORS, m.sizes())
        except EngineError as exc:
            self.problems.append(str(exc))
            return
        rows = np.asarray(spread(m.passages, VECTOR_SAMPLE), dtype=np.int64)
        expected = np.asarray(self.array[PASSAGE_VECTORS][rows]) @ projection
        if not np.allclose(np.asarray(projected[rows]), expected, atol=1e-4):
            self.problems.append(f"{self.folder / schema.COARSE_VECTORS.name}: rows do not match the passage vectors")
        self.counts["coarse_rows_checked"] = len(rows)

    def articles(self) -> None:
        """Every stored text hashes to its content hash; its spans lie inside it, in order."""
        sentence_spans, passage_spans = self.array[SENTENCE_SPANS], self.array[PASSAGE_SPANS]
        with (self.folder / schema.ARTICLES).open("rb") as handle:
            for e in self.manifest.articles:
                where = f"article {e.article_id!r}"
                handle.seek(e.offset)
                try:
                    article = schema.decode_article(handle.read(e.length))
                except (KeyError, TypeError, ValueError) as exc:  # orjson's decode error is a ValueError
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

        path = self.folder / schema.WHOOSH
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
            bm25 = BM25Index(self.folder, m.sizes())
        except EngineError as exc:
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
        for row in spread(m.passages, POSTINGS_SAMPLE):
            entry = m.articles[int(owner[row])]
            _, _, start, end = self.array[PASSAGE_SPANS][row]
            text_terms = analysis.terms(self.texts[int(owner[row])][start:end])
            title_terms = analysis.terms(entry.title)
            expected = {t: (text_terms.count(t), title_terms.count(t)) for t in set(text_terms) | set(title_terms)}
            at = np.flatnonzero(rows == row)
            stored = {bm25.vocab[int(term_of[i])]: tuple(int(x) for x in bm25.tf[i]) for i in at}
            lengths = tuple(int(x) for x in bm25.lengths[row])
            if stored != expected or lengths != (len(text_terms), len(title_terms)):
                self.problems.append(f"{where}: passage row {row} ({entry.article_id!r}) has wrong BM25 postings")
        self.counts["postings_passages_checked"] = len(spread(m.passages, POSTINGS_SAMPLE))

    def reembed(self, count: int = REEMBED_SAMPLE) -> None:
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
        jobs = [(PASSAGE_VECTORS, row) for row in spread(m.passages, count)]
        jobs += [(SENTENCE_VECTORS, row) for row in spread(m.sentences, count)]
        if not jobs:
            return
        fresh = self._titled([(row, int(passage_owner[row])) for name, row in jobs if name == PASSAGE_VECTORS])
        late = [self._late_vector(row, int(sentence_owner[row])) for name, row in jobs if name == SENTENCE_VECTORS]
        for (name, row), vector in zip(jobs, [*fresh, *late], strict=True):
            cosine = float(np.dot(np.asarray(self.array[name][row], dtype=np.float32), vector))
            if cosine < MIN_COSINE:
                self.problems.append(
                    f"{self.folder / name} row {row}: the stored vector is not its text's (cosine {cosine:.3f})"
                )
        self.counts["vectors_reembedded"] = len(jobs)

    def _passage_text(self, row: int, owner: int) -> str:
        _, _, start, end = self.array[PASSAGE_SPANS][row]
        return self.texts[owner][start:end]

    def _titled(self, rows: list[tuple[int, int]]) -> list[npt.NDArray[np.float32]]:
        """Passage vectors made again as a build makes them: each passage embedded, then put under its title."""
        texts = [self._passage_text(row, owner) for row, owner in rows]
        titles = [self.manifest.articles[owner].title for _, owner in rows]
        embedded = self.embedder.encode([*texts, *encoding.title_texts(titles)])
        return list(encoding.put_under_titles(embedded, texts, titles, self.embedder))

    def _late_vector(self, row: int, owner: int) -> npt.NDArray[np.float32]:
        """Sentence `row`'s vector made again as a build makes it: pooled from every passage holding it."""
        entry = self.manifest.articles[owner]
        position = row - entry.sentence_row
        texts, spans = [], []
        for passage in range(entry.passage_row, entry.passage_row + entry.passage_count):
            first, end, start, _ = (int(x) for x in self.array[PASSAGE_SPANS][passage])
            if first <= position < end:
                s_start, s_end = (int(x) for x in self.array[SENTENCE_SPANS][row])
                texts.append(self._passage_text(passage, owner))
                spans.append([(s_start - start, s_end - start)])  # within the passage's text
        _, pooled = self.embedder.encode_with_spans(texts, spans)
        return pooling.combine([(p.vectors[0], bool(p.whole[0])) for p in pooled], self.embedder.dimension)


def spread(total: int, count: int) -> list[int]:
    """Up to `count` rows spread evenly over `0..total`."""
    return sorted({int(x) for x in np.linspace(0, total - 1, num=min(total, count))}) if total and count else []
