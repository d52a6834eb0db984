"""Where blingfire cannot load (its wheels carry x86-64 libraries only), everything still works on pysbd.

Each run is a subprocess whose `sitecustomize` (on PYTHONPATH, in a temporary folder)
puts a finder first on `sys.meta_path` that refuses to import blingfire, as a machine
without its native library would.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from tests.support.cli import home_env, run_archive

NO_BLINGFIRE = '''
import sys


class _NoBlingfire:
    """Refuses blingfire, as on a machine its native library was not built for."""

    def find_spec(self, name, path=None, target=None):
        if name == "blingfire" or name.startswith("blingfire."):
            raise ImportError("blingfire is unavailable in this test")
        return None


sys.meta_path.insert(0, _NoBlingfire())
'''

ARTICLE = (
    "Envoys Meet at the Border\n"
    "The U.S. envoy met Gen. Smith at No. 5 Main St. on Tuesday. As of 3:20 PM GMT, no statement had "
    "been issued. Inflation rose 3.5 percent in the port town.\n"
)
SENTENCES = [
    "The U.S. envoy met Gen. Smith at No. 5 Main St. on Tuesday.",
    "As of 3:20 PM GMT, no statement had been issued.",
    "Inflation rose 3.5 percent in the port town.",
]
OTHER = "Harvest Festival Returns\nFarmers brought pumpkins to the square. The fair lasts three days.\n"

IMPORTS = """
import json, sys
import archive, archive.api, archive.cli, archive.commands, index, index.retriever, tui, tui.app
from archive.sentences import SPLITTER, split_sentences
text = sys.argv[1]
print(json.dumps({
    "splitter": SPLITTER.name,
    "library": SPLITTER.library,
    "blingfire_loaded": "blingfire" in sys.modules,
    "sentences": [text[s:e] for s, e in split_sentences(text)],
}))
"""


@pytest.fixture(scope="module")
def without(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment variables for a subprocess in which blingfire cannot be imported."""
    site = tmp_path_factory.mktemp("no-blingfire-site")
    (site / "sitecustomize.py").write_text(NO_BLINGFIRE, encoding="utf-8")
    return {"PYTHONPATH": str(site)}


@pytest.fixture(scope="module")
def news(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("news-no-blingfire")
    (folder / "envoys.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "harvest.txt").write_text(OTHER, encoding="utf-8")
    return folder


def test_every_package_imports_and_splits_with_pysbd(without: dict[str, str], tmp_path: Path) -> None:
    env = {**home_env(tmp_path), **without}
    result = subprocess.run(
        [sys.executable, "-c", IMPORTS, ARTICLE.split("\n", 1)[1]],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = orjson.loads(result.stdout)
    assert report["splitter"] == "pysbd-lines-2"
    assert report["library"].startswith("pysbd ")
    assert report["blingfire_loaded"] is False
    assert report["sentences"] == SENTENCES


def test_the_cli_builds_answers_and_names_the_fallback(without: dict[str, str], news: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    built = run_archive("build", str(news), home=tmp_path, index=index, env=without)
    assert built.returncode == 0, built.stderr
    info = orjson.loads(run_archive("info", "--json", home=tmp_path, index=index, env=without).stdout)
    assert info["splitter"].startswith("pysbd ") and info["splitter"].endswith("(pysbd-lines-2)")
    assert info["index_splitter"] == "pysbd-lines-2"
    assert info["sentences"] == 3 + 2  # the first lines are the titles, not text
    plain = run_archive("info", home=tmp_path, index=index, env=without)
    assert "sentences split with pysbd" in plain.stdout
    answer = run_archive("ask", "When was no statement issued?", "--json", home=tmp_path, index=index, env=without)
    citations = orjson.loads(answer.stdout)["citations"]
    assert citations[0]["sentence"] == "As of 3:20 PM GMT, no statement had been issued."


def test_an_index_split_by_blingfire_is_re_split_not_mixed(without: dict[str, str], news: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    assert run_archive("build", str(news), home=tmp_path, index=index).returncode == 0
    before = orjson.loads(run_archive("info", "--json", home=tmp_path, index=index).stdout)
    assert before["index_splitter"] == "blingfire-lines-2"
    told = run_archive("info", home=tmp_path, index=index, env=without)
    assert "this index was split with blingfire-lines-2: the next build or update re-splits" in told.stdout
    updated = run_archive("update", str(news), home=tmp_path, index=index, env=without)
    assert updated.returncode == 0, updated.stderr
    after = orjson.loads(run_archive("info", "--json", home=tmp_path, index=index, env=without).stdout)
    assert after["index_splitter"] == "pysbd-lines-2"
    assert after["sentences"] == 5
