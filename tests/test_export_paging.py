"""Servers that page without end or lie about their ids: the export stops, says why, and drops
no contact, over real loopback HTTP (the demo server's paging faults).

200 contacts at 20 a page: ten pages, the last one full, so the export asks for page 11 (the
account may have grown) and a server answering it with page 10 again is seen. A broken export
would ask for pages without end; ``bounded`` stops it after a few hundred requests and fails.
"""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from livedesk_tui.api.client import ContactsClient, RetryPolicy
from livedesk_tui.api.export import ExportFailed, ExportResult, export_contacts
from livedesk_tui.api.models import ContactQuery
from livedesk_tui.cli import main
from livedesk_tui.demo.faults import parse_fault
from livedesk_tui.demo.server import DEMO_API_KEY, DEMO_API_SECRET, DemoServer

CONTACTS = 200
PAGE_SIZE = 20
HUGE_COUNT = 10**12
"""The largest count the client reads (a larger one is a bad response): 50 billion pages."""
TOO_MANY_REQUESTS = 300
"""A working export asks for at most a few pages more than the 11 needed."""


@pytest.fixture(scope="module")
def server() -> Iterator[DemoServer]:
    with DemoServer(contacts=CONTACTS, seed=21) as running:
        yield running


@pytest.fixture(autouse=True)
def _clean(server: DemoServer) -> None:
    server.reset()


async def bounded(server: DemoServer, out: io.StringIO, concurrency: int = 4) -> ExportResult:
    """The export of every contact into ``out``, failed if it asks for pages without end."""

    async def run() -> ExportResult:
        retry = RetryPolicy(attempts=1)
        async with ContactsClient(server.connection(), retry=retry) as client:
            return await export_contacts(
                client, ContactQuery(page_size=PAGE_SIZE), out, concurrency=concurrency
            )

    task = asyncio.ensure_future(run())
    while not task.done():
        if len(server.requests) > TOO_MANY_REQUESTS:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            pytest.fail(f"the export asked for more than {TOO_MANY_REQUESTS} pages")
        await asyncio.wait([task], timeout=0.02)
    return task.result()


def page_requests(server: DemoServer) -> int:
    return sum(1 for record in server.requests if record.page is not None)


def written_ids(out: io.StringIO) -> list[Any]:
    return [json.loads(line)["id"] for line in out.getvalue().splitlines()]


@pytest.mark.parametrize(
    ("spec", "stops_at"),
    [
        ("ignore_pagex*", 2),  # every page answered as page 1
        ("repeat_lastx*", 11),  # page 11 answered with page 10 again
        ("has_morex*", 11),  # has_more always true, no count; page 11 is page 10 again
    ],
)
async def test_a_server_answering_without_progress_stops_the_export(
    spec: str, stops_at: int, server: DemoServer
) -> None:
    server.faults.add(parse_fault(spec))
    out = io.StringIO()
    with pytest.raises(ExportFailed) as caught:
        await bounded(server, out)
    failure = caught.value
    assert failure.exit_code == 5
    assert failure.page == stops_at
    assert "already exported" in str(failure)
    expected = [contact.raw["id"] for contact in server.contacts]
    written = PAGE_SIZE * (stops_at - 1)
    assert written_ids(out) == expected[:written], "every page before it, once, in order"
    assert failure.result.written == written
    assert page_requests(server) <= stops_at + 2 * 4, "a few requests too many at most"


async def test_a_count_beyond_reason_is_not_allocated_or_paged_through(
    server: DemoServer,
) -> None:
    server.faults.add(parse_fault(f"count:{HUGE_COUNT}x*"))
    out = io.StringIO()
    result = await bounded(server, out)
    assert written_ids(out) == [contact.raw["id"] for contact in server.contacts]
    assert page_requests(server) <= 11 + 2 * 4
    assert any(f"reported {HUGE_COUNT}" in w for w in result.warnings)


async def test_a_count_too_large_ends_at_the_first_empty_page(server: DemoServer) -> None:
    server.faults.add(parse_fault("count:100000x*"))
    out = io.StringIO()
    result = await bounded(server, out)
    assert len(written_ids(out)) == CONTACTS
    assert page_requests(server) <= 11 + 2 * 4, "not the 5,000 pages the count allows"
    assert not result.complete


async def test_full_pages_beyond_the_count_stop_the_export(server: DemoServer) -> None:
    server.faults.add(parse_fault("count:30x*"))  # two pages by the count; ten really
    out = io.StringIO()
    with pytest.raises(ExportFailed) as caught:
        await bounded(server, out)
    failure = caught.value
    assert failure.exit_code == 5
    assert "past the" in str(failure) and "it counted" in str(failure)
    assert page_requests(server) <= 4 + 2 * 4
    assert failure.result.written == len(written_ids(out)) <= 3 * PAGE_SIZE


async def test_one_id_for_two_people_drops_nobody(server: DemoServer) -> None:
    server.faults.add(parse_fault("dup_idsx*"))  # every page's contacts with page 1's ids
    out = io.StringIO()
    result = await bounded(server, out)
    names = [json.loads(line)["name"] for line in out.getvalue().splitlines()]
    assert names == [contact.raw["name"] for contact in server.contacts], "every person, in order"
    assert result.written == CONTACTS
    assert result.shared_ids == CONTACTS - PAGE_SIZE
    told = [w for w in result.warnings if "share an id" in w]
    assert len(told) == 1 and f"{CONTACTS - PAGE_SIZE} contacts" in told[0]


async def test_exact_repeats_are_written_once_and_counted(server: DemoServer) -> None:
    # The first page asked for twice (a list that shifted by a whole page): the repeat of it is
    # merged, and says so; the export goes on with the pages after it.
    server.faults.add(parse_fault("ignore_page@page=2x1"))
    out = io.StringIO()
    with pytest.raises(ExportFailed) as caught:
        await bounded(server, out, concurrency=1)
    assert caught.value.page == 2, "a page of nothing but repeats is no progress"
    assert caught.value.result.duplicates == PAGE_SIZE


def test_the_command_exits_5_and_keeps_the_pages_before_it(
    server: DemoServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("LIVEDESK_BASE_URL", server.base_url)
    monkeypatch.setenv("LIVEDESK_API_KEY", DEMO_API_KEY)
    monkeypatch.setenv("LIVEDESK_API_SECRET", DEMO_API_SECRET)
    server.faults.add(parse_fault("ignore_pagex30"))  # not forever: a regression ends, and fails
    target = tmp_path / "contacts.jsonl"
    code = main(["export", "--page-size", str(PAGE_SIZE), "--retries", "0", "-o", str(target)])
    out, err = capsys.readouterr()
    assert code == 5, err
    assert out == "" and err.count("\n") == 1
    partial = tmp_path / "contacts.jsonl.partial"
    assert err.startswith("livedesk-tui: Export stopped at page 2: ")
    assert f"({PAGE_SIZE} contacts written before it)" in err
    assert f"Partial output to {partial} holds the pages before it." in err
    assert not target.exists()
    assert len(partial.read_text(encoding="utf-8").splitlines()) == PAGE_SIZE
    assert page_requests(server) <= 2 + 2 * 4
