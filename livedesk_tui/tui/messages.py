"""The messages that carry data through the app.

The sidebar says what the user asked for (``FiltersChanged``); the fetch worker says what came
back (``PageLoaded``, ``PageFailed``), and the export worker how far it got (``ExportProgressed``,
``ExportEnded``). The app routes them; widgets only show what they are told.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

from ..api.connection import Connection
from ..api.errors import LiveDeskError
from ..api.models import ContactQuery, Page

if TYPE_CHECKING:
    from textual.widget import Widget

    from ..api.export import ExportProgress, ExportResult


class FiltersChanged(Message):
    """The user changed a filter; ``query`` holds the new filters, on page 1."""

    def __init__(self, query: ContactQuery, sender: Widget) -> None:
        super().__init__()
        self.query = query
        self.sender = sender

    @property
    def control(self) -> Widget:
        """The widget that posted it, so ``@on(FiltersChanged, "#sidebar")`` works."""
        return self.sender


class PageLoaded(Message):
    """A page arrived (or came from the cache) for ``query``.

    ``connection`` is the account it came from, when it may no longer be the current one (the
    user switched profiles while it was on its way).
    """

    def __init__(
        self,
        query: ContactQuery,
        page: Page,
        *,
        from_cache: bool = False,
        connection: Connection | None = None,
    ) -> None:
        super().__init__()
        self.query = query
        self.page = page
        self.from_cache = from_cache
        self.connection = connection


class PageFailed(Message):
    """Loading ``query`` failed; ``error`` says why in words a person can act on."""

    def __init__(
        self, query: ContactQuery, error: LiveDeskError, *, connection: Connection | None = None
    ) -> None:
        super().__init__()
        self.query = query
        self.error = error
        self.connection = connection


class ExportProgressed(Message):
    """The export in the background wrote another page. Bursts merge: only the latest counts."""

    def __init__(self, progress: ExportProgress) -> None:
        super().__init__()
        self.progress = progress

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, ExportProgressed)


class ExportEnded(Message):
    """The export finished, failed or was cancelled; ``result`` is set when it finished."""

    def __init__(
        self,
        *,
        result: ExportResult | None = None,
        error: LiveDeskError | None = None,
        cancelled: bool = False,
    ) -> None:
        super().__init__()
        self.result = result
        self.error = error
        self.cancelled = cancelled
