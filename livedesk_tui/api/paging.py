"""The page size a server really uses, learnt from the pages it sends.

A server may ignore ``page_size`` (Chatwoot always sends 15; some LiveDesk deployments their
own default): a page that is not the last and holds another number of rows than was asked for
shows the size it uses, and every later page must be asked for at that size, or contacts are
skipped or listed twice. Kept apart from the client so that a page read without it (the first
page asked for ahead of time) teaches the client the same lesson.
"""

from __future__ import annotations

from .models import Page


def served_page_size(page: Page) -> int | None:
    """The page size ``page`` shows the server uses, when it is not the one asked for.

    ``None`` when the page fits the size asked for: it is full, or it is a short last page.
    """
    rows = len(page.contacts) + page.omitted
    asked = page.page_size
    if rows == 0 or rows == asked:
        return None
    if page.total is not None:
        before = (page.number - 1) * asked
        if before + rows == page.total:  # a short last page under the size asked for
            return None
        if rows > asked or before + rows < page.total:
            return rows
        return None
    if rows > asked or page.has_more:
        return rows
    return None
