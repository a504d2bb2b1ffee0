"""Demo server speed: one page of 15 out of 100,000 contacts, sorted, with a label filter.

The server runs in a process of its own; the client is one ``httpx.Client`` with keep-alive,
so each timed request is one real HTTP round trip over loopback. Every sort key is asked for in
both directions, each with several label filters and pages, each combination several times.
The first request for a sort key builds that key's order (a real server's index); those are
reported apart, as "index build", and the figure is every request after it.
"""

from __future__ import annotations

import itertools
import time

from .common import Figure, median, percentile
from .servers import DemoServerProcess

PATH = "/api/v2/accounts/contacts"
SORTS = ("name", "email", "created_at", "last_activity_at", "company", "city", "country")
LABEL_SETS: tuple[tuple[str, ...], ...] = (
    ("vip",),
    ("trial",),
    ("billing", "churn-risk"),
    ("要フォロー",),
)
PAGES = (1, 2, 7, 40)


def server_requests(quick: bool = False) -> Figure:
    """Figure 9: time per request for a filtered, sorted page of 15 from 100,000 contacts."""
    import httpx

    from livedesk_tui.demo.server import DEMO_API_KEY, DEMO_API_SECRET

    contacts = 5000 if quick else 100_000
    sorts = SORTS[:2] if quick else SORTS
    label_sets = LABEL_SETS[:2] if quick else LABEL_SETS
    pages = PAGES[:2] if quick else PAGES
    repeats = 1 if quick else 3
    index_ms: list[float] = []
    times: list[float] = []
    first_of_filter: list[float] = []
    with (
        DemoServerProcess(contacts) as server,
        httpx.Client(base_url=server.base_url, auth=(DEMO_API_KEY, DEMO_API_SECRET)) as client,
    ):

        def get(params: list[tuple[str, str]]) -> float:
            started = time.perf_counter()
            response = client.get(PATH, params=params)
            elapsed = (time.perf_counter() - started) * 1000
            response.raise_for_status()
            if not response.json()["payload"] and params[0] == ("page", "1"):
                raise RuntimeError(f"no contacts for {params}")
            return elapsed

        get([("page", "1")])  # the connection
        for sort, direction in itertools.product(sorts, ("asc", "desc")):
            index_ms.append(get([("page", "1"), ("sort", sort), ("direction", direction)]))
        for repeat in range(repeats):
            for sort, direction, labels in itertools.product(sorts, ("asc", "desc"), label_sets):
                for number, page in enumerate(pages):
                    params = [("page", str(page)), ("sort", sort), ("direction", direction)]
                    params += [("labels[]", label) for label in labels]
                    elapsed = get(params)
                    times.append(elapsed)
                    if repeat == 0 and number == 0:
                        first_of_filter.append(elapsed)
    value = median(times)
    p95 = percentile(times, 0.95)
    return Figure(
        key="server",
        title=f"demo server, 15 of {contacts:,}, sorted, label filter",
        value=value,
        unit="ms",
        floor=None,
        floor_title="—",
        goal="<= 5 ms per request (median and p95)",
        met=value <= 5 and p95 <= 5,
        notes=[
            f"n={len(times)}, p95 {p95:.2f} ms, max {max(times):.1f} ms",
            f"first request of each filter: median {median(first_of_filter):.2f} ms, "
            f"max {max(first_of_filter):.1f} ms",
            f"index build (first request per sort and direction): median "
            f"{median(index_ms):.0f} ms, max {max(index_ms):.0f} ms",
        ],
    )
