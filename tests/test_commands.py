"""The key registry (``tui.commands``): every screen's bindings come from it, and what names keys
elsewhere (the dialogs' hints, the README's keys tables) agrees with it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.binding import Binding

from livedesk_tui.tui.app import LiveDeskApp
from livedesk_tui.tui.commands import COMMANDS, HELP_NOTES, WHERE, Where, bindings, commands
from livedesk_tui.tui.keys import binding_owners
from livedesk_tui.tui.screens import copy_menu, error, export, goto_page, help, profiles

WIDGET_KEYS = {"enter", "tab"}
"""Keys the dialogs' own widgets answer (an input's enter, the next control)."""

PALETTE = "ctrl+p"

HINTS: tuple[tuple[str, Where], ...] = (
    (copy_menu.HINT, "copy"),
    (error.HINT, "error"),
    (export.FORM_HINT, "export"),
    (goto_page.HINT, "goto"),
    (help.HINT, "help"),
    (profiles.HINT, "profiles"),
)

SYMBOLS = {"less_than_sign": "<", "greater_than_sign": ">", "slash": "/", "question_mark": "?"}


def every_key() -> set[str]:
    return {key for command in COMMANDS for key in command.keys.split(",")}


def hint_keys(hint: str) -> list[str]:
    """The keys a hint names: the first word of each of its parts, where it is a key."""
    words = [part.split()[0].rstrip(":") for part in hint.split(" · ")]
    return [word for word in words if word in every_key() | WIDGET_KEYS | {PALETTE}]


def test_every_screen_s_bindings_are_the_registry_s() -> None:
    assert len(binding_owners()) == len(WHERE)
    for owner, where in zip(binding_owners(), WHERE, strict=True):
        assert bindings(where) == owner.BINDINGS, owner.__name__
    assert {command.where for command in COMMANDS} == set(WHERE)


def test_an_id_is_one_binding_per_screen_and_one_meaning_everywhere() -> None:
    for where in WHERE:
        ids = [command.id for command in commands(where)]
        assert len(ids) == len(set(ids)), where
    labels: dict[str, set[str]] = {}
    for command in COMMANDS:
        labels.setdefault(command.id, set()).add(command.label)
    assert all(len(words) == 1 for words in labels.values()), labels


def test_only_the_main_screen_s_commands_are_in_the_palette_and_help() -> None:
    for command in COMMANDS:
        if command.where != "main":
            assert not command.title and not command.section, command.id
        elif command.title:
            assert command.section, command.id
    anchors = {command.id for command in commands("main") if command.title}
    assert {note.after for note in HELP_NOTES} <= anchors


@pytest.mark.parametrize(("hint", "where"), HINTS, ids=[where for _hint, where in HINTS])
def test_a_dialog_s_hint_names_keys_its_screen_binds(hint: str, where: Where) -> None:
    bound = {key for command in commands(where) for key in command.keys.split(",")}
    named = hint_keys(hint)
    assert named, hint
    for key in named:
        assert key in bound | WIDGET_KEYS | {PALETTE}, (where, key)
    # the way out is always named, by the first key of the binding that closes the dialog
    closing = [c for c in commands(where) if c.runs in {"dismiss(None)", "cancel"}]
    assert any(c.first_key in named for c in closing), (where, hint)


def test_the_palette_key_the_hints_name_is_the_app_s() -> None:
    assert LiveDeskApp.COMMAND_PALETTE_BINDING == PALETTE


def test_the_hint_check_catches_a_key_the_screen_does_not_bind() -> None:
    assert "q" in hint_keys("q quits · escape cancels")
    bound = {key for command in commands("goto") for key in command.keys.split(",")}
    assert "q" not in bound


def readme_rows() -> list[tuple[list[str], list[str]]]:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Keys\n", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        if line.startswith("| `"):
            cells = line.split("|")
            rows.append((re.findall(r"`(\w+)`", cells[1]), re.findall(r"`([^`]+)`", cells[2])))
    return rows


def shown(key: str) -> str:
    return SYMBOLS.get(key, key)


def test_the_readme_keys_tables_give_every_binding_its_registry_keys() -> None:
    keys_of: dict[str, str] = {}
    for command in COMMANDS:
        assert keys_of.setdefault(command.id, command.keys) == command.keys, command.id
    named: list[str] = []
    for ids, keys in readme_rows():
        named.extend(ids)
        if len(ids) == 1:  # one binding: all its keys
            assert keys == [shown(key) for key in keys_of[ids[0]].split(",")], ids
        else:  # one key each, in order
            assert keys == [shown(keys_of[i].split(",")[0]) for i in ids], ids
    assert sorted(named) == sorted(keys_of)


def test_a_binding_s_key_display_reaches_its_binding() -> None:
    for command in COMMANDS:
        binding = command.binding()
        assert isinstance(binding, Binding)
        assert (binding.id, binding.key, binding.description) == (
            command.id,
            command.keys,
            command.label,
        )
        assert binding.key_display == command.key_display and binding.show == command.show
