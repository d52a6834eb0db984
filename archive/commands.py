"""What each `archive` command does, once archive/cli.py has parsed its arguments.

Each `run_*` takes the parsed arguments and returns the exit status (archive/cli.py lists
them); errors are raised and worded by `cli.main`.
"""

from __future__ import annotations

import argparse
import logging
import sys
import warnings
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from archive import config, discovery, jsondoc
from archive.errors import ArchiveError, IndexMissingError, InvalidRequestError
from archive.models import BuildReport
from archive.settings import Settings, UnknownSettingWarning

if TYPE_CHECKING:
    from archive.api import Archive

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
APPS_GROUP = "archive_qa.apps"
log = logging.getLogger("archive")


# ----- settings and opening ---------------------------------------------------------------


def _effective(args: argparse.Namespace, *, writing: bool = False) -> config.Effective:
    """The settings for this command; warnings (a misspelt variable or key) are one line each."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UnknownSettingWarning)
        flags = {"follow_links": True if getattr(args, "follow_links", False) else None}
        effective = config.load(args.index, writing=writing, demo=args.demo, flags=flags, ray_flag=args.ray)
    if not args.quiet:
        for warning in caught:
            print(f"warning: {warning.message}", file=sys.stderr)
    args.index_dir = effective.settings.index_dir  # for the error messages in main
    log.info("index %s (%s)", effective.settings.index_dir, effective.origins["index_dir"])
    return effective


def _settings(args: argparse.Namespace, *, writing: bool = False) -> Settings:
    return _effective(args, writing=writing).settings


def _open(args: argparse.Namespace) -> Archive:
    """Open the index; the demo one is built from the bundled seeds on first use, no other is."""
    from archive.api import Archive
    from archive.progress import progress_bar

    effective = _effective(args)
    settings = effective.settings
    if args.demo:
        with progress_bar(f"Building the demo index from {settings.seeds_dir}", args.quiet) as progress:
            return Archive.open_or_build(settings=settings, progress=progress)
    try:
        return Archive.open(settings=settings)
    except IndexMissingError as exc:
        raise _no_index(effective) or exc from None


def _no_index(effective: config.Effective) -> IndexMissingError | None:
    """A message that says where the search for an index looked, when it found none."""
    if effective.origins["index_dir"] != "per-user default":
        return None  # the layer's own message names the folder that was chosen
    return IndexMissingError(
        f"No index found: {discovery.searched(Path.cwd())}. Run `archive build FOLDER...` to index your "
        "articles here, or `archive demo` to try the bundled sample articles."
    )


def _require_index(effective: config.Effective, *, named_may_be_missing: bool = False) -> Settings:
    """The settings, once an index is known to exist where they point (damage is left to the caller).
    `named_may_be_missing`: a folder named by flag, variable or .archive/ may lack an index (verify
    reports that as a problem of its own)."""
    from index import layout

    try:
        layout.current_top(effective.settings.index_dir)
    except IndexMissingError as exc:
        found_none = _no_index(effective)
        if found_none is not None:
            raise found_none from None
        if not named_may_be_missing:
            raise exc from None
    except ArchiveError:
        pass  # a damaged index: `verify` reports it, the app explains it
    return effective.settings


def run_init(args: argparse.Namespace) -> int:
    folder = args.index or Path.cwd() / discovery.ARCHIVE_FOLDER / discovery.INDEX_FOLDER
    created = not folder.is_dir()
    folder.mkdir(parents=True, exist_ok=True)
    args.index_dir = folder
    if args.json:
        _print_json({"index_dir": str(folder.resolve()), "created": created})
    elif not args.quiet:
        state = "Made an empty index folder" if created else "There is already an index folder"
        print(f"{state} at {folder}; index articles into it with `archive build FOLDER...`.")
    return EXIT_OK


def run_build(args: argparse.Namespace) -> int:
    from archive.api import Archive
    from archive.progress import progress_bar

    settings = _settings(args, writing=True)
    with progress_bar("Building", args.quiet) as progress:
        archive = Archive.build(args.folders, settings=settings, progress=progress, shards=args.shards)
    assert archive.last_report is not None
    return _print_report(archive.last_report, args, archive.index_dir)


def run_update(args: argparse.Namespace) -> int:
    from archive.api import Archive
    from archive.progress import progress_bar

    settings = _settings(args, writing=True)
    with progress_bar("Updating", args.quiet) as progress:
        try:
            archive = Archive.open(settings=settings)
        except IndexMissingError:  # nothing to update yet: the folders make the first index
            archive = Archive.build(args.folders, settings=settings, progress=progress)
            report = archive.last_report
        else:
            report = archive.update(args.folders, progress=progress)
    assert report is not None
    return _print_report(report, args, archive.index_dir)


def run_watch(args: argparse.Namespace) -> int:
    """Update once, then after every settled change, until Ctrl-C; one line per update."""
    from archive import render
    from archive.api import Archive
    from archive.progress import progress_bar
    from archive.watching import WatchOptions, watch

    if args.settle < 0:
        raise InvalidRequestError(f"--settle must be 0 or more seconds (got {args.settle}).")
    settings = _settings(args, writing=True)
    try:
        archive = Archive.open(settings=settings)
        initial = True
    except IndexMissingError:
        with progress_bar("No index yet: building", args.quiet) as progress:
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


def _print_report(report: BuildReport, args: argparse.Namespace, index_dir: Path) -> int:
    from archive import plain

    if args.json:
        _print_json(report, index_dir=str(index_dir))
    elif not plain.maybe_terminal(sys.stdout):
        plain.print_report(report, index_dir)  # what rich would print here, without importing it
    else:
        from archive import render

        render.print_report(report, index_dir)
    return EXIT_OK


def run_ask(args: argparse.Namespace) -> int:
    from archive import render

    archive = _open(args)
    answer = archive.ask(
        args.question, k=args.k, source=args.source, since=args.since, until=args.until, mode=args.mode
    )
    if args.json:
        _print_json(answer)
    elif args.format == "markdown":
        urls = {c.article_id: archive.article(c.article_id).url for c in answer.citations}
        sys.stdout.write(render.answer_markdown(answer, urls))
    else:
        render.print_answer(answer)
    return EXIT_OK


def run_demo(args: argparse.Namespace) -> int:
    return run_ask(args)


def run_search(args: argparse.Namespace) -> int:
    from archive import render

    archive = _open(args)
    hits = archive.search(args.query, k=args.k, mode=args.mode, source=args.source, since=args.since, until=args.until)
    if args.jsonl:
        for hit in hits:  # one line each, flushed, so a reader can stop early
            sys.stdout.buffer.write(jsondoc.dumps(jsondoc.document(hit), indent=False))
            sys.stdout.flush()
    elif args.json:
        _print_json({"query": args.query, "mode": args.mode, "hits": hits})
    else:
        render.print_hits(args.query, hits)
    return EXIT_OK


def run_show(args: argparse.Namespace) -> int:
    from archive import render

    archive = _open(args)
    article = archive.article(args.article_id)
    if args.json:
        _print_json(article)
    else:
        render.print_article(article, stale=archive.is_stale(args.article_id))
    return EXIT_OK


def run_info(args: argparse.Namespace) -> int:
    from archive import render

    archive = _open(args)
    info = archive.info()
    files = user_files(archive.settings)
    if args.json:
        _print_json(info, user_files={name: str(path) for name, path in files.items()})
    else:
        render.print_info(info)
        render.print_user_files(files)
    return EXIT_OK


def user_files(settings: Settings) -> dict[str, Path]:
    """Where the terminal app keeps its files for these settings (shown by `archive info`)."""
    return {
        "state_file": discovery.state_dir(settings.state_dir) / discovery.STATE_FILE,
        "keymap_file": discovery.keymap_file(),
        "export_dir": discovery.export_dir(settings.export_dir),
    }


def run_verify(args: argparse.Namespace) -> int:
    from archive.verify import verify_index

    settings = _require_index(_effective(args), named_may_be_missing=True)
    report = verify_index(settings=settings, questions=args.questions)
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


def run_config(args: argparse.Namespace) -> int:
    effective = _effective(args)
    settings: dict[str, dict[str, object]] = {
        name: {"value": str(value) if isinstance(value, Path) else value, "origin": effective.origins[name]}
        for name, value in vars(effective.settings).items()
    }
    for name, resolved in _what_empty_means().items():
        if settings[name]["value"] == "":
            settings[name]["resolved"] = resolved
    if args.json:
        _print_json({"settings": settings, "files": [str(path) for path in effective.files]})
        return EXIT_OK
    width = max(len(name) for name in settings)
    for name, entry in settings.items():
        shown = str(entry["value"]) if entry["value"] != "" else f'"" ({entry.get("resolved", "unset")})'
        print(f"{name:<{width}}  {shown:<24}  {entry['origin']}")
    print(f"config files: {', '.join(str(p) for p in effective.files) or 'none'} (user: {config.user_config_file()})")
    return EXIT_OK


def _what_empty_means() -> dict[str, str]:
    """What an empty setting stands for: the model, folder or cluster used when none is set."""
    from index.embedder import default_model_path
    from index.errors import ModelError
    from index.onnx_export import default_cache_dir

    try:
        model = str(default_model_path())
    except ModelError as exc:  # the bundled model's package is missing
        model = f"missing: {exc}"
    return {
        "model": model,
        "onnx_cache": str(default_cache_dir()),
        "state_dir": str(discovery.state_dir()),
        "export_dir": str(discovery.export_dir()),
        "ray_address": "none: everything runs in this process",
    }


def run_tui(args: argparse.Namespace) -> int:
    effective = _effective(args)
    # Said here, before the window opens, when there is no index (the demo one is built in the app).
    settings = effective.settings if args.demo else _require_index(effective)
    return _installed_app("tui")(settings, tuple(getattr(args, "folders", ())), build=args.demo)


def _installed_app(name: str) -> Callable[..., int]:
    """An app registered in the `archive_qa.apps` entry-point group (the layer above this one)."""
    from importlib.metadata import entry_points

    for entry in entry_points(group=APPS_GROUP, name=name):
        try:
            app: Callable[..., int] = entry.load()
        except ImportError as exc:  # the TUI is optional for scripted use
            raise InvalidRequestError(f"The terminal app is not available: {exc}") from exc
        return app
    raise InvalidRequestError(
        f"The terminal app is not installed (no {name!r} in the {APPS_GROUP!r} entry points); "
        "reinstall archive-qa with `scripts/setup.sh`."
    )


def _print_json(value: object, **extra: object) -> None:
    sys.stdout.buffer.write(jsondoc.dumps(jsondoc.document(value, **extra)))
    sys.stdout.flush()
