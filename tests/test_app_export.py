"""Export from the app (e): the dialog, the file written through FILE.partial by the same
engine as the export command, progress while paging goes on, cancelling, and failures."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, ProgressBar, RadioButton, RadioSet
from tui_fixtures import FIXED_NOW, Notices, make_app, screen_text, utc, wait_for_page, wait_until

from livedesk_tui.api.export import ExportResult
from livedesk_tui.api.formats import REGISTRY
from livedesk_tui.api.models import ContactQuery
from livedesk_tui.demo.faults import Fault
from livedesk_tui.demo.server import DemoServer
from livedesk_tui.export_file import files_being_written
from livedesk_tui.tui.app import LiveDeskApp
from livedesk_tui.tui.exporting import ExportJob
from livedesk_tui.tui.messages import ExportEnded
from livedesk_tui.tui.screens.export import ExportScreen

__all__ = ["utc"]

pytestmark = pytest.mark.usefixtures("utc")

CONTACTS = 400
TRIAL = ContactQuery(labels=("trial",), sort="name", direction="desc")


@pytest.fixture(scope="module")
def server() -> Iterator[DemoServer]:
    with DemoServer(contacts=CONTACTS, seed=7) as running:
        yield running


@pytest.fixture(autouse=True)
def clean_server(server: DemoServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    server.reset()
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    monkeypatch.chdir(tmp_path)  # short relative paths to type (a key press takes a while)


def served_json(server: DemoServer, query: ContactQuery) -> list[bytes]:
    """Every contact matching ``query`` as the server encodes it, in the server's order."""
    store = server.store
    selection = store.select(
        labels=query.labels,
        sort=query.sort,
        descending=query.direction == "desc",
        search=query.search,
    )
    texts: list[bytes] = []
    number = 1
    while page := store.page_json(selection, number, 100):
        texts.extend(page)
        number += 1
    return texts


async def open_dialog(pilot: Pilot[Any], app: LiveDeskApp) -> ExportScreen:
    await pilot.press("e")
    await wait_until(pilot, lambda: isinstance(app.screen, ExportScreen))
    await wait_until(pilot, lambda: app.screen.focused is not None)
    screen = app.screen
    assert isinstance(screen, ExportScreen)
    return screen


async def type_path(pilot: Pilot[Any], path: str) -> None:
    """Clear the file field, type ``path`` (relative to the test's folder) and press enter."""
    await pilot.press("ctrl+u", *path, "enter")


async def test_export_writes_the_filters_to_csv_replacing_a_file_only_when_asked_twice(
    server: DemoServer, tmp_path: Path
) -> None:
    notices = Notices()
    app = make_app(server, initial_query=TRIAL)
    async with app.run_test(size=(80, 24), notifications=True, message_hook=notices.hook) as pilot:
        await wait_for_page(pilot, app, 1)
        screen = await open_dialog(pilot, app)
        text = screen_text(app)
        expected = served_json(server, TRIAL)
        assert f"{len(expected)} contacts: labels trial, sort name ↓" in text
        stamp = FIXED_NOW.strftime("%Y%m%d-%H%M")
        path = screen.query_one("#export-path", Input)
        assert path.value == f"~/livedesk-contacts-{stamp}.csv"
        await type_path(pilot, "absent/x.csv")
        assert "There is no folder absent." in screen_text(app)
        target = tmp_path / "trial.csv"
        target.write_text("precious\n", encoding="utf-8")
        await type_path(pilot, "trial.csv")
        assert "trial.csv exists: enter again replaces it." in screen_text(app)
        assert target.read_text(encoding="utf-8") == "precious\n"
        assert not app.exports.running
        await pilot.press("enter")  # asked twice: replace it
        await wait_until(pilot, lambda: bool(notices.titled("Export done")))
        assert not isinstance(app.screen, ExportScreen)
        assert notices.titled("Export done") == [f"Exported {len(expected)} contacts to trial.csv."]
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"), newline="")))
    assert [row[0] for row in rows[1:]] == [str(json.loads(raw)["id"]) for raw in expected]
    assert not (tmp_path / "trial.csv.partial").exists()


def marked_format(screen: ExportScreen) -> str:
    pressed = screen.query_one("#export-format", RadioSet).pressed_button
    assert pressed is not None
    return (pressed.id or "").removeprefix("format-")


async def test_the_format_marker_follows_the_extension_typed(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app, 1)
        screen = await open_dialog(pilot, app)
        path = screen.query_one("#export-path", Input)
        assert marked_format(screen) == "csv"
        await pilot.press("ctrl+u", *"contacts.json")
        assert marked_format(screen) == "json"
        await pilot.press("l")
        assert (path.value, marked_format(screen)) == ("contacts.jsonl", "jsonl")
        await pilot.press("backspace")
        assert marked_format(screen) == "json"
        await pilot.press("backspace", "backspace")  # contacts.js names no format: kept
        assert marked_format(screen) == "json"
        await pilot.press("ctrl+u", *"Contacts.CSV")
        assert marked_format(screen) == "csv"
        assert path.value == "Contacts.CSV", "what was typed stays as typed"
        assert path.cursor_position == len(path.value)
        await pilot.press("ctrl+u", *"out.json", "home")  # the marker moves; the cursor does not
        await pilot.press("x")
        assert path.value == "xout.json" and marked_format(screen) == "json"
        await pilot.click("#format-csv")  # a format chosen names the extension
        assert (marked_format(screen), path.value) == ("csv", "xout.csv")


async def test_json_keeps_each_contact_as_the_server_sent_it(
    server: DemoServer, tmp_path: Path
) -> None:
    notices = Notices()
    app = make_app(server)
    async with app.run_test(size=(80, 24), notifications=True, message_hook=notices.hook) as pilot:
        await wait_for_page(pilot, app, 1)
        screen = await open_dialog(pilot, app)
        await pilot.press("tab", "right", "enter", "tab")  # the format: JSON
        path = screen.query_one("#export-path", Input)
        assert path.value.endswith(".json")
        (tmp_path / "out").mkdir()
        await type_path(pilot, "out")  # a folder: the default name inside it
        await wait_until(pilot, lambda: bool(notices.titled("Export done")))
        # What the engine finds amiss (the list changed while exporting) is shown as warnings.
        app.exports.job = ExportJob(Path("w.csv"), "csv", ContactQuery())
        shortfall = "the server reported 6 matching contacts but 5 were exported"
        app.post_message(ExportEnded(result=ExportResult(written=5, warnings=[shortfall])))
        await wait_until(pilot, lambda: ("Export", shortfall, "warning") in notices.seen)
        assert notices.titled("Export done")[-1] == "Exported 5 contacts to w.csv."
    written = list((tmp_path / "out").glob("livedesk-contacts-*.json"))
    assert len(written) == 1
    body = written[0].read_bytes()
    assert body == b"[\n" + b",\n".join(served_json(server, ContactQuery())) + b"\n]\n"


async def test_progress_shows_paging_goes_on_escape_cancels_and_quitting_asks(
    server: DemoServer, tmp_path: Path
) -> None:
    # Page 3 of the export (100 a page) gets no answer: the export stops after page 2 and
    # stays there, whatever the speed of the machine, until it is cancelled.
    server.faults.add(Fault("hang", page=3, times=None, hang_seconds=20))
    notices = Notices()
    app = make_app(server)
    async with app.run_test(size=(80, 24), notifications=True, message_hook=notices.hook) as pilot:
        await wait_for_page(pilot, app, 1)
        screen = await open_dialog(pilot, app)
        target = tmp_path / "all.jsonl"
        await type_path(pilot, "all.jsonl")
        await wait_until(pilot, lambda: "200 of 400 contacts · page 2 of 4" in screen_text(app))
        assert screen.query_one("#export-bar", ProgressBar).percentage == pytest.approx(1 / 2)
        assert files_being_written(tmp_path / "all.jsonl")

        await pilot.press("b")  # the export goes on behind; the list answers keys
        await wait_until(pilot, lambda: not isinstance(app.screen, ExportScreen))
        strip = app.query_one("#export-strip")
        assert "Exporting to" in screen_text(app) and "e shows it" in screen_text(app)
        await pilot.press("n")
        await wait_for_page(pilot, app, 2)
        assert app.exports.running

        await open_dialog(pilot, app)  # e again: the progress, not a new export
        assert "200 of 400 contacts · page 2 of 4" in screen_text(app)
        assert not strip.is_attached
        await pilot.press("escape")
        await wait_until(pilot, lambda: bool(notices.titled("")) or not app.exports.running)
        await wait_until(pilot, lambda: not isinstance(app.screen, ExportScreen))
        assert any("Export cancelled" in text for _t, text, _s in notices.seen)
        assert not app.exports.running
        assert not app.query("#export-strip")
        assert not (tmp_path / "all.jsonl.partial").exists()
        assert not files_being_written(tmp_path / "all.jsonl")

        await open_dialog(pilot, app)  # another, to the file offered: quitting asks first
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.exports.running)
        await pilot.press("b", "q")
        await wait_until(pilot, lambda: "Press q again" in notices.seen[-1][1])
        assert notices.seen[-1][1].startswith("An export is running (e shows it).")
        assert app.is_running
        await pilot.press("q")
        await wait_until(pilot, lambda: not app.is_running)
    assert not target.exists()
    assert list((tmp_path / "home").iterdir()) == []  # quitting cancelled it: no partial file


async def test_a_failing_page_leaves_the_partial_file_and_says_so(
    server: DemoServer, tmp_path: Path
) -> None:
    server.faults.add(Fault("status", status=404, page=2, times=None))
    notices = Notices()
    app = make_app(server)
    async with app.run_test(size=(80, 24), notifications=True, message_hook=notices.hook) as pilot:
        await wait_for_page(pilot, app, 1)
        await open_dialog(pilot, app)
        target = tmp_path / "broken.jsonl"
        await type_path(pilot, "broken.jsonl")
        await wait_until(pilot, lambda: bool(notices.titled("Export failed")))
        [text] = notices.titled("Export failed")
        assert text.startswith("Export stopped at page 2:")
        assert text.endswith("The contacts before it are in broken.jsonl.partial.")
        assert [s for t, _m, s in notices.seen if t == "Export failed"] == ["error"]
    assert not target.exists()
    lines = (tmp_path / "broken.jsonl.partial").read_bytes().splitlines()
    assert lines == served_json(server, ContactQuery())[:100]


async def test_a_failure_before_any_contact_says_nothing_was_written(
    server: DemoServer, tmp_path: Path
) -> None:
    notices = Notices()
    app = make_app(server)
    async with app.run_test(size=(80, 24), notifications=True, message_hook=notices.hook) as pilot:
        await wait_for_page(pilot, app, 1)
        server.faults.add(Fault("status", status=404, times=None))
        await open_dialog(pilot, app)
        await type_path(pilot, "broken.jsonl")
        await wait_until(pilot, lambda: bool(notices.titled("Export failed")))
        [text] = notices.titled("Export failed")
        assert text.startswith("Export stopped at page 1:")
        assert text.endswith("Nothing was written, so no file was kept.")
    assert sorted(p.name for p in tmp_path.iterdir() if "broken" in p.name) == []


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
async def test_a_signal_during_an_export_keeps_what_it_wrote(
    server: DemoServer, tmp_path: Path, sig: signal.Signals
) -> None:
    """Cancelled by the user, an export removes its partial file; cut short by a signal (the
    terminal closed, the machine going down) it keeps the contacts written, closed and whole,
    and says where they are once the terminal is back (when there still is one)."""
    server.faults.add(Fault("hang", page=3, times=None, hang_seconds=20))
    app = make_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app, 1)
        await open_dialog(pilot, app)
        await type_path(pilot, "all.jsonl")
        await wait_until(pilot, lambda: "200 of 400 contacts" in screen_text(app))
        os.kill(os.getpid(), sig)  # handled on the app's loop, as in a terminal
        await wait_until(pilot, lambda: not app.is_running)
    assert app.signalled == sig and app.return_code == 128 + sig
    assert not (tmp_path / "all.jsonl").exists(), "an export cut short is not the whole file"
    lines = (tmp_path / "all.jsonl.partial").read_bytes().splitlines()
    assert lines == served_json(server, ContactQuery())[:200]
    if sig == signal.SIGTERM:
        assert app.exit_note == (
            "livedesk-tui: stopped by SIGTERM. Export interrupted: the 200 contacts written so "
            "far are in all.jsonl.partial."
        )
    else:
        assert app.exit_note is None, "the terminal that hung up is told nothing"


async def test_the_dialog_offers_every_registered_format_by_its_label(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app, 1)
        screen = await open_dialog(pilot, app)
        buttons = list(screen.query_one("#export-format", RadioSet).query(RadioButton))
        assert [(b.id, str(b.label)) for b in buttons] == [
            (f"format-{spec.name}", spec.label) for spec in REGISTRY
        ]
