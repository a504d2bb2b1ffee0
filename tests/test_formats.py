"""The export formats' registry: one entry per format, and every place that lists formats (the
command line, the export dialog, file names, the writers) reads it."""

from __future__ import annotations

import argparse
import io
from datetime import datetime
from pathlib import Path
from typing import get_args

import pytest

from livedesk_tui.api.export import Format, writer_for
from livedesk_tui.api.formats import (
    DEFAULT_FORMAT,
    FORMATS,
    REGISTRY,
    ExportFormat,
    export_format,
    format_named_by,
    in_words,
)
from livedesk_tui.cli import build_parser
from livedesk_tui.export_command import choose_format
from livedesk_tui.export_file import default_export_name, format_of, with_format
from livedesk_tui.tui.screens.export import format_for


def test_the_registry_and_the_format_type_name_the_same_formats_in_the_same_order() -> None:
    assert FORMATS == get_args(Format) == tuple(spec.name for spec in REGISTRY)
    assert DEFAULT_FORMAT in FORMATS


def test_every_format_has_its_own_name_extension_and_label() -> None:
    for attribute in ("name", "extension", "label", "writer"):
        values = [getattr(spec, attribute) for spec in REGISTRY]
        assert len(set(values)) == len(values), attribute
    for spec in REGISTRY:
        assert spec.extension.startswith(".") and spec.extension == spec.extension.lower()
        assert spec.label.strip() == spec.label != ""


def test_export_format_looks_a_name_up_and_refuses_another() -> None:
    for spec in REGISTRY:
        assert export_format(spec.name) is spec
    with pytest.raises(KeyError):
        export_format("xml")


def test_a_suffix_names_its_format_in_any_case_and_nothing_else_names_one() -> None:
    for spec in REGISTRY:
        assert format_named_by(spec.extension) == spec.name
        assert format_named_by(spec.extension.upper()) == spec.name
        assert format_of(Path("a" + spec.extension.upper())) == spec.name
        assert format_for(Path("a" + spec.extension), DEFAULT_FORMAT) == spec.name
    for suffix in ("", ".txt", ".js", ".jsonx"):
        assert format_named_by(suffix) is None


def test_file_names_take_the_registry_extension() -> None:
    now = datetime(2026, 3, 9, 7, 5)
    for spec in REGISTRY:
        assert default_export_name(spec.name, now).endswith(spec.extension)
        for other in REGISTRY:
            assert with_format("~/a" + other.extension, spec.name) == "~/a" + spec.extension


def test_the_writer_of_each_format_is_the_registry_one() -> None:
    for spec in REGISTRY:
        assert type(writer_for(spec.name, io.StringIO())) is spec.writer


def test_the_command_offers_every_format_and_names_each_in_its_help() -> None:
    commands = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    export = commands.choices["export"]
    action = next(a for a in export._actions if "--format" in a.option_strings)
    assert tuple(action.choices or ()) == FORMATS
    help_text = action.help or ""
    assert help_text.startswith(in_words(FORMATS) + " (")
    assert in_words([spec.extension for spec in REGISTRY]) in help_text
    assert f"else {DEFAULT_FORMAT})" in help_text


def test_without_format_or_extension_the_command_writes_the_default() -> None:
    assert choose_format(None, None) == (DEFAULT_FORMAT, None)
    assert choose_format(None, Path("out.txt")) == (DEFAULT_FORMAT, None)
    for spec in REGISTRY:
        assert choose_format(None, Path("out" + spec.extension)) == (spec.name, None)


def test_in_words() -> None:
    assert in_words(["a"]) == "a"
    assert in_words(["a", "b"]) == "a or b"
    assert in_words(["a", "b", "c"]) == "a, b or c"


def test_export_format_is_a_frozen_record() -> None:
    spec = REGISTRY[0]
    assert isinstance(spec, ExportFormat)
    with pytest.raises(AttributeError):
        spec.label = "changed"  # type: ignore[misc]
