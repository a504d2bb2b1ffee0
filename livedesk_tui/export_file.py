"""Exports into files: written as ``FILE.partial`` and renamed only when complete.

Shared by the ``export`` command and the app's export dialog, so a file named like the target
always holds a whole export: a failure leaves ``FILE.partial`` (the pages before it, in order),
and an export cancelled from the app removes its partial file, as does a failure before any
contact was written (there is nothing in it to keep).

Exported contacts are personal data: every file is created 0600, like the log and the state
file. The export is written to a file of its own, a unique hidden name beside the target created
exclusively (``O_EXCL | O_NOFOLLOW``: never an existing file, never through a planted link), so
two exports to the same target never write into one file, and a ``FILE.partial`` left by an
earlier run does not stand in the way. At the end that file is renamed in one step: onto
``FILE`` when complete (flushed to disk first), onto ``FILE.partial`` when the export failed or
was interrupted with contacts written. A rename replaces a link planted at either name rather
than writing through it; ``FILE`` is always either the previous file or a whole export.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TextIO

from .api.errors import ConfigError
from .api.export import ExportProgress, ExportResult, Format, export_contacts
from .api.formats import EXTENSIONS, export_format, format_named_by
from .api.models import ContactQuery
from .api.source import ContactsSource

WRITING_SUFFIX = ".writing"


def partial_path(target: Path) -> Path:
    """Where an export to ``target`` is written until it is complete."""
    return target.with_name(target.name + ".partial")


def files_being_written(target: Path) -> list[Path]:
    """The files exports to ``target`` are writing now (hidden, unique, beside it)."""
    return sorted(target.parent.glob(f".{target.name}.*{WRITING_SUFFIX}"))


def format_of(target: Path) -> Format | None:
    """The format a file name asks for (a format's extension, any case), if any."""
    return format_named_by(target.suffix)


def check_target(target: Path) -> None:
    """Refuse a place an export could not be written to, before anything is fetched.

    Raises:
        ConfigError: ``target`` is a folder, or its folder is missing or cannot be written to.
    """
    if target.is_dir():
        raise ConfigError(f"{target} is a folder; name a file to write.")
    folder = target.parent
    if not folder.is_dir():
        raise ConfigError(f"There is no folder {folder}.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ConfigError(f"The folder {folder} cannot be written to.")


@contextmanager
def open_partial(target: Path) -> Iterator[TextIO]:
    """A new private text file for an export to ``target``, put in place when the block ends.

    Ending normally, the file becomes ``target``. When the block raises, it becomes
    ``FILE.partial`` (it holds what was written), unless the export was cancelled
    (``asyncio.CancelledError``) or the error says no contact was written (an error whose
    ``result.written`` is 0): then it is removed.

    Raises:
        ConfigError: ``target`` cannot be written (see ``check_target``), or the finished file
            cannot be put in place.
    """
    check_target(target)
    partial = partial_path(target)
    try:
        fd, name = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=WRITING_SUFFIX, dir=target.parent
        )
    except OSError as exc:
        raise ConfigError(f"Cannot write in {target.parent}: {exc.strerror or exc}.") from None
    writing = Path(name)
    handle = os.fdopen(fd, "w", encoding="utf-8", newline="")
    try:
        yield handle
    except BaseException as exc:
        with contextlib.suppress(OSError):  # what could not be written stays unwritten
            handle.close()
        if isinstance(exc, asyncio.CancelledError) or _nothing_written(exc):
            _remove(writing)
        else:
            _keep(writing, partial)
        raise
    try:
        with handle:
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        _keep(writing, partial)
        raise ConfigError(
            f"Cannot finish writing {target}: {exc.strerror or exc}; what was written is kept "
            f"in {partial}."
        ) from None
    try:
        os.replace(writing, target)
    except OSError as exc:
        _keep(writing, partial)
        raise ConfigError(
            f"Cannot put the finished export in place as {target}: {exc.strerror or exc}; "
            f"it is complete in {partial}."
        ) from None


def _keep(writing: Path, partial: Path) -> None:
    """What was written, as ``FILE.partial`` (replacing an older one, or a link, never
    writing through it); left under its own name if even that fails."""
    with contextlib.suppress(OSError):
        os.replace(writing, partial)


def _nothing_written(exc: BaseException) -> bool:
    result = getattr(exc, "result", None)
    return isinstance(result, ExportResult) and result.written == 0


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


async def export_to_file(
    source: ContactsSource,
    query: ContactQuery,
    target: Path,
    *,
    fmt: Format,
    concurrency: int = 4,
    progress: Callable[[ExportProgress], None] | None = None,
) -> ExportResult:
    """Export every contact matching ``query`` into ``target`` (via ``FILE.partial``).

    Raises:
        ExportFailed: a page still failed after retries; ``FILE.partial`` holds the pages
            before it.
        ConfigError: the file cannot be written.
        asyncio.CancelledError: cancelled; the partial file is gone.
    """
    with open_partial(target) as out:
        return await export_contacts(
            source, query, out, fmt=fmt, concurrency=concurrency, progress=progress
        )


def default_export_name(fmt: str, now: datetime) -> str:
    """``livedesk-contacts-YYYYmmdd-HHMM.<ext>``, from the local time ``now``."""
    return f"livedesk-contacts-{now:%Y%m%d-%H%M}{_extension(fmt)}"


def with_format(text: str, fmt: str) -> str:
    """``text`` with its export extension changed to ``fmt``'s (other names are left alone)."""
    for extension in EXTENSIONS:
        if text.endswith(extension):
            return text[: -len(extension)] + export_format(fmt).extension
    return text


def _extension(fmt: str) -> str:
    """``fmt``'s file extension; ``.fmt`` for a name that is no format."""
    try:
        return export_format(fmt).extension
    except KeyError:
        return "." + fmt


def resolve_target(text: str, default_name: str) -> Path:
    """The file an export typed as ``text`` goes to: ``~`` expanded, a folder given the
    default name.

    Raises:
        ConfigError: no path, or a folder that does not exist or cannot be written to.
    """
    typed = text.strip()
    if not typed:
        raise ConfigError("Type the path of the file to write.")
    target = Path(typed).expanduser()
    if target.is_dir():
        target = target / default_name
    check_target(target)
    return target


def shown_path(path: Path) -> str:
    """``path`` with the home folder written ``~`` (shorter, and the same on every machine)."""
    with contextlib.suppress(RuntimeError, ValueError):
        return "~/" + str(path.relative_to(Path.home()))
    return str(path)


def default_export_text(fmt: str, now: datetime) -> str:
    """The path offered for a new export: in the home folder (as ``~/...``) when it can be
    written to, else in the current folder."""
    name = default_export_name(fmt, now)
    with contextlib.suppress(RuntimeError, OSError):
        home = Path.home()
        if home.is_dir() and os.access(home, os.W_OK | os.X_OK):
            return "~/" + name
    return str(Path.cwd() / name)
