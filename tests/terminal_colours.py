"""What a screen looks like on a terminal of 16 colours, read from the app's own screenshot.

Textual draws in 24-bit colour; on a terminal that has only the 16 ANSI colours (``TERM=screen``
or ``xterm`` without ``COLORTERM``, as in tmux over SSH) Rich turns every colour into the nearest
of the 16 as it writes. These helpers do the same to a screenshot's SVG: ``sixteen_colour_cells``
says, cell by cell, which of the 16 colours the text and its background become, so a test can
check that no text vanishes into its background; ``as_sixteen_colours`` redraws the SVG in those
colours, to look at.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from rich.cells import cell_len
from rich.color import Color, ColorSystem
from rich.terminal_theme import DEFAULT_TERMINAL_THEME, TerminalTheme

_CLASS = re.compile(r"\.(terminal-[\w-]+) \{ fill: (#[0-9a-fA-F]{6})")
_RECT = re.compile(
    r'<rect fill="(#[0-9a-fA-F]{6})" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" '
    r'height="[\d.]+" shape-rendering="crispEdges"/>'
)
_TEXT = re.compile(
    r'<text class="(terminal-[\w-]+)" x="([\d.]+)" y="[\d.]+" textLength="[\d.]+" '
    r'clip-path="url\(#terminal-[\w-]*?line-(\d+)\)">(.*?)</text>',
    re.S,
)
_HEX = re.compile(r"#[0-9a-fA-F]{6}\b")
_CELL_WIDTH = 12.2
_LINE_HEIGHT = 24.4
_FIRST_LINE = 1.5


@dataclass(frozen=True, slots=True)
class Cell:
    row: int
    column: int
    char: str
    foreground: int
    """The ANSI colour (0-15) the text becomes."""
    background: int
    """The ANSI colour (0-15) behind it (-1 where nothing is painted)."""


def standard(hex_colour: str) -> int:
    """The ANSI colour number (0-15) Rich writes for ``hex_colour`` on a 16-colour terminal."""
    number = Color.parse(hex_colour).downgrade(ColorSystem.STANDARD).number
    assert number is not None
    return number


def sixteen_colour_cells(svg: str) -> list[Cell]:
    """Every visible character of the screenshot, with its colours on a 16-colour terminal."""
    classes = dict(_CLASS.findall(svg))
    backgrounds: dict[tuple[int, int], int] = {}
    for fill, x, y, width in _RECT.findall(svg):
        row = round((float(y) - _FIRST_LINE) / _LINE_HEIGHT)
        first = round(float(x) / _CELL_WIDTH)
        for column in range(first, first + round(float(width) / _CELL_WIDTH)):
            backgrounds[(row, column)] = standard(fill)
    cells: list[Cell] = []
    for name, x, line, text in _TEXT.findall(svg):
        if name not in classes:
            continue
        row, column = int(line), round(float(x) / _CELL_WIDTH)
        foreground = standard(classes[name])
        for char in html.unescape(text):
            if char.strip() and char != "\xa0":
                back = backgrounds.get((row, column), -1)
                cells.append(Cell(row, column, char, foreground, back))
            column += cell_len(char)
    return cells


def invisible_text(svg: str) -> list[Cell]:
    """The characters whose text colour is their background colour on 16 colours."""
    return [cell for cell in sixteen_colour_cells(svg) if cell.foreground == cell.background]


def row_backgrounds(svg: str, row: int) -> set[int]:
    """The 16-colour backgrounds painted on one screen row."""
    found = set()
    for fill, _x, y, _width in _RECT.findall(svg):
        if round((float(y) - _FIRST_LINE) / _LINE_HEIGHT) == row:
            found.add(standard(fill))
    return found


def screen_colours(svg: str) -> set[str]:
    """Every colour the screen itself uses, text and background (not the window's frame)."""
    text = {colour.lower() for _name, colour in _CLASS.findall(svg)}
    return text | {fill.lower() for fill, _x, _y, _width in _RECT.findall(svg)}


def as_sixteen_colours(svg: str, theme: TerminalTheme = DEFAULT_TERMINAL_THEME) -> str:
    """The screenshot redrawn in the 16 colours of ``theme`` (a typical terminal palette)."""

    def swap(match: re.Match[str]) -> str:
        colour = Color.parse(match.group()).downgrade(ColorSystem.STANDARD)
        return colour.get_truecolor(theme).hex

    head, marker, body = svg.partition("<defs>")
    return _HEX.sub(swap, head) + marker + _HEX.sub(swap, body)
