"""Export files: FILE.partial renamed only when complete, removed when cancelled; the paths the
export dialog offers and accepts."""

from __future__ import annotations

import asyncio
import os
from datetime import datetime
from pathlib import Path

import pytest

from livedesk_tui.api.errors import ConfigError
from livedesk_tui.export_file import (
    default_export_name,
    default_export_text,
    files_being_written,
    open_partial,
    partial_path,
    resolve_target,
    shown_path,
    with_format,
)
from livedesk_tui.tui.screens.export import format_for

NOW = datetime(2026, 3, 9, 7, 5)


def test_a_complete_export_is_renamed_into_place(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    with open_partial(target) as out:
        out.write("id\r\n1\r\n")
        assert len(files_being_written(target)) == 1 and not target.exists()
    assert target.read_bytes() == b"id\r\n1\r\n"
    assert not partial_path(target).exists()


def test_a_failed_export_leaves_the_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    with pytest.raises(RuntimeError), open_partial(target) as out:
        out.write("{}\n")
        raise RuntimeError("page 2 failed")
    assert not target.exists()
    assert partial_path(target).read_text(encoding="utf-8") == "{}\n"


def test_a_cancelled_export_removes_the_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    with pytest.raises(asyncio.CancelledError), open_partial(target) as out:
        out.write("[")
        raise asyncio.CancelledError
    assert not target.exists() and not partial_path(target).exists()


def test_a_missing_folder_is_a_config_error(tmp_path: Path) -> None:
    with (
        pytest.raises(ConfigError, match="There is no folder"),
        open_partial(tmp_path / "no" / "x"),
    ):
        pass


def test_names_and_formats() -> None:
    assert default_export_name("csv", NOW) == "livedesk-contacts-20260309-0705.csv"
    assert default_export_name("jsonl", NOW).endswith(".jsonl")
    assert with_format("~/a.csv", "jsonl") == "~/a.jsonl"
    assert with_format("~/a.jsonl", "json") == "~/a.json"
    assert with_format("~/notes.txt", "json") == "~/notes.txt"
    assert format_for(Path("x.JSON"), "csv") == "json"
    assert format_for(Path("x.jsonl"), "csv") == "jsonl"
    assert format_for(Path("x.txt"), "jsonl") == "jsonl"


def test_the_offered_path_is_in_home_or_else_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    assert default_export_text("csv", NOW) == "~/livedesk-contacts-20260309-0705.csv"
    assert shown_path(home / "a" / "b.csv") == "~/a/b.csv"
    assert shown_path(tmp_path / "b.csv") == str(tmp_path / "b.csv")
    monkeypatch.setenv("HOME", str(tmp_path / "missing"))
    monkeypatch.chdir(tmp_path)
    assert default_export_text("csv", NOW) == str(tmp_path / "livedesk-contacts-20260309-0705.csv")


def test_typed_paths_are_resolved_or_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert resolve_target("  ~/x.csv ", "d.csv") == tmp_path / "x.csv"
    assert resolve_target(str(tmp_path), "d.csv") == tmp_path / "d.csv"
    with pytest.raises(ConfigError, match="Type the path"):
        resolve_target("   ", "d.csv")
    with pytest.raises(ConfigError, match="There is no folder"):
        resolve_target(str(tmp_path / "absent" / "x.csv"), "d.csv")
    (tmp_path / "dir" / "d.csv").mkdir(parents=True)
    with pytest.raises(ConfigError, match="is a folder"):
        resolve_target(str(tmp_path / "dir"), "d.csv")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes anywhere")
def test_a_read_only_folder_is_refused(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    with pytest.raises(ConfigError, match="cannot be written to"):
        resolve_target(str(locked / "x.csv"), "d.csv")


def test_two_exports_to_the_same_file_never_write_into_one_file(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    with open_partial(target) as first:
        first.write('{"id":1}\n')
        with open_partial(target) as second:
            second.write('{"id":2}\n')
        assert target.read_text(encoding="utf-8") == '{"id":2}\n'
        first.write('{"id":3}\n')
    assert target.read_text(encoding="utf-8") == '{"id":1}\n{"id":3}\n'
    assert target.stat().st_mode & 0o777 == 0o600
    assert not partial_path(target).exists()
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"], "no file left behind"
