"""Render the README's screenshots from the demo data: ``python scripts/make_screenshots.py``.

Each view is the real app against the embedded demo server, driven by key presses, exported as
SVG into ``screenshots/``. The output is the same on every run: the clock is the demo data's own
"now", times are shown in UTC, and the address on screen is fixed whatever free port the demo
server gets (requests are rewritten to the real port on their way out, by the snapshot tests'
own ``stable_client`` in ``tests/tui_fixtures.py``).
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from livedesk_tui.api.connection import Connection, Secret
from livedesk_tui.api.models import ContactQuery
from livedesk_tui.demo.catalogue import LABEL_TITLES, REFERENCE_NOW
from livedesk_tui.demo.server import DemoServer
from livedesk_tui.tui.app import LiveDeskApp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from tui_fixtures import stable_client  # noqa: E402 - the snapshot tests' way to the server

OUT = ROOT / "screenshots"

Steps = Callable[[Any, LiveDeskApp], Awaitable[None]]


@dataclass(frozen=True)
class View:
    name: str
    size: tuple[int, int]
    steps: Steps | None = None
    query: ContactQuery | None = None
    hostile: bool = False
    connection: Callable[[Connection], Connection] | None = None
    dialog: bool = False
    """The view ends on a screen over the list (a dialog or the full-screen contact)."""


async def _settle(pilot: Any, app: LiveDeskApp, done: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 10
    while not done():
        if time.monotonic() > deadline:
            raise SystemExit(f"the app did not settle in time ({app.status_text()!r})")
        await pilot.pause(0.02)
    await pilot.pause(0.1)


def _page_shown(app: LiveDeskApp) -> bool:
    return app.page is not None and app.pending is None and app.page.query == app.contact_query


async def _open_contact(pilot: Any, app: LiveDeskApp) -> None:
    await pilot.press("j", "j", "enter")


async def _help(pilot: Any, app: LiveDeskApp) -> None:
    await pilot.press("question_mark")


async def _move(pilot: Any, app: LiveDeskApp) -> None:
    await pilot.press("j", "j", "j")


async def _show_filters(pilot: Any, app: LiveDeskApp) -> None:
    await pilot.press("f")


VIEWS = (
    View("browse-120x40", (120, 40), _move),
    View("list-80x24", (80, 24)),
    View(
        "filtered-120x40",
        (120, 40),
        query=ContactQuery(labels=("vip", "partner"), sort="last_activity_at", direction="desc"),
    ),
    View(
        "filters-80x24",
        (80, 24),
        _show_filters,
        query=ContactQuery(labels=("trial",), sort="name"),
    ),
    View("contact-80x24", (80, 24), _open_contact, dialog=True),
    View("help-80x24", (80, 24), _help, dialog=True),
    View("hostile-120x40", (120, 40), hostile=True),
    View(
        "auth-error-80x24",
        (80, 24),
        connection=lambda conn: replace(
            conn,
            api_secret=Secret("not-the-secret"),
            origin="environment (LIVEDESK_API_KEY, LIVEDESK_API_SECRET)",
        ),
        dialog=True,
    ),
)


async def render(view: View, server: DemoServer) -> str:
    connection = server.connection()
    if view.connection is not None:
        connection = view.connection(connection)
    connection, client = stable_client(server, connection)
    app = LiveDeskApp(
        connection,
        client=client,
        label_suggestions=LABEL_TITLES,
        initial_query=view.query,
        clock=lambda: REFERENCE_NOW,
    )
    async with app.run_test(size=view.size) as pilot:
        await _settle(pilot, app, lambda: _page_shown(app) or app.error is not None)
        if view.steps is not None:
            await view.steps(pilot, app)
        if view.dialog:
            await _settle(pilot, app, lambda: app.screen is not app.screen_stack[0])
        else:
            await _settle(pilot, app, lambda: _page_shown(app))
        return app.export_screenshot(title="livedesk-tui")


async def main() -> int:
    os.environ["TZ"] = "UTC"
    time.tzset()
    OUT.mkdir(exist_ok=True)
    with DemoServer() as plain, DemoServer(contacts=40, hostile=True) as hostile:
        for view in VIEWS:
            svg = await render(view, hostile if view.hostile else plain)
            path = OUT / f"{view.name}.svg"
            path.write_text(svg, encoding="utf-8", newline="\n")
            print(f"wrote {path.relative_to(OUT.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
