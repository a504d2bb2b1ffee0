"""The command line: arguments before or after the subcommand, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from livedesk_tui.cli import build_parser, main
from livedesk_tui.demo.faults import Fault
from livedesk_tui.demo.server import DEMO_API_KEY, DemoServer

SECRET_MARKER = "never-show-this-secret-0451"


@pytest.fixture(scope="module")
def server() -> Iterator[DemoServer]:
    with DemoServer(contacts=120, api_secret=SECRET_MARKER) as running:
        yield running


@pytest.fixture
def env(server: DemoServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, str]:
    server.faults.clear()
    values = {
        "LIVEDESK_BASE_URL": server.base_url,
        "LIVEDESK_API_KEY": DEMO_API_KEY,
        "LIVEDESK_API_SECRET": SECRET_MARKER,
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return values


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_export_to_stdout_as_jsonl(env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        ["export", "--format", "jsonl", "--page-size", "50", "--retries", "0"], capsys
    )
    assert code == 0, err
    ids = [json.loads(line)["id"] for line in out.splitlines()]
    assert len(ids) == len(set(ids)) == 120
    assert "Exported 120 contacts." in err


def test_export_to_a_file_renames_only_when_complete(
    env: dict[str, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "out.csv"
    code, _, err = run(
        ["export", "--format", "csv", "--output", str(target), "--label", "vip"], capsys
    )
    assert code == 0, err
    assert target.exists() and not (tmp_path / "out.csv.partial").exists()
    assert target.read_text(encoding="utf-8").startswith("id,name,email")
    assert f"to {target}" in err


def test_global_options_are_accepted_after_the_subcommand(
    server: DemoServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("LIVEDESK_API_KEY", DEMO_API_KEY)
    monkeypatch.setenv("LIVEDESK_API_SECRET", SECRET_MARKER)
    config = tmp_path / "none.toml"
    before = build_parser().parse_args(
        ["--base-url", "http://127.0.0.1:1", "--config", str(config), "export"]
    )
    after = build_parser().parse_args(
        ["export", "--base-url", "http://127.0.0.1:1", "--config", str(config)]
    )
    assert before.base_url == after.base_url == "http://127.0.0.1:1"
    assert before.config == after.config == config
    code, out, err = run(
        ["export", "--base-url", server.base_url, "--config", str(config), "--page-size", "100"],
        capsys,
    )
    assert code == 0, err
    assert len(out.splitlines()) == 120


def test_demo_flag_exports_from_the_embedded_server(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["--demo", "export", "--format", "json", "--page-size", "100"], capsys)
    assert code == 0, err
    assert len(json.loads(out)) == 1000


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["export", "--page-size", "500"], "out of range"),
        (["--timeout", "0", "export"], "out of range"),
        (["export", "--timeout", "nan"], "out of range"),
        (["export", "--timeout", "soon"], "not a number of seconds"),
    ],
)
def test_usage_error_exits_2(
    argv: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
    assert says in capsys.readouterr().err


def test_config_error_exits_2_with_one_line(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LIVEDESK_BASE_URL", "http://contacts.example.com")
    code, _, err = run(["export"], capsys)
    assert code == 2
    assert "Refusing plain http://" in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_wrong_secret_exits_3_without_showing_it(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LIVEDESK_API_SECRET", "wrong-" + SECRET_MARKER)
    code, out, err = run(["export"], capsys)
    assert code == 3
    assert "401" in err and "LIVEDESK_API" in err
    assert SECRET_MARKER not in out + err
    assert "Traceback" not in err


def test_debug_shows_the_traceback(
    env: dict[str, str], server: DemoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.faults.add(Fault(kind="not_json", times=None))
    code, _, err = run(["export", "--debug", "--log-file", os.devnull], capsys)
    assert code == 5
    assert "Traceback" in err


def test_entry_point_runs_as_a_module() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "livedesk_tui", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0
    assert done.stdout.startswith("livedesk-tui ")


def test_demo_server_refuses_a_public_address(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["demo-server", "--host", "0.0.0.0", "--port", "0"])
    assert code == 2
    assert "loopback" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["--demo"], []], ids=["--demo", "profile"])
def test_the_browser_refuses_an_output_that_is_not_a_terminal(
    argv: list[str], tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "LIVEDESK_BASE_URL": "http://127.0.0.1:9",
        "LIVEDESK_API_KEY": DEMO_API_KEY,
        "LIVEDESK_API_SECRET": SECRET_MARKER,
        "XDG_STATE_HOME": str(tmp_path / "state"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "livedesk_tui", *argv],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert done.stdout == "", "no escape codes into a pipe"
    assert done.stderr.count("\n") == 1, done.stderr
    assert "not a terminal" in done.stderr and "livedesk-tui export" in done.stderr
    assert not (tmp_path / "state").exists(), "nothing was started or remembered"


def help_of(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as caught:
        build_parser().parse_args([*argv, "--help"])
    assert caught.value.code == 0
    return " ".join(capsys.readouterr().out.split())


def test_demo_server_help_explains_every_option_and_the_faults(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from livedesk_tui.demo.faults import FAULT_KINDS

    text = help_of(["demo-server"], capsys).split(" options: ", 1)[1]
    for option, default in [
        ("--host HOST", "127.0.0.1"),
        ("--port PORT", "8765"),
        ("--contacts N", "1000"),
        ("--latency-ms N", "0"),
        ("--seed N", "7"),
    ]:
        assert option in text
        after = text.split(option, 1)[1].split(" --", 1)[0]
        assert f"(default: {default})" in after, after
    assert "--fault SPEC" in text and "--hostile" in text
    assert "KIND[:ARG][@page=N][xN|x*]" in text
    for kind in FAULT_KINDS:
        if kind != "status":
            assert kind in text.split("--hostile", 1)[1], kind


def test_export_help_states_the_default_format_and_the_extension_rule(
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = help_of(["export"], capsys)
    assert "default: jsonl" in text
    assert ".csv" in text and ".jsonl" in text and "-o -" in text


def test_demo_with_a_broken_config_warns_instead_of_saying_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from livedesk_tui.cli import _demo_preferences, build_parser

    config = tmp_path / "config.toml"
    config.write_text(
        'theme = "nord"\n[profiles.work]\nbase_url = "http://evil.example"\nbogus = 1\n',
        encoding="utf-8",
    )
    args = build_parser().parse_args(["--demo", "--config", str(config)])
    theme, _keys = _demo_preferences(args)
    err = capsys.readouterr().err
    assert theme == "nord", "what can be read still applies"
    lines = err.splitlines()
    assert lines and all(line.startswith("livedesk-tui: warning: ") for line in lines)
    assert "bogus" in err and "http://" in err


@pytest.mark.parametrize(
    "command", [[], ["export"], ["demo-server"]], ids=["browser", "export", "demo-server"]
)
def test_every_option_that_takes_a_value_says_its_default(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    import re

    with pytest.raises(SystemExit):
        main([*command, "--help"])
    text = capsys.readouterr().out.split("\n\n--fault SPEC")[0]
    blocks = re.split(r"\n(?=  -)", text.split("options:", 1)[1])
    missing = []
    for block in blocks:
        head = block.strip().split("  ")[0]
        takes_value = re.match(r"-\S+(, -\S+)? [A-Z{]", head) is not None
        if takes_value and "default" not in " ".join(block.split()):
            missing.append(head)
    assert missing == []
