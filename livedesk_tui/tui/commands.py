"""Every key of the app, declared once: what each screen binds, the palette lists and help shows.

A key used to be written in several places (the app's ``BINDINGS``, the palette's titles, the
help screen's rows, each screen's ``BINDINGS``), and they could drift apart without a test
noticing. ``COMMANDS`` holds each binding once; the screens' ``BINDINGS`` (``bindings``), the
palette's commands and the help rows (``palette_commands``, ``help_layout``) are made from it,
and the dialogs' hints and the README's keys table are checked against it by the tests.

Only Textual's ``Binding`` is imported: the app imports this module before its first frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from textual.binding import Binding, BindingType

Where = Literal["main", "contact", "copy", "raw", "export", "profiles", "goto", "help", "error"]
"""The screen a command's keys work on: ``main`` is the app's own (the contact list)."""

WHERE: tuple[Where, ...] = (
    "main",
    "contact",
    "copy",
    "raw",
    "export",
    "profiles",
    "goto",
    "help",
    "error",
)


@dataclass(frozen=True)
class Command:
    """One binding: its id for ``[keys]``, its default keys and how it is shown.

    Attributes:
        id: The binding id ``[keys]`` remaps (``next_page``).
        keys: The default keys, comma-separated Textual key names (``f,ctrl+b``).
        label: The key bar's word for it (``Next``).
        where: The screen it works on.
        action: The Textual action it runs; the id when empty.
        title: Its line in the palette and in help (``Next page``); "" for neither (a
            screen's own keys, listed by its key bar and hint).
        section: The help section it is listed under (``Pages``).
        show: Whether the key bar shows it.
        key_display: How its keys are shown, when not as Textual shows them.
    """

    id: str
    keys: str
    label: str
    where: Where = "main"
    action: str = ""
    title: str = ""
    section: str = ""
    show: bool = True
    key_display: str | None = None

    @property
    def runs(self) -> str:
        """The action the binding runs."""
        return self.action or self.id

    @property
    def first_key(self) -> str:
        """The first of its default keys, as a dialog's hint names it."""
        return self.keys.split(",")[0].strip()

    def binding(self) -> Binding:
        return Binding(
            self.keys,
            self.runs,
            self.label,
            show=self.show,
            key_display=self.key_display,
            id=self.id,
        )


@dataclass(frozen=True)
class HelpNote:
    """A help row that is not a command of its own: keys a widget handles (``tab``), or a
    command listed in other words.

    Attributes:
        section: The help section.
        keys: The keys as shown; "" for the command palette's key (the app's to say).
        title: What they do.
        after: The id of the command the row follows.
    """

    section: str
    keys: str
    title: str
    after: str


COMMANDS: tuple[Command, ...] = (
    # The contact list (the app's own keys), in the key bar's order.
    Command("next_page", "n", "Next", title="Next page", section="Pages"),
    Command("prev_page", "p", "Prev", title="Previous page", section="Pages"),
    Command(
        "first_page", "less_than_sign", "First", title="First page", section="Pages", show=False
    ),
    Command(
        "last_page", "greater_than_sign", "Last", title="Last page", section="Pages", show=False
    ),
    Command("goto_page", "g", "Go to", title="Go to page…", section="Pages", show=False),
    Command("reload", "r", "Reload", title="Reload from the server", section="Pages", show=False),
    Command("search", "slash", "Search", title="Search", section="Filters"),
    Command("labels", "l", "Labels", title="Filter by labels", section="Filters", show=False),
    Command("sort", "s", "Sort", title="Sort by…", section="Filters", show=False),
    Command(
        "direction", "d", "Direction", title="Toggle sort direction", section="Filters", show=False
    ),
    Command(
        "toggle_sidebar", "f,ctrl+b", "Filters", title="Show/hide the filters", section="Filters"
    ),
    Command("open_contact", "enter", "Open", title="Open the contact", section="Contact"),
    Command(
        "copy", "y", "Copy", title="Copy email, phone, id or JSON…", section="Contact", show=False
    ),
    Command(
        "raw_view",
        "R",
        "Raw JSON",
        title="Show the contact's raw JSON",
        section="Contact",
        show=False,
    ),
    Command("export", "e", "Export", title="Export these contacts…", section="App", show=False),
    Command("switch_profile", "P", "Profile", title="Switch profile…", section="App", show=False),
    Command("help", "question_mark", "Help", title="Keys", section="App"),
    Command("quit", "q", "Quit", title="Quit", section="App"),
    Command("escape", "escape", "Back", show=False),
    # The full-screen contact.
    Command("close_contact", "escape,q", "Back", "contact", action="dismiss(None)"),
    Command("copy", "y", "Copy", "contact"),
    Command("raw_view", "R", "Raw JSON", "contact", action="raw"),
    # The copy menu.
    Command("copy_email", "e", "Email", "copy", action="choose('email')"),
    Command("copy_phone", "p", "Phone", "copy", action="choose('phone')"),
    Command("copy_id", "i", "Id", "copy", action="choose('id')"),
    Command("copy_json", "j", "JSON", "copy", action="choose('json')"),
    Command("cancel_copy", "escape,q", "Cancel", "copy", action="dismiss(None)"),
    # The raw JSON.
    Command("close_raw", "escape,q", "Back", "raw", action="dismiss(None)"),
    # The export dialog.
    Command("cancel_export", "escape,ctrl+c", "Cancel", "export", action="cancel"),
    Command("export_background", "b", "Background", "export", action="background"),
    # The profile list.
    Command("cancel_profile", "escape,q", "Cancel", "profiles", action="dismiss(None)"),
    # Go to page.
    Command("cancel_goto", "escape", "Cancel", "goto", action="dismiss(None)"),
    # Help.
    Command("close_help", "escape,q,question_mark", "Close", "help", action="dismiss(None)"),
    # Refused credentials.
    Command("error_retry", "r", "Retry", "error", action="dismiss('retry')"),
    Command("error_close", "escape", "Close", "error", action="dismiss(None)"),
    Command("error_quit", "q", "Quit", "error", action="dismiss('quit')"),
)
"""Every binding of every screen, each screen's in the order its key bar shows them."""

HELP_NOTES: tuple[HelpNote, ...] = (
    HelpNote("Contact", "↑ ↓ j k", "Move in the table", after="raw_view"),
    HelpNote("Contact", "escape", "Back, or close the filters", after="raw_view"),
    HelpNote("App", "tab", "Next control", after="switch_profile"),
    HelpNote("App", "", "Commands", after="switch_profile"),
)
"""Help rows beside the commands', each after the command it names."""


def commands(where: Where = "main") -> tuple[Command, ...]:
    """The commands of one screen, in order."""
    return tuple(command for command in COMMANDS if command.where == where)


def bindings(where: Where = "main") -> list[BindingType]:
    """One screen's ``BINDINGS``."""
    return [command.binding() for command in commands(where)]


def command(binding_id: str, where: Where = "main") -> Command:
    """The command ``binding_id`` of one screen; KeyError when it has none."""
    for found in commands(where):
        if found.id == binding_id:
            return found
    raise KeyError(f"{where} has no binding {binding_id!r}")


def listed() -> tuple[Command, ...]:
    """The main screen's commands with a title: help's rows, in help's order."""
    return tuple(found for found in commands("main") if found.title)


def help_layout() -> tuple[Command | HelpNote, ...]:
    """Help's rows in order: every listed command, each followed by its notes."""
    rows: list[Command | HelpNote] = []
    for found in listed():
        rows.append(found)
        rows.extend(note for note in HELP_NOTES if note.after == found.id)
    return tuple(rows)
