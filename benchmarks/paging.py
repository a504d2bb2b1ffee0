"""Page flips in the running app, key press to table repainted, measured in-process.

The app runs headless under ``App.run_test`` at 80x24 against a demo server in a process of
its own (as with ``--demo``), over loopback HTTP.
"Repainted" is the moment the screen's update that shows the target page's first row has been
rendered to terminal text: every update the app sends to its (headless) display is rendered with
the app's own console, as a terminal driver would, and timestamped. The floor app is timed the
same way refilling its DataTable with the same 15 rows.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from textual.app import App

from .common import Figure, median, percentile, ratio_figure, spread
from .floor_app import FloorApp
from .rows import PAGE_SIZE, demo_contacts, demo_pages
from .servers import DemoServerProcess

SIZE = (80, 24)
SETTLE_TIMEOUT = 20.0
RAPID_GAP = 0.45
"""Seconds between page moves: the app treats moves closer than 0.4 s as a burst and waits
before asking the server for a page it does not hold."""


@dataclass
class PaintClock:
    """Timestamps every screen update an app renders, with the table's first row at that time.

    Args:
        app: The app (already running).
        first_row: Reads the table's first row (a key or a text) from the app.
    """

    app: App[Any]
    first_row: Callable[[], str | None]
    paints: list[tuple[float, str | None]] = field(default_factory=list)

    def install(self) -> None:
        app = self.app
        show = app._display  # the one place a Textual app hands an update to its terminal

        def display(screen: Any, renderable: Any) -> None:
            show(screen, renderable)
            if renderable is None:
                return
            render = getattr(renderable, "render_segments", None)
            if render is not None:
                render(app.console)  # what a terminal driver would do with it
            self.paints.append((time.perf_counter(), self.first_row()))

        app._display = display  # type: ignore[method-assign]

    async def until(self, after: float, row: str, timeout: float = SETTLE_TIMEOUT) -> float:
        """Seconds from ``after`` to the first update after it that shows ``row`` first."""
        deadline = time.perf_counter() + timeout
        while True:
            for when, shown in self.paints:
                if when >= after and shown == row:
                    return when - after
            if time.perf_counter() > deadline:
                raise TimeoutError(f"the table never showed {row!r} first")
            await asyncio.sleep(0.001)


async def _wait(condition: Callable[[], bool], what: str, timeout: float = SETTLE_TIMEOUT) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await asyncio.sleep(0.005)


# --- the app ----------------------------------------------------------------------------------


def _app_first_row(app: Any) -> Callable[[], str | None]:
    def first_row() -> str | None:
        try:
            table = app.query_one("#contacts")
            if table.row_count == 0:
                return None
            return str(table.coordinate_to_cell_key((0, 0)).row_key.value)
        except Exception:  # not mounted yet, or between screens
            return None

    return first_row


def _page_key(contacts: list[Any], number: int) -> str:
    """The row key of the first contact of page ``number`` in the default order."""
    return contacts[(number - 1) * PAGE_SIZE].key


PREFETCH_WAIT = 2.0
"""Seconds given to the app to prefetch the next page after showing one."""


async def _settled(app: Any) -> None:
    """Wait until the app shows the page asked for, has prefetched the next one (or given it
    ``PREFETCH_WAIT`` seconds), and has no request for it in flight."""

    def shown() -> bool:
        return app.page is not None and app.page.query == app.contact_query and not app.pending

    await _wait(shown, "the page to show")
    following = app.contact_query.at_page(app.contact_query.page + 1)
    deadline = time.perf_counter() + PREFETCH_WAIT
    while app.loader.cached(following) is None and time.perf_counter() < deadline:
        await asyncio.sleep(0.005)
    await _wait(lambda: not app.loader.in_flight(following), "the prefetch to end")


async def _app_flips(flips: int, *, latency_ms: float, uncached: bool) -> list[float]:
    from livedesk_tui.tui.app import LiveDeskApp

    contacts = demo_contacts()
    with DemoServerProcess(len(contacts), latency_ms) as server:
        app = LiveDeskApp(server.connection())
        async with app.run_test(size=SIZE) as pilot:
            clock = PaintClock(app, _app_first_row(app))
            clock.install()
            await _settled(app)
            times: list[float] = []
            for index in range(flips):
                key = "n" if index % 2 == 0 else "p"
                if uncached:
                    key = "n"  # always onward, into a page nobody asked for yet
                    app.loader.cache.clear()
                target = app.contact_query.page + (1 if key == "n" else -1)
                await asyncio.sleep(RAPID_GAP)
                pressed = time.perf_counter()
                await pilot.press(key)
                times.append(await clock.until(pressed, _page_key(contacts, target)) * 1000)
                await _settled(app)
    return times


# --- the floor --------------------------------------------------------------------------------


def _floor_first_row(app: FloorApp) -> Callable[[], str | None]:
    from textual.widgets import DataTable

    def first_row() -> str | None:
        try:
            table = app.query_one(DataTable)
            if table.row_count == 0:
                return None
            cell = table.get_row_at(0)[0]
            return getattr(cell, "plain", str(cell))
        except Exception:
            return None

    return first_row


async def _floor_flips(flips: int) -> list[float]:
    pages = demo_pages(2)
    app = FloorApp(pages)
    async with app.run_test(size=SIZE) as pilot:
        clock = PaintClock(app, _floor_first_row(app))
        clock.install()
        await _wait(lambda: clock.first_row() == pages[0][0][0], "the floor's first page")
        times: list[float] = []
        for index in range(flips):
            key = "n" if index % 2 == 0 else "p"
            target = (app.page + (1 if key == "n" else -1)) % len(pages)
            await pilot.pause()
            await asyncio.sleep(0.02)
            pressed = time.perf_counter()
            await pilot.press(key)
            times.append(await clock.until(pressed, pages[target][0][0]) * 1000)
    return times


# --- figures ----------------------------------------------------------------------------------


def cached_flip(quick: bool = False) -> Figure:
    """Figure 3: flip to a page already fetched (``n`` onto the prefetched page, ``p`` back)."""
    flips = 2 if quick else 40
    app_times: list[float] = []
    floor_times: list[float] = []
    rounds = 1 if quick else 2
    for _ in range(rounds):  # interleaved in halves, so a slow moment falls on both
        app_times += asyncio.run(_app_flips(flips // rounds, latency_ms=0, uncached=False))
        floor_times += asyncio.run(_floor_flips(flips // rounds))
    return ratio_figure(
        "flip",
        "page flip to a fetched page, key to repaint",
        median(app_times),
        median(floor_times),
        unit="ms",
        floor_title="DataTable refilled with 15 rows",
        limit=2.0,
        notes=[
            f"app {spread(app_times)}, p95 {percentile(app_times, 0.95):.1f} ms",
            f"floor {spread(floor_times)}, p95 {percentile(floor_times, 0.95):.1f} ms",
        ],
    )


LATENCY_MS = 100.0


def uncached_flip(quick: bool = False) -> Figure:
    """Figure 4: flip to a page not fetched or prefetched, the server answering in 100 ms."""
    flips = 1 if quick else 15
    times = asyncio.run(_app_flips(flips, latency_ms=LATENCY_MS, uncached=True))
    refill = median(asyncio.run(_floor_flips(2 if quick else 20)))
    value = median(times)
    return Figure(
        key="fetch",
        title="page flip to a page not fetched, 100 ms server",
        value=value,
        unit="ms",
        floor=LATENCY_MS,
        floor_title="the server's latency",
        goal="<= latency + 30 ms",
        met=value <= LATENCY_MS + 30,
        notes=[
            f"{spread(times)}, p95 {percentile(times, 0.95):.1f} ms",
            f"the floor app's own flip (refill and repaint a DataTable) in the same run "
            f"{refill:.1f} ms: above latency + that refill, the app takes "
            f"{value - LATENCY_MS - refill:.1f} ms (HTTP round trip, parsing, the page's rows)",
        ],
    )
