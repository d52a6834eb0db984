"""Passage vectors on the real seeds index: each passage embedded alone, its headline joined once an article.

A build embeds each title once and mixes it into its article's passage vectors by word pieces,
as mean pooling over the title and passage read together would weigh them (bench/RESULTS.md,
"The title once an article": the same retrieval quality for 13% fewer word pieces).
"""

from __future__ import annotations

import numpy as np
import pytest

from index.embedder import Embedder
from index.snapshot import Snapshot


def test_each_stored_passage_vector_is_its_text_and_title_mixed_by_word_pieces(
    seeds_snapshot: Snapshot, embedder: Embedder
) -> None:
    checked = 0
    for entry in seeds_snapshot.entries:
        article = seeds_snapshot.article(entry.article_id)
        assert article.title
        title = embedder.encode_one(article.title)
        [title_pieces] = embedder.count_tokens([article.title])
        for row in range(entry.passage_row, entry.passage_row + entry.passage_count):
            ref = seeds_snapshot.passage(row)
            text = article.text[ref.start : ref.end]
            alone = embedder.encode_one(text)
            [pieces] = embedder.count_tokens([text])
            expected = pieces * alone + title_pieces * title
            expected /= np.linalg.norm(expected)
            stored = np.asarray(seeds_snapshot.passage_vectors[row], dtype=np.float32)
            assert float(stored @ expected) == pytest.approx(1.0, abs=1e-4), (entry.article_id, row)
            # The headline pulls the passage towards it: nearer the title than the text alone is.
            assert float(stored @ title) > float(alone @ title) + 0.01, (entry.article_id, row)
            checked += 1
    assert checked >= 10
