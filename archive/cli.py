"""The `archive` command: init, build, update, watch, ask, search, show, info, verify, config, demo, tui.

Output for people goes through rich (plain when piped); `--json` prints one JSON document
for scripts (archive/jsondoc.py; fields in docs/json-schema.json). The global options
(`--index`, `--json`, `--demo`, `-v`, `-q`) work before or after the command. The index is
found as git finds a repository (archive/discovery.py); settings come from defaults, config
files, the environment and flags (archive/config.py). Errors are one `error:` line on
stderr (a JSON object with `--json`), the traceback only with `-v`. Exit statuses:

    0    done; `ask` also when the archive holds no answer (the answer says so);
         `verify`: the index is sound
    1    an ArchiveError (no index, a damaged or busy index, a model that will not load ...),
         an error from the machine (disk full, permission denied ...); `verify` found problems
    2    a usage error: bad arguments, or an InvalidRequestError (a bad setting, k < 1,
         a folder that does not exist ...)
    130  interrupted
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import logging
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

from archive import commands, jsondoc
from archive.commands import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE
from archive.errors import ArchiveError, InvalidRequestError
from archive.models import SEARCH_MODES
from archive.paths import SEED_QUESTION

WATCH_SETTLE_S = 1.0  # archive.watching.WatchOptions.settle_s, without importing the watcher for --help


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; `argv` None means the process's own arguments: run as the program, a
    command other than the terminal app then ends the process itself (`_exit_now`)."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    # Known before parsing, so that argparse's own usage errors are JSON too.
    _Parser.json_errors = "--json" in arguments or "--jsonl" in arguments
    args = _parser().parse_args(arguments)
    _setup_logging(args.verbose, args.quiet)
    command: Callable[[argparse.Namespace], int] = getattr(args, "run", commands.run_tui)
    program = argv is None  # run as the program: the process is this command's alone
    if program and command not in (commands.run_tui, commands.run_watch):
        _collect_garbage_less_often()
    status = _run(command, args)
    if program and command is not commands.run_tui and "ray" not in sys.modules:
        _exit_now(status)
    return status


def _collect_garbage_less_often() -> None:
    """A young-generation collection every 50,000 allocations instead of 700, for a one-shot command.

    Such a command allocates many objects that live to its end (modules, manifest entries, an
    update's articles) and little cyclic garbage, so the collector's passes find next to nothing:
    155 of them cost a fresh `archive update` of 5,183 articles 85-95 ms (issue 11's budget is
    1.5 s). Cycles are still collected. The terminal app and `archive watch`, which run for hours
    and drop snapshots (open files) as generations are published, keep the default.
    """
    gc.set_threshold(50_000, *gc.get_threshold()[1:])


def _exit_now(status: int) -> NoReturn:
    """End the process without the interpreter's teardown: freeing the model session, numpy's
    thread pools and every module costs a one-shot command 0.2-0.4 s after its work is done.

    Nothing is lost by it: output is flushed here, and an index is written, synced and published
    before a command returns (the state a kill at that moment leaves, which builds are made to
    survive). Not for the terminal app (it restores the terminal on its way out), nor with Ray.
    """
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # a closed pipe (`archive search ... | head`) is no error
            stream.flush()
    os._exit(status)


def _run(command: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    try:
        return command(args)
    except InvalidRequestError as exc:
        return _fail(args, exc, str(exc), EXIT_USAGE)
    except ArchiveError as exc:
        return _fail(args, exc, str(exc), EXIT_ERROR)
    except OSError as exc:
        from archive.failures import describe

        return _fail(args, exc, describe(exc, getattr(args, "index_dir", None)), EXIT_ERROR, jsondoc.SYSTEM)
    except KeyboardInterrupt as exc:
        return _fail(args, exc, "interrupted", EXIT_INTERRUPTED, jsondoc.INTERRUPTED)


def _fail(args: argparse.Namespace, exc: BaseException, message: str, status: int, kind: str | None = None) -> int:
    if args.verbose:
        traceback.print_exception(exc, file=sys.stderr)
    _print_error(message, kind or jsondoc.error_kind(exc), args.json or getattr(args, "jsonl", False))
    return status


def _print_error(message: str, kind: str, as_json: bool) -> None:
    if as_json:
        sys.stderr.buffer.write(jsondoc.dumps(jsondoc.error_document(message, kind), indent=False))
        sys.stderr.flush()
    else:
        print(f"error: {message}", file=sys.stderr)


class _Parser(argparse.ArgumentParser):
    """argparse with usage errors as JSON on stderr when the command line asks for JSON."""

    json_errors = False

    def error(self, message: str) -> NoReturn:
        if not _Parser.json_errors:
            super().error(message)
        _print_error(f"{message} (see `{self.prog} --help`)", jsondoc.USAGE, as_json=True)
        sys.exit(EXIT_USAGE)


def _global_options(top: bool) -> argparse.ArgumentParser:
    """The options every command takes. Commands' copies default to SUPPRESS, so an option
    given before the command is not reset by the command's parser."""
    options = _Parser(add_help=False)
    group = options.add_argument_group("global options (before or after the command)")
    unset: dict[str, Any] = {} if top else {"default": argparse.SUPPRESS}
    flag: dict[str, Any] = {"action": "store_true", **unset}
    group.add_argument("--index", type=Path, metavar="DIR", help="index folder (`archive config` shows which)", **unset)
    group.add_argument("--json", help="print one JSON document (errors too, on stderr)", **flag)
    group.add_argument("--demo", help="use the demo index of the bundled seeds, built on first use", **flag)
    group.add_argument(
        "--ray", metavar="ADDRESS", help="build and serve the shards on this Ray cluster (ARCHIVE_RAY_ADDRESS)", **unset
    )
    verbose: dict[str, Any] = {"default": 0} if top else unset
    group.add_argument("-v", "--verbose", action="count", help="log the steps; tracebacks on errors", **verbose)
    group.add_argument("-q", "--quiet", help="no progress bars or warnings", **flag)
    return options


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="archive",
        description="Ask a news archive questions; answers are verbatim, cited sentences.",
        epilog='example:\n  archive build ~/news && archive ask "Who won the election?"\n\n'
        "With no command, opens the terminal app. `archive COMMAND --help` for each command.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[_global_options(top=True)],
    )
    parser.add_argument("--version", action=_VersionAction)
    sub = parser.add_subparsers(metavar="COMMAND", parser_class=_Parser)
    for add in (
        _add_init,
        _add_build,
        _add_update,
        _add_watch,
        _add_ask,
        _add_search,
        _add_show,
        _add_info,
        _add_verify,
    ):
        add(sub)
    for add in (_add_config, _add_demo, _add_tui, _add_completion):
        add(sub)
    return parser


def _command(sub: Any, name: str, summary: str, example: str) -> argparse.ArgumentParser:
    """A command's parser, with the global options and an example in its --help."""
    command: argparse.ArgumentParser = sub.add_parser(
        name,
        help=summary,
        description=summary[:1].upper() + summary[1:] + ".",
        epilog=f"example:\n  {example}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[_global_options(top=False)],
    )
    return command


def _add_init(sub: Any) -> None:
    init = _command(
        sub,
        "init",
        "make an empty .archive/ folder here for an index",
        "archive init   # in the folder of your articles",
    )
    init.set_defaults(run=commands.run_init)


def _add_build(sub: Any) -> None:
    build = _command(sub, "build", "index article folders from scratch", "archive build ~/news ~/more-news")
    build.add_argument("folders", nargs="+", type=Path, metavar="FOLDER")
    build.add_argument(
        "--shards",
        type=int,
        metavar="N",
        help="split the index into N shards that answer as one (docs/sharding.md); updates keep N",
    )
    _link_option(build)
    build.set_defaults(run=commands.run_build)


def _add_update(sub: Any) -> None:
    update = _command(sub, "update", "re-index only what changed in the folders", "archive update ~/news")
    update.add_argument("folders", nargs="+", type=Path, metavar="FOLDER")
    _link_option(update)
    update.set_defaults(run=commands.run_update)


def _add_watch(sub: Any) -> None:
    watch = _command(
        sub, "watch", "keep the index current: update it whenever the folders change", "archive watch ~/news"
    )
    watch.add_argument("folders", nargs="+", type=Path, metavar="FOLDER")
    settle_help = f"seconds a changed file must stay unchanged before it is read (default {WATCH_SETTLE_S})"
    watch.add_argument("--settle", type=float, default=WATCH_SETTLE_S, help=settle_help)
    _link_option(watch)
    watch.set_defaults(run=commands.run_watch)


def _link_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--follow-links",
        action="store_true",
        help="also read what symbolic links lead to outside the folders given (default: report them as skipped)",
    )


def _add_ask(sub: Any) -> None:
    ask = _command(sub, "ask", "answer a question with cited sentences", 'archive ask "Who won?" --format markdown')
    ask.add_argument("question")
    ask.add_argument(
        "-k",
        "--k",
        type=int,
        default=5,
        help="most citations, or closest passages when there is no answer, to show (default 5)",
    )
    ask.add_argument("--format", choices=("text", "markdown"), default="text", help="text (default) or markdown")
    _query_options(ask)
    ask.set_defaults(run=commands.run_ask)


def _add_search(sub: Any) -> None:
    search = _command(sub, "search", "rank passages for a query", 'archive search "Naqoura talks" --jsonl | head -3')
    search.add_argument("query")
    search.add_argument("-k", "--k", type=int, default=10, help="passages to show (default 10)")
    search.add_argument("--jsonl", action="store_true", help="one JSON object a line, one hit each")
    _query_options(search)
    search.set_defaults(run=commands.run_search)


def _query_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--mode", choices=SEARCH_MODES, default="hybrid")
    parser.add_argument("--source", help="only articles from this outlet (case-insensitive)")
    parser.add_argument("--since", type=_iso_date, help="only articles dated on or after YYYY-MM-DD")
    parser.add_argument("--until", type=_iso_date, help="only articles dated on or before YYYY-MM-DD")


def _add_show(sub: Any) -> None:
    show = _command(sub, "show", "print one article", "archive show 000_34248013aabff9bc")
    show.add_argument("article_id")
    show.set_defaults(run=commands.run_show)


def _add_info(sub: Any) -> None:
    _command(sub, "info", "describe the index", "archive info --json").set_defaults(run=commands.run_info)


def _add_verify(sub: Any) -> None:
    verify = _command(sub, "verify", "check the whole index: files, hashes, vectors, citations", "archive verify")
    verify.add_argument("--questions", type=int, default=5, help="questions asked to check citations (default 5)")
    verify.set_defaults(run=commands.run_verify)


def _add_config(sub: Any) -> None:
    _command(sub, "config", "print the effective settings and where each came from", "archive config").set_defaults(
        run=commands.run_config
    )


def _add_demo(sub: Any) -> None:
    demo = _command(sub, "demo", "ask the bundled sample articles (indexed on first use)", "archive demo")
    demo.add_argument("question", nargs="?", default=SEED_QUESTION, help="default: the seed question")
    demo.set_defaults(
        run=commands.run_demo, demo=True, k=5, format="text", mode="hybrid", source=None, since=None, until=None
    )


def _add_tui(sub: Any) -> None:
    tui = _command(sub, "tui", "open the terminal app (also: plain `archive`)", "archive tui ~/news   # and watch it")
    tui.add_argument("folders", nargs="*", type=Path, help="folders to watch: new articles are indexed as they arrive")
    tui.set_defaults(run=commands.run_tui)


def _add_completion(sub: Any) -> None:
    completion = _command(
        sub, "completion", "print a shell completion script", "archive completion bash > ~/.bash_completion.d/archive"
    )
    completion.add_argument("shell", choices=("bash", "zsh", "fish"))
    completion.set_defaults(run=_run_completion)


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date in the form YYYY-MM-DD") from None


class _VersionAction(argparse.Action):
    """`--version`: the installed version, looked up only when asked (importing importlib.metadata
    for every command cost a one-shot `archive update` or `ask` 30-70 ms)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **_: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help="show the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        print(f"{parser.prog} {_version()}")
        parser.exit()


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("archive-qa")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def _setup_logging(verbose: int, quiet: bool) -> None:
    """Silent by default; -v shows what the build does, -vv everything."""
    if verbose and not quiet:
        logging.basicConfig(format="%(name)s: %(message)s", stream=sys.stderr)
        level = logging.INFO if verbose == 1 else logging.DEBUG
        for name in ("archive", "index", "tui"):
            logging.getLogger(name).setLevel(level)


def _run_completion(args: argparse.Namespace) -> int:
    from archive.completion import script

    sys.stdout.write(script(_parser(), args.shell))
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
