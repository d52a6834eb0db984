"""Pure helpers for the speed benchmark: percentiles, timing summaries, Markdown output.

Nothing here touches the index or the clock, so every function is unit-tested
(tests/unit/test_bench_helpers.py).
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Iterable, Sequence

SECTION = "## Speed and memory"
# Everything after this line inside the section is hand-written and survives a regeneration.
NOTES_MARKER = "<!-- notes below are hand-written; bench.speed keeps them -->"


def percentile(values: Sequence[float], q: float) -> float:
    """The q-quantile (0 <= q <= 1) by linear interpolation between closest ranks (numpy's default)."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"quantile {q} is outside [0, 1]")
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    fraction = position - low
    return ordered[low] + (ordered[high] - ordered[low]) * fraction


def latency(seconds: Sequence[float]) -> dict[str, float]:
    """p50 / p95 / mean / max in milliseconds, and the sample count."""
    return {
        "n": float(len(seconds)),
        "p50_ms": 1000.0 * percentile(seconds, 0.5),
        "p95_ms": 1000.0 * percentile(seconds, 0.95),
        "mean_ms": 1000.0 * statistics.fmean(seconds),
        "max_ms": 1000.0 * max(seconds),
    }


def median(values: Iterable[float]) -> float:
    return float(statistics.median(list(values)))


def ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else math.inf


def rotated(items: Sequence[str], shift: int) -> list[str]:
    """`items` rotated left by `shift`, so side-by-side variants take turns going first."""
    if not items:
        return []
    shift %= len(items)
    return list(items[shift:]) + list(items[:shift])


def overlap(first: Sequence[int], second: Sequence[int], depth: int) -> float:
    """Share of the top `depth` of `first` that is also in the top `depth` of `second`."""
    a, b = list(first[:depth]), set(second[:depth])
    if not a:
        return 1.0 if not b else 0.0
    return sum(1 for item in a if item in b) / len(a)


def human_bytes(size: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(size) < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


def fmt(value: float | None, digits: int = 1) -> str:
    """A number for a table cell; missing values print as an en dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if math.isinf(value):
        return "∞"
    return f"{value:,.{digits}f}"


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A GitHub Markdown table; every row must have as many cells as there are headers."""
    for row in rows:
        if len(row) != len(headers):
            raise ValueError(f"row {list(row)} has {len(row)} cells, expected {len(headers)}")
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def replace_section(document: str, body: str, heading: str = SECTION) -> str:
    """`document` with the section under `heading` (up to the next heading of the same or a higher
    level) replaced by `body`; the section is appended when absent. Other sections are kept verbatim,
    and so is the tail of the old section from NOTES_MARKER on (hand-written notes)."""
    level = len(heading) - len(heading.lstrip("#"))
    section = f"{heading}\n\n{body.strip()}\n"
    lines = document.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.rstrip() == heading), None)
    if start is None:
        prefix = document.rstrip("\n")
        return (prefix + "\n\n" if prefix else "") + section
    end = len(lines)
    in_fence = False
    for i in range(start + 1, len(lines)):
        if lines[i].startswith("```"):
            in_fence = not in_fence
        match = re.match(r"(#+) ", lines[i])
        if not in_fence and match and len(match.group(1)) <= level:
            end = i
            break
    old_section = "".join(lines[start:end])
    if NOTES_MARKER in old_section and NOTES_MARKER not in body:
        notes = old_section[old_section.index(NOTES_MARKER) :].strip()
        section = f"{heading}\n\n{body.strip()}\n\n{notes}\n"
    before = "".join(lines[:start])
    after = "".join(lines[end:])
    return before + section + ("\n" + after if after else "")
