"""The clipboard escape sequence, byte for byte, and how a copy is decided; the raw JSON text."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from tui_fixtures import fake_tmux

from livedesk_tui.api.models import Contact
from livedesk_tui.tui.clipboard import plan_copy
from livedesk_tui.tui.osc52 import (
    MAX_SEQUENCE_BYTES,
    osc52_sequence,
    tmux_passthrough,
    unsupported_reason,
)
from livedesk_tui.tui.screens.copy_menu import copy_value, describe_choice
from livedesk_tui.tui.screens.raw_view import pretty_json, raw_text
from livedesk_tui.tui.tmux import TmuxClipboard, read_tmux_clipboard

PLAIN: dict[str, str] = {"TERM": "xterm-256color"}
TMUX: dict[str, str] = {"TERM": "tmux-256color", "TMUX": "/tmp/tmux-1000/default,123,0"}


def test_the_sequence_is_osc_52_with_base64_of_the_utf8_text() -> None:
    assert osc52_sequence("ab") == "\x1b]52;c;YWI=\x07"
    text = "Zoë 山田 <zoe@example.jp>"
    sequence = osc52_sequence(text)
    assert sequence.startswith("\x1b]52;c;") and sequence.endswith("\x07")
    assert base64.b64decode(sequence[7:-1]).decode("utf-8") == text


def test_tmux_gets_the_sequence_in_a_passthrough_with_escapes_doubled() -> None:
    assert osc52_sequence("ab", tmux=True) == "\x1bPtmux;\x1b\x1b]52;c;YWI=\x07\x1b\\"
    assert tmux_passthrough("\x1bX\x1bY") == "\x1bPtmux;\x1b\x1bX\x1b\x1bY\x1b\\"


def test_a_copy_says_what_was_sent() -> None:
    plan = plan_copy("zoe@example.jp", "email", environ=PLAIN)
    assert plan.sequence == osc52_sequence("zoe@example.jp")
    assert plan.message == "Copied email to the clipboard (OSC 52): zoe@example.jp"
    assert plan.severity == "information"
    inside = plan_copy("zoe@example.jp", "email", environ=TMUX)
    assert inside.sequence == osc52_sequence("zoe@example.jp", tmux=True)
    assert "through tmux" in inside.message


@pytest.mark.parametrize(
    ("settings", "wrapped"),
    [
        (TmuxClipboard(set_clipboard="on", allow_passthrough="off"), False),
        (TmuxClipboard(set_clipboard="external", allow_passthrough="on"), True),
        (TmuxClipboard(set_clipboard="off", allow_passthrough="all"), True),
        (TmuxClipboard(set_clipboard="external", allow_passthrough=None), True),  # tmux < 3.3
        (None, True),  # the settings could not be read: the passthrough, as before
    ],
)
def test_tmux_gets_the_sequence_it_lets_through(
    settings: TmuxClipboard | None, wrapped: bool
) -> None:
    plan = plan_copy("zoe@example.jp", "email", environ=TMUX, tmux=settings)
    assert plan.sequence == osc52_sequence("zoe@example.jp", tmux=wrapped)
    assert plan.message == "Copied email to the clipboard (OSC 52 through tmux): zoe@example.jp"


@pytest.mark.parametrize("set_clipboard", ["external", "off"])
def test_a_tmux_that_drops_the_sequence_is_told_not_claimed(set_clipboard: str) -> None:
    """tmux's defaults (set-clipboard external, allow-passthrough off) drop a program's OSC 52
    either way it is sent: nothing is sent, and the message says how to let it through."""
    settings = TmuxClipboard(set_clipboard=set_clipboard, allow_passthrough="off")
    plan = plan_copy("zoe@example.jp", "email", environ=TMUX, tmux=settings)
    assert plan.sequence is None and plan.severity == "warning"
    assert "Copied" not in plan.message
    assert plan.message == (
        f"Could not copy the email: tmux passes no clipboard sequence on (set-clipboard is "
        f"{set_clipboard}, allow-passthrough off); run tmux set -g set-clipboard on, then copy "
        "again. The email is: zoe@example.jp"
    )


@pytest.mark.parametrize(
    ("set_clipboard", "passthrough"), [("external", "off"), ("on", "off"), ("off", None)]
)
def test_tmux_settings_are_read_from_tmux_itself(
    tmp_path: Path, set_clipboard: str, passthrough: str | None
) -> None:
    environ = {**TMUX, **fake_tmux(tmp_path / "bin", set_clipboard, passthrough)}
    assert read_tmux_clipboard(environ) == TmuxClipboard(set_clipboard, passthrough)


def test_tmux_settings_that_cannot_be_read_are_unknown(tmp_path: Path) -> None:
    assert read_tmux_clipboard({**TMUX, "PATH": str(tmp_path)}) is None  # no tmux at all
    assert read_tmux_clipboard(PLAIN) is None  # not inside tmux: nothing is run
    slow = tmp_path / "slow"
    slow.mkdir()
    (slow / "tmux").write_text("#!/bin/sh\nexec sleep 10\n", encoding="utf-8")
    (slow / "tmux").chmod(0o755)
    assert read_tmux_clipboard({**TMUX, "PATH": str(slow)}, timeout=0.2) is None


def test_whole_json_is_counted_not_repeated() -> None:
    text = '{"id": 1, "name": "Zoë"}'
    plan = plan_copy(text, "contact as JSON", environ=PLAIN, show_value=False)
    assert plan.sequence == osc52_sequence(text)
    assert plan.message.endswith(f"{len(text.encode()):,} bytes")
    assert text not in plan.message


def test_nothing_to_copy_is_said_and_nothing_is_sent() -> None:
    plan = plan_copy("", "phone number", environ=PLAIN)
    assert plan.sequence is None
    assert plan.message == "This contact has no phone number to copy."
    assert plan.severity == "warning"


@pytest.mark.parametrize(
    ("environ", "reason"),
    [
        ({"TERM_PROGRAM": "Apple_Terminal", "TERM": "xterm-256color"}, "macOS Terminal"),
        ({"TERM": "linux"}, "Linux console"),
        ({"TERM": "dumb"}, "TERM=dumb"),
    ],
)
def test_terminals_known_to_refuse_get_the_value_shown_instead(
    environ: dict[str, str], reason: str
) -> None:
    assert reason in (unsupported_reason(environ) or "")
    plan = plan_copy("zoe@example.jp", "email", environ=environ)
    assert plan.sequence is None and plan.severity == "warning"
    assert reason in plan.message
    assert plan.message.endswith("The email is: zoe@example.jp")


def test_no_terminal_is_a_fallback_too() -> None:
    plan = plan_copy("42", "id", environ=PLAIN, has_terminal=False)
    assert plan.sequence is None
    assert "no terminal" in plan.message and plan.message.endswith("The id is: 42")


def test_too_large_for_the_terminal_is_refused_with_a_reason() -> None:
    fits = "x" * (MAX_SEQUENCE_BYTES * 3 // 4 - 100)
    assert plan_copy(fits, "contact as JSON", environ=PLAIN, show_value=False).sequence
    large = "x" * MAX_SEQUENCE_BYTES
    plan = plan_copy(large, "contact as JSON", environ=PLAIN, show_value=False)
    assert plan.sequence is None and plan.severity == "warning"
    assert "too large" in plan.message and "Export" in plan.message


def test_a_hostile_value_is_shown_inert_in_the_message() -> None:
    plan = plan_copy("a\x1b]52;c;evil\x07b", "email", environ=PLAIN)
    assert "\x1b" not in plan.message and "\x07" not in plan.message
    assert plan.sequence == osc52_sequence("a\x1b]52;c;evil\x07b")  # the value itself, as is


RAW = (
    '{"id":7,"name":"Zoë \\u001b[31m","email":"z@example.jp","phone_number":"+81 3",'
    '"zeta":1,"alpha":{"b":2,"a":[1,2.50]}}'
)


def contact() -> Contact:
    return Contact.from_json(json.loads(RAW), raw_json=RAW)


def test_copy_values_come_from_the_contact() -> None:
    found = contact()
    assert copy_value(found, "email") == "z@example.jp"
    assert copy_value(found, "phone") == "+81 3"
    assert copy_value(found, "id") == "7"
    assert copy_value(found, "json") == RAW  # exactly the server's text
    assert describe_choice("phone") == "phone number"
    empty = Contact.from_json({"name": "x"})
    assert copy_value(empty, "id") == copy_value(empty, "email") == ""
    with pytest.raises(ValueError):
        copy_value(found, "password")


def test_pretty_json_keeps_the_server_order_and_text() -> None:
    text = pretty_json(contact())
    assert json.loads(text) == json.loads(RAW)
    keys = [line.strip().split('"')[1] for line in text.splitlines() if line.startswith('  "')]
    assert keys == ["id", "name", "email", "phone_number", "zeta", "alpha"]
    assert '  "name": "Zoë \\u001b[31m",' in text  # not re-encoded as ASCII; escapes stay
    assert '"a": [\n      1,\n      2.5\n    ]' in text


def test_raw_text_is_literal_and_inert() -> None:
    hostile = '{"name":"[bold]x[/bold]","note":"\u202eevil\u0085"}'
    text = raw_text(Contact.from_json(json.loads(hostile), raw_json=hostile))
    assert "[bold]x[/bold]" in text.plain
    assert "\u202e" not in text.plain and "\u0085" not in text.plain


def test_raw_json_colours_keys_and_values_past_escaped_backslashes() -> None:
    source = '{"path":"C:\\\\","n":2,"say":"a \\"b\\" 3","ok":true,"none":null}'
    text = raw_text(Contact.from_json(json.loads(source), raw_json=source))

    def styled(fragment: str) -> set[str]:
        start = text.plain.index(fragment)
        end = start + len(fragment)
        return {str(span.style) for span in text.spans if span.start <= start and end <= span.end}

    assert text.plain.count("\\\\") == 1  # the value is one escaped backslash
    assert styled('"path"') == {"json.key"} and styled('"C:\\\\"') == {"json.str"}
    assert styled('"n"') == {"json.key"}  # not swallowed by the string before it
    assert styled("2") == {"json.number"}
    assert styled('"a \\"b\\" 3"') == {"json.str"}  # the 3 inside is not a number
    assert styled("true") == {"json.bool_true"} and styled("null") == {"json.null"}


def test_text_that_is_not_json_is_shown_as_it_came() -> None:
    broken = Contact.from_json({"id": 1}, raw_json='{"id": 1,')
    assert pretty_json(broken) == '{"id": 1,'
