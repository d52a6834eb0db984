"""Late chunking: vectors for spans of a text from the one forward pass over the whole text. Pure numpy.

A span's vector is the mean of the contextual token vectors whose characters lie inside the
span, scaled to unit length: the same mean pooling as a text's own vector, over fewer tokens.
Each token has seen the whole text, so a sentence that says "He ..." carries its passage's
subject. A span the model's window cut (the text was truncated before the span's end) is
not `whole`: the caller takes its vector from another text that holds it whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float32]


@dataclass(frozen=True)
class SpanVectors:
    """One unit vector per span (zeros where no token fell inside), and whether each span was whole."""

    vectors: Matrix  # (spans, dimension)
    whole: npt.NDArray[np.bool_]  # (spans,)


def pool_spans(
    hidden: Matrix, offsets: Sequence[tuple[int, int]], spans: Sequence[tuple[int, int]], truncated: bool = False
) -> SpanVectors:
    """Mean-pool `hidden` (tokens, dimension) over each character span.

    `offsets` are the tokens' character spans, (0, 0) for special tokens. With `truncated`,
    the text went on past its last token, so a span ending after that token's end is cut.
    """
    dimension = hidden.shape[1]
    vectors: Matrix = np.zeros((len(spans), dimension), dtype=np.float32)
    whole = np.ones(len(spans), dtype=bool)
    if not spans:
        return SpanVectors(vectors, whole)
    starts = np.array([s for s, _ in offsets], dtype=np.int64).reshape(-1)
    ends = np.array([e for _, e in offsets], dtype=np.int64).reshape(-1)
    real = ends > starts  # special tokens have empty spans
    last_end = int(ends[real].max()) if real.any() else 0
    for i, (start, end) in enumerate(spans):
        inside = real & (starts >= start) & (ends <= end)
        if truncated and end > last_end:
            whole[i] = False
        if inside.any():
            pooled = hidden[inside].mean(axis=0)
            norm = float(np.linalg.norm(pooled))
            if norm > 0:
                vectors[i] = pooled / norm
    return SpanVectors(vectors, whole)


def combine(candidates: Sequence[tuple[Matrix, bool]], dimension: int) -> Matrix:
    """One span's vector from every text that holds it: the mean of the whole ones, unit length.

    When no text holds it whole, the cut ones stand in (the span is longer than the window).
    """
    chosen = [vector for vector, is_whole in candidates if is_whole] or [vector for vector, _ in candidates]
    if not chosen:
        return np.zeros(dimension, dtype=np.float32)
    mean = np.mean(np.stack(chosen), axis=0)
    norm = float(np.linalg.norm(mean))
    result: Matrix = (mean / norm if norm > 0 else mean).astype(np.float32)
    return result


def under_title(passages: Matrix, passage_tokens: Sequence[int], titles: Matrix, title_tokens: Sequence[int]) -> Matrix:
    """Passage vectors that carry their headline: row i the mean of `passages[i]` and `titles[i]`,
    weighted by their word pieces, at unit length.

    About what mean pooling over the title and passage read together gives, without the two
    texts attending to each other. Embedding a title once an article instead of before every
    passage spares a build 13% of its word pieces at the same retrieval quality
    (bench/RESULTS.md, "The title once an article").
    """
    passage_weights = np.asarray(passage_tokens, dtype=np.float32)[:, None]
    title_weights = np.asarray(title_tokens, dtype=np.float32)[:, None]
    mixed = passages * passage_weights + titles * title_weights
    norms = np.linalg.norm(mixed, axis=1, keepdims=True)
    result: Matrix = (mixed / np.clip(norms, 1e-12, None)).astype(np.float32)
    return result
