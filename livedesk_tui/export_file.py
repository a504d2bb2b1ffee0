"""Exports into files: written as ``FILE.partial`` and renamed only when complete.

Shared by the ``export`` command and the app's export dialog, so a file named like the target
always holds a whole export: a failure leaves ``FILE.partial`` (the pages before it, in order),
and an export cancelled from the app removes its partial file.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TextIO

from .api.errors import ConfigError
from .api.export import ExportProgress, ExportResult, Format, export_contacts
from .api.models import ContactQuery
from .api.source import ContactsSource

EXTENSIONS: dict[str, str] = {"csv": ".csv", "json": ".json", "jsonl": ".jsonl"}


def partial_path(target: Path) -> Path:
    """Where an export to ``target`` is written until it is complete."""
    return target.with_name(target.name + ".partial")


@contextmanager
def open_partial(target: Path) -> Iterator[TextIO]:
    """A text file at ``FILE.partial``, renamed to ``target`` when the block ends normally.

    When the block raises, the partial file stays (it holds what was written) unless the
    export was cancelled (``asyncio.CancelledError``), which removes it.

    Raises:
        ConfigError: the partial file cannot be created.
    """
    partial = partial_path(target)
    try:
        handle = partial.open("w", encoding="utf-8", newline="")
    except OSError as exc:
        raise ConfigError(f"Cannot write {partial}: {exc.strerror or exc}.") from None
    try:
        with handle:
            yield handle
    except asyncio.CancelledError:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise
    partial.replace(target)


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
    folder = target.parent
    if not folder.is_dir():
        raise ConfigError(f"There is no folder {folder}.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ConfigError(f"The folder {folder} cannot be written to.")
    if target.is_dir():
        raise ConfigError(f"{target} is a folder.")
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
