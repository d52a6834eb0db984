"""Near-duplicate detection: which articles are the same story (wire copy reprinted, light edits).

Each article's text becomes a set of word 5-gram shingles, summarised by a 64-value
MinHash signature. Signatures are bucketed by bands (locality-sensitive hashing), so
only articles sharing a band are compared, and a candidate pair is confirmed on the
exact shingle sets: two articles are copies when the Jaccard similarity of their
shingles, or the share of the shorter one found in the longer (a trimmed reprint),
reaches the thresholds below. Copies are grouped transitively (union-find); the
group's first article in build order names the story.

Memory stays bounded at any archive size: buckets are made a band at a time, each from the
signatures read again (a build's from disk); only the last `SHINGLE_CACHE` shingle sets are
kept, as sorted arrays (8 bytes a shingle, not a Python set's ~60), and texts are read on
demand (a build's back from disk); of the pairs compared, only those found not to be copies
are remembered (copies are one story from then on).
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from typing import TypeAlias

import numpy as np
import numpy.typing as npt

from index.schema import MINHASH_PERMUTATIONS as PERMUTATIONS  # the width the generation stores

SHINGLE_WORDS = 5
BANDS = 32  # 32 bands of 2 rows: texts at Jaccard 0.5 share a band with p > 0.99, at 0.2 with p ~ 0.73
MIN_JACCARD = 0.5
MIN_CONTAINMENT = 0.7
MIN_SHINGLES = 8  # shorter texts are too small to call copies on shingles alone
SHINGLE_CACHE = 4096  # shingle sets kept while comparing (a bucket's members are compared together)

_WORD = re.compile(r"\w+")
_MERSENNE = np.uint64((1 << 61) - 1)
_rng = np.random.default_rng(20261123)
_A = _rng.integers(1, (1 << 61) - 1, size=PERMUTATIONS, dtype=np.uint64)
_B = _rng.integers(0, (1 << 61) - 1, size=PERMUTATIONS, dtype=np.uint64)

Signature = npt.NDArray[np.uint64]
# Signatures in text order: a matrix (a row each), or consecutive chunks of rows that can be read
# more than once (a list, or a build's file read again): buckets are made a band at a time.
Signatures: TypeAlias = npt.NDArray[np.uint64] | Iterable[npt.NDArray[np.uint64]]


def shingles(text: str) -> set[int]:
    words = [w.casefold() for w in _WORD.findall(text)]
    if len(words) < SHINGLE_WORDS:
        return {_hash(" ".join(words))} if words else set()
    return {_hash(" ".join(words[i : i + SHINGLE_WORDS])) for i in range(len(words) - SHINGLE_WORDS + 1)}


def _hash(gram: str) -> int:
    return int.from_bytes(hashlib.blake2b(gram.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")


EMPTY = np.iinfo(np.uint64).max  # signature of a text too short to compare on shingles


def signature(text: str) -> Signature:
    """MinHash over PERMUTATIONS universal hash functions (a*x + b mod 2^61-1); all EMPTY when too short."""
    shingle_set = shingles(text)
    if len(shingle_set) < MIN_SHINGLES:
        return np.full(PERMUTATIONS, EMPTY, dtype=np.uint64)
    values = np.fromiter(shingle_set, dtype=np.uint64, count=len(shingle_set)) % _MERSENNE
    # The products overflow uint64 on purpose: wrapping keeps them well mixed, and only
    # comparisons between signatures made the same way matter.
    with np.errstate(over="ignore"):
        hashed = (values[:, None] * _A[None, :] + _B[None, :]) % _MERSENNE
    result: Signature = hashed.min(axis=0)
    return result


def are_copies(a: set[int], b: set[int]) -> bool:
    return _copies(len(a & b), len(a), len(b))


def _copies(shared: int, size_a: int, size_b: int) -> bool:
    """Whether two shingle sets of these sizes, sharing `shared` shingles, are copies."""
    if min(size_a, size_b) < MIN_SHINGLES:
        return False
    return shared / (size_a + size_b - shared) >= MIN_JACCARD or shared / min(size_a, size_b) >= MIN_CONTAINMENT


def _shingle_array(text: str) -> npt.NDArray[np.uint64]:
    """`shingles(text)` as a sorted array: a cached set costs 8 bytes a shingle."""
    found = shingles(text)
    return np.sort(np.fromiter(found, dtype=np.uint64, count=len(found)))


def find_stories(texts: Sequence[str], signatures: Signatures) -> npt.NDArray[np.int64]:
    """For each text, the index of the first text of its story (itself when it has no earlier copy).

    Only pairs that share a signature band are compared, on shingle sets made on demand,
    so the cost grows with the number of articles, not its square. `signatures` are the texts'
    in order (`Signatures`); a band's keys are held at a time (8 bytes a text).
    """
    if not isinstance(signatures, np.ndarray) and iter(signatures) is signatures:
        raise TypeError("signatures are read once a band: give a matrix or a re-readable iterable, not an iterator")
    parent = np.arange(len(texts), dtype=np.int64)
    sets: OrderedDict[int, npt.NDArray[np.uint64]] = OrderedDict()

    def shingle_set(i: int) -> npt.NDArray[np.uint64]:
        found = sets.get(i)
        if found is None:
            found = sets[i] = _shingle_array(texts[i])
            if len(sets) > SHINGLE_CACHE:
                sets.popitem(last=False)
        else:
            sets.move_to_end(i)
        return found

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = int(parent[i])
        return i

    differ: set[tuple[int, int]] = set()  # pairs compared and found not to be copies
    for members in _band_buckets(signatures):
        for position, i in enumerate(members):
            for j in members[position + 1 :]:
                if (i, j) in differ or root(i) == root(j):
                    continue
                a, b = shingle_set(i), shingle_set(j)
                if _copies(len(np.intersect1d(a, b, assume_unique=True)), len(a), len(b)):
                    first, second = root(i), root(j)
                    parent[max(first, second)] = min(first, second)
                else:
                    differ.add((i, j))
    for i in range(len(parent)):  # in order: a text's root is at or before it, already final
        parent[i] = parent[parent[i]]
    return parent


def _band_buckets(signatures: Signatures) -> Iterator[list[int]]:
    """Groups of two or more texts (ascending indices) that agree on some band of their signatures.

    Each band's values are folded into one 64-bit key with numpy and grouped by sorting, so
    only the (rare) shared buckets reach Python. Two bands folding to the same key by chance
    only cost an extra exact comparison.
    """
    chunks = [signatures] if isinstance(signatures, np.ndarray) else signatures
    for band in range(BANDS):
        valid, band_keys = _band_keys(chunks, band)
        order = np.argsort(band_keys, kind="stable")
        ordered = band_keys[order]
        starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
        ends = np.r_[starts[1:], len(ordered)]
        shared = np.flatnonzero(ends - starts > 1)  # most buckets hold one text: skipped in numpy
        for start, end in zip(starts[shared].tolist(), ends[shared].tolist(), strict=True):
            yield valid[order[start:end]].tolist()


def _band_keys(
    chunks: Iterable[npt.NDArray[np.uint64]], band: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint64]]:
    """The texts with a signature (not too short to have one), and their key in one band."""
    rows = PERMUTATIONS // BANDS
    valid_parts: list[npt.NDArray[np.int64]] = []
    key_parts: list[npt.NDArray[np.uint64]] = []
    seen = 0
    for chunk in chunks:
        matrix = np.asarray(chunk, dtype=np.uint64).reshape(-1, PERMUTATIONS)
        valid = np.flatnonzero(matrix[:, 0] != EMPTY)
        keys = np.zeros(len(valid), dtype=np.uint64)
        with np.errstate(over="ignore"):
            for column in range(band * rows, (band + 1) * rows):  # band b: `rows` columns from b * rows
                keys = keys * np.uint64(0x9E3779B97F4A7C15) + matrix[valid, column]
        valid_parts.append(valid + seen)
        key_parts.append(keys)
        seen += len(matrix)
    if not key_parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64)
    return np.concatenate(valid_parts).astype(np.int64), np.concatenate(key_parts)
