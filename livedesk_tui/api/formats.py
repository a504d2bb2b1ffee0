"""The export formats, in one place: each one's name, file extension, label and writer.

The ``export`` command's ``--format`` choices and help, the app's export dialog, the names
export files are given and the format a file's name asks for all read ``REGISTRY``, so a format
is added, renamed or relabelled here and nowhere else. ``Format`` names the same formats for
the type checker (a test keeps the two the same).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from .writers import Writer

Format = Literal["csv", "json", "jsonl"]


@dataclass(frozen=True, slots=True)
class ExportFormat:
    """One export format.

    Attributes:
        name: What ``--format`` takes, and what the code calls it (``jsonl``).
        extension: The file extension that asks for it, lower case (``.jsonl``).
        label: Its name for people, as the export dialog shows it (``JSON Lines``).
        writer_class: The name of the class in ``api.writers`` that writes it; ``writer`` is
            the class (imported when first asked for: the command line reads the registry for
            its help at every start, and csv and json need not load then).
    """

    name: Format
    extension: str
    label: str
    writer_class: str

    @property
    def writer(self) -> type[Writer]:
        """The class that writes contacts in this format."""
        from . import writers

        found: type[Writer] = getattr(writers, self.writer_class)
        return found


REGISTRY: tuple[ExportFormat, ...] = (
    ExportFormat("csv", ".csv", "CSV", "CsvWriter"),
    ExportFormat("json", ".json", "JSON", "JsonWriter"),
    ExportFormat("jsonl", ".jsonl", "JSON Lines", "JsonLinesWriter"),
)
"""Every format, in the order the command's help and the dialog list them."""

FORMATS: tuple[Format, ...] = tuple(spec.name for spec in REGISTRY)
EXTENSIONS: tuple[str, ...] = tuple(spec.extension for spec in REGISTRY)

DEFAULT_FORMAT: Format = "jsonl"
"""What the ``export`` command writes when neither ``--format`` nor the file's name says."""

_BY_NAME: dict[str, ExportFormat] = {spec.name: spec for spec in REGISTRY}


def export_format(name: str) -> ExportFormat:
    """The format called ``name``.

    Raises:
        KeyError: no format has that name.
    """
    return _BY_NAME[name]


def format_named_by(suffix: str) -> Format | None:
    """The format a file extension (``.jsonl``, any case) asks for, if any."""
    suffix = suffix.lower()
    for spec in REGISTRY:
        if suffix == spec.extension:
            return spec.name
    return None


def in_words(items: Sequence[str]) -> str:
    """``csv, json or jsonl``: ``items`` as a sentence lists them."""
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} or {items[-1]}"
