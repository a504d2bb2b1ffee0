"""``[keys]`` checked at start: ids that name no binding, keys that are not key names, and two
bindings of one screen on one key are each one warning line (``tui.keys.keymap_problems``)."""

from __future__ import annotations

import pytest
from textual.binding import Binding

from livedesk_tui.tui.app import LiveDeskApp, binding_ids
from livedesk_tui.tui.keys import binding_owners, key_problem, keymap_problems


@pytest.mark.parametrize(
    "key",
    [
        "n",
        "R",
        "?",
        "é",
        "question_mark",
        "less_than_sign",
        "slash",
        "minus",
        "at",
        "ctrl+p",
        "ctrl+1",
        "ctrl+@",
        "alt+x",
        "ctrl+shift+left",
        "shift+tab",
        "f1",
        "f24",
        "f35",
        "right",
        "pageup",
        "home",
        "space",
        "escape",
        "enter",
        "tab",
        "backspace",
        "delete",
        "ctrl+question_mark",
        "  n  ",
    ],
)
def test_key_names_textual_sends_are_accepted(key: str) -> None:
    assert key_problem(key) == ""


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        ("ctrl+shift+alt+banana", "is not a key name"),
        ("banana", "is not a key name"),
        ("fo o", "is not a key name"),
        ("", "is empty"),
        ("   ", "is empty"),
        ("ctrl+", "ends with + and no key"),
        ("ctrl++", "ends with + and no key"),
        ("control+n", "where a modifier goes"),
        ("ctrl+ctrl+n", "names a modifier twice"),
        ("shift+ctrl+left", "write 'ctrl+shift+left'"),
        ("ctrl+A", "write 'ctrl+shift+a'"),
        ("ctrl+?", "write 'ctrl+question_mark'"),
        ("\x1b", "control character"),
    ],
)
def test_keys_that_never_fire_are_named(key: str, problem: str) -> None:
    assert problem in key_problem(key)


def test_every_key_the_app_binds_is_a_key_name() -> None:
    for owner in binding_owners():
        for binding in owner.BINDINGS:
            assert isinstance(binding, Binding)
            for key in binding.key.split(","):
                assert key_problem(key) == "", (owner.__name__, binding.id, key)


def test_the_owners_are_the_screens_of_every_binding_id() -> None:
    ids = {b.id for owner in binding_owners() for b in owner.BINDINGS if isinstance(b, Binding)}
    assert ids == set(binding_ids())
    assert binding_owners()[0] is LiveDeskApp


def test_a_keymap_that_fits_has_no_problem() -> None:
    keymap = {
        "next_page": "right,n",
        "prev_page": "left, p",
        "copy_email": "m",
        "help": "f1,?",
        "close_help": "escape,q,f1",
    }
    assert keymap_problems(keymap) == []
    assert keymap_problems({}) == []


def test_swapped_keys_are_no_clash() -> None:
    assert keymap_problems({"next_page": "p", "prev_page": "n"}) == []


def test_a_key_two_screens_use_is_no_clash() -> None:
    # j copies the JSON in the copy menu; on the main screen it is free.
    assert keymap_problems({"next_page": "j"}) == []


@pytest.mark.parametrize(
    ("keymap", "ids"),
    [
        ({"next_page": "ctrl+shift+alt+banana"}, ("next_page",)),
        ({"next_page": "n,,"}, ("next_page",)),
        ({"prev_page": "fo o"}, ("prev_page",)),
        ({"copy_email": "ctrl+"}, ("copy_email",)),
    ],
)
def test_an_invalid_key_is_a_problem_naming_its_binding(
    keymap: dict[str, str], ids: tuple[str, ...]
) -> None:
    [problem] = keymap_problems(keymap)
    assert problem.title == "Invalid key"
    for binding_id in ids:
        assert binding_id in problem.message
    assert "never fires" in problem.message
    assert "\n" not in problem.message


def test_an_empty_key_list_keeps_the_binding_s_own_keys() -> None:
    [problem] = keymap_problems({"next_page": ""})
    assert problem.title == "Invalid key"
    assert "next_page" in problem.message and "keeps its own (n)" in problem.message


@pytest.mark.parametrize(
    ("keymap", "key", "ids"),
    [
        ({"next_page": "p"}, "p", ("next_page", "prev_page")),
        ({"next_page": "?"}, "question_mark", ("next_page", "help")),  # ? is question_mark
        ({"next_page": "ctrl+m"}, "enter", ("next_page", "open_contact")),  # ctrl+m is enter
        ({"first_page": "x", "last_page": "x"}, "x", ("first_page", "last_page")),
        ({"copy_email": "p"}, "p", ("copy_email", "copy_phone")),  # in the copy menu
    ],
)
def test_two_bindings_of_one_screen_on_one_key_are_a_problem(
    keymap: dict[str, str], key: str, ids: tuple[str, ...]
) -> None:
    [problem] = keymap_problems(keymap)
    assert problem.title == "Key bound twice"
    assert problem.message.startswith(f"{key!r} is bound to ")
    for binding_id in ids:
        assert binding_id in problem.message


def test_an_unknown_id_is_reported_as_before() -> None:
    [problem] = keymap_problems({"nxt_page": "right", "copy_json": "J"})
    assert problem.title == "Unknown key binding"
    assert problem.message.startswith(
        "'nxt_page' under [keys] in the config file is not a key binding"
    )
    assert "(did you mean 'next_page'?)" in problem.message


def test_problems_show_no_control_character() -> None:
    problems = keymap_problems({"next\x1b[2J": "n", "next_page": "\x1b[31m"})
    assert len(problems) == 2
    for problem in problems:
        assert "\x1b" not in problem.message


def test_every_problem_comes_at_once() -> None:
    problems = keymap_problems({"nxt": "n", "next_page": "banana", "reload": "s"})
    assert [p.title for p in problems] == ["Unknown key binding", "Invalid key", "Key bound twice"]
