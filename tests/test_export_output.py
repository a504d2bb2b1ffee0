"""Where an export writes: the format a file name asks for, standard output, file modes, a
place that cannot be written (refused before any page is asked for), a partial file that is
already there or planted as a link, and a disk that fills up."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from livedesk_tui.cli import main
from livedesk_tui.demo.server import DEMO_API_KEY, DEMO_API_SECRET, DemoServer

CONTACTS = 120


@pytest.fixture(scope="module")
def server() -> Iterator[DemoServer]:
    with DemoServer(contacts=CONTACTS, seed=4) as running:
        yield running


@pytest.fixture(autouse=True)
def env(server: DemoServer, monkeypatch: pytest.MonkeyPatch) -> None:
    server.reset()
    monkeypatch.setenv("LIVEDESK_BASE_URL", server.base_url)
    monkeypatch.setenv("LIVEDESK_API_KEY", DEMO_API_KEY)
    monkeypatch.setenv("LIVEDESK_API_SECRET", DEMO_API_SECRET)


def export(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["export", "--page-size", "50", "--retries", "0", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def ids_in(text: str, fmt: str) -> list[int]:
    if fmt == "json":
        return [record["id"] for record in json.loads(text)]
    if fmt == "csv":
        return [int(line.split(",", 1)[0]) for line in text.splitlines()[1:]]
    return [json.loads(line)["id"] for line in text.splitlines()]


# --- the format ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl"])
def test_the_file_name_picks_the_format(
    fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / f"contacts.{fmt.upper() if fmt == 'json' else fmt}"
    code, out, err = export(["-o", str(target)], capsys)
    assert code == 0, err
    assert out == "" and "warning" not in err
    assert len(ids_in(target.read_text(encoding="utf-8"), fmt)) == CONTACTS


def test_format_wins_over_the_file_name_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "contacts.csv"
    code, _, err = export(["--format", "json", "-o", str(target)], capsys)
    assert code == 0, err
    assert len(json.loads(target.read_text(encoding="utf-8"))) == CONTACTS
    warnings = [line for line in err.splitlines() if "warning" in line]
    assert len(warnings) == 1
    assert "--format json" in warnings[0] and ".csv" in warnings[0]


def test_another_name_gets_the_default_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "contacts.txt"
    code, _, err = export(["-o", str(target)], capsys)
    assert code == 0, err
    assert len(ids_in(target.read_text(encoding="utf-8"), "jsonl")) == CONTACTS


def test_dash_is_standard_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = export(["-o", "-", "--format", "csv"], capsys)
    assert code == 0, err
    assert len(ids_in(out, "csv")) == CONTACTS
    assert list(tmp_path.iterdir()) == [], "no file named '-'"


# --- modes -----------------------------------------------------------------------------------


@contextlib.contextmanager
def umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def test_exported_files_are_private(
    tmp_path: Path, server: DemoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "done.jsonl"
    with umask(0o022):
        code, _, err = export(["-o", str(target)], capsys)
    assert code == 0, err
    assert target.stat().st_mode & 0o777 == 0o600
    from livedesk_tui.demo.faults import Fault

    server.faults.add(Fault(kind="status", status=500, page=2, times=None))
    failed = tmp_path / "failed.jsonl"
    with umask(0o022):
        code, _, err = export(["-o", str(failed)], capsys)
    assert code == 4, err
    partial = tmp_path / "failed.jsonl.partial"
    assert partial.stat().st_mode & 0o777 == 0o600


# --- places that cannot be written: refused before any request -------------------------------


def test_a_folder_as_output_is_refused_before_any_request(
    tmp_path: Path, server: DemoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "out.jsonl"
    folder.mkdir()
    code, out, err = export(["-o", str(folder)], capsys)
    assert code == 2
    assert out == "" and err.count("\n") == 1 and "Traceback" not in err
    assert "folder" in err and str(folder) in err
    assert server.requests == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"], "no partial file"


def test_a_missing_folder_is_refused_before_any_request(
    tmp_path: Path, server: DemoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = export(["-o", str(tmp_path / "absent" / "x.csv")], capsys)
    assert code == 2
    assert "There is no folder" in err and err.count("\n") == 1
    assert server.requests == []


@contextlib.contextmanager
def mounted_tmpfs(where: Path, options: str) -> Iterator[Path]:
    where.mkdir()
    if not shutil.which("mount") or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root and mount(8)")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def test_a_read_only_folder_is_refused_before_any_request(
    tmp_path: Path, server: DemoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    with mounted_tmpfs(tmp_path / "ro", "size=64k,ro") as folder:
        code, _, err = export(["-o", str(folder / "x.jsonl")], capsys)
    assert code == 2
    assert "cannot be written to" in err and err.count("\n") == 1
    assert server.requests == []


def test_a_full_disk_says_so_and_keeps_the_partial_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with mounted_tmpfs(tmp_path / "small", "size=16k") as folder:
        target = folder / "x.jsonl"
        code, out, err = export(["-o", str(target)], capsys)
        partial = folder / "x.jsonl.partial"
        kept = partial.exists()
        assert not target.exists()
    assert code == 2, err
    assert out == "" and err.count("\n") == 1 and "Traceback" not in err
    assert "No space left" in err and str(folder) in err
    assert f"{partial}" in err and kept


def test_a_full_standard_output_says_so(tmp_path: Path, server: DemoServer) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    env = {
        **os.environ,
        "LIVEDESK_BASE_URL": server.base_url,
        "LIVEDESK_API_KEY": DEMO_API_KEY,
        "LIVEDESK_API_SECRET": DEMO_API_SECRET,
    }
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "livedesk_tui", "export", "--page-size", "50"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
    assert done.returncode == 2, done.stderr
    assert "No space left" in done.stderr and "standard output" in done.stderr
    assert done.stderr.count("\n") == 1, done.stderr


# --- the partial file is ours alone ----------------------------------------------------------


def test_a_partial_file_left_by_an_earlier_run_does_not_stand_in_the_way(
    tmp_path: Path, server: DemoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "x.jsonl"
    partial = tmp_path / "x.jsonl.partial"
    partial.write_text("an earlier export's\n", encoding="utf-8")
    code, _, err = export(["-o", str(target)], capsys)
    assert code == 0, err
    assert len(target.read_text(encoding="utf-8").splitlines()) == len(server.contacts)
    assert partial.read_text(encoding="utf-8") == "an earlier export's\n", "not ours to remove"
    assert {p.name for p in tmp_path.iterdir()} == {"x.jsonl", "x.jsonl.partial"}


@pytest.mark.parametrize("planted", ["x.jsonl.partial", "x.jsonl"])
def test_a_planted_link_is_never_written_through(
    tmp_path: Path, server: DemoServer, capsys: pytest.CaptureFixture[str], planted: str
) -> None:
    victim = tmp_path / "victim"
    victim.write_text("precious\n", encoding="utf-8")
    (tmp_path / planted).symlink_to(victim)
    code, _, err = export(["-o", str(tmp_path / "x.jsonl")], capsys)
    assert code == 0, err
    assert victim.read_text(encoding="utf-8") == "precious\n"
    assert not (tmp_path / "x.jsonl").is_symlink()


def test_a_failed_export_replaces_a_planted_partial_link_instead_of_following_it(
    tmp_path: Path, server: DemoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    from livedesk_tui.demo.faults import Fault

    server.faults.add(Fault(kind="status", status=500, page=2, times=None))
    victim = tmp_path / "victim"
    victim.write_text("precious\n", encoding="utf-8")
    partial = tmp_path / "x.jsonl.partial"
    partial.symlink_to(victim)
    code, _, err = export(["--page-size", "20", "-o", str(tmp_path / "x.jsonl")], capsys)
    assert code == 4, err
    assert victim.read_text(encoding="utf-8") == "precious\n"
    assert not partial.is_symlink()
    assert len(partial.read_text(encoding="utf-8").splitlines()) == 20
    assert partial.stat().st_mode & 0o777 == 0o600


def test_a_dangling_planted_link_is_never_followed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    victim = tmp_path / "created-through-the-link"
    (tmp_path / "x.jsonl.partial").symlink_to(victim)
    (tmp_path / "x.jsonl").symlink_to(tmp_path / "also-created-through-the-link")
    code, _, err = export(["-o", str(tmp_path / "x.jsonl")], capsys)
    assert code == 0, err
    assert not victim.exists() and not (tmp_path / "also-created-through-the-link").exists()


# --- what a failure says ---------------------------------------------------------------------


def test_a_failure_before_any_contact_says_nothing_was_written(
    tmp_path: Path, server: DemoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    from livedesk_tui.demo.faults import Fault

    server.faults.add(Fault(kind="status", status=500, page=1, times=None))
    target = tmp_path / "x.json"
    code, _, err = export(["-o", str(target)], capsys)
    assert code == 4
    assert err.count("\n") == 1
    assert "0 contacts written" in err
    assert "holds the pages before it" not in err
    assert not target.exists()
    assert list(tmp_path.iterdir()) == [], "an empty partial file is not left behind"
    assert "nothing was written" in err.lower()
