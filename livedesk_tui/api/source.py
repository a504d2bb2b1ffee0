"""The interface the TUI and the exporter need from a contacts client.

Kept apart from ``client`` so that code typed against it does not import ``httpx``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from .connection import Connection
from .models import ContactQuery, Page

if TYPE_CHECKING:
    from .client import ContactsClient


class ContactsSource(Protocol):
    connection: Connection

    def effective_page_size(self, query: ContactQuery) -> int: ...

    async def list_contacts(self, query: ContactQuery) -> Page: ...

    async def list_labels(self) -> list[str]: ...

    async def aclose(self) -> None: ...


class FetchingSource(ContactsSource, Protocol):
    """A source that can fetch a page's answer apart from reading it (``ContactsClient``).

    Reading is CPU-bound for a big answer, so a caller can read in a worker thread
    (``asyncio.to_thread(source.read_contacts, fetched, max_contacts=...)``), and build only
    the contacts it will show: ``Page.omitted`` counts the rows it left out.
    """

    async def fetch_contacts(self, query: ContactQuery) -> Any: ...

    def read_contacts(self, fetched: Any, *, max_contacts: int | None = None) -> Page: ...


SourceFactory = Callable[[Connection], ContactsSource]
"""Opens a contacts source for a connection (the real client, or a test's own)."""


def open_client(connection: Connection, *, timeout: float | None = None) -> ContactsClient:
    """Build the real client; imports ``httpx`` on first call (about 0.1 s), so call it off
    the UI thread or after the first frame.

    Args:
        connection: Where to connect, with what credentials.
        timeout: Seconds a whole request may take, connecting and reading the body included
            (each try of it); the client's default (30 s) when ``None``.
    """
    from .client import ContactsClient

    return ContactsClient(connection, timeout=timeout)
