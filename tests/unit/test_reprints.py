"""Near-duplicate stories on development data: planted reprints are found, and nothing else."""

import json
import random

import pytest

from archive.reprints import are_copies, find_stories, shingles, signature
from bench.datasets import SCIFACT


def test_identical_and_lightly_edited_texts_are_copies() -> None:
    text = " ".join(f"word{i}" for i in range(60))
    edited = text.replace("word10 ", "changed ").replace("word40 ", "")
    assert are_copies(shingles(text), shingles(edited))
    assert not are_copies(shingles(text), shingles(" ".join(f"other{i}" for i in range(60))))


def test_short_texts_are_never_called_copies_on_shingles() -> None:
    assert not are_copies(shingles("Breaking news today"), shingles("Breaking news today"))


def test_planted_reprints_are_found_and_nothing_else() -> None:
    if not SCIFACT.exists():  # a clone without ../shared beside it (CI has it)
        pytest.skip(f"evaluation data not found at {SCIFACT}; set ARCHIVE_EVAL_DATA")
    with (SCIFACT / "corpus.jsonl").open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle][:1500]
    texts = [row["text"] for row in rows]
    rng = random.Random(3)
    planted = []
    for copy in range(25):
        original = rng.randrange(len(rows))
        words = texts[original].split()
        for _ in range(max(1, len(words) // 25)):  # about 4% of the words edited
            words[rng.randrange(len(words))] = "EDITED"
        if copy % 3 == 0:
            words = words[: int(len(words) * 0.85)]  # a trimmed reprint
        texts.append(" ".join(words))
        planted.append((original, len(texts) - 1))
    stories = find_stories(texts, [signature(t) for t in texts])
    story_of = {i: i for pair in planted for i in pair}  # copies of one original are one story
    for original, copy in planted:
        story_of[copy] = story_of[original]
    expected = {(a, b) for a in story_of for b in story_of if a < b and story_of[a] == story_of[b]}
    found: set[tuple[int, int]] = set()
    groups: dict[int, list[int]] = {}
    for index, story in enumerate(stories.tolist()):
        groups.setdefault(story, []).append(index)
    for members in groups.values():
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                found.add((members[x], members[y]))
    assert found == expected


def test_signatures_given_one_by_one_as_a_matrix_or_in_chunks_find_the_same_stories() -> None:
    """A build reads the signatures back from disk a chunk of rows at a time."""
    import numpy as np

    base = [" ".join(f"{topic}{i}" for i in range(80)) for topic in ("harbour", "budget", "storm")]
    texts = [base[0], base[1], base[0].replace("harbour7 ", ""), "too short", base[2], base[1] + " extra words"]
    signatures = [signature(t) for t in texts]
    matrix = np.stack(signatures)
    expected = [0, 1, 0, 3, 4, 1]
    assert find_stories(texts, signatures).tolist() == expected
    assert find_stories(texts, matrix).tolist() == expected
    assert find_stories(texts, [matrix[:2], matrix[2:5], matrix[5:]]).tolist() == expected
    with pytest.raises(TypeError, match="re-readable"):  # buckets are made a band at a time
        find_stories(texts, iter(signatures))
