"""Exports into files: written as ``FILE.partial`` and renamed only when complete.

Shared by the ``export`` command and the app's export dialog, so a file named like the target
always holds a whole export: a failure leaves ``FILE.partial`` (the pages before it, in order),
and an export cancelled from the app removes its partial file, as does a failure before any
contact was written (there is nothing in it to keep).

Exported contacts are personal data: both files are created 0600, like the log and the state
file. ``FILE.partial`` is created exclusively and never through a symbolic link (``O_CREAT |
O_EXCL | O_NOFOLLOW``): one already there (another export to the same file running, one that
stopped and left it, or a link planted to redirect the write) is refused, untouched, before any
page is asked for. A complete export is flushed to disk and renamed onto ``FILE`` in one step,
so ``FILE`` is always either the previous file or the whole new export.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TextIO

from .api.errors import ConfigError
from .api.export import FORMATS, ExportProgress, ExportResult, Format, export_contacts
from .api.models import ContactQuery
from .api.source import ContactsSource

EXTENSIONS: dict[str, str] = {"csv": ".csv", "json": ".json", "jsonl": ".jsonl"}
FILE_MODE = 0o600
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
_CREATE |= getattr(os, "O_CLOEXEC", 0)


def partial_path(target: Path) -> Path:
    """Where an export to ``target`` is written until it is complete."""
    return target.with_name(target.name + ".partial")


def format_of(target: Path) -> Format | None:
    """The format a file name asks for (``.csv``, ``.json``, ``.jsonl``, any case), if any."""
    suffix = target.suffix.lower()
    for fmt in FORMATS:
        if suffix == EXTENSIONS[fmt]:
            return fmt
    return None


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
    """A new text file at ``FILE.partial`` (0600), renamed to ``target`` when the block ends
    normally.

    When the block raises, the partial file stays (it holds what was written) unless the
    export was cancelled (``asyncio.CancelledError``) or the error says no contact was written
    (an error whose ``result.written`` is 0), which remove it.

    Raises:
        ConfigError: ``target`` cannot be written (see ``check_target``), the partial file
            already exists or is a link, or the finished file cannot be put in place.
    """
    check_target(target)
    partial = partial_path(target)
    try:
        fd = os.open(partial, _CREATE, FILE_MODE)
    except FileExistsError:
        raise ConfigError(_exists_message(partial, target)) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ConfigError(_exists_message(partial, target)) from None
        raise ConfigError(f"Cannot write {partial}: {exc.strerror or exc}.") from None
    handle = os.fdopen(fd, "w", encoding="utf-8", newline="")
    try:
        yield handle
    except BaseException as exc:
        with contextlib.suppress(OSError):  # what could not be written stays unwritten
            handle.close()
        if isinstance(exc, asyncio.CancelledError) or _nothing_written(exc):
            _remove(partial)
        raise
    try:
        with handle:
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        raise ConfigError(
            f"Cannot finish writing {partial}: {exc.strerror or exc}; it is kept as it is."
        ) from None
    try:
        os.replace(partial, target)
    except OSError as exc:
        raise ConfigError(
            f"Cannot put the finished export in place as {target}: {exc.strerror or exc}; "
            f"it is complete in {partial}."
        ) from None


def _exists_message(partial: Path, target: Path) -> str:
    if partial.is_symlink():
        return f"{partial} is a symbolic link; an export never writes through one. Remove it."
    return (
        f"{partial} already exists: another export to {target.name} is running, or one stopped "
        "and left it. Move or remove it, then export again."
    )


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
    return f"livedesk-contacts-{now:%Y%m%d-%H%M}{EXTENSIONS.get(fmt, '.' + fmt)}"


def with_format(text: str, fmt: str) -> str:
    """``text`` with its export extension changed to ``fmt``'s (other names are left alone)."""
    for extension in EXTENSIONS.values():
        if text.endswith(extension):
            return text[: -len(extension)] + EXTENSIONS[fmt]
    return text


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
