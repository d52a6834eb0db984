"""The effective settings of one command, and where each value came from.

Sources, each overriding the ones before it:

    default                      the Settings class (archive/settings.py)
    user config file             <user config folder>/archive.toml (~/.config/archive-qa/archive.toml)
    index config file            INDEX_DIR/archive.toml, beside the index it configures
    environment                  ARCHIVE_<NAME>
    flag                         --index, --follow-links, --ray

A config file holds `name = value` lines with the settings' own names (`batch_size = 32`);
a relative path in one is taken from the file's folder. A bad value stops the command with
the file and key named (InvalidRequestError); an unknown key is an UnknownSettingWarning that
names the closest setting, as an unknown `ARCHIVE_*` variable is. The index folder itself
is found by archive/discovery.py; the user file's `index_dir` takes part in that search.
"""

from __future__ import annotations

import os
import tomllib
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from archive import discovery
from archive.errors import InvalidRequestError
from archive.settings import (
    Settings,
    UnknownSettingWarning,
    check_value,
    closest,
    environment_values,
    is_path,
    names,
    variable,
    warn_unknown,
)

CONFIG_FILE = "archive.toml"


@dataclass(frozen=True)
class Effective:
    """Settings with the origin of every value: `origins[name]` is "default" or where it was set."""

    settings: Settings
    origins: dict[str, str]
    files: tuple[Path, ...] = field(default=())  # config files that were read


def user_config_file() -> Path:
    return discovery.user_config_dir() / CONFIG_FILE


def load(
    index_flag: Path | None = None,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    *,
    writing: bool = False,
    demo: bool = False,
    flags: Mapping[str, object] | None = None,
    ray_flag: str | None = None,
) -> Effective:
    """The settings a command runs with. `writing`: the command may create the index;
    `demo`: the index is the demo one (--index still wins), built from the seeds; `flags`:
    settings given on the command line (name -> value; None: not given), over everything;
    `ray_flag`: the `--ray ADDRESS` option, over every other source of `ray_address`."""
    env = os.environ if environ is None else environ
    warn_unknown(env)
    here = cwd or Path.cwd()
    values: dict[str, object] = {}
    origins = dict.fromkeys(names(), "default")
    read: list[Path] = []

    user_values = _read(user_config_file())
    if user_values is not None:
        read.append(user_config_file())
        _apply(values, origins, user_values, f"user config {user_config_file()}")
    configured = None
    if "index_dir" in values:
        configured = discovery.Location(Path(str(values["index_dir"])), origins["index_dir"])
    if demo:
        where = discovery.Location(index_flag or discovery.demo_index_dir(), "--index" if index_flag else "demo")
    else:
        where = discovery.locate(index_flag, env, here, configured, writing=writing)
    values["index_dir"], origins["index_dir"] = where.path, where.origin

    index_file = where.path / CONFIG_FILE
    index_values = _read(index_file)
    if index_values is not None:
        index_values.pop("index_dir", None)  # the file is found through it: it cannot move itself
        read.append(index_file)
        _apply(values, origins, index_values, f"index config {index_file}")

    for name, value in environment_values(env).items():
        if name == "index_dir":
            continue  # taken by discovery above, in its place in the order
        values[name], origins[name] = value, f"environment {variable(name)}"
    for name, value in (flags or {}).items():
        if value is not None:
            values[name], origins[name] = check_value(name, value), f"flag --{name.replace('_', '-')}"
    if ray_flag is not None:
        values["ray_address"], origins["ray_address"] = check_value("ray_address", ray_flag), "--ray"
    return Effective(replace(Settings(), **values), origins, tuple(read))  # type: ignore[arg-type]


def _read(path: Path) -> dict[str, object] | None:
    """The checked settings in a config file; None when there is no such file."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        return None
    except tomllib.TOMLDecodeError as exc:
        raise InvalidRequestError(f"{path} is not valid TOML ({exc}); fix or remove it.") from exc
    except OSError as exc:
        raise InvalidRequestError(f"{path} cannot be read ({exc.strerror or exc}).") from exc
    known = names()
    checked: dict[str, object] = {}
    for key, value in data.items():
        if key not in known:
            close = closest(key, known)
            hint = f"did you mean {close}?" if close else "`archive config` lists the settings."
            warnings.warn(
                f"{key} in {path} is not a setting and is ignored; {hint}", UnknownSettingWarning, stacklevel=2
            )
            continue
        if isinstance(value, str) and is_path(key):
            value = path.parent / Path(value).expanduser()
        try:
            checked[key] = check_value(key, value)
        except InvalidRequestError as exc:
            message = str(exc).replace(f"{variable(key)}=", f"{key} = ", 1)
            raise InvalidRequestError(f"{message.removesuffix('.')} (in {path}).") from None
    return checked


def _apply(values: dict[str, object], origins: dict[str, str], layer: dict[str, object], origin: str) -> None:
    for name, value in layer.items():
        values[name], origins[name] = value, origin
