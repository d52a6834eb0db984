"""Prototype: the BM25F leg as a numpy sparse sidecar instead of a Whoosh OR query.

Whoosh scores an OR of (term, field) clauses in pure Python, posting by posting, so the
BM25 leg grows with the archive. Here every posting's BM25F contribution is precomputed
once into a term-major CSR layout (term -> passage rows, impacts); a query sums the rows
of its terms with `np.bincount` and takes the top k with `argpartition`.

The prototype is built from the Whoosh store itself (its postings, weights, field lengths,
idf and average lengths through Whoosh's own methods), so its scores are Whoosh's BM25F
scores and the two rankings can be compared directly. This module only measures; nothing
in archive/ or index/ uses it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from whoosh.scoring import BM25F

from index.snapshot import Snapshot
from index.store import query_terms

FIELDS = ("text", "title")


@dataclass
class SparseBM25:
    vocab: dict[str, int]
    indptr: npt.NDArray[np.int64]  # (terms + 1,)
    rows: npt.NDArray[np.int32]  # passage row of each posting
    impacts: npt.NDArray[np.float32]  # BM25F contribution of each posting (idf included)
    n_rows: int
    build_seconds: float = 0.0

    @property
    def nbytes(self) -> int:
        return int(self.indptr.nbytes + self.rows.nbytes + self.impacts.nbytes)

    @classmethod
    def from_snapshot(cls, snapshot: Snapshot) -> SparseBM25:
        started = time.perf_counter()
        searcher = snapshot.store._searcher  # the prototype reads Whoosh's own statistics
        reader = searcher.reader()
        weighting = BM25F()
        k1, b = weighting.K1, weighting.B
        row_of: dict[int, int] = {}
        for docnum, stored in reader.iter_docs():
            row_of[docnum] = snapshot.passage_row(stored["article_id"], int(stored["passage"]))
        max_doc = max(row_of) + 1 if row_of else 0
        doc_to_row = np.full(max_doc, -1, dtype=np.int64)
        for docnum, row in row_of.items():
            doc_to_row[docnum] = row
        per_term: dict[str, list[tuple[npt.NDArray[np.int32], npt.NDArray[np.float32]]]] = {}
        for field in FIELDS:
            lengths = np.array([reader.doc_field_length(d, field, 0) for d in range(max_doc)], dtype=np.float64)
            avg = searcher.avg_field_length(field) or 1.0
            for raw in reader.lexicon(field):
                term = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
                matcher = reader.postings(field, raw)
                docs: list[int] = []
                weights: list[float] = []
                while matcher.is_active():
                    docs.append(matcher.id())
                    weights.append(matcher.weight())
                    matcher.next()
                if not docs:
                    continue
                doc_array = np.asarray(docs, dtype=np.int64)
                tf = np.asarray(weights, dtype=np.float64)
                idf = searcher.idf(field, raw)
                impact = idf * (tf * (k1 + 1)) / (tf + k1 * ((1 - b) + b * lengths[doc_array] / avg))
                keep = doc_to_row[doc_array] >= 0
                per_term.setdefault(term, []).append(
                    (doc_to_row[doc_array[keep]].astype(np.int32), impact[keep].astype(np.float32))
                )
        vocab = {term: i for i, term in enumerate(per_term)}
        sizes = [sum(len(r) for r, _ in parts) for parts in per_term.values()]
        indptr = np.zeros(len(vocab) + 1, dtype=np.int64)
        np.cumsum(sizes, out=indptr[1:])
        rows = (
            np.concatenate([r for parts in per_term.values() for r, _ in parts]) if per_term else np.zeros(0, np.int32)
        )
        impacts = (
            np.concatenate([w for parts in per_term.values() for _, w in parts])
            if per_term
            else np.zeros(0, np.float32)
        )
        return cls(vocab, indptr, rows, impacts, len(snapshot.passage_spans), time.perf_counter() - started)

    def search(self, text: str, limit: int, mask: npt.NDArray[np.bool_] | None = None) -> list[tuple[int, float]]:
        """(passage row, BM25F score) of the best `limit` passages, ties broken by row like Whoosh's docnum."""
        ids = [self.vocab[t] for t in query_terms(text) if t in self.vocab]
        if not ids:
            return []
        rows = np.concatenate([self.rows[self.indptr[i] : self.indptr[i + 1]] for i in ids])
        weights = np.concatenate([self.impacts[self.indptr[i] : self.indptr[i + 1]] for i in ids])
        scores = np.bincount(rows, weights=weights, minlength=self.n_rows)
        if mask is not None:
            scores[~mask] = 0.0
        matched = np.flatnonzero(scores > 0)
        if len(matched) > limit:
            matched = matched[np.argpartition(-scores[matched], limit - 1)[:limit]]
        order = np.lexsort((matched, -scores[matched]))
        best = matched[order]
        return [(int(row), float(scores[row])) for row in best]
