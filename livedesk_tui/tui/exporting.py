"""The app's export, one at a time: the dialog, the worker, its progress and its end.

The export runs in a worker (group ``export``) on the app's own loop, through a client of its
own (paging and profile switches go on meanwhile), with the same engine and the same
``FILE.partial`` handling as ``livedesk-tui export``. Progress arrives as ``ExportProgressed``
messages that merge when they come faster than the screen is drawn.

Cancelled from the dialog, an export removes its partial file: the user chose to drop it. Cut
short by a signal (the terminal closed, the machine shutting down), it keeps it, closed and
whole up to the last contact written: nobody chose to lose that work.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..api.errors import ApiError, LiveDeskError
from ..api.models import MAX_PAGE_SIZE, ContactQuery
from ..api.sanitize import clean, clip
from .messages import ExportEnded, ExportProgressed

if TYPE_CHECKING:
    from textual.worker import Worker

    from ..api.export import ExportProgress, Format
    from .app import LiveDeskApp
    from .widgets.export_strip import ExportStrip

log = logging.getLogger("livedesk_tui.tui")

STRIP_ID = "export-strip"


@dataclass
class ExportJob:
    """The export running now."""

    target: Path
    fmt: Format
    query: ContactQuery
    worker: Worker[None] | None = None
    progress: ExportProgress | None = None
    written: int = 0
    """Contacts written so far (known at once, before the progress message is read)."""
    interrupted: bool = False
    """Stopped by a signal: the partial file stays."""


class ExportInterrupted(Exception):
    """Stops an export while keeping its partial file (``open_partial`` removes it only when
    cancelled, or when ``result`` says nothing was written)."""

    def __init__(self, written: int) -> None:
        from ..api.export import ExportResult

        super().__init__(f"interrupted after {written} contacts")
        self.result = ExportResult(written=written)


class Exports:
    """Starts, shows and ends the app's export.

    Args:
        app: The app whose workers, screens and notifications are used.
    """

    def __init__(self, app: LiveDeskApp) -> None:
        self.app = app
        self.job: ExportJob | None = None

    @property
    def running(self) -> bool:
        return self.job is not None

    def open_dialog(self, summary: str) -> None:
        """The dialog: a new export's format and file, or the progress of the one running."""
        from ..export_file import default_export_name, default_export_text
        from .screens.export import ExportScreen

        job = self.job
        if job is not None:
            self._hide_strip()
            screen = ExportScreen(
                summary, "", "", fmt=job.fmt, running=job.target, progress=job.progress
            )
        else:
            now = self.app.clock().astimezone()
            screen = ExportScreen(
                summary, default_export_text("csv", now), default_export_name("csv", now)
            )
        self.app.push_screen(screen, self._dialog_closed)

    def _dialog_closed(self, _: None) -> None:
        if self.job is not None:
            self._show_strip()

    def start(self, fmt: Format, target: Path, filters: ContactQuery) -> None:
        """Export ``filters`` (every page) to ``target`` in a worker."""
        from .screens.export import ExportScreen

        query = replace(filters.filters, page_size=MAX_PAGE_SIZE)
        job = ExportJob(target, fmt, query)
        self.job = job
        job.worker = self.app.run_worker(
            self._run(job), group="export", exclusive=True, exit_on_error=False
        )
        screen = self.app.screen
        if isinstance(screen, ExportScreen):
            screen.show_running(target)

    def cancel(self) -> None:
        job = self.job
        if job is not None and job.worker is not None:
            job.worker.cancel()

    async def interrupt(self) -> str | None:
        """Stop the running export, keeping what it wrote in its partial file; returns a line
        saying where that is (None when no export ran)."""
        from textual.worker import WorkerError

        from ..export_file import partial_path, shown_path

        job = self.job
        if job is None or job.worker is None:
            return None
        job.interrupted = True
        job.worker.cancel()
        with contextlib.suppress(WorkerError):
            await job.worker.wait()
        partial = partial_path(job.target)
        if not partial.exists():
            return f"Export to {clean(shown_path(job.target))} interrupted before it wrote."
        noun = "contact" if job.written == 1 else "contacts"
        return (
            f"Export interrupted: the {job.written:,} {noun} written so far are in "
            f"{clean(shown_path(partial))}."
        )

    async def _run(self, job: ExportJob) -> None:
        from ..api.export import export_contacts, stable_query
        from ..export_file import open_partial

        app = self.app
        client = None
        query, note = stable_query(job.query, app.connection)
        if note:
            app.notify(note, title="Sorted by creation", markup=False, timeout=8)

        def progressed(progress: ExportProgress) -> None:
            job.written = progress.written
            app.post_message(ExportProgressed(progress))

        try:
            client = await asyncio.to_thread(app.open_source, app.connection)
            with open_partial(job.target) as out:  # as ``export_to_file``, but see below
                try:
                    result = await export_contacts(
                        client, query, out, fmt=job.fmt, progress=progressed
                    )
                except asyncio.CancelledError:
                    if job.interrupted:  # not cancelled by the user: keep the partial file
                        raise ExportInterrupted(job.written) from None
                    raise
        except ExportInterrupted:
            app.post_message(ExportEnded(cancelled=True))
        except asyncio.CancelledError:
            app.post_message(ExportEnded(cancelled=True))
            raise
        except LiveDeskError as error:
            app.post_message(ExportEnded(error=error))
        except Exception as error:
            log.exception("the export failed unexpectedly")
            name = type(error).__name__
            app.post_message(
                ExportEnded(error=ApiError(f"Something unexpected went wrong ({name})."))
            )
        else:
            app.post_message(ExportEnded(result=result))
        finally:
            if client is not None:
                await client.aclose()

    def progressed(self, progress: ExportProgress) -> None:
        from .screens.export import ExportScreen

        job = self.job
        if job is None:
            return
        job.progress = progress
        screen = self.app.screen
        if isinstance(screen, ExportScreen) and screen.running:
            screen.show_progress(progress)
        strip = self._strip()
        if strip is not None:
            strip.show_progress(progress)

    def ended(self, message: ExportEnded) -> None:
        """Say how the export ended, with the count and the file, or why it stopped."""
        from ..api.export import ExportFailed
        from ..export_file import partial_path, shown_path
        from .screens.export import ExportScreen

        job, self.job = self.job, None
        if job is None:
            return
        self._hide_strip()
        screen = self.app.screen
        if isinstance(screen, ExportScreen) and screen.running:
            screen.dismiss(None)
        notify = self.app.notify
        if message.cancelled:
            if not job.interrupted:
                notify("Export cancelled; its partial file was removed.", timeout=5)
            return
        if message.error is not None:
            text = clean(clip(message.error.message, 600))
            if isinstance(message.error, ExportFailed):
                if message.error.result.written:
                    partial = shown_path(partial_path(job.target))
                    text += f"\nThe contacts before it are in {clean(partial)}."
                else:
                    text += "\nNothing was written, so no file was kept."
            notify(text, title="Export failed", severity="error", timeout=15, markup=False)
            return
        result = message.result
        if result is None:
            return
        noun = "contact" if result.written == 1 else "contacts"
        notify(
            f"Exported {result.written:,} {noun} to {clean(shown_path(job.target))}.",
            title="Export done",
            timeout=8,
            markup=False,
        )
        for warning in result.warnings:
            notify(clean(clip(warning, 400)), title="Export", severity="warning", timeout=12)

    # --- the strip above the status bar -------------------------------------------------------

    def _strip(self) -> ExportStrip | None:
        from .widgets.export_strip import ExportStrip

        found = self.app.screen_stack[0].query(f"#{STRIP_ID}")
        strip = found.first() if found else None
        return strip if isinstance(strip, ExportStrip) else None

    def _show_strip(self) -> None:
        from .widgets.export_strip import ExportStrip

        job = self.job
        if job is None or self._strip() is not None:
            return
        hint = f"{self.app.keys_for('export')} shows it"
        strip = ExportStrip(job.target, hint, progress=job.progress, id=STRIP_ID)
        main = self.app.screen_stack[0]
        main.mount(strip, before=main.query_one("#status"))

    def _hide_strip(self) -> None:
        strip = self._strip()
        if strip is not None:
            strip.remove()
