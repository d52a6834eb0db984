"""Only what was asked for is read: symbolic links out of the folders given are skipped and reported."""

from __future__ import annotations

import json
from pathlib import Path

from archive.readers import read_folders

OUTSIDE = "symbolic link to {target}, outside the folders given; skipped (--follow-links reads it)"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def layout(tmp_path: Path) -> tuple[Path, Path]:
    """news/ (the folder given) with links to a private file and folder elsewhere on the disk."""
    news, private = tmp_path / "news", tmp_path / "private"
    write(news / "story.txt", "Harbour Reopens\nThe harbour reopened on Monday.\n")
    write(private / "diary.txt", "My Diary\nThe safe code is 1234.\n")
    write(private / "notes" / "plan.txt", "Plans\nSell the boat in spring.\n")
    (news / "diary.txt").symlink_to(private / "diary.txt")
    (news / "notes").symlink_to(private / "notes", target_is_directory=True)
    return news, private


def test_links_out_of_the_folders_given_are_skipped_and_reported(tmp_path: Path) -> None:
    news, private = layout(tmp_path)
    outcome = read_folders([news])
    assert [a.article_id for a in outcome.articles] == ["story"]
    assert [(p.path, p.reason) for p in outcome.failed] == [
        (str(news / "diary.txt"), OUTSIDE.format(target=private / "diary.txt")),
        (str(news / "notes"), OUTSIDE.format(target=private / "notes")),
    ]
    assert "1234" not in " ".join(a.text for a in outcome.articles)


def test_follow_links_reads_them(tmp_path: Path) -> None:
    news, _ = layout(tmp_path)
    outcome = read_folders([news], follow_links=True)
    assert [a.article_id for a in outcome.articles] == ["diary", "notes/plan", "story"]
    assert outcome.failed == ()


def test_a_link_to_another_folder_given_is_followed(tmp_path: Path) -> None:
    news, private = layout(tmp_path)
    outcome = read_folders([news, private])
    assert sorted(a.article_id for a in outcome.articles) == ["diary", "notes/plan", "story"]
    # private/notes was read through news/notes first; the second visit is reported, not repeated
    assert [p.reason for p in outcome.failed] == [f"same folder as {news / 'notes'}, already read; skipped"]


def test_links_inside_the_folder_given_are_followed(tmp_path: Path) -> None:
    news = tmp_path / "news"
    write(news / "2024" / "story.txt", "Harbour Reopens\nThe harbour reopened on Monday.\n")
    (news / "latest.txt").symlink_to(news / "2024" / "story.txt")
    outcome = read_folders([news])
    assert [a.article_id for a in outcome.articles] == ["2024/story"]
    assert [d.path for d in outcome.duplicates] == [str(news / "latest.txt")]  # same text, read once


def test_loops_through_outside_folders_end_with_and_without_follow_links(tmp_path: Path) -> None:
    news, elsewhere = tmp_path / "news", tmp_path / "elsewhere"
    write(news / "story.txt", "Harbour Reopens\nThe harbour reopened on Monday.\n")
    write(elsewhere / "far.txt", "Far Away\nA far story.\n")
    (news / "out").symlink_to(elsewhere, target_is_directory=True)
    (elsewhere / "back").symlink_to(news, target_is_directory=True)  # news -> elsewhere -> news
    (elsewhere / "self").symlink_to(elsewhere, target_is_directory=True)  # elsewhere -> elsewhere

    default = read_folders([news])
    assert [a.article_id for a in default.articles] == ["story"]
    assert [p.path for p in default.failed] == [str(news / "out")]

    followed = read_folders([news], follow_links=True)
    assert [a.article_id for a in followed.articles] == ["out/far", "story"]
    assert sorted((Path(p.path).name, p.reason.split(":")[0]) for p in followed.failed) == [
        ("back", "symlink loop"),
        ("self", "symlink loop"),
    ]


def test_a_sidecar_linked_from_outside_is_not_used(tmp_path: Path) -> None:
    news, private = tmp_path / "news", tmp_path / "private"
    write(news / "story.txt", "Harbour Reopens\nThe harbour reopened on Monday.\n")
    write(private / "meta.json", json.dumps({"source": "Secret Outlet"}))
    (news / "story.meta.json").symlink_to(private / "meta.json")
    outcome = read_folders([news])
    assert [(a.article_id, a.source) for a in outcome.articles] == [("story", "")]
    reason = OUTSIDE.format(target=private / "meta.json")
    assert [(p.path, p.reason) for p in outcome.failed] == [(str(news / "story.meta.json"), reason)]
    assert outcome.warnings == ()  # reported once
    alone = read_folders([news / "story.txt"])  # a file given alone: its sidecar is checked as it is read
    assert [(a.article_id, a.source) for a in alone.articles] == [("story", "")]
    assert [(w.path, w.reason) for w in alone.warnings] == [
        (str(news / "story.meta.json"), f"metadata sidecar not used: {reason}")
    ]
    followed = read_folders([news], follow_links=True)
    assert followed.articles[0].source == "Secret Outlet"


def test_a_folder_given_through_a_link_is_read(tmp_path: Path) -> None:
    news, _ = layout(tmp_path)
    alias = tmp_path / "alias"
    alias.symlink_to(news, target_is_directory=True)
    outcome = read_folders([alias])  # what the user named is theirs to read; its outside links are not
    assert [a.article_id for a in outcome.articles] == ["story"]
    assert [Path(p.path).name for p in outcome.failed] == ["diary.txt", "notes"]


def test_the_watcher_scans_what_a_read_would_take(tmp_path: Path) -> None:
    """archive watch looks for changes in the same files a build reads: links out only when followed."""
    from archive.watching import scan

    news, private = layout(tmp_path)
    (news / "loop").symlink_to(news, target_is_directory=True)
    write(news / "draft.txt.part", "half a download")
    assert sorted(scan([news])) == [str(news / "story.txt")]
    assert sorted(scan([news], follow_links=True)) == sorted(
        [str(news / "story.txt"), str(news / "diary.txt"), str(news / "notes" / "plan.txt")]
    )
    (private / "notes" / "plan.txt").write_text("Plans\nSell the boat in summer.\n", encoding="utf-8")
    assert sorted(scan([news])) == [str(news / "story.txt")]  # a change out there is not the watcher's business
