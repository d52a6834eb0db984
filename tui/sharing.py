"""Taking a citation or an answer out of the app: copy (`y`), save as Markdown (`e`), open the URL (`u`).

Shared by the main screen and the reader. Copying goes through Textual's clipboard (OSC 52:
the terminal puts the text on the system clipboard, over SSH too). Saving writes into the
export folder (the `export_dir` setting) under a safe name (archive/exports.py). The URL is
looked up and handed to the `webbrowser` module in a thread, since a browser may take a
while to start; an article with no URL gets a notice instead.
"""

from __future__ import annotations

import webbrowser
from typing import Any

from textual.app import App

from archive.api import Archive
from archive.discovery import export_dir
from archive.errors import ArchiveError
from archive.exports import export_answer
from archive.models import Answer, Citation, Hit
from tui import text

NOTHING_SELECTED = "Nothing is selected: ask a question, then move to a citation (j / k)."


def copy_target(app: App[Any], target: Citation | Hit | None) -> None:
    if target is None:
        app.notify(NOTHING_SELECTED, title="Nothing to copy", severity="warning")
        return
    copied = text.citation_text(target)
    app.copy_to_clipboard(copied)
    app.notify(copied if len(copied) <= 200 else copied[:199] + "…", title="Copied to the clipboard")


def save_answer(app: App[Any], archive: Archive | None, answer: Answer | None, setting: str) -> None:
    """Write the answer on screen as Markdown and say where; a failure is a notice, not a crash."""
    if archive is None or answer is None:
        app.notify("There is no answer on screen to save yet.", title="Nothing to save", severity="warning")
        return
    try:
        ids = {c.article_id for c in answer.citations} | {h.article_id for h in answer.hits}
        urls = {article_id: archive.article(article_id).url for article_id in ids}
        path = export_answer(answer, urls, export_dir(setting))
    except (ArchiveError, OSError) as exc:
        app.notify(f"The answer was not saved: {exc}", title="Not saved", severity="error", timeout=10)
        return
    app.notify(f"Saved to {path}", title="Answer saved as Markdown", timeout=10)


def open_url(app: App[Any], archive: Archive | None, target: Citation | Hit | None) -> None:
    """Look up the target's article URL and open it in the browser (call from a thread worker)."""
    if archive is None or target is None:
        app.call_from_thread(app.notify, NOTHING_SELECTED, title="No article selected", severity="warning")
        return
    try:
        url = archive.article(target.article_id).url
    except ArchiveError as exc:
        app.call_from_thread(app.notify, str(exc), title="Article not found", severity="error")
        return
    if not url:
        message = f"“{target.title or target.article_id}” has no URL in the archive (its file gave none)."
        app.call_from_thread(app.notify, message, title="No URL", severity="warning")
        return
    opened = webbrowser.open(url)
    note = f"Opened {url}" if opened else f"No browser could be started; the URL is {url}"
    app.call_from_thread(app.notify, note, title="Article URL", severity="information" if opened else "warning")
