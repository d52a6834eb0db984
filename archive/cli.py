"""The `archive` command: build, update, watch, ask, search, show, info, verify, tui.

Output for people goes through rich (plain when piped); `--json` prints one orjson
document for scripts. Errors are one `error:` line on stderr, never a traceback; an
`ARCHIVE_*` variable that names no setting is one `warning:` line. Exit statuses:

    0    done (`verify`: the index is sound)
    1    an ArchiveError: no index, a damaged or busy index, a model that will not load ...;
         `verify` found problems
    2    a usage error: bad arguments, or an InvalidRequestError (a bad ARCHIVE_* value,
         k < 1, a folder that does not exist ...)
    130  interrupted
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Callable, Sequence
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import orjson

from archive.errors import ArchiveError, InvalidRequestError
from archive.models import SEARCH_MODES, BuildReport
from archive.settings import Settings, UnknownSettingWarning

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
WATCH_SETTLE_S = 1.0  # archive.watching.WatchOptions.settle_s, without importing the watcher for --help
APPS_GROUP = "archive_qa.apps"


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    command: Callable[[argparse.Namespace], int] = getattr(args, "run", _run_tui)
    try:
        return command(args)
    except InvalidRequestError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ArchiveError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="archive", description="Ask a news archive questions; answers are verbatim, cited sentences."
    )
    parser.add_argument("--index", type=Path, help="index folder (default: $ARCHIVE_INDEX_DIR or ./.archive/index)")
    sub = parser.add_subparsers(metavar="COMMAND")

    build = sub.add_parser("build", help="index article folders from scratch")
    build.add_argument("folders", nargs="+", type=Path)
    build.add_argument("--json", action="store_true", help="print the build report as JSON")
    build.set_defaults(run=_run_build)

    update = sub.add_parser("update", help="re-index only what changed in the folders")
    update.add_argument("folders", nargs="+", type=Path)
    update.add_argument("--json", action="store_true")
    update.set_defaults(run=_run_update)

    watch = sub.add_parser("watch", help="keep the index current: update it whenever the folders change")
    watch.add_argument("folders", nargs="+", type=Path)
    settle_help = f"seconds a changed file must stay unchanged before it is read (default {WATCH_SETTLE_S})"
    watch.add_argument("--settle", type=float, default=WATCH_SETTLE_S, help=settle_help)
    watch.set_defaults(run=_run_watch)

    ask = sub.add_parser("ask", help="answer a question with cited sentences")
    ask.add_argument("question")
    ask.add_argument("-k", "--k", type=int, default=5, help="most citations to show (default 5)")
    _query_options(ask)
    ask.set_defaults(run=_run_ask)

    search = sub.add_parser("search", help="rank passages for a query")
    search.add_argument("query")
    search.add_argument("-k", "--k", type=int, default=10, help="passages to show (default 10)")
    _query_options(search)
    search.set_defaults(run=_run_search)

    show = sub.add_parser("show", help="print one article")
    show.add_argument("article_id")
    show.add_argument("--json", action="store_true")
    show.set_defaults(run=_run_show)

    info = sub.add_parser("info", help="describe the index")
    info.add_argument("--json", action="store_true")
    info.set_defaults(run=_run_info)

    verify = sub.add_parser("verify", help="check the whole index: files, hashes, vectors, citations")
    verify.add_argument("--questions", type=int, default=5, help="questions asked to check citations (default 5)")
    verify.add_argument("--json", action="store_true")
    verify.set_defaults(run=_run_verify)

    tui = sub.add_parser("tui", help="open the terminal app (also: plain `archive`)")
    tui.add_argument("folders", nargs="*", type=Path, help="folders to watch: new articles are indexed as they arrive")
    tui.set_defaults(run=_run_tui)
    return parser


def _query_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--mode", choices=SEARCH_MODES, default="hybrid")
    parser.add_argument("--source", help="only articles from this outlet (case-insensitive)")
    parser.add_argument("--since", type=_iso_date, help="only articles dated on or after YYYY-MM-DD")
    parser.add_argument("--until", type=_iso_date, help="only articles dated on or before YYYY-MM-DD")
    parser.add_argument("--json", action="store_true", help="print one JSON document")


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date in the form YYYY-MM-DD") from None


def _settings(args: argparse.Namespace) -> Settings:
    """Settings from the environment and --index; a misspelt variable is one `warning:` line."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UnknownSettingWarning)
        settings = Settings.from_env(index_dir=args.index)
    for warning in caught:
        print(f"warning: {warning.message}", file=sys.stderr)
    return settings


def _open(args: argparse.Namespace) -> Any:
    """Open the index, building it from the bundled seeds on first use."""
    from archive.api import Archive
    from archive.progress import progress_bar

    settings = _settings(args)
    with progress_bar(f"No index yet: building from {settings.seeds_dir}") as progress:
        return Archive.open_or_build(settings=settings, progress=progress)


def _run_build(args: argparse.Namespace) -> int:
    from archive.api import Archive
    from archive.progress import progress_bar

    with progress_bar("Building") as progress:
        archive = Archive.build(args.folders, settings=_settings(args), progress=progress)
    assert archive.last_report is not None
    return _print_report(archive.last_report, args.json, archive.index_dir)


def _run_update(args: argparse.Namespace) -> int:
    from archive.progress import progress_bar

    archive = _open(args)
    with progress_bar("Updating") as progress:
        report = archive.update(args.folders, progress=progress)
    return _print_report(report, args.json, archive.index_dir)


def _run_watch(args: argparse.Namespace) -> int:
    """Update once, then after every settled change, until Ctrl-C; one line per update."""
    from archive import render
    from archive.api import Archive
    from archive.errors import IndexMissingError
    from archive.progress import progress_bar
    from archive.watching import WatchOptions, watch

    if args.settle < 0:
        raise InvalidRequestError(f"--settle must be 0 or more seconds (got {args.settle}).")
    settings = _settings(args)
    try:
        archive = Archive.open(settings=settings)
        initial = True
    except IndexMissingError:
        with progress_bar("No index yet: building") as progress:
            archive = Archive.build(args.folders, settings=settings, progress=progress)
        initial = False
    folders = ", ".join(str(folder) for folder in args.folders)
    print(f"Watching {folders} (index {archive.index_dir}); Ctrl-C stops.", flush=True)
    try:
        reported: set[str] = set()
        show = partial(render.print_watch_update, reported=reported)
        watch(archive, args.folders, show, WatchOptions(settle_s=args.settle), None, initial)
    except KeyboardInterrupt:
        pass
    print("stopped", file=sys.stderr)
    return EXIT_OK


def _print_report(report: BuildReport, as_json: bool, index_dir: Path) -> int:
    from archive import render

    if as_json:
        _print_json(report)
    else:
        render.print_report(report, index_dir)
    return EXIT_OK


def _run_ask(args: argparse.Namespace) -> int:
    from archive import render

    archive = _open(args)
    answer = archive.ask(
        args.question, k=args.k, source=args.source, since=args.since, until=args.until, mode=args.mode
    )
    if args.json:
        _print_json(answer)
    else:
        render.print_answer(answer)
    return EXIT_OK


def _run_search(args: argparse.Namespace) -> int:
    from archive import render

    archive = _open(args)
    hits = archive.search(args.query, k=args.k, mode=args.mode, source=args.source, since=args.since, until=args.until)
    if args.json:
        _print_json({"query": args.query, "mode": args.mode, "hits": hits})
    else:
        render.print_hits(args.query, hits)
    return EXIT_OK


def _run_show(args: argparse.Namespace) -> int:
    from archive import render

    archive = _open(args)
    article = archive.article(args.article_id)
    if args.json:
        _print_json(article)
    else:
        render.print_article(article, stale=archive.is_stale(args.article_id))
    return EXIT_OK


def _run_info(args: argparse.Namespace) -> int:
    from archive import render
    from archive.api import Archive

    info = Archive.open(settings=_settings(args)).info()
    if args.json:
        _print_json(info)
    else:
        render.print_info(info)
    return EXIT_OK


def _run_verify(args: argparse.Namespace) -> int:
    from archive.verify import verify_index

    report = verify_index(settings=_settings(args), questions=args.questions)
    if args.json:
        _print_json(report)
    elif report.ok:
        checked = ", ".join(f"{value} {name.replace('_', ' ')}" for name, value in report.counts.items())
        print(f"Index {report.index_dir} ({report.generation}) is sound; checked {checked}.")
    else:
        print(f"Index {report.index_dir} has {len(report.problems)} problem(s):")
        for problem in report.problems:
            print(f"problem: {problem}")
        print("Rebuild the index with `archive build FOLDER...` to repair it.")
    return EXIT_OK if report.ok else EXIT_ERROR


def _run_tui(args: argparse.Namespace) -> int:
    return _installed_app("tui")(_settings(args), tuple(getattr(args, "folders", ())))


AppRunner = Callable[[Settings, tuple[Path, ...]], int]  # settings, folders to watch -> exit status


def _installed_app(name: str) -> AppRunner:
    """An app registered in the `archive_qa.apps` entry-point group (the layer above this one)."""
    from importlib.metadata import entry_points

    for entry in entry_points(group=APPS_GROUP, name=name):
        try:
            app: AppRunner = entry.load()
        except ImportError as exc:  # the TUI is optional for scripted use
            raise InvalidRequestError(f"The terminal app is not available: {exc}") from exc
        return app
    raise InvalidRequestError(
        f"The terminal app is not installed (no {name!r} in the {APPS_GROUP!r} entry points); "
        "reinstall archive-qa with `scripts/setup.sh`."
    )


def _print_json(value: object) -> None:
    sys.stdout.buffer.write(orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS) + b"\n")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
