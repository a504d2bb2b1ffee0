"""No credential anywhere a person, a log or a file could see it, whatever goes wrong.

One unique key and secret drive the app through its errors and screens and the command line
through every exit path; then every output channel is searched for them (and for the Basic
header they make): each screen as drawn, every notification, stdout and stderr, the log file,
exported and partial files, error messages, tracebacks rendered with their locals (as Textual's
crash report renders them), and the ``repr`` of every object reachable from the app, the client
and the settings.

Covered elsewhere and not repeated here: a config file holding a secret that others can read
gives a warning (``test_settings.py::test_readable_config_with_a_secret_warns``); a failing ``api_secret_command`` never echoes
its output (``::test_secret_command_failure_never_shows_its_output``); ``http://`` is refused
for every host that is not loopback, look-alikes included
(``test_sanitize_and_connection.py::test_refused_base_urls``).
"""

from __future__ import annotations

import base64
import io
import json
import logging
import shlex
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from rich.traceback import Traceback
from textual.notifications import Notify
from tui_fixtures import FIXED_NOW, utc, wait_for_page, wait_until

from livedesk_tui.api.client import ContactsClient, RetryPolicy
from livedesk_tui.api.connection import Secret
from livedesk_tui.api.errors import LiveDeskError
from livedesk_tui.api.export import ExportFailed, export_contacts
from livedesk_tui.api.models import ContactQuery
from livedesk_tui.cli import main
from livedesk_tui.demo.faults import parse_fault
from livedesk_tui.demo.server import DemoServer
from livedesk_tui.logsetup import setup_logging
from livedesk_tui.settings import load_settings
from livedesk_tui.tui.app import LiveDeskApp
from livedesk_tui.tui.screens.error import ErrorScreen

__all__ = ["utc"]

KEY = "ldk-key-5b0c1e9a77"
SECRET = "ldk-secret-93fd2aa04c"
BASIC = base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()
NEEDLES = (KEY, SECRET, BASIC, BASIC[:16])
FAST = RetryPolicy(attempts=2, backoff=0.01)


def assert_clean(text: str, where: str) -> None:
    for needle in NEEDLES:
        assert needle not in text, f"a credential shows in {where}"


@pytest.fixture(autouse=True)
def _detach_log_handlers() -> Iterator[None]:
    logger = logging.getLogger("livedesk_tui")
    before = list(logger.handlers)
    level = logger.level
    yield
    for handler in logger.handlers[len(before) :]:
        handler.close()
        logger.removeHandler(handler)
    logger.setLevel(level)


@pytest.fixture(scope="module")
def server() -> Iterator[DemoServer]:
    with DemoServer(contacts=60, seed=5, api_key=KEY, api_secret=SECRET) as running:
        yield running


@pytest.fixture(scope="module")
def chatwoot() -> Iterator[DemoServer]:
    with DemoServer(contacts=30, seed=5, dialect="chatwoot", account_id=4, api_key=KEY) as running:
        yield running


@pytest.fixture(autouse=True)
def _clean(server: DemoServer) -> None:
    server.faults.clear()
    server.reset_log()


def reachable_reprs(*roots: Any, depth: int = 5) -> Iterator[tuple[str, str]]:
    """``(path, repr)`` of every object reachable from ``roots`` through this package's own
    objects and plain containers (other libraries' objects are shown, not entered). A ``Secret``
    is shown every way it can be formatted, never opened."""
    seen: set[int] = set()
    stack: list[tuple[str, Any, int]] = [(f"root{i}", root, depth) for i, root in enumerate(roots)]
    while stack:
        path, obj, left = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, Secret):
            yield path, f"{obj!r} {obj!s} {obj} {obj:>40}"
            continue
        try:
            yield path, repr(obj)
        except Exception as exc:  # a repr that fails shows nothing
            yield path, f"<repr failed: {type(exc).__name__}>"
        if left == 0 or isinstance(obj, str | bytes | int | float | bool | type(None)):
            continue
        children: list[tuple[str, Any]] = []
        if isinstance(obj, dict):
            children = [(f"{path}[{key!r}]", value) for key, value in obj.items()]
            children += [(f"{path}.key", key) for key in obj]
        elif isinstance(obj, list | tuple | set | frozenset):
            children = [(f"{path}[{i}]", value) for i, value in enumerate(obj)]
        elif type(obj).__module__.startswith("livedesk_tui"):
            names = list(getattr(obj, "__dict__", {}))
            for klass in type(obj).__mro__:
                names += [name for name in getattr(klass, "__slots__", ()) if name != "__dict__"]
            children = [(f"{path}.{name}", getattr(obj, name, None)) for name in names]
        if isinstance(obj, BaseException):
            children += [(f"{path}.__cause__", obj.__cause__), (f"{path}.args", obj.args)]
        stack.extend((child_path, child, left - 1) for child_path, child in children)


def assert_no_repr_shows_a_credential(*roots: Any) -> int:
    count = 0
    for path, shown in reachable_reprs(*roots):
        assert_clean(shown, f"repr of {path}")
        count += 1
    return count


def rendered_traceback(error: BaseException) -> str:
    """The error as Textual's crash report shows it: every frame's locals, as Rich draws them
    (strings not even cut short, as they are there)."""
    trace = Traceback.extract(
        type(error),
        error,
        error.__traceback__,
        show_locals=True,
        locals_max_length=5,
        locals_max_string=None,  # type: ignore[arg-type]
    )
    lines: list[str] = []
    for stack in trace.stacks:
        lines.append(f"{stack.exc_type}: {stack.exc_value}")
        for frame in stack.frames:
            lines.append(f"{frame.filename}:{frame.lineno} in {frame.name}")
            lines.extend(
                f"  {name} = {node.render()}" for name, node in (frame.locals or {}).items()
            )
    return "\n".join(lines)


def assert_error_is_clean(error: BaseException, where: str) -> None:
    for text in (str(error), repr(error), rendered_traceback(error)):
        assert_clean(text, where)
    if isinstance(error, LiveDeskError):
        assert_clean(error.message + error.detail, where)
    assert_no_repr_shows_a_credential(error)


class BreaksAfterSending(httpx.AsyncBaseTransport):
    """Real HTTP, then an unexpected failure (a bug) with the signed request in hand."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        await response.aclose()
        raise RuntimeError("the transport broke after sending")

    async def aclose(self) -> None:
        await self._inner.aclose()


# --- the app --------------------------------------------------------------------------------


@pytest.mark.usefixtures("utc")
async def test_the_app_shows_no_credential_through_its_errors_screens_and_log(
    server: DemoServer,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)  # where the app's export goes
    monkeypatch.setenv("HOME", str(tmp_path))
    log_file = setup_logging(tmp_path / "tui.log", debug=True)  # no secrets to redact given
    notices: list[str] = []
    screens: list[str] = []

    def hook(message: Any) -> None:
        if isinstance(message, Notify):
            notices.append(f"{message.notification.title} {message.notification.message}")

    app = LiveDeskApp(server.connection(), clock=lambda: FIXED_NOW)
    async with app.run_test(size=(100, 30), notifications=True, message_hook=hook) as pilot:

        async def show(*keys: str, then: str = "escape") -> None:
            await pilot.press(*keys)
            await wait_until(pilot, lambda: app.screen is not app.screen_stack[0])
            screens.append(app.export_screenshot())
            if then:
                await pilot.press(then)
                await wait_until(pilot, lambda: app.screen is app.screen_stack[0])

        await wait_for_page(pilot, app, 1)
        (await app.loader.source()).retry = FAST  # type: ignore[attr-defined]
        screens.append(app.export_screenshot())
        await show("enter")  # the contact, full screen
        await show("R")  # its raw JSON
        await show("question_mark")  # the keys
        await show("ctrl+p", "c", "o")  # the command palette, filtered
        await show("y", then="e")  # the copy menu; copy the email
        await wait_until(pilot, lambda: any("Copied" in notice for notice in notices))
        for spec in ("401x*", "403x*", "500x*", "not_jsonx*"):
            server.faults.add(parse_fault(spec))
            await pilot.press("r")
            await wait_until(pilot, lambda: app.error is not None)
            screens.append(app.export_screenshot())
            assert_error_is_clean(app.error, f"the error after {spec}")
            if isinstance(app.screen, ErrorScreen):
                await pilot.press("escape")
            server.faults.clear()
        await pilot.press("r")
        await wait_for_page(pilot, app, 1)
        screens.append(app.export_screenshot())
        server.faults.add(parse_fault("not_jsonx*"))  # an export from the app that fails
        await show("e", then="")
        await pilot.press("enter")  # to the file it offers
        await wait_until(pilot, lambda: any("Export failed" in notice for notice in notices))
        server.faults.clear()
        screens.append(app.export_screenshot())
        assert_clean(app.status_text(), "the status line")
        assert_clean(app.clipboard, "the clipboard")
        reprs = assert_no_repr_shows_a_credential(
            app, app.connection, app.loader, await app.loader.source()
        )
        assert reprs > 50, "the walk reached the app's objects"
    assert len(screens) == 13 and len(notices) >= 4
    for number, svg in enumerate(screens):
        assert_clean(svg, f"screen {number}")
    # failed at its first page: nothing was written, so no file was kept to hold a secret
    assert not list(tmp_path.rglob("*.partial")) and not list(tmp_path.rglob("*.writing"))
    for notice in notices:
        assert_clean(notice, "a notification")
    text = log_file.read_text(encoding="utf-8")
    assert "GET /api/v2/accounts/contacts" in text and "HTTP 401" in text
    assert_clean(text, "the log file")
    out, err = capfd.readouterr()
    assert_clean(out + err, "the terminal")


async def test_an_unexpected_failure_with_the_signed_request_in_hand_shows_no_token(
    chatwoot: DemoServer, tmp_path: Path
) -> None:
    """A Chatwoot token travels in a header httpx does not mask; a bug raised while it is on
    the request must not carry it into the screen, the log or a traceback with locals."""
    log_file = setup_logging(tmp_path / "tui.log", debug=True)
    connection = chatwoot.connection()
    client = ContactsClient(connection, retry=FAST, transport=BreaksAfterSending())
    with pytest.raises(RuntimeError) as caught:
        await client.list_contacts(ContactQuery())
    assert_error_is_clean(caught.value, "a traceback from inside the request")
    assert_no_repr_shows_a_credential(client, connection)
    app = LiveDeskApp(connection, client=client, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.error is not None)
        assert "Something unexpected went wrong (RuntimeError)" in app.status_text()
        assert app.is_running
        assert_clean(app.export_screenshot(), "the screen")
    text = log_file.read_text(encoding="utf-8")
    assert "RuntimeError: the transport broke after sending" in text
    assert_clean(text, "the log file")


@pytest.mark.parametrize("dialect", ["livedesk", "chatwoot"])
async def test_errors_and_tracebacks_with_locals_hold_no_credential(
    dialect: str, server: DemoServer, chatwoot: DemoServer
) -> None:
    running = server if dialect == "livedesk" else chatwoot
    connection = running.connection()
    specs = ("401x*", "403x*", "404x*", "429x*", "500x*", "html:502x*", "not_jsonx*", "dropx*")
    async with ContactsClient(connection, retry=FAST, timeout=5.0) as client:
        for spec in specs:
            running.faults.clear()
            running.faults.add(parse_fault(spec))
            with pytest.raises(LiveDeskError) as caught:
                await client.list_contacts(ContactQuery())
            assert_error_is_clean(caught.value, f"the error for {spec}")
        running.faults.clear()
        running.faults.add(parse_fault("500@page=2x*"))
        with pytest.raises(ExportFailed) as failed:
            await export_contacts(client, ContactQuery(page_size=10), io.StringIO())
        assert_error_is_clean(failed.value, "a failed export")
        running.faults.clear()
        assert_no_repr_shows_a_credential(client, connection)
    refused = replace(connection, base_url="http://127.0.0.1:9")
    async with ContactsClient(refused, retry=RetryPolicy(attempts=1)) as client:
        with pytest.raises(LiveDeskError) as caught:
            await client.list_contacts(ContactQuery())
    assert_error_is_clean(caught.value, "a refused connection")


def test_settings_from_a_file_and_the_environment_hold_no_visible_credential(
    tmp_path: Path,
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[profiles.work]\nbase_url = "https://desk.example.com"\n'
        f'api_key = "{KEY}"\napi_secret = "{SECRET}"\n',
        encoding="utf-8",
    )
    config.chmod(0o600)
    from_file = load_settings(config_path=config, profile="work", env={})
    from_env = load_settings(
        config_path=tmp_path / "absent.toml",
        env={"LIVEDESK_API_KEY": KEY, "LIVEDESK_API_SECRET": SECRET},
    )
    for settings in (from_file, from_env):
        assert settings.connection.api_secret.reveal() == SECRET
        assert_no_repr_shows_a_credential(settings)
        assert_clean(str(settings) + " ".join(settings.warnings), "the settings")


# --- the command line -------------------------------------------------------------------------

CLI_CASES: list[tuple[str, list[str], dict[str, str], str | None, int]] = [
    # (name, arguments, environment changes, fault, exit code)
    ("export ok", ["export", "--format", "json"], {}, None, 0),
    ("export ok, csv to stdout", ["export", "--format", "csv"], {}, None, 0),
    ("wrong secret", ["export"], {"LIVEDESK_API_SECRET": "wrong-" + SECRET}, None, 3),
    ("forbidden", ["export"], {}, "403x*", 3),
    ("not found", ["export"], {}, "404x*", 2),
    ("server error mid-export", ["export", "--page-size", "10"], {}, "500@page=3x*", 4),
    ("not JSON", ["export"], {}, "not_jsonx*", 5),
    ("connection refused", ["export"], {"LIVEDESK_BASE_URL": "http://127.0.0.1:9"}, None, 4),
    (
        "http to another host",
        ["export"],
        {"LIVEDESK_BASE_URL": "http://desk.example.com"},
        None,
        2,
    ),
    (
        "secret in the base URL",
        ["export"],
        {"LIVEDESK_BASE_URL": f"https://{KEY}:{SECRET}@desk.example.com"},
        None,
        2,
    ),
    ("missing secret", ["export"], {"LIVEDESK_API_SECRET": ""}, None, 2),
    # A password or user name holding a character that ends a part of a URL moves where a
    # parser thinks the host begins: none of the URL before the @ may show.
    (
        "password holding / # ? @ in the base URL",
        ["export"],
        {"LIVEDESK_BASE_URL": f"https://{KEY}:{SECRET}/#?@desk.example.com"},
        None,
        2,
    ),
    (
        "user name holding # in the base URL",
        ["export"],
        {"LIVEDESK_BASE_URL": f"https://{KEY}#{SECRET}@desk.example.com"},
        None,
        2,
    ),
    (
        "password holding ? in the base URL",
        ["export"],
        {"LIVEDESK_BASE_URL": f"https://{KEY}:{SECRET}?@desk.example.com"},
        None,
        2,
    ),
    ("secret with a trailing LF", ["export"], {"LIVEDESK_API_SECRET": SECRET + "\n"}, None, 2),
    ("key with a trailing CRLF", ["export"], {"LIVEDESK_API_KEY": KEY + "\r\n"}, None, 2),
    ("secret with an escape", ["export"], {"LIVEDESK_API_SECRET": SECRET + "\x1b[0m"}, None, 2),
    ("usage error", ["export", "--page-size", "0"], {}, None, 2),
]


@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
@pytest.mark.parametrize(
    ("name", "argv", "env", "fault", "code"), CLI_CASES, ids=[case[0] for case in CLI_CASES]
)
def test_every_exit_path_of_the_command_line_keeps_the_credentials_out(
    name: str,
    argv: list[str],
    env: dict[str, str],
    fault: str | None,
    code: int,
    debug: bool,
    server: DemoServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    values = {
        "LIVEDESK_BASE_URL": server.base_url,
        "LIVEDESK_API_KEY": KEY,
        "LIVEDESK_API_SECRET": SECRET,
        **env,
    }
    for variable, value in values.items():
        monkeypatch.setenv(variable, value)
    if fault:
        server.faults.add(parse_fault(fault))
    log_file = tmp_path / "cli.log"
    output = tmp_path / "out.txt"
    args = list(argv)
    if argv[0] == "export" and "stdout" not in name:
        args += ["--output", str(output)]
    args += ["--retries", "0", "--log-file", str(log_file)] + (["--debug"] if debug else [])
    try:
        got = main(args)
    except SystemExit as exit_:
        got = exit_.code
    out, err = capsys.readouterr()
    assert got == code, err
    assert_clean(out, "stdout")
    assert_clean(err, "stderr")
    for path in (log_file, output, tmp_path / "out.txt.partial"):
        if path.exists():
            assert_clean(path.read_text(encoding="utf-8"), path.name)
    if code == 0:
        assert out or output.exists()
    if debug and code in (3, 4, 5):
        assert "Traceback" in err  # the traceback is there, and holds no credential


@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
def test_a_chatwoot_token_with_a_line_ending_is_refused_before_any_request(
    ending: str,
    debug: bool,
    chatwoot: DemoServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The token travels as a header value, and the HTTP layer's refusal of a line break in one
    quotes the value: the token must be refused, by its name, before it gets there."""
    chatwoot.reset_log()
    for variable, value in {
        "LIVEDESK_BASE_URL": chatwoot.base_url,
        "LIVEDESK_API_KEY": KEY + ending,
        "LIVEDESK_DIALECT": "chatwoot",
        "LIVEDESK_ACCOUNT_ID": "4",
    }.items():
        monkeypatch.setenv(variable, value)
    got = main(["export", "--format", "json", "--retries", "0"] + (["--debug"] if debug else []))
    out, err = capsys.readouterr()
    assert got == 2, err
    assert "LIVEDESK_API_KEY ends with a line break" in err
    assert_clean(out + err, "the terminal")
    assert chatwoot.requests == [], "no request was sent"


@pytest.mark.parametrize(
    ("code", "why"),
    [
        (f"import sys; sys.stdout.write({SECRET!r} + '\\x1b[0m\\n')", "control character"),
        (f"import sys; sys.stdout.write({SECRET!r} + '\\r\\r\\n')", "line break"),
        (f"import sys; sys.stdout.write({SECRET!r} * 5000)", "more than 64 KiB"),
        (f"import sys; sys.stdout.write(({SECRET!r} + '\\n') * 5000)", "more than 64 KiB"),
    ],
    ids=["escape", "CR", "one-long-line", "many-lines"],
)
def test_a_refused_secret_command_output_is_never_printed(
    code: str,
    why: str,
    server: DemoServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    command = json.dumps(shlex.join([sys.executable, "-c", code]))
    config = tmp_path / "config.toml"
    config.write_text(
        f'[profiles.work]\nbase_url = "{server.base_url}"\napi_key = "{KEY}"\n'
        f"api_secret_command = {command}\n",
        encoding="utf-8",
    )
    config.chmod(0o600)
    log_file = tmp_path / "cli.log"
    argv = ["export", "--config", str(config), "--profile", "work", "--format", "json"]
    got = main([*argv, "--debug", "--log-file", str(log_file)])
    out, err = capsys.readouterr()
    assert got == 2, err
    assert why in err and "api_secret_command under [profiles.work]" in err
    assert_clean(out + err, "the terminal")
    assert SECRET[:12] not in out + err
    if log_file.exists():
        assert_clean(log_file.read_text(encoding="utf-8"), "the log file")
