"""The BM25 sidecar: the passages' term postings as numpy arrays, scored as BM25F per query.

Whoosh scores an OR query posting by posting in Python, so the BM25 leg's latency grows
with the archive (hundreds of milliseconds at 350,000 passages). The sidecar holds the
same analysed terms (index/analysis.py) term-major next to the Whoosh store: a query
gathers its terms' postings and sums their BM25F contributions with `np.bincount`, a few
numpy passes over those postings whatever the archive's size.

Raw term frequencies and field lengths are stored, not scores, so k1, b and the title
weight can change without a rebuild, and an update can carry unchanged passages' postings
over by renumbering their rows.

Files (index/schema.py declares them): `bm25_vocab.json` (the terms; a term's id is its
position), `BM25_TERM_STARTS`, `BM25_ROWS`, `BM25_TF` and `BM25_LENGTHS`.

A build that streams gives the writer a spill folder: every `SPILL_POSTINGS` postings are
sorted by term and written there as a run, and `save` merges the runs a range of terms at a
time, so the writer holds a bounded number of postings (and the vocabulary) at any size.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import orjson

from index import appending, fileio, schema
from index.errors import IndexCorruptError
from index.schema import Sizes
from index.vectors import top_indices

_TF_MAX = np.iinfo(np.uint16).max
SPILL_POSTINGS = 2_000_000  # postings held before a sorted run goes to disk (about 24 MB)
_RUN_FILES = ("rows", "tf")


@dataclass(frozen=True)
class BM25Params:
    """BM25F: per-field length-normalised counts are weighted and summed, then saturated once."""

    k1: float = 1.2
    b: float = 0.75
    title_weight: float = 1.5


DEFAULT_BM25 = BM25Params()


@dataclass(frozen=True)
class BM25Stats:
    """The collection statistics BM25 scores with: one index's own, or the sum over shards (index/query.py)."""

    passages: int
    average_lengths: tuple[float, float]  # text, title; at least 1
    document_frequency: Mapping[str, int]  # of the query's terms

    def key(self) -> tuple[int, tuple[float, float], tuple[tuple[str, int], ...]]:
        """The statistics as a hashable value (a shard reuses scores made under equal statistics)."""
        return self.passages, self.average_lengths, tuple(sorted(self.document_frequency.items()))

    def idf(self, term: str) -> float:
        """BM25's idf, in the form that stays positive for terms in most passages."""
        df = self.document_frequency.get(term, 0)
        return math.log(1.0 + (self.passages - df + 0.5) / (df + 0.5))


def term_row_order(terms: npt.NDArray[np.int32], rows: npt.NDArray[np.int32]) -> npt.NDArray[np.intp]:
    """Postings term-major, rows ascending within a term: the order of np.lexsort((rows, terms)).

    One stable sort of a 64-bit (term, row) key: 20x faster than lexsort when most postings are
    carried by an update (already in that order), 0.01 s instead of 0.2 s for 960,000 postings.
    """
    return np.argsort((terms.astype(np.int64) << 32) | rows.astype(np.int64), kind="stable")


class PostingsWriter:
    """Collects a generation's postings: new passages analysed, old ones carried over by row.

    With `spill` (a folder of its own, emptied by `save`), postings go to disk in sorted runs of
    `limit` and are merged by `save`; without, they are held until `save`. The files are the same.
    """

    def __init__(
        self, previous: BM25Index | None = None, spill: Path | None = None, limit: int = SPILL_POSTINGS
    ) -> None:
        self._previous = previous
        self._vocab: list[str] = list(previous.vocab) if previous is not None else []
        self._ids: dict[str, int] = {term: i for i, term in enumerate(self._vocab)}
        self._spill, self._limit = spill, limit
        self._runs: list[tuple[Path, npt.NDArray[np.int64]]] = []  # (run prefix, its term starts)
        self._clear()
        self._lengths = array("i")  # text, title of each passage, interleaved
        self._moves: list[tuple[int, int, int]] = []  # (old first row, count, new first row)

    def _clear(self) -> None:
        self._terms = array("i")
        self._rows = array("i")
        self._tf_text = array("H")
        self._tf_title = array("H")

    @property
    def rows(self) -> int:
        return len(self._lengths) // 2

    def carry(self, old_first_row: int, count: int) -> None:
        """Append `count` passages whose postings are the previous generation's from `old_first_row`."""
        if self._previous is None:
            raise ValueError("no previous generation to carry postings from")
        last = self._moves[-1] if self._moves else None
        if last is not None and last[0] + last[1] == old_first_row and last[2] + last[1] == self.rows:
            self._moves[-1] = (last[0], last[1] + count, last[2])  # neighbours then, neighbours now: one move
        else:
            self._moves.append((old_first_row, count, self.rows))
        carried = np.ascontiguousarray(self._previous.lengths[old_first_row : old_first_row + count], dtype=np.int32)
        self._lengths.frombytes(carried.tobytes())

    def add(self, text_terms: Sequence[str], title_terms: Sequence[str]) -> None:
        """Append one new passage, given its analysed text and title terms."""
        row = self.rows
        text_counts = Counter(text_terms)
        title_counts = Counter(title_terms)
        # In order of first appearance, not set order: the vocabulary (and so the files) must not
        # depend on the process's string hash seed, or two builds of the same folders would differ.
        for term in dict.fromkeys([*text_counts, *title_counts]):
            term_id = self._ids.get(term)
            if term_id is None:
                term_id = self._ids[term] = len(self._vocab)
                self._vocab.append(term)
            self._terms.append(term_id)
            self._rows.append(row)
            self._tf_text.append(min(text_counts.get(term, 0), _TF_MAX))
            self._tf_title.append(min(title_counts.get(term, 0), _TF_MAX))
        self._lengths.extend((len(text_terms), len(title_terms)))
        if self._spill is not None and len(self._terms) >= self._limit:
            self._spill_run(*self._held())
            self._clear()

    def _held(self) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], npt.NDArray[np.uint16]]:
        """The postings held in memory: terms, rows, (text, title) counts."""
        terms = np.frombuffer(self._terms, dtype=np.int32)
        rows = np.frombuffer(self._rows, dtype=np.int32)
        tf = np.stack(
            [np.frombuffer(self._tf_text, dtype=np.uint16), np.frombuffer(self._tf_title, dtype=np.uint16)], 1
        )
        return terms, rows, tf.reshape(-1, 2)

    def save(self, folder: Path) -> tuple[int, int]:
        """Write the five files into `folder`; returns (terms, postings) for the manifest."""
        terms, rows, tf = self._held()
        if self._moves and self._previous is not None:
            old_terms, old_rows, old_tf = self._carried()
            # Spilled only when they do not fit with the held ones: an update of a few articles sorts in memory.
            if self._spill is not None and (self._runs or len(old_terms) + len(terms) > self._limit):
                self._spill_run(old_terms, old_rows, old_tf)
            else:
                terms, rows, tf = (
                    np.concatenate([old_terms, terms]),
                    np.concatenate([old_rows, rows]),
                    np.concatenate([old_tf, tf]),
                )
        if self._runs:
            self._spill_run(terms, rows, tf)
            del terms, rows, tf  # on disk now: the held postings are not kept through the merge
            self._clear()
            postings = self._merge_runs(folder)
        else:
            order = term_row_order(terms, rows)
            starts = np.zeros(len(self._vocab) + 1, dtype=np.int64)
            np.cumsum(np.bincount(terms, minlength=len(self._vocab)), out=starts[1:])
            schema.save(folder, schema.BM25_TERM_STARTS, starts)
            schema.save(folder, schema.BM25_ROWS, np.ascontiguousarray(rows[order], dtype=np.int32))
            # take, not tf[order]: gathering (n, 2) rows by index is ~13x slower (13 ms at 960,000 postings).
            schema.save(folder, schema.BM25_TF, np.take(tf, order, axis=0).reshape(-1, 2))
            postings = len(rows)
        lengths = np.frombuffer(self._lengths, dtype=np.int32).reshape(-1, 2)
        schema.save(folder, schema.BM25_LENGTHS, lengths)
        fileio.write_bytes(folder / schema.BM25_VOCAB, orjson.dumps(self._vocab))
        return len(self._vocab), postings

    def _spill_run(self, terms: npt.NDArray[np.int32], rows: npt.NDArray[np.int32], tf: npt.NDArray[np.uint16]) -> None:
        """Postings sorted by term (rows in any order) as a run on disk, with each term's start in it."""
        assert self._spill is not None
        self._spill.mkdir(parents=True, exist_ok=True)
        order = np.argsort(terms, kind="stable")
        starts = np.zeros(len(self._vocab) + 1, dtype=np.int64)
        np.cumsum(np.bincount(terms, minlength=len(self._vocab)), out=starts[1:])
        prefix = self._spill / f"run-{len(self._runs):04d}"
        fileio.save_array(f"{prefix}-rows.npy", np.asarray(rows[order], dtype=np.int32))
        fileio.save_array(f"{prefix}-tf.npy", np.take(tf, order, axis=0))
        self._runs.append((prefix, starts))

    def _merge_runs(self, folder: Path) -> int:
        """Merge the runs into the generation's files, a range of terms (about `limit / 4` postings) at a time.

        A quarter: merging a posting costs about four times what holding it did (12 bytes): its
        slice read from a run and gathered, its sort key and place, the sorted copy. So the merge
        needs no more memory than a run held, at any size.

        Postings are ordered by term, then row, as the in-memory `save` orders them: a range of
        terms is gathered from every run and sorted, so its order is the whole sort's.
        """
        vocabulary = len(self._vocab)
        # A run made before a term existed has no postings for it: its starts end at its total.
        run_starts = [np.concatenate([s, np.full(vocabulary + 1 - len(s), s[-1])]) for _, s in self._runs]
        starts: npt.NDArray[np.int64] = np.sum(np.stack(run_starts), axis=0, dtype=np.int64)
        schema.save(folder, schema.BM25_TERM_STARTS, starts)
        rows_out = appending.ArrayAppender(folder / schema.BM25_ROWS.name, np.int32, None)
        tf_out = appending.ArrayAppender(folder / schema.BM25_TF.name, np.uint16, 2)
        span = max(1, self._limit // 4)
        try:
            first = 0
            while first < vocabulary:
                end = int(np.searchsorted(starts, starts[first] + span, side="right")) - 1
                end = min(max(end, first + 1), vocabulary)
                terms, rows, tf = [], [], []
                for (prefix, _), run in zip(self._runs, run_starts, strict=True):
                    a, b = int(run[first]), int(run[end])
                    if a == b:
                        continue
                    terms.append(np.repeat(np.arange(first, end, dtype=np.int32), np.diff(run[first : end + 1])))
                    rows.append(appending.read_slice(Path(f"{prefix}-rows.npy"), a, b))
                    tf.append(appending.read_slice(Path(f"{prefix}-tf.npy"), a, b))
                if terms:
                    all_rows = np.concatenate(rows)
                    order = term_row_order(np.concatenate(terms), all_rows)
                    rows_out.append(all_rows[order])
                    tf_out.append(np.take(np.concatenate(tf), order, axis=0))
                first = end
        except BaseException:
            rows_out.abandon()
            tf_out.abandon()
            raise
        rows_out.close()
        tf_out.close()
        for prefix, _ in self._runs:
            for name in _RUN_FILES:
                Path(f"{prefix}-{name}.npy").unlink()
        self._runs.clear()
        return rows_out.rows

    def _carried(self) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], npt.NDArray[np.uint16]]:
        """The previous generation's postings of carried passages, renumbered to their new rows."""
        previous = self._previous
        assert previous is not None
        new_row = np.full(previous.passages, -1, dtype=np.int64)
        for old_first, count, new_first in self._moves:
            new_row[old_first : old_first + count] = np.arange(new_first, new_first + count)
        old_terms = np.repeat(np.arange(len(previous.vocab), dtype=np.int32), np.diff(previous.starts))
        moved = new_row[previous.rows]
        keep = moved >= 0
        # compress, not a boolean index: picking (n, 2) rows by mask is 10x slower (14 ms at 960,000 postings).
        return old_terms[keep], moved[keep].astype(np.int32), np.compress(keep, previous.tf, axis=0)


class BM25Index:
    """Read side: BM25F top-k over passage rows, with an optional row mask for filters."""

    def __init__(self, folder: Path, sizes: Sizes) -> None:
        path = folder / schema.BM25_VOCAB
        try:
            vocab = orjson.loads(path.read_bytes())
        except (OSError, orjson.JSONDecodeError) as exc:
            raise IndexCorruptError(f"Index file {path} cannot be read ({exc}); rebuild with `archive build`.") from exc
        if not isinstance(vocab, list) or len(vocab) != sizes.bm25_terms:
            raise IndexCorruptError(
                f"Index file {path} does not hold {sizes.bm25_terms} terms; rebuild with `archive build`."
            )
        passages, postings = sizes.passages, sizes.bm25_postings
        self.vocab: list[str] = vocab
        self._ids = {term: i for i, term in enumerate(vocab)}
        self.passages = passages
        self.starts = schema.load(folder, schema.BM25_TERM_STARTS, sizes)
        self.rows = schema.load(folder, schema.BM25_ROWS, sizes)
        self.tf = schema.load(folder, schema.BM25_TF, sizes)
        self.lengths = schema.load(folder, schema.BM25_LENGTHS, sizes)
        if passages and (self.starts[0] != 0 or self.starts[-1] != postings):
            raise IndexCorruptError(
                f"{folder / schema.BM25_TERM_STARTS.name} does not match the postings; rebuild with `archive build`."
            )
        # Totals over the whole generation, for BM25's length normalisation (summed over shards when sharded).
        totals = np.asarray(self.lengths, dtype=np.float64).sum(axis=0) if passages else np.zeros(2)
        self.length_totals = (float(totals[0]), float(totals[1]))
        average = np.maximum(totals / max(passages, 1), 1.0)
        self._average = (float(average[0]), float(average[1]))
        self._norms: tuple[Hashable, tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]] | None = None

    def document_frequency(self, term: str) -> int:
        term_id = self._ids.get(term)
        return 0 if term_id is None else int(self.starts[term_id + 1] - self.starts[term_id])

    def stats(self, terms: Sequence[str]) -> BM25Stats:
        """This index's own statistics for `terms`."""
        return BM25Stats(self.passages, self._average, {t: self.document_frequency(t) for t in set(terms)})

    def idf(self, term: str) -> float:
        """BM25's idf over this index alone."""
        return self.stats([term]).idf(term)

    def search(
        self,
        query_terms: Sequence[str],
        k: int,
        mask: npt.NDArray[np.bool_] | None = None,
        params: BM25Params = DEFAULT_BM25,
        stats: BM25Stats | None = None,
    ) -> list[tuple[int, float]]:
        """The `k` best (row, score) pairs for the analysed query terms, best first; rows outside `mask` never."""
        scores = self.scores(query_terms, params, stats)
        if scores is None or k <= 0:
            return []
        if mask is not None:
            scores[~mask] = 0.0
        best = best_matches(scores, k)
        return [(int(row), float(scores[row])) for row in best]

    def scores(
        self, query_terms: Sequence[str], params: BM25Params = DEFAULT_BM25, stats: BM25Stats | None = None
    ) -> npt.NDArray[np.float64] | None:
        """BM25F score of every passage row (0 for no match), or None when no term is known.

        `stats` are the collection's (a sharded archive's sums); by default this index's own.
        Terms are summed in their string order, not this index's vocabulary order, so a passage
        scores the same, to the last bit, in any shard.
        """
        terms = sorted({t for t in query_terms if t in self._ids})
        if not terms:
            return None
        stats = stats or self.stats(terms)
        ids = [self._ids[t] for t in terms]
        slices = [(int(self.starts[i]), int(self.starts[i + 1])) for i in ids]
        rows = np.concatenate([self.rows[a:b] for a, b in slices])
        tf = np.concatenate([self.tf[a:b] for a, b in slices]).astype(np.float64)
        idf = np.repeat([stats.idf(t) for t in terms], [b - a for a, b in slices])
        body_norm, title_norm = self._length_norms(params.b, stats.average_lengths)
        weight = tf[:, 0] / body_norm[rows] + params.title_weight * tf[:, 1] / title_norm[rows]
        contribution = idf * weight * (params.k1 + 1.0) / (weight + params.k1)
        summed = np.bincount(rows, weights=contribution, minlength=self.passages)
        return np.asarray(summed, dtype=np.float64)

    def _length_norms(
        self, b: float, average_lengths: tuple[float, float]
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Every passage's length normalisation, body and title, under these statistics.

        Computed once per statistics and kept: gathering each posting's two lengths from the
        (passages, 2) array was most of a query's BM25 time at 16x (7 of 12 ms).
        """
        key = (b, average_lengths)
        kept = self._norms
        if kept is not None and kept[0] == key:
            return kept[1]
        lengths = np.asarray(self.lengths, dtype=np.float64)
        norm = (1.0 - b) + b * lengths / np.array(average_lengths)
        norms = (np.ascontiguousarray(norm[:, 0]), np.ascontiguousarray(norm[:, 1]))
        self._norms = (key, norms)
        return norms


def best_matches(scores: npt.NDArray[np.float64], k: int) -> npt.NDArray[np.intp]:
    """Rows of the `k` highest positive scores, best first, ties by row (rows scoring 0 matched no term)."""
    matched = np.flatnonzero(scores > 0.0)
    return matched[top_indices(scores[matched], k)]
