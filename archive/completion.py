"""Shell completion scripts for `archive completion bash|zsh|fish`, made from the parser itself.

bash and zsh come from shtab; fish, which shtab does not write, from the same parser here:
each command, then each command's options, so a new command completes without edits.
"""

from __future__ import annotations

import argparse

import shtab


def script(parser: argparse.ArgumentParser, shell: str) -> str:
    if shell == "fish":
        return _fish(parser)
    text: str = shtab.complete(parser, shell=shell)
    return text


def _fish(parser: argparse.ArgumentParser) -> str:
    prog = parser.prog
    lines = [f"# fish completion for {prog}; install: {prog} completion fish > ~/.config/fish/completions/{prog}.fish"]
    lines.append(f"complete -c {prog} -f")
    lines += _fish_options(prog, parser, "__fish_use_subcommand")
    for name, command, summary in _commands(parser):
        lines.append(f"complete -c {prog} -n __fish_use_subcommand -a {name} -d {_quote(summary)}")
        lines += _fish_options(prog, command, f"'__fish_seen_subcommand_from {name}'")
    return "\n".join(lines) + "\n"


def _commands(parser: argparse.ArgumentParser) -> list[tuple[str, argparse.ArgumentParser, str]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            summaries = {choice.dest: choice.help or "" for choice in action._choices_actions}
            return [(name, command, summaries.get(name, "")) for name, command in action.choices.items()]
    return []


def _fish_options(prog: str, parser: argparse.ArgumentParser, condition: str) -> list[str]:
    lines = []
    for action in parser._actions:
        longs = [o[2:] for o in action.option_strings if o.startswith("--")]
        shorts = [o[1:] for o in action.option_strings if not o.startswith("--")]
        if not longs and not shorts:
            continue
        spec = " ".join([*(f"-l {o}" for o in longs), *(f"-s {o}" for o in shorts)])
        takes = "" if action.nargs == 0 else " -r"
        if action.choices:
            takes += f" -a {_quote(' '.join(map(str, action.choices)))}"
        elif action.type is not None and action.nargs != 0 and "index" in longs:
            takes += " -F"
        lines.append(f"complete -c {prog} -n {condition} {spec}{takes} -d {_quote(action.help or '')}")
    return lines


def _quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
