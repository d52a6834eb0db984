"""Keys met during a read, each with a note on its first occurrence, held compactly.

The readers check every article's id and text against all read before it (archive/readers.py):
a build of millions of articles holds a key for each. In Python dicts an id with where it was
read, and a content hash with its article's id, cost about 250 bytes an article. `FirstSeen`
holds a key as a 16-byte BLAKE2b digest and its note as UTF-8 in one buffer: 32 bytes plus
the note's length. Two keys share a digest with a probability of about n^2 / 2^129 (below
10^-22 for 10^8 keys); a content hash, which the text check compares, is itself a digest.

The newest keys are held in a dict; every `RECENT` of them become a sorted run (numpy), and
runs are merged as a binary counter adds (about log2(n / RECENT) runs), so a look-up is a
dict probe and a few binary searches, and the merges cost O(n log n) in all. Most look-ups
are of keys never added (every new article's id and text); a bit per slot of a fixed 1 MB
table answers most of those before any binary search (a few microseconds saved a key; at
millions of keys the table fills and the searches decide, as before).

Until `PLAIN_LIMIT` keys, they are held as they are in a plain dict: the compact form's digest
and bookkeeping cost ~4 us a key, 40 ms of a fresh `archive update` of 5,183 articles (issue
11's budget is 1.5 s), while a dict of that many keys holds ~8 MB at most.
"""

from __future__ import annotations

import hashlib
from array import array

import numpy as np
import numpy.typing as npt

PLAIN_LIMIT = 32_768  # keys held as plain strings before the compact form takes over
RECENT = 4096  # keys held in the compact form's dict before they become a run
_SLOT_BITS = 23  # the table of slots ever used: 2^23 bits, 1 MB
_KEY_BYTES = 16

Run = tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64], npt.NDArray[np.int64]]  # high, low halves; note


class FirstSeen:
    """A map from keys (str) to a note (str) on each key's first occurrence; keys are added once."""

    def __init__(self, plain_limit: int = PLAIN_LIMIT) -> None:
        self._plain: dict[str, str] | None = {} if plain_limit > 0 else None
        self._plain_limit = plain_limit
        self._recent: dict[bytes, int] = {}  # digest -> note number
        self._runs: list[Run] = []  # sorted by (high, low); each at least twice the next one's size
        self._notes = bytearray()
        self._ends = array("q", [0])  # note i is _notes[_ends[i]:_ends[i + 1]]
        self._slots = bytearray(1 << (_SLOT_BITS - 3))  # bit set: some key added has this slot

    def __len__(self) -> int:
        return len(self._plain) if self._plain is not None else len(self._ends) - 1

    def get(self, key: str) -> str | None:
        """The note given with `key`, or None when it was never added."""
        if self._plain is not None:
            return self._plain.get(key)
        digest = _digest(key)
        number = self._recent.get(digest)
        if number is None and self._runs:
            slot = _slot(digest)
            if self._slots[slot >> 3] & (1 << (slot & 7)):
                number = self._in_runs(digest)
        if number is None:
            return None
        return self._notes[self._ends[number] : self._ends[number + 1]].decode("utf-8", "surrogatepass")

    def add(self, key: str, note: str) -> None:
        """Remember `key` (not added before) with `note`."""
        plain = self._plain
        if plain is None:
            self._add_compact(key, note)
            return
        plain[key] = note
        if len(plain) > self._plain_limit:
            self._plain = None
            for held, held_note in plain.items():  # in the order added, so notes keep their numbers
                self._add_compact(held, held_note)

    def _add_compact(self, key: str, note: str) -> None:
        digest = _digest(key)
        self._recent[digest] = len(self._ends) - 1
        slot = _slot(digest)
        self._slots[slot >> 3] |= 1 << (slot & 7)
        self._notes += note.encode("utf-8", "surrogatepass")
        self._ends.append(len(self._notes))
        if len(self._recent) >= RECENT:
            self._flush()

    def _in_runs(self, digest: bytes) -> int | None:
        high = np.uint64(int.from_bytes(digest[:8], "little"))
        low = np.uint64(int.from_bytes(digest[8:], "little"))
        for highs, lows, numbers in self._runs:
            at = int(np.searchsorted(highs, high))
            while at < len(highs) and highs[at] == high:  # one step but for a 2^-64 chance
                if lows[at] == low:
                    return int(numbers[at])
                at += 1
        return None

    def _flush(self) -> None:
        """The dict's keys become a run; the last runs are merged while one is not twice the next's size."""
        keys = np.frombuffer(b"".join(self._recent), dtype="<u8").astype(np.uint64, copy=False).reshape(-1, 2)
        numbers = np.fromiter(self._recent.values(), dtype=np.int64, count=len(self._recent))
        self._recent = {}
        self._runs.append(_sorted(keys[:, 0], keys[:, 1], numbers))
        while len(self._runs) > 1 and len(self._runs[-2][0]) < 2 * len(self._runs[-1][0]):
            (high_a, low_a, num_a), (high_b, low_b, num_b) = self._runs.pop(-2), self._runs.pop()
            self._runs.append(
                _sorted(
                    np.concatenate([high_a, high_b]), np.concatenate([low_a, low_b]), np.concatenate([num_a, num_b])
                )
            )


def _slot(digest: bytes) -> int:
    return int.from_bytes(digest[:4], "little") & ((1 << _SLOT_BITS) - 1)


def _digest(key: str) -> bytes:
    return hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=_KEY_BYTES).digest()


def _sorted(highs: npt.NDArray[np.uint64], lows: npt.NDArray[np.uint64], numbers: npt.NDArray[np.int64]) -> Run:
    order = np.lexsort((lows, highs))
    return highs[order], lows[order], numbers[order]
