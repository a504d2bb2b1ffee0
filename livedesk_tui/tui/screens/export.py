"""The export dialog: a format and a file, then the progress of the export running behind it.

The dialog only asks and shows. On Enter it checks the path and posts ``Start``; the app runs
the export in a worker and tells the dialog how far it got. While it runs, escape (or ctrl+c)
posts ``Cancel`` and ``b`` closes the dialog with the export still running (a line above the
status bar keeps its progress in view, and ``e`` brings the dialog back).
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Label, ProgressBar, RadioButton, RadioSet, Static

from ...api.errors import ConfigError
from ...api.export import ExportProgress, Format
from ...api.formats import FORMATS, REGISTRY
from ...api.sanitize import clean
from ...export_file import format_of, resolve_target, shown_path, with_format
from ..commands import bindings, command
from ..keys import shown_keys

FORM_HINT = "enter exports · tab: format · escape closes"
"""The form's keys, as the dialog names them (checked against ``commands.COMMANDS``)."""


def format_for(target: Path, chosen: Format) -> Format:
    """The format a file name asks for (a format's extension, any case), else ``chosen``."""
    return format_of(target) or chosen


def progress_words(progress: ExportProgress | None) -> str:
    """``400 of 1,000 contacts · page 4 of 10``."""
    if progress is None:
        return "Starting…"
    total = progress.contacts_total
    words = (
        f"{progress.written:,} of {total:,} contacts" if total else f"{progress.written:,} contacts"
    )
    pages = f"page {progress.pages_done}"
    if progress.pages_total:
        pages += f" of {progress.pages_total}"
    return f"{words} · {pages}"


def _first_key(binding_id: str) -> str:
    return command(binding_id, "export").first_key


class ExportScreen(ModalScreen[None]):
    """Asks for a format and a path, then shows the export's progress.

    Args:
        summary: What will be exported (``1,000 contacts: labels vip``).
        path_text: The path offered (``~/livedesk-contacts-20261101-0900.csv``).
        default_name: The file name used when the path typed is a folder.
        fmt: The format selected at first.
        running: The file of an export already running: the dialog shows its progress.
        progress: How far that export got.
    """

    class Start(Message):
        """Export to ``target`` in ``fmt``."""

        def __init__(self, fmt: Format, target: Path) -> None:
            super().__init__()
            self.fmt = fmt
            self.target = target

    class Cancel(Message):
        """Stop the export that is running."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("export")

    def __init__(
        self,
        summary: str,
        path_text: str,
        default_name: str,
        *,
        fmt: Format = "csv",
        running: Path | None = None,
        progress: ExportProgress | None = None,
    ) -> None:
        super().__init__()
        self._summary = summary
        self._path_text = path_text
        self._default_name = default_name
        self._fmt: Format = fmt
        self._export_target = running
        self._progress = progress
        self._confirmed: Path | None = None

    @property
    def running(self) -> bool:
        return self._export_target is not None

    def compose(self) -> ComposeResult:
        with Vertical(id="export-dialog", classes="dialog"):
            yield Static("Export contacts", classes="dialog-title")
            yield Static(Text(clean(self._summary)), id="export-summary")
            with Vertical(id="export-form"):
                with Horizontal(classes="export-row"):
                    yield Label("Format", classes="export-label")
                    with RadioSet(id="export-format"):
                        for spec in REGISTRY:
                            yield RadioButton(
                                spec.label, value=spec.name == self._fmt, id=f"format-{spec.name}"
                            )
                with Horizontal(classes="export-row"):
                    yield Label("File", classes="export-label")
                    yield Input(
                        self._path_text, id="export-path", compact=True, select_on_focus=False
                    )
                yield Static("", id="export-message")
                yield Static(FORM_HINT, classes="dialog-hint")
            with Vertical(id="export-running"):
                yield Static("", id="export-target")
                yield ProgressBar(total=None, show_eta=False, id="export-bar")
                yield Static(progress_words(self._progress), id="export-progress")
                cancel = shown_keys(self.app, "cancel_export", _first_key("cancel_export"))
                behind = shown_keys(self.app, "export_background", _first_key("export_background"))
                yield Static(
                    f"{cancel} cancels the export · {behind} keeps it running in the background",
                    classes="dialog-hint",
                )

    def on_mount(self) -> None:
        if self._export_target is not None:
            self.show_running(self._export_target, self._progress)
        else:
            self.query_one("#export-running").display = False
            self.query_one("#export-message").display = False
            path = self.query_one("#export-path", Input)
            path.focus()
            path.cursor_position = len(path.value)

    # --- what the app calls ----------------------------------------------------------------

    def show_running(self, target: Path, progress: ExportProgress | None = None) -> None:
        """Switch to the progress view of the export into ``target``."""
        self._export_target = target
        self.query_one("#export-form").display = False
        self.query_one("#export-running").display = True
        self.query_one("#export-target", Static).update(
            Text("Exporting to " + clean(shown_path(target)))
        )
        self.show_progress(progress)
        self.set_focus(None)

    def show_progress(self, progress: ExportProgress | None) -> None:
        self._progress = progress
        bar = self.query_one("#export-bar", ProgressBar)
        if progress is not None and progress.contacts_total:
            bar.update(total=progress.contacts_total, progress=progress.written)
        self.query_one("#export-progress", Static).update(progress_words(progress))

    def show_error(self, text: str) -> None:
        message = self.query_one("#export-message", Static)
        message.update(Text(clean(text)))
        message.display = bool(text)

    # --- the form ----------------------------------------------------------------------------

    @on(RadioSet.Changed, "#export-format")
    def _format_changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        button_id = event.pressed.id or ""
        fmt = button_id.removeprefix("format-")
        if fmt in FORMATS:
            self._fmt = fmt
            path = self.query_one("#export-path", Input)
            path.value = with_format(path.value, fmt)
            path.cursor_position = len(path.value)
            self._default_name = with_format(self._default_name, fmt)

    @on(Input.Changed, "#export-path")
    def _path_changed(self, event: Input.Changed) -> None:
        self._confirmed = None
        self.show_error("")
        self._follow_extension(event.value)

    def _follow_extension(self, text: str) -> None:
        """Mark the format a typed extension names (``contacts.json``), leaving the text be."""
        typed = text.strip()
        fmt = format_for(Path(typed), self._fmt) if typed else self._fmt
        if fmt != self._fmt:
            self._fmt = fmt
            self._mark_format()
            # The radio set moves its mark when it reads the change; keys typed faster than
            # that could leave the mark behind, so it is checked once more.
            self.call_after_refresh(self._mark_format)

    def _mark_format(self) -> None:
        """Mark the current format without telling ``_format_changed`` (which would rewrite the
        path's extension to the one being marked)."""
        button = self.query_one(f"#format-{self._fmt}", RadioButton)
        if not button.value:
            with self.prevent(RadioSet.Changed):
                button.value = True

    @on(Input.Submitted, "#export-path")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            target = resolve_target(event.value, self._default_name)
        except ConfigError as error:
            self.show_error(error.message)
            return
        if target.exists() and self._confirmed != target:
            self._confirmed = target
            self.show_error(f"{shown_path(target)} exists: enter again replaces it.")
            return
        self.post_message(self.Start(format_for(target, self._fmt), target))

    # --- keys --------------------------------------------------------------------------------

    def action_cancel(self) -> None:
        if self.running:
            self.post_message(self.Cancel())
        else:
            self.dismiss(None)

    def action_background(self) -> None:
        if self.running:
            self.dismiss(None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "background":
            return self.running
        return True
