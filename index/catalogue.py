"""A generation's articles by id and its near-duplicate stories: the lookups every reader shares.

`Snapshot` (one generation) and `ShardedSnapshot` (shards merged into one numbering) both
answer "which entry is this id", "which story is it in", "which outlets are there" from the
manifest's entries in build order; this class is the one place that knows how.
"""

from __future__ import annotations

from collections.abc import Sequence

from index.errors import ArticleNotFoundError
from index.manifest import ArticleEntry


class ArticleCatalogue:
    """Manifest entries in build order, looked up by article id and grouped by story."""

    def __init__(self, entries: Sequence[ArticleEntry]) -> None:
        self.entries = entries
        self.by_id = {entry.article_id: i for i, entry in enumerate(entries)}
        self._by_content: dict[str, ArticleEntry] | None = None
        # A story is named by its first article's id; an article of no story has story "" or its own id.
        self._stories: dict[str, list[str]] = {}
        for entry in entries:
            if entry.story and entry.story != entry.article_id:
                self._stories.setdefault(entry.story, [entry.story]).append(entry.article_id)

    def entry(self, article_id: str) -> ArticleEntry:
        try:
            return self.entries[self.by_id[article_id]]
        except KeyError:
            raise ArticleNotFoundError(f"No article with id {article_id!r} in this index.") from None

    def with_content(self, content_hash: str) -> ArticleEntry | None:
        """An article whose text hashes to `content_hash` (the last in build order), or None.

        The index is made on first use and kept: an update plans every batch against it.
        """
        if self._by_content is None:
            self._by_content = {entry.content_hash: entry for entry in self.entries}
        return self._by_content.get(content_hash)

    def sources(self) -> tuple[str, ...]:
        """Every outlet named by an article, in case-blind alphabetical order."""
        return tuple(sorted({e.source for e in self.entries if e.source}, key=str.casefold))

    def story_members(self, story: str) -> tuple[str, ...]:
        """Every article of a near-duplicate story (empty for a story of one)."""
        return tuple(self._stories.get(story, ()))

    def story_of(self, article_id: str) -> str:
        """The id naming the article's near-duplicate story (its own id when it has no copy)."""
        return self.entry(article_id).story or article_id

    def outlet_of(self, article_id: str) -> str:
        """The article's outlet as indexed, "" when unknown."""
        return self.entry(article_id).source

    def reprints_of(self, article_id: str) -> tuple[str, ...]:
        """The other articles of the article's story, in build order."""
        story = self.entry(article_id).story
        return tuple(a for a in self.story_members(story) if a != article_id) if story else ()
