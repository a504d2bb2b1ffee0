"""One line above the status bar while an export runs in the background: where it writes, a
progress bar, and the key that brings its dialog back."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import ProgressBar, Static

from ...api.export import ExportProgress
from ...api.sanitize import clean, clip
from ...export_file import shown_path


class ExportStrip(Horizontal):
    """Shown by the app while the export dialog is closed and an export is running."""

    DEFAULT_CSS = """
    ExportStrip {
        height: 1;
        padding: 0 1;
        background: $panel;
        & > #strip-label { width: 1fr; color: $text-accent; }
        & > ProgressBar { width: auto; margin: 0 1; }
        & > ProgressBar > Bar { width: 16; }
        & > #strip-hint { width: auto; color: $text-muted; }
    }
    """

    def __init__(
        self,
        target: Path,
        hint: str,
        *,
        progress: ExportProgress | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self._target = target
        self._hint = hint
        self._progress = progress

    def compose(self) -> ComposeResult:
        label = "Exporting to " + clip(clean(shown_path(self._target)), 200)
        yield Static(Text(label, no_wrap=True, overflow="ellipsis"), id="strip-label")
        yield ProgressBar(total=None, show_eta=False, id="strip-bar")
        yield Static(Text(self._hint, no_wrap=True, overflow="ellipsis"), id="strip-hint")

    def on_mount(self) -> None:
        self.show_progress(self._progress)

    def show_progress(self, progress: ExportProgress | None) -> None:
        self._progress = progress
        if not self.is_mounted:
            return
        if progress is not None and progress.contacts_total:
            self.query_one(ProgressBar).update(
                total=progress.contacts_total, progress=progress.written
            )
