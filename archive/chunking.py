"""Group an article's sentences into overlapping passages sized for the embedding model."""

from __future__ import annotations

from collections.abc import Sequence


def chunk_sentences(token_counts: Sequence[int], max_tokens: int, overlap: int) -> list[tuple[int, int]]:
    """Split sentences `0..n` into passages `[first, last)` of whole sentences.

    A passage holds as many consecutive sentences as fit in `max_tokens` (always at
    least one, so a very long sentence becomes a passage of its own), and the next
    passage starts `overlap` sentences before the previous one ended, so a fact that
    straddles a boundary is whole in one of them. Every sentence is in some passage,
    and each passage starts after the previous one starts, so the loop terminates.
    """
    if max_tokens < 1:
        raise ValueError("max_tokens must be at least 1")
    if overlap < 0:
        raise ValueError("overlap must not be negative")
    passages: list[tuple[int, int]] = []
    count = len(token_counts)
    first = 0
    while first < count:
        last = first + 1
        size = token_counts[first]
        while last < count and size + token_counts[last] <= max_tokens:
            size += token_counts[last]
            last += 1
        passages.append((first, last))
        if last >= count:
            break
        first = max(first + 1, last - overlap)
    return passages
