"""The export engine against the demo server: complete, ordered, lossless, honest about gaps."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import httpx
import pytest

from livedesk_tui.api.client import ContactsClient, RetryPolicy
from livedesk_tui.api.export import (
    ExportFailed,
    ExportProgress,
    export_contacts,
    render,
    spreadsheet_safe,
)
from livedesk_tui.api.models import Contact, ContactQuery
from livedesk_tui.demo.dataset import generate_contacts, hostile_contacts
from livedesk_tui.demo.faults import Fault
from livedesk_tui.demo.server import DemoServer

FAST = RetryPolicy(attempts=3, backoff=0.01)
DATASET = generate_contacts(230, seed=5)


@pytest.fixture(scope="module")
def server() -> Iterator[DemoServer]:
    with DemoServer(dataset=DATASET) as running:
        yield running


@pytest.fixture(autouse=True)
def _clean(server: DemoServer) -> None:
    server.reset()


async def run_export(
    server: DemoServer, query: ContactQuery, fmt: str = "jsonl", **kwargs: object
) -> tuple[str, object]:
    out = io.StringIO()
    async with ContactsClient(server.connection(), retry=FAST) as client:
        result = await export_contacts(client, query, out, fmt=fmt, **kwargs)  # type: ignore[arg-type]
    return out.getvalue(), result


async def test_jsonl_has_every_contact_once_byte_for_byte(server: DemoServer) -> None:
    text, result = await run_export(server, ContactQuery(page_size=50))
    lines = text.splitlines()
    assert len(lines) == len(DATASET) == result.written  # type: ignore[attr-defined]
    assert result.complete  # type: ignore[attr-defined]
    assert len({json.loads(line)["id"] for line in lines}) == len(DATASET)
    connection = server.connection()
    auth = (connection.api_key.reveal(), connection.api_secret.reveal())
    bodies = "".join(
        httpx.get(
            f"{server.base_url}/api/v2/accounts/contacts",
            params={"page": page, "page_size": 50},
            auth=auth,
        ).text
        for page in range(1, 6)
    )
    for line in lines:
        assert f"{line}," in bodies or f"{line}]" in bodies, "each line is the server's own text"


async def test_json_format_is_one_array_of_the_same_objects(server: DemoServer) -> None:
    jsonl, _ = await run_export(server, ContactQuery(page_size=100, sort="name"))
    text, _ = await run_export(server, ContactQuery(page_size=100, sort="name"), fmt="json")
    assert json.loads(text) == [json.loads(line) for line in jsonl.splitlines()]


async def test_output_follows_the_server_order(server: DemoServer) -> None:
    query = ContactQuery(sort="last_activity_at", direction="desc", page_size=25)
    text, _ = await run_export(server, query, concurrency=4)
    ids = [json.loads(line)["id"] for line in text.splitlines()]
    expected: list[object] = []
    async with ContactsClient(server.connection(), retry=FAST) as client:
        page = await client.list_contacts(query)
        expected.extend(c.id for c in page.contacts)
        while not page.is_last:
            page = await client.list_contacts(query.at_page(page.number + 1))
            expected.extend(c.id for c in page.contacts)
    assert ids == expected


async def test_concurrent_export_is_identical_to_sequential(server: DemoServer) -> None:
    server.latency_ms = 5
    try:
        sequential, _ = await run_export(server, ContactQuery(page_size=20), concurrency=1)
        parallel, _ = await run_export(server, ContactQuery(page_size=20), concurrency=6)
    finally:
        server.latency_ms = 0
    assert parallel == sequential


async def test_filters_apply_and_inboxes_can_be_left_out(server: DemoServer) -> None:
    query = ContactQuery(labels=("vip", "trial"), include_inboxes=False, page_size=30)
    text, result = await run_export(server, query)
    records = [json.loads(line) for line in text.splitlines()]
    expected = {d.raw["id"] for d in DATASET if {"vip", "trial"} & set(d.labels)}
    assert {r["id"] for r in records} == expected
    assert all("contact_inboxes" not in r for r in records)
    assert result.written == len(expected)  # type: ignore[attr-defined]


async def test_a_server_that_ignores_page_size_still_exports_everything() -> None:
    with DemoServer(dataset=DATASET, ignore_page_size=True) as stubborn:
        text, result = await run_export(stubborn, ContactQuery(page_size=100))
    ids = [json.loads(line)["id"] for line in text.splitlines()]
    assert sorted(ids) == sorted(d.raw["id"] for d in DATASET)
    assert result.complete  # type: ignore[attr-defined]


async def test_a_page_that_fails_once_is_retried_and_nothing_is_lost(server: DemoServer) -> None:
    fired = server.faults.fired
    server.faults.add(Fault(kind="status", status=500, page=3, times=1))
    text, result = await run_export(server, ContactQuery(page_size=20))
    assert len(text.splitlines()) == len(DATASET)
    assert result.complete  # type: ignore[attr-defined]
    assert server.faults.fired == fired + 1


async def test_a_page_that_keeps_failing_stops_the_export_and_says_where(
    server: DemoServer,
) -> None:
    server.faults.add(Fault(kind="status", status=500, page=3, times=None))
    out = io.StringIO()
    async with ContactsClient(server.connection(), retry=FAST) as client:
        with pytest.raises(ExportFailed) as caught:
            await export_contacts(client, ContactQuery(page_size=20), out, concurrency=3)
    failure = caught.value
    assert failure.page == 3
    assert failure.exit_code == 4
    assert failure.result.written == 40
    assert len(out.getvalue().splitlines()) == 40, "pages before the failure are written, in order"


async def test_progress_is_reported_per_page(server: DemoServer) -> None:
    seen: list[ExportProgress] = []
    await run_export(server, ContactQuery(page_size=100), progress=seen.append)
    assert [p.pages_done for p in seen] == [1, 2, 3]
    assert seen[-1].written == len(DATASET)
    assert seen[0].pages_total == 3 and seen[0].contacts_total == len(DATASET)


async def test_csv_has_flattened_columns_and_every_row(server: DemoServer) -> None:
    text, _ = await run_export(server, ContactQuery(page_size=100), fmt="csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(DATASET)
    first = next(
        d.raw for d in DATASET if d.raw.get("additional_attributes", {}).get("company_name")
    )
    row = next(r for r in rows if r["id"] == str(first["id"]))
    assert row["company"] == spreadsheet_safe(first["additional_attributes"]["company_name"])
    assert row["email"] == spreadsheet_safe(first.get("email") or "")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("+81 3 1234", "'+81 3 1234"),
        ("-3", "'-3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("plain", "plain"),
        ("", ""),
    ],
)
def test_spreadsheet_safe(cell: str, expected: str) -> None:
    assert spreadsheet_safe(cell) == expected


def test_csv_neutralises_formula_injection_from_hostile_data() -> None:
    contacts = [Contact.from_json(d.raw) for d in hostile_contacts()]
    rows = list(csv.reader(io.StringIO(render("csv", contacts))))[1:]
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), cell


def test_jsonl_stays_one_line_per_contact_when_the_server_pretty_prints() -> None:
    pretty = '{\n  "id": 1,\n  "name": "a\\nb"\n}'
    contact = Contact.from_json(json.loads(pretty), pretty)
    line = render("jsonl", [contact])
    assert line.count("\n") == 1
    assert json.loads(line) == json.loads(pretty)


def test_empty_json_export_is_an_empty_array() -> None:
    assert json.loads(render("json", [])) == []
