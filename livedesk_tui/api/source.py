"""The interface the TUI and the exporter need from a contacts client.

Kept apart from ``client`` so that code typed against it does not import ``httpx``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

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


def open_client(connection: Connection, *, timeout: float | None = None) -> ContactsClient:
    """Build the real client; imports ``httpx`` on first call (about 0.1 s), so call it off
    the UI thread or after the first frame.

    Args:
        connection: Where to connect, with what credentials.
        timeout: Seconds to wait for a connection or an answer; the client's defaults when
            ``None``.
    """
    from .client import ContactsClient

    return ContactsClient(connection, timeout=timeout)
