"""The ``export`` command's run: the format, where it writes, what it says, and how it ends when
the reader goes away or a signal comes.

- The format is ``--format``'s; without it, the output file's extension picks it (any format's
  in ``api.formats``, as in the app's export dialog), and any other name gets ``DEFAULT_FORMAT``
  (JSON Lines).
  ``--format`` wins over an extension that asks for another one, with a one-line warning.
- No ``--output``, or ``-o -``: standard output. A file is written under a unique name of its
  own (0600, created exclusively; see ``export_file``) and renamed onto ``FILE`` only when
  complete, or onto ``FILE.partial`` when it stops with contacts written.
- A reader that closes the pipe early (``... | head -1``) ends the export quietly: no message,
  exit code 141 (128 + SIGPIPE), what ``git log | head -1`` gives, since SIGPIPE ends git.
- SIGINT (Ctrl+C), SIGTERM and SIGHUP stop the export between two pages: what was written is
  flushed and kept in ``FILE.partial``, one line beginning ``Interrupted`` names it and the
  contacts in it, and the exit code is 128 + the signal's number (130, 143, 129). A second
  signal while stopping ends the process at once, as the signal would have.
- A write that fails (a full disk) stops it with exit code 2, naming the partial file kept.
"""

from __future__ import annotations

import asyncio
import errno
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, TextIO

from .api.connection import Connection
from .api.errors import ConfigError
from .api.export import ExportFailed, ExportProgress, ExportResult, Format, OutputFailed
from .api.formats import DEFAULT_FORMAT, export_format
from .api.models import ContactQuery
from .export_file import format_of, partial_path

if TYPE_CHECKING:
    from .api.first_page import FirstPage

EXIT_OK = 0
EXIT_BROKEN_PIPE = 128 + signal.SIGPIPE
STOP_SIGNALS: tuple[signal.Signals, ...] = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


class Interrupted(Exception):
    """A stop signal came while exporting; ``result.written`` contacts were written."""

    def __init__(self, signum: int, result: ExportResult) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.result = result

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


def choose_format(given: Format | None, target: Path | None) -> tuple[Format, str | None]:
    """The format to write, and a warning when ``--format`` overrules the file's extension."""
    named = format_of(target) if target is not None else None
    if given is None:
        return named or DEFAULT_FORMAT, None
    if named is not None and named != given:
        assert target is not None
        return given, (
            f"--format {given} wins over the {target.suffix} of {target.name}: "
            f"the file holds {given}, not what {export_format(named).extension} usually means"
        )
    return given, None


class _Signals:
    """While installed: a stop signal cancels the running export (``attach``) or, outside it,
    raises ``Interrupted``; once ``finishing``, it is let pass (the file is being put in place).

    While the event loop is being built or taken down (``in_loop``, outside ``attach``) a
    signal is only noted: raised there, it would leave a half-built loop behind. ``attach``
    raises a signal noted before it, and so does ``after_loop``.
    """

    def __init__(self) -> None:
        self.caught: int | None = None
        self.written = 0
        self.finishing = False
        self.in_loop = False
        self._task: asyncio.Task[object] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._previous: dict[int, object] = {}

    def __enter__(self) -> _Signals:
        for signum in STOP_SIGNALS:
            self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *_: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]

    def attach(self) -> None:
        self._task = asyncio.current_task()
        self._loop = asyncio.get_running_loop()
        if self.caught is not None:  # came while the loop was being built
            raise self.interrupted()

    def after_loop(self) -> None:
        self.in_loop = False
        if self.caught is not None:  # came while the loop was being taken down
            raise self.interrupted()

    def detach(self) -> None:
        self._task = self._loop = None

    def progressed(self, progress: ExportProgress) -> None:
        self.written = progress.written

    def interrupted(self) -> Interrupted:
        assert self.caught is not None
        return Interrupted(self.caught, ExportResult(written=self.written))

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.caught is not None:  # asked again while stopping: stop now, as asked
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        if self.finishing:
            return
        self.caught = signum
        task, loop = self._task, self._loop
        if task is not None and loop is not None and not task.done():
            loop.call_soon_threadsafe(task.cancel)
            return
        if self.in_loop:
            return
        raise self.interrupted()


def run_export(
    *,
    connection: Connection,
    query: ContactQuery,
    fmt: Format | None,
    output: Path | None,
    concurrency: int,
    retries: int,
    timeout: float | None,
    first_page: FirstPage | None = None,
) -> int:
    """Export every contact matching ``query``; return the exit code (see the module docstring).

    Raises:
        LiveDeskError: the export failed; its one-line message says how far it got.
    """
    from .api.client import ContactsClient, RetryPolicy
    from .api.export import export_contacts
    from .progress import ProgressLine

    target = None if output is None or str(output) == "-" else output
    chosen, warning = choose_format(fmt, target)
    if warning:
        print(f"livedesk-tui: warning: {warning}", file=sys.stderr)
    line = ProgressLine(sys.stderr, enabled=sys.stderr.isatty())

    with _Signals() as signals:

        def progress(update: ExportProgress) -> None:
            signals.progressed(update)
            line(update)

        def waiting(message: str, seconds: float) -> None:
            line.close()  # the progress line is drawn again with the next page
            print(f"livedesk-tui: {message}", file=sys.stderr, flush=True)

        async def run(out: TextIO) -> ExportResult:
            retry = RetryPolicy(attempts=retries + 1)
            try:
                signals.attach()
                async with ContactsClient(
                    connection, retry=retry, timeout=timeout, on_wait=waiting, first_page=first_page
                ) as client:
                    return await export_contacts(
                        client, query, out, fmt=chosen, concurrency=concurrency, progress=progress
                    )
            except asyncio.CancelledError:
                if signals.caught is not None:
                    raise signals.interrupted() from None
                raise
            finally:
                signals.detach()

        try:
            with _output(target) as out:
                signals.in_loop = True
                result = asyncio.run(run(out))
                signals.after_loop()
                signals.finishing = True
        except Interrupted as stopped:
            line.close()
            print(_interrupted_message(stopped, target), file=sys.stderr)
            return stopped.exit_code
        except ExportFailed as exc:
            line.close()
            raise type(exc.cause)(_failed_message(exc, target), status=exc.status) from exc
        except (OutputFailed, BrokenPipeError) as exc:
            line.close()
            cause = exc.cause if isinstance(exc, OutputFailed) else exc
            if target is None:
                _silence_stdout()
            if isinstance(cause, BrokenPipeError):
                return EXIT_BROKEN_PIPE
            written = exc.result.written if isinstance(exc, OutputFailed) else 0
            raise ConfigError(_write_failed_message(cause, written, target)) from exc
    line.close()
    where = f" to {target}" if target else ""
    print(f"Exported {result.written:,} contacts{where}.", file=sys.stderr)
    for text in result.warnings:
        print(f"livedesk-tui: warning: {text}", file=sys.stderr)
    return EXIT_OK


@contextmanager
def _output(target: Path | None) -> Iterator[TextIO]:
    """stdout, or a file put in place as FILE when the export completes (see ``open_partial``)."""
    if target is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    from .export_file import open_partial

    with open_partial(target) as handle:
        yield handle


def _silence_stdout() -> None:
    """Point standard output at the null device, so that what is still buffered for it is not
    written (and failed again, with a message) when the interpreter exits."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError):
        pass


def _kept(target: Path, written: int) -> str:
    if written == 0:
        return "Nothing was written, so no partial file was kept."
    return f"Partial output to {partial_path(target)} holds the pages before it."


def _failed_message(failed: ExportFailed, target: Path | None) -> str:
    if target is None:
        if failed.result.written == 0:
            return failed.message
        return f"{failed.message} Partial output holds the pages before it."
    return f"{failed.message} {_kept(target, failed.result.written)}"


def _write_failed_message(cause: OSError, written: int, target: Path | None) -> str:
    if target is None:
        place = "standard output"
        return f"Cannot write to {place}: {cause.strerror or cause} ({written} contacts written)."
    partial = partial_path(target)
    if cause.errno in {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}:
        what = f"No space left on the disk holding {target.parent} ({written} contacts written)."
    else:
        what = f"Cannot write {partial}: {cause.strerror or cause} ({written} contacts written)."
    if written == 0:
        return f"{what} No partial file was kept."
    return f"{what} The partial file {partial} was kept; it may end mid-contact."


def _interrupted_message(stopped: Interrupted, target: Path | None) -> str:
    name = signal.Signals(stopped.signum).name
    written = stopped.result.written
    if target is None:
        return f"Interrupted ({name}) after {written:,} contacts."
    if written == 0:
        return f"Interrupted ({name}) before any contact was written; no partial file was kept."
    return (
        f"Interrupted ({name}): {partial_path(target)} holds the {written:,} contacts "
        "written before it."
    )
