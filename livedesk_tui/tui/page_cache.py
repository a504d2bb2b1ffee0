"""A small, bounded, in-memory cache of pages already seen.

Contacts are personal data: the cache lives only in memory and is bounded, so a long session
neither writes them anywhere nor grows without limit.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

from ..api.models import ContactQuery, Page

DEFAULT_CAPACITY = 16
"""Pages kept: about 100 KB each (contacts with their raw fields and exact JSON text), so 16
stay well within the memory of a bare table app while covering paging back and forth."""


class PageCache:
    """Least-recently-used pages, keyed by the exact query (filters, page and page size)."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self.capacity = max(1, capacity)
        self._pages: OrderedDict[ContactQuery, Page] = OrderedDict()

    def __len__(self) -> int:
        return len(self._pages)

    def __contains__(self, query: object) -> bool:
        return query in self._pages

    def get(self, query: ContactQuery) -> Page | None:
        """The page for ``query`` if held; it becomes the most recently used."""
        page = self._pages.get(query)
        if page is not None:
            self._pages.move_to_end(query)
        return page

    def put(self, page: Page) -> None:
        """Keep ``page`` under its own query, evicting the least recently used beyond capacity."""
        self._pages[page.query] = page
        self._pages.move_to_end(page.query)
        while len(self._pages) > self.capacity:
            self._pages.popitem(last=False)

    def discard(self, keep: Callable[[ContactQuery], bool]) -> int:
        """Drop every page whose query ``keep`` rejects; return how many were dropped."""
        stale = [query for query in self._pages if not keep(query)]
        for query in stale:
            del self._pages[query]
        return len(stale)

    def invalidate(self, filters: ContactQuery) -> int:
        """Forget every page listing the same filters as ``filters`` (for a reload)."""
        wanted = filters.filters
        return self.discard(lambda query: query.filters != wanted)

    def clear(self) -> None:
        self._pages.clear()
