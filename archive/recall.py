"""JSON Lines records read before: an update takes an unchanged record's article from the previous generation.

An update reads every file (that is how changes and removals are found), but most of a
JSON Lines file is what the previous build read. Each record's digest covers everything its
article is made from: the line's text, the file's absolute path, the article id the line
would get by default, its line number, the length limit and this reader's version. A
generation keeps each article's digest (`record_digests.npy`, index/schema.py); a record
whose digest the previous generation holds is the same article, so it is decoded from that
generation's article store instead of being parsed again (field aliases, dates, titles:
most of a read's time).

A record read with a warning is not remembered (zero digest), so its warning is reported on
every read; nor is an article from any other kind of file. A build from scratch
(`archive build`) parses every record; only `archive update` recalls.
"""

from __future__ import annotations

import hashlib

import numpy as np
import numpy.typing as npt

import archive
from index.records import Article
from index.schema import DIGEST_BYTES
from index.snapshot import Snapshot

NOT_REMEMBERED = bytes(DIGEST_BYTES)  # the digest of an article that is always read again
# Changes whenever reading one JSON Lines record could give another article for the same line, or the
# digest is laid out differently (2: the file's context hashed once, then each line's number and text).
READER_VERSION = "jsonl-record-2"


class RecordDigests:
    """The digests of one JSON Lines file's records: its absolute path `origin`, the ids its records
    get by default (`base_id`/line) and the length limit are hashed once, each line's number and
    text on top (a record costs one copy of the hash state, not the context again)."""

    def __init__(self, origin: str, base_id: str, max_chars: int) -> None:
        self._file = hashlib.blake2b(digest_size=DIGEST_BYTES)
        context = f"{READER_VERSION}\0{archive.__version__}\0{origin}\0{base_id}\0{max_chars}\0"
        self._file.update(context.encode("utf-8", "surrogatepass"))

    def of(self, line: int, text: str) -> bytes:
        """The digest of the record on line `line` (1-based), `text` the decoded line."""
        digest = self._file.copy()
        digest.update(b"%d\0" % line)
        digest.update(text.encode("utf-8", "surrogatepass"))
        return digest.digest()


class RecordRecall:
    """The articles of a previous generation by the digest of the record each was read from."""

    def __init__(self, previous: Snapshot, digests: npt.NDArray[np.uint8]) -> None:
        self._previous = previous
        flat = np.ascontiguousarray(digests).tobytes()
        width = DIGEST_BYTES
        self._rows = {flat[row * width : (row + 1) * width]: row for row in range(len(digests))}
        self._rows.pop(NOT_REMEMBERED, None)

    @classmethod
    def of(cls, previous: Snapshot | None) -> RecordRecall | None:
        """The recall of `previous`, or None when there is none or it keeps no digests (an older format)."""
        digests = previous.record_digests() if previous is not None else None
        if previous is None or digests is None:
            return None
        return cls(previous, digests)

    def article(self, digest: bytes) -> Article | None:
        """The article read from a record with this digest last time, or None when it is new."""
        row = self._rows.get(digest)
        if row is None:
            return None
        previous = self._previous
        entry = previous.entries[row]
        return previous.article(entry.article_id)
