"""The ``livedesk-tui`` command: parse arguments, build settings and client, run, map exit codes.

Exit codes: 0 ok; 2 usage or configuration error (also a file that cannot be written, a full
disk); 3 authentication or permission refused; 4 network or server failure after retries; 5 a
response that could not be understood (also a server paging without end); 128 + the signal's
number when interrupted (130 Ctrl+C, 143 SIGTERM, 129 SIGHUP); 141 when the reader of the
export's output stopped reading (as SIGPIPE gives), without a message. A failure prints one line
to stderr; ``--debug`` adds the traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .api.connection import DIALECTS, Connection, Dialect
from .api.errors import ConfigError, LiveDeskError
from .api.models import MAX_PAGE_SIZE, SORT_KEYS, ContactQuery

if TYPE_CHECKING:
    from .api.first_page import FirstPage
    from .demo.launch import DemoProcess
    from .demo.server import DemoServer
    from .settings import Settings

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line plus a hint, still with exit code 2; an
    ``epilog_factory`` writes the epilog only when help is shown (it may import more)."""

    def __init__(
        self, *args: Any, epilog_factory: Callable[[], str] | None = None, **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        self.epilog_factory = epilog_factory

    def format_help(self) -> str:
        if self.epilog_factory is not None:
            self.epilog = self.epilog_factory()
        return super().format_help()

    def error(self, message: str) -> Any:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\nTry '{self.prog} --help'.\n")


def _global_options(
    parser: argparse.ArgumentParser, *, suppress: bool, shown: frozenset[str] | None = None
) -> None:
    """Options accepted both before and after a subcommand.

    On the subcommand parsers their default is SUPPRESS, so a value given before the
    subcommand is not reset by the subcommand's own defaults. ``shown``: the options a
    subcommand's help lists (the others are still accepted); all of them when ``None``.
    """

    def default(value: Any) -> Any:
        return argparse.SUPPRESS if suppress else value

    group = parser.add_argument_group("connection")

    def add(flag: str, text: str, **options: Any) -> None:
        listed = shown is None or flag in shown
        group.add_argument(flag, help=text if listed else argparse.SUPPRESS, **options)

    add(
        "--base-url",
        "API base URL (env LIVEDESK_BASE_URL; profile base_url; default: "
        "https://livedesk-api.engagelab.com)",
        metavar="URL",
        default=default(None),
    )
    add(
        "--profile",
        "profile in the config file (env LIVEDESK_PROFILE; default: the file's "
        "default_profile, else 'default'; the browser starts on the one used last)",
        metavar="NAME",
        default=default(None),
    )
    add(
        "--config",
        "config file (env LIVEDESK_CONFIG; default: config.toml in the user's config folder, "
        "~/.config/livedesk-tui on Linux)",
        type=Path,
        metavar="PATH",
        default=default(None),
    )
    add(
        "--dialect",
        "server API dialect (env LIVEDESK_DIALECT; profile dialect; default: livedesk)",
        choices=DIALECTS,
        default=default(None),
    )
    add(
        "--account-id",
        "Chatwoot account id (env LIVEDESK_ACCOUNT_ID; profile account_id; default for the "
        "demo: 1)",
        type=int,
        metavar="N",
        default=default(None),
    )
    add(
        "--demo",
        "start the embedded demo API on loopback and use it (no account needed)",
        action="store_true",
        default=default(False),
    )
    add(
        "--timeout",
        "seconds a whole request may take, from connecting to the last byte of the answer "
        "(default: 30, of which at most 5 to connect)",
        type=_seconds,
        default=default(None),
        metavar="SECONDS",
    )
    add(
        "--ca-bundle",
        "CA certificates to trust beside the system's: a PEM file or a hashed directory "
        "(env LIVEDESK_CA_BUNDLE; profile ca_bundle; default: the system's alone)",
        type=Path,
        default=default(None),
        metavar="PATH",
    )
    add(
        "--proxy",
        "proxy for the API, over HTTPS_PROXY and ALL_PROXY; 'none' goes direct "
        "(env LIVEDESK_PROXY; profile proxy; default: as the environment says)",
        default=default(None),
        metavar="URL",
    )
    add(
        "--log-file",
        "write a log (redacted) here (default: none; with --debug, livedesk-tui.log in the "
        "user's log folder)",
        type=Path,
        metavar="PATH",
        default=default(None),
    )
    add(
        "--debug",
        "show tracebacks; log in detail",
        action="store_true",
        default=default(False),
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="livedesk-tui",
        description="Browse, search and export LiveDesk (or Chatwoot) contacts from the terminal.",
        epilog="Run with no command to open the contact browser. Try: livedesk-tui --demo",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _global_options(parser, suppress=False)
    commands = parser.add_subparsers(dest="command", metavar="command", parser_class=_Parser)

    export = commands.add_parser(
        "export",
        help="write every matching contact to CSV, JSON or JSON Lines",
        description="Write every contact matching the filters, all pages, in the server's order.",
        epilog="The format comes from --format, else from the name given to -o (.csv, .json, "
        ".jsonl), else it is jsonl (default: jsonl). Interrupted (Ctrl+C, SIGTERM, SIGHUP), the "
        "export keeps FILE.partial and exits with 128 + the signal's number.",
    )
    export.add_argument(
        "--label",
        action="append",
        default=[],
        metavar="L",
        help="contacts with any of these labels (repeat; default: every contact)",
    )
    export.add_argument(
        "--sort",
        choices=SORT_KEYS,
        metavar="KEY",
        help=f"sort key: {', '.join(SORT_KEYS)} (default: the server's order; Chatwoot's has "
        "none, so created_at is asked for there)",
    )
    export.add_argument(
        "--direction", choices=("asc", "desc"), default="asc", help="(default: %(default)s)"
    )
    export.add_argument(
        "--search",
        default="",
        metavar="TEXT",
        help="match name, email, phone, identifier (default: no search)",
    )
    export.add_argument(
        "--page-size",
        type=_page_size,
        default=MAX_PAGE_SIZE,
        metavar="N",
        help="1-100 (default 100)",
    )
    export.add_argument("--no-inboxes", action="store_true", help="leave contact_inboxes out")
    from .api.formats import DEFAULT_FORMAT, EXTENSIONS, FORMATS, in_words

    export.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help=f"{in_words(FORMATS)} (default: the output file's extension, {in_words(EXTENSIONS)}; "
        f"else {DEFAULT_FORMAT}); it wins over the extension, with a warning",
    )
    export.add_argument(
        "--output",
        "-o",
        type=Path,
        metavar="FILE",
        help="file to write (0600), put in place only when complete; an export that stops "
        "leaves what it wrote in FILE.partial (default, or -o -: standard output)",
    )
    export.add_argument(
        "--concurrency",
        type=_concurrency,
        default=4,
        metavar="N",
        help="pages fetched at once (1-8, default 4)",
    )
    export.add_argument(
        "--retries",
        type=_retries,
        default=3,
        metavar="N",
        help="retries of a failing page (0-10, default 3)",
    )
    _global_options(export, suppress=True)

    server = commands.add_parser(
        "demo-server",
        help="run the demo API server on loopback",
        description="Serve seeded demo contacts over a LiveDesk-compatible API on loopback.",
        epilog_factory=_fault_help,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    server.add_argument(
        "--host", default="127.0.0.1", help="loopback address to listen on (default: %(default)s)"
    )
    server.add_argument(
        "--port", type=int, default=8765, help="port to listen on, 0 for any (default: %(default)s)"
    )
    server.add_argument(
        "--contacts",
        type=_non_negative,
        default=1000,
        metavar="N",
        help="how many contacts to generate (default: %(default)s)",
    )
    server.add_argument(
        "--latency-ms",
        type=float,
        default=0.0,
        metavar="N",
        help="milliseconds to wait before each answer (default: %(default)g)",
    )
    server.add_argument(
        "--seed",
        type=int,
        default=7,
        metavar="N",
        help="seed of the generated contacts (default: %(default)s)",
    )
    server.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="SPEC",
        help="inject a fault (repeat; see below), e.g. 500@page=2x1 (default: none)",
    )
    server.add_argument(
        "--hostile",
        action="store_true",
        help="put contacts with hostile strings first (default: off)",
    )
    server.add_argument(
        "--chatwoot-version",
        default="4.15",
        metavar="V",
        help="with --dialect chatwoot, the version to behave as, 4.8 to 4.15 (4.10.1 and "
        "later: search ignores labels and says has_more; 4.13 and later: company_name) "
        "(default: %(default)s)",
    )
    server.add_argument(
        "--rate-limit",
        type=_bounded_int(1, None),
        default=None,
        metavar="N",
        help="answer 429 Retry later past N requests a clock minute, as Chatwoot's "
        "rack-attack does (default: no limit)",
    )
    server.add_argument(
        "--unstable-order",
        action="store_true",
        help="with --dialect chatwoot, list contacts in another order on every other page "
        "when no sort is asked for, as a query without ORDER BY may (default: off)",
    )
    # For --demo, which runs the server as a child process: serve on an inherited listening
    # socket, and stop when standard input ends (when the parent ends).
    server.add_argument("--listen-fd", type=_non_negative, default=None, help=argparse.SUPPRESS)
    server.add_argument("--until-stdin-closes", action="store_true", help=argparse.SUPPRESS)
    # The demo server serves; of the connection options only these shape what it serves.
    _global_options(server, suppress=True, shown=frozenset({"--dialect", "--account-id"}))
    return parser


def _fault_help() -> str:
    """The ``--fault`` grammar and its kinds, for ``demo-server --help``."""
    import textwrap

    from .demo.faults import FAULT_KINDS

    kinds = ", ".join(kind for kind in FAULT_KINDS if kind != "status")
    return "\n".join(
        [
            "--fault SPEC is KIND[:ARG][@page=N][xN|x*]: an HTTP status (400-599) or a",
            "kind, an argument for some kinds, only requests for page N, and how many times",
            "it fires (once by default; x* forever). Kinds:",
            *textwrap.wrap(kinds, 76, initial_indent="  ", subsequent_indent="  "),
            "Examples: 500@page=3x1, 429:retry-after=1, html:502, wrong_shape:count_string,",
            "hang:5, count:1e30, ignore_pagex*.",
        ]
    )


def _bounded_int(low: int, high: int | None) -> Any:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < low or (high is not None and value > high):
            bounds = f"from {low} to {high}" if high is not None else f"{low} or more"
            raise argparse.ArgumentTypeError(f"{value} is out of range ({bounds})")
        return value

    return parse


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value <= 3600:  # also refuses NaN
        raise argparse.ArgumentTypeError(f"{text} is out of range (more than 0, up to 3600)")
    return value


_page_size = _bounded_int(1, MAX_PAGE_SIZE)
_concurrency = _bounded_int(1, 8)
_retries = _bounded_int(0, 10)
_non_negative = _bounded_int(0, None)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    debug = bool(getattr(args, "debug", False))
    try:
        return _dispatch(args)
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except LiveDeskError as exc:
        if debug:
            traceback.print_exc()
        print(f"livedesk-tui: {exc}", file=sys.stderr)
        return exc.exit_code
    except Exception as exc:
        if debug:
            traceback.print_exc()
        else:
            print(
                f"livedesk-tui: unexpected {type(exc).__name__}; run again with --debug for details.",
                file=sys.stderr,
            )
        return 1


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "demo-server":
        from .demo.serve import serve_cli

        return serve_cli(
            host=args.host,
            port=args.port,
            contacts=args.contacts,
            latency_ms=args.latency_ms,
            seed=args.seed,
            dialect=args.dialect or "livedesk",
            account_id=args.account_id or 1,
            faults=args.fault,
            hostile=args.hostile,
            chatwoot_version=args.chatwoot_version,
            rate_limit=args.rate_limit,
            unstable_order=args.unstable_order,
            listen_fd=args.listen_fd,
            until_stdin_closes=args.until_stdin_closes,
        )
    if args.command is None and not _stdout_is_terminal():
        raise ConfigError(
            "Standard output is not a terminal, so the contact browser cannot draw on it; "
            "to write contacts to a file or a pipe, use: livedesk-tui export"
        )
    with _connection(args) as (connection, settings):
        _start_logging(args, connection)
        if args.command == "export":
            return _export(args, connection)
        return _run_tui(args, connection, settings)


@contextmanager
def _connection(args: argparse.Namespace) -> Iterator[tuple[Connection, Settings | None]]:
    """The connection to use: the embedded demo server's, or the one the settings describe."""
    if args.demo:
        server = _start_demo(args)
        try:
            yield server.connection(), None
        finally:
            server.stop()
        return
    settings = None
    remembered = _remembered_profile(args)
    if remembered:
        try:
            settings = _load_settings(args, remembered)
        except ConfigError as exc:
            print(
                f"livedesk-tui: warning: the profile used last ({remembered!r}) cannot be used, "
                f"so the default one is: {exc.message}",
                file=sys.stderr,
            )
    if settings is None:
        settings = _load_settings(args, args.profile)
    for warning in settings.warnings:
        print(f"livedesk-tui: warning: {warning}", file=sys.stderr)
    yield settings.connection, settings


def _load_settings(args: argparse.Namespace, profile: str | None) -> Settings:
    from .settings import load_settings

    return load_settings(
        config_path=args.config,
        profile=profile,
        base_url=args.base_url,
        dialect=args.dialect,
        account_id=args.account_id,
        ca_bundle=args.ca_bundle,
        proxy=args.proxy,
        env=os.environ,
    )


def _remembered_profile(args: argparse.Namespace) -> str | None:
    """For the browser started with no profile named: the one used last, if it still exists.
    An export never depends on what was remembered."""
    if args.profile or args.command is not None:
        return None
    from .session import remembered_profile, state_file
    from .settings import load_preferences
    from .state import load_state

    profiles = load_preferences(config_path=args.config, env=os.environ).profiles
    state = load_state(state_file(demo=False))
    return remembered_profile(state, profile=None, env=os.environ, profiles=profiles)


def _start_demo(args: argparse.Namespace) -> DemoServer | DemoProcess:
    """The demo server: for the TUI in a process of its own (it starts on the other core while
    the TUI starts, and never competes with the screen for the interpreter lock); for an
    export, in this process."""
    if args.base_url:
        raise ConfigError("--demo runs its own server; leave out --base-url.")
    dialect: Dialect = args.dialect or "livedesk"  # argparse allowed only DIALECTS
    account_id = args.account_id or 1
    if args.command is None:
        from .demo.launch import DemoProcess

        try:
            return DemoProcess(dialect=dialect, account_id=account_id).start()
        except OSError as exc:
            raise ConfigError(f"Cannot start the demo server: {exc.strerror or exc}.") from None
    from .demo.server import DemoServer

    return DemoServer(dialect=dialect, account_id=account_id).start()


def _start_logging(args: argparse.Namespace, connection: Connection) -> None:
    if not (args.log_file or args.debug):
        return
    from .logsetup import setup_logging
    from .paths import default_log_path

    secrets = (connection.api_key.reveal(), connection.api_secret.reveal())
    setup_logging(args.log_file or default_log_path(), debug=args.debug, secrets=secrets)


def _export(args: argparse.Namespace, connection: Connection) -> int:
    from .api.export import stable_query

    query = ContactQuery(
        labels=tuple(args.label),
        sort=args.sort,
        direction=args.direction,
        search=args.search,
        include_inboxes=not args.no_inboxes,
        page_size=args.page_size,
    )
    query, note = stable_query(query, connection)
    if args.output is not None and str(args.output) != "-":
        from .export_file import check_target

        check_target(args.output)  # before any request: nothing is fetched for nowhere
    first = _first_page(connection, query, args.timeout)
    if note:
        print(f"livedesk-tui: {note}", file=sys.stderr)
    from .export_command import run_export

    return run_export(
        connection=connection,
        query=query,
        first_page=first,
        fmt=args.format,
        output=args.output,
        concurrency=args.concurrency,
        retries=args.retries,
        timeout=args.timeout,
    )


def _first_page(connection: Connection, query: ContactQuery, timeout: float | None) -> FirstPage:
    """Page 1 of ``query``, asked for now, while the browser or the export is still loading
    (see ``api.first_page``)."""
    from .api.first_page import DEADLINE, FirstPage

    deadline = DEADLINE if timeout is None else min(DEADLINE, timeout)
    return FirstPage(connection, query, env=os.environ, deadline=deadline).start()


def _stdout_is_terminal() -> bool:
    """Whether the browser has a terminal to draw on (not a pipe or a file)."""
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def _run_tui(args: argparse.Namespace, connection: Connection, settings: Settings | None) -> int:
    from .session import config_session, demo_session

    if settings is None:
        session = demo_session(connection, account_id=args.account_id or 1)
    else:
        session = config_session(settings, env=os.environ)
    # The first page's round trips run while Textual is imported and the screen is built.
    first = _first_page(session.connection, session.initial_query or ContactQuery(), args.timeout)
    if settings is None:
        theme, keys = _demo_preferences(args)
    else:
        theme, keys = settings.theme, settings.keys
    from functools import partial

    from .api.source import open_client
    from .tui.app import LiveDeskApp

    try:
        app = LiveDeskApp(
            session.connection,
            label_suggestions=session.label_suggestions,
            keymap=dict(keys),
            theme=theme,
            open_source=partial(open_client, timeout=args.timeout),
            initial_query=session.initial_query,
            profiles=session.profiles,
            connect_profile=session.connect_profile,
            first_page=first,
        )
        app.run()
    finally:
        session.close()
    session.remember(
        profile=app.connection.profile, query=app.contact_query, labels_used=app.labels_used
    )
    return app.return_code or EXIT_OK


def _demo_preferences(args: argparse.Namespace) -> tuple[str | None, Mapping[str, str]]:
    """The theme and keys of the config file: the demo needs no account, but it should look
    and answer keys as the user set it up. A broken file is only a warning here."""
    from .settings import load_preferences

    try:
        preferences = load_preferences(config_path=args.config, env=os.environ)
    except ConfigError as exc:
        print(f"livedesk-tui: warning: {exc.message}", file=sys.stderr)
        return None, {}
    for warning in preferences.warnings:
        print(f"livedesk-tui: warning: {warning}", file=sys.stderr)
    return preferences.theme, preferences.keys
