"""Every injectable fault of the demo server, seen at the socket level, and how faults are
written (``parse_fault``) and consumed (``FaultPlan``)."""

from __future__ import annotations

import json
import socket
import threading
import zlib
from typing import Any

import httpx
import pytest
from demo_http import (
    AUTH,
    PATH,
    http,
    open_socket,
    read_response,
    read_to_eof,
    request_bytes,
    server,
    split_response,
    wait_until,
)

from livedesk_tui.demo.catalogue import DemoContact
from livedesk_tui.demo.faults import Fault, FaultPlan, parse_fault
from livedesk_tui.demo.routes import DialectRules
from livedesk_tui.demo.server import DemoServer
from livedesk_tui.demo.store import ContactStore
from livedesk_tui.demo.wire import Stream

__all__ = ["http", "server"]  # fixtures shared from demo_http


# --- faults ---------------------------------------------------------------------------------


def test_a_status_fault_fires_once_by_default(http: httpx.Client, server: DemoServer) -> None:
    server.faults.add(Fault("status", status=500))
    failed = http.get(PATH)
    assert failed.status_code == 500
    assert failed.json() == {"error": "Internal Server Error"}
    assert http.get(PATH).status_code == 200
    assert server.faults.fired >= 1
    assert [r.fault for r in server.requests] == ["status", None]


@pytest.mark.parametrize("status", [401, 403, 404, 500, 502, 503])
def test_status_faults_answer_a_json_error(
    http: httpx.Client, server: DemoServer, status: int
) -> None:
    server.faults.add(Fault("status", status=status))
    response = http.get(PATH)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"]
    assert "retry-after" not in response.headers


def test_429_is_plain_text_without_retry_after_unless_asked(
    http: httpx.Client, server: DemoServer
) -> None:
    server.faults.add(Fault("status", status=429))
    server.faults.add(Fault("status", status=429, retry_after="7"))
    server.faults.add(Fault("status", status=503, retry_after="2"))
    server.faults.add(Fault("status", status=500, retry_after="9"))
    plain = http.get(PATH)
    assert (plain.status_code, plain.text) == (429, "Retry later\n")
    assert plain.headers["content-type"].startswith("text/plain")
    assert "retry-after" not in plain.headers
    told = http.get(PATH)
    assert (told.status_code, told.headers["retry-after"]) == (429, "7")
    unavailable = http.get(PATH)
    assert (unavailable.status_code, unavailable.headers["retry-after"]) == (503, "2")
    server_error = http.get(PATH)
    assert server_error.status_code == 500 and "retry-after" not in server_error.headers


def test_html_fault_sends_an_html_page(http: httpx.Client, server: DemoServer) -> None:
    server.faults.add(parse_fault("html:502"))
    response = http.get(PATH)
    assert response.status_code == 502
    assert response.headers["content-type"].startswith("text/html")
    assert "502 Bad Gateway" in response.text
    with pytest.raises(ValueError):
        json.loads(response.text)


def test_not_json_is_a_200_that_does_not_parse(http: httpx.Client, server: DemoServer) -> None:
    server.faults.add(Fault("not_json"))
    response = http.get(PATH)
    assert response.status_code == 200 and response.content
    with pytest.raises(ValueError):
        json.loads(response.content)


def test_truncated_is_half_the_real_body_with_a_matching_length(server: DemoServer) -> None:
    with open_socket(server) as sock:
        sock.sendall(request_bytes(PATH + "?page=2"))
        _, _, real = read_response(sock)
        server.faults.add(Fault("truncated", page=2))
        sock.sendall(request_bytes(PATH + "?page=2"))
        status, headers, cut = read_response(sock)  # a complete response, by its length
        assert status == 200
        assert int(headers["content-length"]) == len(cut) == len(real) // 2
        assert cut == real[: len(real) // 2]
        with pytest.raises(ValueError):
            json.loads(cut)
        sock.sendall(request_bytes(PATH + "?page=2"))  # the connection is still usable
        assert read_response(sock)[2] == real


@pytest.mark.parametrize(
    ("shape", "check"),
    [
        ("payload_not_list", lambda b: isinstance(b["payload"], dict)),
        ("meta_missing", lambda b: "meta" not in b and isinstance(b["payload"], list)),
        ("count_negative", lambda b: b["meta"]["count"] == -1),
        ("count_string", lambda b: b["meta"]["count"] == "1000"),
        ("not_object", lambda b: isinstance(b, list) and len(b) == 15),
    ],
)
def test_wrong_shapes(http: httpx.Client, server: DemoServer, shape: str, check: Any) -> None:
    server.faults.add(Fault("wrong_shape", shape=shape))
    response = http.get(PATH)
    assert response.status_code == 200
    assert check(response.json())
    assert http.get(PATH).json()["meta"]["count"] == 1000


def test_drop_promises_the_whole_body_then_closes_halfway(server: DemoServer) -> None:
    server.faults.add(Fault("drop"))
    with open_socket(server) as sock:
        sock.sendall(request_bytes())
        status, headers, body = split_response(read_to_eof(sock))
    assert status == 200
    promised = int(headers["content-length"])
    assert 0 < len(body) < promised
    assert len(body) == promised // 2
    with httpx.Client(base_url=server.base_url, auth=AUTH) as client:
        server.faults.add(Fault("drop"))
        with pytest.raises(httpx.RemoteProtocolError):
            client.get(PATH)
        assert client.get(PATH).status_code == 200
    assert server.requests[0].fault == "drop" and server.requests[0].status == 200


def test_close_hangs_up_without_a_byte(server: DemoServer) -> None:
    server.faults.add(Fault("close"))
    with open_socket(server) as sock:
        sock.sendall(request_bytes())
        assert read_to_eof(sock) == b""
    assert server.requests[-1].status is None and server.requests[-1].fault == "close"
    with httpx.Client(base_url=server.base_url, auth=AUTH) as client:
        assert client.get(PATH).status_code == 200


def test_hang_answers_nothing_then_closes(server: DemoServer) -> None:
    server.faults.add(Fault("hang", hang_seconds=1.0))
    with open_socket(server, timeout=0.1) as sock:
        sock.sendall(request_bytes())
        with pytest.raises(TimeoutError):
            sock.recv(1)  # nothing yet
        sock.settimeout(20)
        assert read_to_eof(sock) == b""  # and nothing ever: the socket closes
    assert server.requests[-1].status is None and server.requests[-1].fault == "hang"


def test_stop_ends_a_hang_and_a_long_latency(demo_server: DemoServer) -> None:
    demo_server.faults.add(Fault("hang", hang_seconds=600))
    hung = open_socket(demo_server, timeout=30)
    hung.sendall(request_bytes())
    slow_result: list[BaseException] = []

    def slow() -> None:
        try:
            with httpx.Client(base_url=demo_server.base_url, auth=AUTH, timeout=30) as client:
                client.get(PATH)
        except BaseException as exc:
            slow_result.append(exc)

    wait_until(lambda: bool(demo_server.requests))  # the hang has begun
    demo_server.latency_ms = 600_000
    thread = threading.Thread(target=slow)
    thread.start()
    wait_until(lambda: demo_server.peak_in_flight >= 2)  # and the slow request is asleep
    demo_server.stop()
    thread.join(timeout=20)
    assert not thread.is_alive()
    assert slow_result and isinstance(slow_result[0], httpx.TransportError)
    assert read_to_eof(hung) == b""
    hung.close()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", demo_server.port), timeout=2).close()


def test_faults_match_pages_and_times(http: httpx.Client, server: DemoServer) -> None:
    server.faults.add(parse_fault("500@page=2x2"))
    statuses = [http.get(PATH, params={"page": p}).status_code for p in (1, 2, 3, 2, 2, 2)]
    assert statuses == [200, 500, 200, 500, 200, 200]
    assert [r.page for r in server.requests] == [1, 2, 3, 2, 2, 2]
    assert [r.fault for r in server.requests] == [None, "status", None, "status", None, None]


def test_a_fault_forever_and_the_order_of_faults(http: httpx.Client, server: DemoServer) -> None:
    server.faults.add(Fault("status", status=503, times=1))
    server.faults.add(Fault("status", status=502, times=None))
    assert [http.get(PATH).status_code for _ in range(4)] == [503, 502, 502, 502]
    server.faults.clear()
    assert http.get(PATH).status_code == 200


def test_faults_come_after_authentication(server: DemoServer) -> None:
    server.faults.add(Fault("status", status=500))
    fired = server.faults.fired
    assert httpx.get(server.base_url + PATH).status_code == 401
    assert httpx.get(server.base_url + "/nowhere", auth=AUTH).status_code == 404
    assert server.faults.fired == fired
    assert httpx.get(server.base_url + PATH, auth=AUTH).status_code == 500


def test_a_handler_bug_is_a_500_and_is_kept_not_printed(capfd: pytest.CaptureFixture[str]) -> None:
    broken = DemoContact(raw={"id": 1, "name": "x", "oops": {1, 2}})  # a set is not JSON
    with DemoServer(dataset=[broken]) as odd:
        response = httpx.get(odd.base_url + PATH, auth=AUTH)
        assert response.status_code == 500
        assert response.json() == {"error": "Internal Server Error"}
        assert len(odd.errors) == 1 and "TypeError" in odd.errors[0]
    assert capfd.readouterr() == ("", "")


# --- faults: parsing and the plan -----------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("429", Fault("status", status=429)),
        ("429:retry-after=1", Fault("status", status=429, retry_after="1")),
        ("500@page=3x1", Fault("status", status=500, page=3, times=1)),
        ("503x*", Fault("status", status=503, times=None)),
        ("drop", Fault("drop")),
        ("hang", Fault("hang")),
        ("hang:2.5x3", Fault("hang", hang_seconds=2.5, times=3)),
        ("truncated@page=2", Fault("truncated", page=2)),
        ("wrong_shape:count_string", Fault("wrong_shape", shape="count_string")),
        ("html:502", Fault("html", status=502)),
        ("not_json", Fault("not_json")),
        ("closex*", Fault("close", times=None)),
        (" HTML:503 ", Fault("html", status=503)),
    ],
)
def test_parse_fault(spec: str, expected: Fault) -> None:
    fault = parse_fault(spec)
    assert fault == expected
    assert parse_fault(fault.describe()) == fault


@pytest.mark.parametrize(
    "spec",
    [
        "",
        "boom",
        "200",
        "999",
        "html:abc",
        "wrong_shape:square",
        "drop:1",
        "500@page=0",
        "429:wait=1",
        "hang:soon",
        "500x",
        "status",
        "500@page=x",
    ],
)
def test_parse_fault_refuses_junk_with_a_clear_message(spec: str) -> None:
    with pytest.raises(ValueError, match=r"fault|shape|cannot") as caught:
        parse_fault(spec)
    assert repr(spec) in str(caught.value) or repr(spec.strip()) in str(caught.value)
    assert "\n" not in str(caught.value)


def test_fault_values_are_checked() -> None:
    with pytest.raises(ValueError):
        Fault("explode")
    with pytest.raises(ValueError):
        Fault("status", retry_after="1\r\nSet-Cookie: x=1")
    with pytest.raises(ValueError):
        Fault("hang", hang_seconds=float("nan"))


def test_the_fault_plan_fires_exactly_as_often_as_asked_across_threads() -> None:
    plan = FaultPlan()
    plan.add(Fault("status", times=50))
    plan.add(Fault("drop", page=3, times=None))
    hits: list[str] = []
    lock = threading.Lock()

    def take() -> None:
        for _ in range(100):
            fault = plan.match(1)
            if fault is not None:
                with lock:
                    hits.append(fault.kind)

    threads = [threading.Thread(target=take) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert hits == ["status"] * 50
    assert plan.fired == 50
    assert plan.match(3) is not None and plan.match(3).kind == "drop"  # type: ignore[union-attr]
    assert [f.describe() for f in plan.pending] == ["drop@page=3x*"]
    plan.clear()
    assert plan.match(3) is None and plan.pending == []


def test_reset_takes_a_shared_server_back_to_as_started(
    http: httpx.Client, server: DemoServer
) -> None:
    server.faults.add(Fault("status", status=503, times=None))
    server.latency_ms = 30
    assert http.get(PATH).status_code == 503
    server.reset()
    assert server.faults.pending == [] and server.latency_ms == 0
    assert server.requests == [] and server.errors == []
    assert http.get(PATH).status_code == 200


# --- faults beyond a client's limits, and paging lies ---------------------------------------


def _head(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """The status and headers of a response, and the body bytes that came with them."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"connection closed after {data!r}"
        data += chunk
    return split_response(data)


def _read_at_least(sock: socket.socket, have: bytes, size: int) -> bytes:
    while len(have) < size:
        chunk = sock.recv(65536)
        assert chunk, f"connection closed after {len(have)} bytes"
        have += chunk
    return have


def _strict_json(body: bytes) -> Any:
    """``body`` read by Python's own rules (big numbers refused, as a client would meet them)."""
    return json.loads(body)


def _lenient_json(body: bytes) -> Any:
    """``body`` read with every number kept as its text (so no number is too big to read)."""
    return json.loads(body, parse_int=str, parse_float=str, parse_constant=str)


def test_huge_length_promises_a_terabyte_and_keeps_sending(server: DemoServer) -> None:
    server.faults.add(parse_fault("huge_length"))
    with open_socket(server) as sock:
        sock.sendall(request_bytes())
        status, headers, body = _head(sock)
        assert status == 200 and headers["content-length"] == "1000000000000"
        body = _read_at_least(sock, body, 4 << 20)  # far more than any page, and no end yet
    assert body.startswith(b'{"meta":{"count":1},"payload":[')
    assert server.requests[-1].fault == "huge_length"
    with httpx.Client(base_url=server.base_url, auth=AUTH) as client:
        assert client.get(PATH).status_code == 200  # the server is not stuck on it


def test_endless_is_chunked_json_without_an_end(server: DemoServer) -> None:
    server.faults.add(parse_fault("endless"))
    with httpx.Client(base_url=server.base_url, auth=AUTH, timeout=10) as client:
        with client.stream("GET", PATH) as response:
            assert response.status_code == 200
            assert response.headers["transfer-encoding"] == "chunked"
            assert "content-length" not in response.headers
            seen = b""
            for chunk in response.iter_bytes():
                seen += chunk
                if len(seen) > 4 << 20:
                    break
        assert seen.startswith(b'{"meta":{"count":1},"payload":[{"id":1,"name":"again"},')
        assert client.get(PATH).status_code == 200


@pytest.mark.parametrize(("encoding", "wbits"), [("gzip", 31), ("deflate", 15)])
def test_a_bomb_is_a_small_body_that_decodes_to_a_gibibyte(
    server: DemoServer, encoding: str, wbits: int
) -> None:
    server.faults.add(parse_fault(f"bomb:{encoding}"))
    with open_socket(server) as sock:
        sock.sendall(request_bytes())
        status, headers, body = read_response(sock)
    assert status == 200 and headers["content-encoding"] == encoding
    assert len(body) < 2 << 20
    decoder = zlib.decompressobj(wbits)
    start = decoder.decompress(body, 64 << 20)  # a bounded look: 64 MiB out of ~1 MB in
    assert len(start) == 64 << 20 and decoder.unconsumed_tail
    assert start.startswith(b'{"meta":{"count":1},"payload":[') and start.endswith(b" " * 1000)
    size = len(b'{"meta":{"count":1},"payload":[') + (1 << 30) + len(b"]}")
    if encoding == "gzip":  # the trailer's own record of the decoded size (modulo 2**32)
        assert int.from_bytes(body[-4:], "little") == size % (1 << 32)


def test_a_brotli_bomb_needs_brotli() -> None:
    try:
        import brotli  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        with pytest.raises(ValueError, match="brotli"):
            parse_fault("bomb:br")
        with pytest.raises(ValueError, match="brotli"):
            Fault("bomb", encoding="br")
    else:
        assert parse_fault("bomb:br") == Fault("bomb", encoding="br")


@pytest.mark.parametrize(("spec", "depth"), [("deep", 100_000), ("deep:3000", 3000)])
def test_deep_nests_the_payload(
    http: httpx.Client, server: DemoServer, spec: str, depth: int
) -> None:
    server.faults.add(parse_fault(spec))
    body = http.get(PATH).content
    assert body == b'{"meta":{"count":1},"payload":' + b"[" * depth + b"]" * depth + b"}"
    with pytest.raises(RecursionError):
        _strict_json(body)


@pytest.mark.parametrize(
    "value",
    ["1e30", "1e400", '"123"', "-0.5", "9" * 5000, "NaN"],
    ids=["1e30", "1e400", "string", "fraction", "5000-digits", "nan"],
)
def test_count_writes_meta_count_as_given(
    http: httpx.Client, server: DemoServer, value: str
) -> None:
    real = http.get(PATH, params={"page": 2}).json()
    server.faults.add(parse_fault(f"count:{value}@page=2"))
    body = http.get(PATH, params={"page": 2}).content
    assert body.startswith(b'{"meta":{"count":' + value.encode() + b',"current_page":"2"}')
    read = _lenient_json(body)
    assert read["payload"] == _lenient_json(json.dumps(real["payload"]).encode())


def test_bignum_gives_the_first_contact_an_id_too_long_to_read(
    http: httpx.Client, server: DemoServer
) -> None:
    real = http.get(PATH).json()["payload"]
    server.faults.add(parse_fault("bignum"))
    body = http.get(PATH).content
    with pytest.raises(ValueError, match="digits"):
        _strict_json(body)
    payload = _lenient_json(body)["payload"]
    assert payload[0]["id"] == "9" * 5000
    assert payload[0]["name"] == real[0]["name"] and len(payload) == len(real)
    assert payload[1]["id"] == str(real[1]["id"])


def test_drip_sends_the_headers_then_the_body_a_byte_at_a_time(server: DemoServer) -> None:
    query = PATH + "?page_size=1"
    with open_socket(server) as sock:
        sock.sendall(request_bytes(query))
        real = read_response(sock)[2]
    server.faults.add(parse_fault("drip:0.05"))
    with open_socket(server) as sock:
        sock.sendall(request_bytes(query))
        status, headers, body = _head(sock)
        assert status == 200 and int(headers["content-length"]) == len(real)
        first = body or sock.recv(65536)
        assert 0 < len(first) < len(real) // 2  # a byte or so, not the page
    server.faults.add(parse_fault("drip:0"))
    with open_socket(server) as sock:
        sock.sendall(request_bytes(query))
        assert split_response(read_to_eof(sock))[2] == real  # byte by byte, all of it


def test_many_sends_one_page_of_that_many_whatever_page_size_says(
    http: httpx.Client, server: DemoServer
) -> None:
    server.faults.add(parse_fault("many:50000"))
    response = http.get(PATH, params={"page_size": 5})
    assert response.headers["transfer-encoding"] == "chunked"
    body = response.json()
    assert body["meta"]["count"] == 50_000
    assert [row["id"] for row in body["payload"]] == list(range(1, 50_001))
    assert body["payload"][-1] == {"id": 50_000, "name": "c50000"}


def test_many_makes_its_body_as_it_goes() -> None:
    fault = parse_fault("many")
    assert fault.rows == 1_000_000
    rules = DialectRules(ContactStore([]))
    route = rules.route(PATH)
    assert route is not None
    stream = rules.fault_answer(fault, route, [])
    assert isinstance(stream, Stream) and stream.length is None
    first = next(iter(stream.chunks))
    assert first.startswith(b'{"meta":{"count":1000000,')


def _page(http: httpx.Client, page: int, **params: Any) -> dict[str, Any]:
    response = http.get(PATH, params={"page": page, "page_size": 100, **params})
    assert response.status_code == 200
    return response.json()


def test_ignore_page_answers_page_one_every_time(http: httpx.Client, server: DemoServer) -> None:
    first = http.get(PATH, params={"page": 1, "page_size": 100}).content
    server.faults.add(parse_fault("ignore_pagex*"))
    for page in (2, 3, 11):
        assert http.get(PATH, params={"page": page, "page_size": 100}).content == first


def test_repeat_last_answers_past_the_end_with_the_last_page(
    http: httpx.Client, server: DemoServer
) -> None:
    last, middle = _page(http, 10), _page(http, 5)
    server.faults.add(parse_fault("repeat_lastx*"))
    assert _page(http, 5) == middle
    for page in (11, 12, 500):
        assert _page(http, page)["payload"] == last["payload"] != []


def test_has_more_never_ends_and_gives_no_count(http: httpx.Client, server: DemoServer) -> None:
    last, second = _page(http, 10), _page(http, 2)
    server.faults.add(parse_fault("has_morex*"))
    answer = _page(http, 2)
    assert answer["meta"] == {"current_page": "2", "has_more": True}
    assert answer["payload"] == second["payload"]
    beyond = _page(http, 40)
    assert beyond["meta"]["has_more"] is True and beyond["payload"] == last["payload"]


def test_dup_ids_gives_other_people_page_one_ids(http: httpx.Client, server: DemoServer) -> None:
    first, second = _page(http, 1), _page(http, 2)
    server.faults.add(parse_fault("dup_ids@page=2"))
    lying = _page(http, 2)
    assert [row["id"] for row in lying["payload"]] == [row["id"] for row in first["payload"]]
    assert [row["name"] for row in lying["payload"]] == [row["name"] for row in second["payload"]]
    assert lying["meta"] == second["meta"]


@pytest.mark.parametrize("spec", ["endless", "huge_length", "drip:30"])
def test_stop_ends_a_stream_nobody_reads(demo_server: DemoServer, spec: str) -> None:
    demo_server.faults.add(parse_fault(spec))
    sock = open_socket(demo_server, timeout=30)
    sock.sendall(request_bytes())
    _head(sock)  # the stream has begun; nothing more is read until the server stops
    demo_server.stop()
    read_to_eof(sock)  # ends: the server closed the connection
    sock.close()
    assert demo_server.errors == []


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("huge_length", Fault("huge_length")),
        ("endless@page=2", Fault("endless", page=2)),
        ("bomb", Fault("bomb", encoding="gzip")),
        ("bomb:deflatex*", Fault("bomb", encoding="deflate", times=None)),
        ("deep", Fault("deep", depth=100_000)),
        ("deep:5000", Fault("deep", depth=5000)),
        ("count:1e30", Fault("count", count="1e30")),
        ("count:1e400x2", Fault("count", count="1e400", times=2)),
        ('count:"123"@page=3', Fault("count", count='"123"', page=3)),
        ("count:" + "7" * 50, Fault("count", count="7" * 50)),
        ("count:[1,2]", Fault("count", count="[1,2]")),
        ("bignum", Fault("bignum", digits=5000)),
        ("bignum:4301", Fault("bignum", digits=4301)),
        ("drip", Fault("drip", drip_seconds=1.0)),
        ("drip:0.25", Fault("drip", drip_seconds=0.25)),
        ("many", Fault("many", rows=1_000_000)),
        ("many:20", Fault("many", rows=20)),
        ("ignore_pagex*", Fault("ignore_page", times=None)),
        ("repeat_lastx*", Fault("repeat_last", times=None)),
        ("has_more", Fault("has_more")),
        ("dup_ids@page=2", Fault("dup_ids", page=2)),
    ],
)
def test_parse_fault_reads_the_limit_and_paging_kinds(spec: str, expected: Fault) -> None:
    fault = parse_fault(spec)
    assert fault == expected
    assert parse_fault(fault.describe()) == fault


@pytest.mark.parametrize(
    "spec",
    [
        "bomb:zip",
        "deep:0",
        "deep:deep",
        "many:-3",
        "bignum:1.5",
        "count",
        "count:",
        "count:nope",
        "count:1e30 2",
        "count:{",
        "drip:-1",
        "drip:slow",
        "huge_length:5",
        "dup_ids:2",
        "endless:yes",
    ],
)
def test_parse_fault_refuses_junk_in_the_new_kinds(spec: str) -> None:
    with pytest.raises(ValueError, match=r"fault|cannot") as caught:
        parse_fault(spec)
    assert "\n" not in str(caught.value)
