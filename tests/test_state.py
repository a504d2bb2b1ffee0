"""Remembered UI state: round trips, never raises, never keeps the search text."""

from __future__ import annotations

import json
import logging
import os
import stat
import sys
from pathlib import Path

import pytest

from livedesk_tui import paths
from livedesk_tui.api.models import ContactQuery
from livedesk_tui.state import MAX_RECENT_LABELS, UiState, load_state, save_state

FULL = UiState(
    profile="work",
    labels=("vip", "請求"),
    sort="last_activity_at",
    direction="desc",
    search="",
    include_inboxes=False,
    recent_labels=("vip", "請求", "billing"),
)


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    save_state(FULL, path)
    assert load_state(path) == FULL


def test_defaults_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    save_state(UiState(), path)
    assert load_state(path) == UiState()


def test_search_is_never_saved(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    email = "hanako.yamada@example.jp"
    save_state(UiState(profile="work", labels=("vip",), search=email), path)
    assert email not in path.read_text(encoding="utf-8")
    assert "hanako" not in path.read_text(encoding="utf-8")
    got = load_state(path)
    assert got.search == ""
    assert (got.profile, got.labels) == ("work", ("vip",))


def test_search_in_an_old_file_is_not_restored(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text(json.dumps({"version": 1, "search": "someone@example.com"}), encoding="utf-8")
    assert load_state(path).search == ""


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_saved_file_is_private_and_directories_are_made(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "state.json"
    save_state(FULL, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert list(path.parent.iterdir()) == [path]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG variables are Linux's")
def test_default_path_is_the_state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    save_state(FULL)
    assert paths.state_path() == tmp_path / "livedesk-tui" / "state.json"
    assert paths.state_path().is_file()
    assert load_state() == FULL


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    assert load_state(tmp_path / "absent.json") == UiState()
    assert load_state(tmp_path / "no" / "dir" / "state.json") == UiState()


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"{",
        b'{"profile": "work", "labels": ["vip"',
        b"\xff\xfe\x00garbage",
        b"[]",
        b"null",
        b'"work"',
        b'{"profile": 3}',
        b'{"profile": ""}',
        b'{"labels": "vip"}',
        b'{"labels": [1]}',
        b'{"sort": "shoe_size"}',
        b'{"sort": ["name"]}',
        b'{"direction": "sideways"}',
        b'{"include_inboxes": "yes"}',
        b'{"recent_labels": {"a": 1}}',
        b'{"version": 99, "profile": "work"}',
        b"[" * 100_000,
    ],
)
def test_corrupt_state_gives_defaults(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "state.json"
    path.write_bytes(content)
    assert load_state(path) == UiState()


def test_state_path_that_is_a_directory_gives_defaults(tmp_path: Path) -> None:
    assert load_state(tmp_path) == UiState()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_state_path_that_is_a_fifo_gives_defaults_without_waiting(tmp_path: Path) -> None:
    fifo = tmp_path / "state.json"
    os.mkfifo(fifo)  # opening it to read would wait for a writer that never comes
    assert load_state(fifo) == UiState()


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/tty"])
def test_state_path_that_is_a_device_gives_defaults(device: str) -> None:
    if not Path(device).exists():
        pytest.skip(f"no {device}")
    assert load_state(Path(device)) == UiState()


def test_oversized_state_gives_defaults(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text(json.dumps({"profile": "work", "recent_labels": ["x" * 2_000_000]}))
    assert load_state(path) == UiState()


def test_unknown_keys_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text(json.dumps({"version": 1, "profile": "jp", "future_setting": [1, 2]}))
    assert load_state(path) == UiState(profile="jp")


def test_save_failure_is_logged_not_raised(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with caplog.at_level(logging.WARNING, logger="livedesk_tui.state"):
        save_state(FULL, blocker / "state.json")  # the parent is a file: cannot be made
        save_state(FULL, tmp_path)  # the target is a directory
    assert len([r for r in caplog.records if "Could not save" in r.getMessage()]) == 2
    assert blocker.read_text() == "not a directory"


def test_save_tolerates_odd_values(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    odd = UiState(
        profile=None,
        labels=("vip", 3, " "),  # type: ignore[arg-type]
        sort="shoe_size",
        direction="up",
        recent_labels=("a", None),  # type: ignore[arg-type]
    )
    save_state(odd, path)
    assert load_state(path) == UiState(labels=("vip",), recent_labels=("a",))


def test_recent_labels_most_recent_first_without_repeats() -> None:
    state = UiState(recent_labels=("a", "b", "c"))
    assert state.remember_labels(["c", " d ", ""]).recent_labels == ("c", "d", "a", "b")


def test_recent_labels_are_capped(tmp_path: Path) -> None:
    state = UiState()
    for number in range(MAX_RECENT_LABELS + 20):
        state = state.remember_labels([f"label-{number}"])
    assert len(state.recent_labels) == MAX_RECENT_LABELS
    assert state.recent_labels[0] == f"label-{MAX_RECENT_LABELS + 19}"
    assert state.recent_labels[-1] == "label-20"
    path = tmp_path / "state.json"
    save_state(state, path)
    assert load_state(path).recent_labels == state.recent_labels

    many = json.dumps({"recent_labels": [f"x{n}" for n in range(MAX_RECENT_LABELS * 3)]})
    path.write_text(many)
    assert len(load_state(path).recent_labels) == MAX_RECENT_LABELS


def test_query_conversion() -> None:
    query = ContactQuery(labels=("vip",), sort="city", direction="desc", search="tanaka", page=4)
    state = UiState(recent_labels=("old",)).with_query(query)
    assert (state.labels, state.sort, state.direction, state.search) == (
        ("vip",),
        "city",
        "desc",
        "tanaka",
    )
    assert state.recent_labels == ("vip", "old")
    assert state.to_query() == query.at_page(1)
