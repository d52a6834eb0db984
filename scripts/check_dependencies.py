"""Every third-party package that archive/, index/ and tui/ import is declared in pyproject.toml.

    .venv/bin/python scripts/check_dependencies.py

Reads each module's import statements (all of them, including those inside functions and
`try` blocks), drops the standard library and the project's own packages, maps each
remaining top-level name to the distribution that installs it (importlib.metadata, so the
environment must have the project installed), and compares with `[project].dependencies`;
a module inside a folder that an optional extra is for (OPTIONAL_FOLDERS) may also use that
extra's packages, and only that module.
Prints one line per undeclared import and exits 1 if there is any; 0 otherwise.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("archive", "index", "tui")
# Folders whose modules may import an optional extra's packages (the only code loading them).
OPTIONAL_FOLDERS = {"archive/cluster/": "cluster"}


def imported_names(root: Path = ROOT) -> dict[str, str]:
    """Top-level module name -> the first file that imports it, over the project's packages;
    a file in an optional folder counts only where no other file imports the name."""
    found: dict[str, str] = {}
    optional: dict[str, str] = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                where = str(path.relative_to(root))
                into = optional if _extra_of(where) else found
                for name in names:
                    into.setdefault(name.split(".")[0], where)
    return optional | found


def _extra_of(where: str) -> str:
    return next((extra for folder, extra in OPTIONAL_FOLDERS.items() if where.startswith(folder)), "")


def declared(root: Path = ROOT, extra: str = "") -> set[str]:
    """Normalised names of the distributions in `[project].dependencies` (and in `extra`'s list)."""
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = list(project["dependencies"]) + (project["optional-dependencies"][extra] if extra else [])
    return {_normalise(re.split(r"[<>=!~;\[ ]", spec, maxsplit=1)[0]) for spec in specs}


def undeclared(root: Path = ROOT) -> list[str]:
    """One line per third-party import whose distribution is not declared."""
    own = set(PACKAGES)
    providers = packages_distributions()
    problems = []
    for name, where in sorted(imported_names(root).items()):
        if name in own or name in sys.stdlib_module_names or name == "__future__":
            continue
        distributions = {_normalise(d) for d in providers.get(name, [])}
        if not distributions:
            problems.append(f"{name} (imported in {where}) is not installed, so its distribution is unknown")
        elif not distributions & declared(root, _extra_of(where)):
            problems.append(f"{name} (imported in {where}) comes from {', '.join(sorted(distributions))}: not declared")
    return problems


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def main() -> int:
    problems = undeclared()
    for line in problems:
        print(line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
