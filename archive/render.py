"""Plain-terminal rendering of answers, hits, articles and reports for the CLI (rich markup)."""

from __future__ import annotations

import sys
import textwrap
import time
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape

from archive.models import Answer, Article, BuildReport, Citation, Hit, IndexInfo, shown_value
from archive.plain import report_lines

if TYPE_CHECKING:
    from archive.watching import WatchUpdate

# Piped output is never wrapped or cropped: a citation must stay verbatim for whoever reads it.
console = Console(highlight=False, soft_wrap=not sys.stdout.isatty())


def _byline(title: str, source: str, when: object, article_id: str) -> str:
    """Title (left out when empty), outlet, date and id, joined by " · "."""
    parts = [f"[bold]{escape(title)}[/]"] if title else []
    parts.append(escape(source) if source else "[dim]outlet unknown[/]")
    parts.append(str(when) if when else "[dim]date unknown[/]")
    parts.append(f"[cyan]{escape(article_id)}[/]")
    return " · ".join(parts)


def print_answer(answer: Answer) -> None:
    console.print(f"[bold]Q:[/] {escape(answer.question)}")
    if answer.note:
        console.print(f"[yellow]{escape(answer.note)}[/]")
    if answer.answered:
        if answer.conflict:
            figures = " vs ".join(
                f"[bold]{escape(shown_value(c.value))}[/] "
                f"({len(c.citations)} sentence{'s' if len(c.citations) > 1 else ''})"
                for c in answer.claims
                if c.value
            )
            console.print(f"[bold red]Sources disagree:[/] {figures}")
        for number, citation in enumerate(answer.citations, start=1):
            _print_citation(number, citation, answer)
        if answer.dated:
            console.print(f"\n[dim]{escape(answer.dated)}[/]")
    else:
        for hit in answer.hits:
            _print_hit(hit)
    if answer.searched:  # an empty question was never searched: no mode, confidence or time to tell
        console.print(f"[dim]{answer.mode}, confidence {answer.confidence:.2f}, {answer.seconds * 1000:.0f} ms[/]")


def _print_citation(number: int, citation: Citation, answer: Answer) -> None:
    claim = answer.claims[citation.claim] if citation.claim < len(answer.claims) else None
    # A sentence grouped with a claim by similarity alone states no figure: label only what it says.
    stated = answer.conflict and claim is not None and claim.value in citation.values
    tag = f" [red](says {escape(shown_value(claim.value))})[/]" if stated and claim is not None else ""
    console.print(f"\n[bold green][{number}][/]{tag} {escape(citation.sentence)}")
    console.print(
        f"    {_byline(citation.title, citation.source, citation.date, citation.article_id)}"
        f" · sentence {citation.position + 1}, chars {citation.start}-{citation.end} · score {citation.score:.3f}"
    )
    if citation.copies:
        console.print(f"    [dim]also printed as: {escape(', '.join(citation.copies))}[/]")


def _print_hit(hit: Hit) -> None:
    console.print(f"\n[bold]#{hit.rank}[/] {_byline(hit.title, hit.source, hit.date, hit.article_id)}")
    console.print(f"    chars {hit.start}-{hit.end} · score {hit.score:.4f}")
    console.print(textwrap.indent(escape(hit.text), "    "))  # every line: a passage spans paragraphs


def print_hits(query: str, hits: list[Hit]) -> None:
    console.print(f"[bold]Search:[/] {escape(query)}")
    if not query.strip():
        console.print("[yellow]The query is empty: type some words to search for.[/]")
    elif not hits:
        console.print("[yellow]No passage matches.[/]")
    for hit in hits:
        _print_hit(hit)


def print_article(article: Article, stale: bool = False) -> None:
    console.print(f"[bold]{escape(article.title)}[/]")
    if article.subtitle:
        console.print(f"[italic]{escape(article.subtitle)}[/]")
    console.print(_byline("", article.source, article.date, article.article_id))
    if stale:
        console.print("[yellow]The source file changed or vanished since indexing; this is the indexed text.[/]")
    console.print()
    console.print(escape(article.text))


def print_report(report: BuildReport, index_dir: Path) -> None:
    for label, colour, text in report_lines(report, index_dir):
        console.print(f"[{colour}]{escape(label)}[/] {escape(text)}" if label else escape(text))


def print_watch_update(update: WatchUpdate, reported: set[str]) -> None:
    """One line per update that changed something or failed; each problem once (kept in `reported`)."""
    stamp = time.strftime("%H:%M:%S")
    report = update.report
    if report is None:
        console.print(f"{stamp} [red]update failed:[/] {escape(update.error)}")
        return
    if update.changed_anything:
        console.print(
            f"{stamp} added {len(report.added)}, changed {len(report.changed)}, removed {len(report.removed)} "
            f"· {report.articles} articles · {update.seconds:.1f} s"
        )
    for problem in report.failed:
        if str(problem) not in reported:
            reported.add(str(problem))
            console.print(f"{stamp} [red]not indexed:[/] {escape(str(problem))}")


def print_info(info: IndexInfo) -> None:
    console.print(f"Index {escape(info.path)} (schema {info.schema_version}, archive-qa {info.package_version})")
    console.print(f"{info.articles} articles, {info.passages} passages, {info.sentences} sentences")
    console.print(f"built {info.built_at} with {escape(info.model)}")
    console.print(f"sources: {escape(', '.join(info.sources)) or '(none recorded)'}")
    console.print(f"sentences split with {escape(info.splitter)}")
    if info.index_splitter and not info.splitter.endswith(f"({info.index_splitter})"):
        console.print(
            f"this index was split with {escape(info.index_splitter)}: the next build or update re-splits every article"
        )


def print_user_files(files: dict[str, Path]) -> None:
    """The terminal app's files (archive/commands.py `user_files`), one line each."""
    keymap = files["keymap_file"]
    console.print(f"app history and theme: {escape(str(files['state_file']))}")
    console.print(f"app keymap: {escape(str(keymap))}" + ("" if keymap.exists() else " (absent: the default keys)"))
    console.print(f"answers saved by the app to: {escape(str(files['export_dir']))}")


def answer_markdown(answer: Answer, urls: dict[str, str]) -> str:
    """The answer as Markdown: the cited sentences numbered [n], then a numbered source list
    with title, outlet, date and URL (`urls`: article id to URL, "" when unknown)."""
    lines = [f"**Q:** {answer.question}", ""]
    if not answer.answered:
        lines.append(f"*The archive holds no answer.* {answer.note}".rstrip())
        lines.append("")
        for hit in answer.hits:
            lines.append(f"- {_md_source(hit.title, hit.source, hit.date, urls.get(hit.article_id, ''))}")
        return "\n".join(lines).rstrip() + "\n"
    for number, citation in enumerate(answer.citations, start=1):
        lines += [f"> {citation.sentence} [{number}]", ""]
    if answer.dated:
        lines += [f"*{answer.dated}*", ""]
    lines.append("**Sources**")
    lines.append("")
    for number, citation in enumerate(answer.citations, start=1):
        where = f"`{citation.article_id}`, sentence {citation.position + 1}"
        source = _md_source(citation.title, citation.source, citation.date, urls.get(citation.article_id, ""))
        lines.append(f"{number}. {source} · {where}")
    return "\n".join(lines) + "\n"


def _md_source(title: str, source: str, when: object, url: str) -> str:
    parts = [f"*{title}*", source or "outlet unknown", str(when) if when else "date unknown"]
    if url:
        parts.append(f"<{url}>")
    return " · ".join(parts)
