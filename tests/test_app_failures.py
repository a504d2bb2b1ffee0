"""Failures in the app: refused credentials, server errors, unreadable answers, and hostile data.
None of them may crash the app, show a secret, or restyle the screen."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from tui_fixtures import (
    expected_ids,
    make_app,
    raw_screenshot,
    screen_text,
    shown_ids,
    table_row_keys,
    utc,
    wait_for_page,
    wait_until,
)

from livedesk_tui.api.connection import Secret
from livedesk_tui.api.models import ContactQuery
from livedesk_tui.demo.faults import Fault
from livedesk_tui.demo.server import DemoServer
from livedesk_tui.tui.screens.error import ErrorScreen

__all__ = ["utc"]

pytestmark = pytest.mark.usefixtures("utc")

WRONG_SECRET = "wrong-s3cret-Zq9"
ORIGIN = "environment (LIVEDESK_API_KEY, LIVEDESK_API_SECRET)"


@pytest.fixture(scope="module")
def server() -> Iterator[DemoServer]:
    with DemoServer(contacts=300, seed=7) as running:
        yield running


@pytest.fixture(autouse=True)
def clean_server(server: DemoServer) -> None:
    server.reset()


async def test_refused_credentials_say_where_they_come_from(server: DemoServer) -> None:
    connection = replace(server.connection(), api_secret=Secret(WRONG_SECRET), origin=ORIGIN)
    app = make_app(server, connection=connection)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, ErrorScreen))
        text = screen_text(app)
        assert "The server refused the credentials" in text
        assert "HTTP 401" in text
        assert "LIVEDESK_API_SECRET" in text  # where the credentials come from
        assert WRONG_SECRET not in raw_screenshot(app)
        assert "demo-key" not in raw_screenshot(app)
        # closing the dialog leaves the app up, saying what failed
        await pilot.press("escape")
        assert not isinstance(app.screen, ErrorScreen)
        assert "failed" in app.status_text()
        assert "401" in app.status_text()
        assert WRONG_SECRET not in raw_screenshot(app)
        # retry asks again, and is refused again
        server.reset_log()
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, ErrorScreen))
        assert [r.status for r in server.requests] == [401]


async def test_missing_permission_is_told_apart(server: DemoServer) -> None:
    server.faults.add(Fault(kind="status", status=403, times=None))
    app = make_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, ErrorScreen))
        text = screen_text(app)
        assert "This key may not list contacts" in text
        assert "HTTP 403" in text
        assert "the demo server" in text  # the connection's origin
        server.faults.clear()
        await pilot.press("r")  # retry from the dialog
        await wait_for_page(pilot, app, 1)
        assert not isinstance(app.screen, ErrorScreen)
        assert shown_ids(app) == expected_ids(server, ContactQuery())


async def test_server_error_then_retry_recovers(server: DemoServer) -> None:
    server.faults.add(Fault(kind="status", status=500, times=None))
    app = make_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.error is not None)
        assert app.page is None
        assert "HTTP 500" in app.status_text()
        assert "r to retry" in app.status_text()
        assert "Press r to retry" in screen_text(app)
        server.faults.clear()
        await pilot.press("r")
        await wait_for_page(pilot, app, 1)
        assert app.error is None
        assert shown_ids(app) == expected_ids(server, ContactQuery())
        assert "failed" not in app.status_text()


async def test_the_retry_hint_names_the_remapped_key(server: DemoServer) -> None:
    server.faults.add(Fault(kind="status", status=503, times=None))
    app = make_app(server, keymap={"reload": "ctrl+r"})
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.error is not None)
        assert "failed (^r to retry)" in app.status_text()
        assert "Press ^r to retry" in screen_text(app)
        server.faults.clear()
        await pilot.press("r")  # no longer bound
        await pilot.pause(0.1)
        assert app.page is None
        await pilot.press("ctrl+r")
        await wait_for_page(pilot, app, 1)


async def test_a_failed_page_keeps_the_last_good_one_on_screen(server: DemoServer) -> None:
    server.faults.add(Fault(kind="status", status=502, page=2, times=None))
    app = make_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app, 1)
        first = shown_ids(app)
        await pilot.press("n")
        await wait_until(pilot, lambda: app.error is not None)
        assert shown_ids(app) == first
        assert app.status_text().startswith("page 1 of 20")
        assert "HTTP 502" in app.status_text()
        server.faults.clear()
        await pilot.press("r")
        await wait_for_page(pilot, app, 2)
        assert shown_ids(app) == expected_ids(server, ContactQuery(page=2))


@pytest.fixture(scope="module")
def hostile_server() -> Iterator[DemoServer]:
    with DemoServer(contacts=20, seed=7, hostile=True) as running:
        yield running


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_hostile_contacts_render_literally(
    hostile_server: DemoServer, size: tuple[int, int]
) -> None:
    app = make_app(hostile_server)
    async with app.run_test(size=size) as pilot:
        await wait_for_page(pilot, app, 1)
        assert len(shown_ids(app)) == 15
        text = screen_text(app)
        raw = raw_screenshot(app)
        assert "[bold red]x[/]" in text  # markup shown, not obeyed
        assert "\x1b" not in raw and "\x07" not in raw and "\x9b" not in raw
        assert "␛[31m" in text  # the escape is visible and inert
        assert "\u202e" not in raw  # no bidi override reaches the screen
        # hostile contacts open in full without breaking anything (all of them are rendered
        # directly in test_formatting)
        for contact_id in (2, 3, 8):
            app.query_one("#contacts").move_cursor(row=shown_ids(app).index(contact_id))
            await pilot.press("enter")
            await wait_until(pilot, lambda: app.screen.__class__.__name__ == "ContactScreen")
            raw = raw_screenshot(app)
            assert "\x1b" not in raw and "\x00" not in raw and "\u202e" not in raw
            await pilot.press("escape")
            await wait_until(pilot, lambda: app.screen is app.screen_stack[0])
        assert app.is_running


async def test_hostile_detail_shows_markup_and_types_literally(hostile_server: DemoServer) -> None:
    app = make_app(hostile_server)
    async with app.run_test(size=(80, 60)) as pilot:
        await wait_for_page(pilot, app, 1)
        await pilot.press("enter")  # contact 1: markup everywhere
        await wait_until(pilot, lambda: app.screen.__class__.__name__ == "ContactScreen")
        text = screen_text(app)
        for literal in ("[bold red]x[/]", "[reverse][blink]ACME[/blink][/reverse]", "[b]value[/b]"):
            assert literal in text
        assert "[@click=app.quit]x" in text
        await pilot.press("escape")
        app.query_one("#contacts").move_cursor(row=shown_ids(app).index(9))  # wrong JSON types
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen.__class__.__name__ == "ContactScreen")
        lines = screen_text(app).splitlines()
        assert "  blocked         yes" in lines  # "true" as a string
        assert "  city            123" in lines  # a number where text was expected
        assert '  country         ["JP"]' in lines
        assert '  nested          {"a": [1, {"b": null}]}' in lines  # nested values as JSON
        assert "  created         2026-10-01 09:30 UTC (1 mo ago)" in lines  # an ISO string
        assert not any("None" in line for line in lines)
        await pilot.press("escape")
        app.query_one("#contacts").move_cursor(row=shown_ids(app).index(11))  # nulls everywhere
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen.__class__.__name__ == "ContactScreen")
        lines = screen_text(app).splitlines()
        assert "  email           —" in lines
        assert "  created         —" in lines
        assert not any("None" in line for line in lines)


async def test_repeated_and_missing_ids_still_show_every_row() -> None:
    from livedesk_tui.demo.catalogue import DemoContact

    dataset = [
        DemoContact(raw={"id": 5, "name": "first five"}),
        DemoContact(raw={"id": 5, "name": "second five"}),
        DemoContact(raw={"id": None, "name": "no id"}),
        DemoContact(raw={"name": "no id either"}),
        DemoContact(raw={"id": "5", "name": "five as text"}),
    ]
    with DemoServer(dataset=dataset) as odd:
        app = make_app(odd)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for_page(pilot, app, 1)
            keys = table_row_keys(app)
            assert len(keys) == len(set(keys)) == 5
            assert keys[:2] == ["5", "5#2"]
            assert keys[4] == "5#3"
            names = [line.split("  ")[0].strip() for line in screen_text(app).splitlines()[1:6]]
            assert names == ["first five", "second five", "no id", "no id either", "five as text"]


async def test_a_dripping_answer_ends_in_a_failure_not_an_endless_spinner(
    server: DemoServer,
) -> None:
    """Headers at once, then the body a byte every tenth of a second: each read is well within
    the timeout, so only a bound on the whole request (the client's ``timeout``) ends the wait.
    The status line turns from loading into a failure that says what to do."""
    from livedesk_tui.api.client import ContactsClient, RetryPolicy
    from livedesk_tui.demo.faults import parse_fault
    from livedesk_tui.tui.app import LiveDeskApp

    server.faults.add(parse_fault("drip:0.1x*"))
    client = ContactsClient(
        server.connection(), retry=RetryPolicy(attempts=1, backoff=0.01), timeout=0.5
    )
    app = LiveDeskApp(server.connection(), client=client)
    async with app.run_test(size=(100, 24)) as pilot:
        await wait_until(pilot, lambda: app.pending is not None)
        assert "loading" in app.status_text()
        await wait_until(pilot, lambda: app.error is not None, timeout=20)
        status = app.status_text()
        assert "loading" not in status
        assert "failed (r to retry)" in status
        assert app.page is None and app.pending is None
