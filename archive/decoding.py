"""From a file's bytes to text: binary sniffing, byte-order marks, UTF-8 with a
Windows-1252 fallback, line ends, JSON and JSON Lines parsing (front matter is
`archive.front_matter`).

This is the syntax of the input files; what the fields mean is `archive.metadata`.
Nothing here raises for bad input: problems come back as strings (`Decoded.error`,
`Line.error`) so the readers can turn them into `FileProblem`s.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import orjson

# Binary sniffing looks at this many leading bytes only, so it is cheap on any file.
SNIFF_BYTES = 8192

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"PK\x05\x06", "ZIP archive"),
    (b"\x1f\x8b", "gzip archive"),
)

# UTF-32 first: its little-endian mark begins with the UTF-16 one.
_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)


def _latin1_for_undefined(exc: UnicodeError) -> tuple[str, int]:
    # cp1252 leaves five bytes undefined; browsers map them to the same-numbered
    # control characters, which is what Latin-1 does.
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return exc.object[exc.start : exc.end].decode("latin-1"), exc.end


_FALLBACK = "archive-cp1252-latin1"
codecs.register_error(_FALLBACK, _latin1_for_undefined)


@dataclass(frozen=True)
class Decoded:
    """Decoded text, or `error` saying why there is none; `warning` is a caveat."""

    text: str = ""
    warning: str = ""
    error: str = ""


@dataclass(frozen=True)
class Line:
    """One line of a line-oriented file: 1-based `number`, text without its newline."""

    number: int  # 0 for a problem with the whole file
    text: str = ""
    warning: str = ""
    error: str = ""


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR become LF, so every reader and citation sees one line end."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def bom_of(head: bytes) -> tuple[int, str, str] | None:
    """(length, codec, display name) of a leading byte-order mark, if any."""
    for mark, codec, name in _BOMS:
        if head.startswith(mark):
            return len(mark), codec, name
    return None


def binary_kind(head: bytes) -> str:
    """What kind of binary file `head` starts, or "" when it may be text."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    bom = bom_of(head)
    wide = bom is not None and bom[2] != "UTF-8"  # UTF-16/32 text is full of NUL bytes
    if not wide and b"\x00" in head[:SNIFF_BYTES]:
        return "contains NUL bytes"
    return ""


def decode_utf8(data: bytes, base_offset: int = 0) -> Decoded:
    """UTF-8, else Windows-1252 with a warning giving the first bad byte's file offset."""
    try:
        return Decoded(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        warning = f"not valid UTF-8 (first bad byte at offset {base_offset + exc.start}); decoded as Windows-1252"
        return Decoded(data.decode("cp1252", errors=_FALLBACK), warning=warning)


def decode(data: bytes) -> Decoded:
    """A whole file's bytes to text with normalised line ends (see the module docstring)."""
    kind = binary_kind(data)
    if kind:
        return Decoded(error=f"binary file ({kind}), not text")
    bom = bom_of(data)
    if bom is None or bom[2] == "UTF-8":
        size = bom[0] if bom else 0
        decoded = decode_utf8(data[size:], size)
    else:
        size, codec, name = bom
        try:
            decoded = Decoded(data[size:].decode(codec))
        except UnicodeDecodeError as exc:
            return Decoded(error=f"not valid {name} (bad bytes at offset {size + exc.start}) despite its BOM")
    return Decoded(normalise_newlines(decoded.text), warning=decoded.warning)


def size_problem(size: int, limit: int) -> str:
    return f"file is {size:,} bytes, over the limit of {limit:,} bytes"


def read_problem(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "cannot read: permission denied"
    return f"cannot read: {exc.strerror or exc}"


def read_bytes(path: Path, limit: int) -> tuple[bytes, str]:
    """The file's bytes, or (b"", reason) when it is over `limit` bytes or unreadable.

    The size is checked before reading, and at most `limit + 1` bytes are read in
    case the file grows meanwhile, so an oversized file never fills memory.
    """
    try:
        with path.open("rb") as stream:
            size = os.fstat(stream.fileno()).st_size
            if size > limit:
                return b"", size_problem(size, limit)
            data = stream.read(limit + 1)
    except OSError as exc:
        return b"", read_problem(exc)
    if len(data) > limit:
        return b"", size_problem(len(data), limit)
    return data, ""


def stream_lines(stream: BinaryIO, limit: int) -> Iterator[Line]:
    """Decode a UTF-8 stream line by line, holding at most `limit + 1` bytes at a time.

    A line over `limit` bytes is skipped (the rest of it read in chunks and dropped)
    and reported as an error `Line`; a leading UTF-8 BOM is dropped.
    """
    offset = 0
    number = 0
    while raw := stream.readline(limit + 1):
        number += 1
        start = offset
        offset += len(raw)
        if len(raw) > limit and not raw.endswith(b"\n"):
            while (chunk := stream.readline(1 << 20)) and not chunk.endswith(b"\n"):
                offset += len(chunk)
            offset += len(chunk)
            yield Line(number, error=f"line is over the limit of {limit:,} bytes; skipped")
            continue
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
            start += len(codecs.BOM_UTF8)
        decoded = decode_utf8(raw, start)
        yield Line(number, decoded.text.rstrip("\r\n"), warning=decoded.warning)


def text_lines(text: str) -> Iterator[Line]:
    """Lines of already decoded text, as `Line`s (for files read whole)."""
    for number, line in enumerate(text.split("\n"), start=1):
        yield Line(number, line)


def file_lines(path: Path, line_limit: int, file_limit: int) -> Iterator[Line]:
    """Lines of a line-oriented file: streamed when UTF-8, decoded whole when UTF-16/32.

    A problem with the whole file (binary, over `file_limit`) is one error `Line` 0.
    """
    with path.open("rb") as stream:
        head = stream.read(SNIFF_BYTES)
        kind = binary_kind(head)
        bom = bom_of(head)
        if kind:
            yield Line(0, error=f"binary file ({kind}), not text")
        elif bom is not None and bom[2] != "UTF-8":  # UTF-16/32 cannot be split on b"\n"
            data, problem = read_bytes(path, file_limit)
            decoded = decode(data) if not problem else Decoded(error=problem)
            yield from text_lines(decoded.text) if not decoded.error else [Line(0, error=decoded.error)]
        else:
            stream.seek(0)
            yield from stream_lines(stream, line_limit)


def load_json(text: str) -> tuple[object, str, int | None]:
    """(value, "", None) for valid JSON, else (None, the parser's message, its line)."""
    try:
        return orjson.loads(text), "", None
    except orjson.JSONDecodeError as exc:
        return None, f"invalid JSON: {exc.msg} (column {exc.colno})", exc.lineno
