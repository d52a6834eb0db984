"""Reliability fixtures: two versions of a corpus and one forking builder process per run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.reliability import Builder, Corpus, make_corpora


@pytest.fixture(scope="session")
def corpora(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Corpus]:
    return make_corpora(tmp_path_factory.mktemp("corpora"))


@pytest.fixture(scope="session")
def builder() -> Iterator[Builder]:
    """A builder process with the model loaded; each job runs in a fresh fork the tests may kill."""
    process = Builder()
    yield process
    process.close()
