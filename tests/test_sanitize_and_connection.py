"""Untrusted text is made inert; secrets never print; base URLs are checked."""

from __future__ import annotations

import pickle

import pytest

from livedesk_tui.api.connection import Connection, Secret, check_base_url, is_loopback
from livedesk_tui.api.errors import ConfigError
from livedesk_tui.api.models import ContactQuery
from livedesk_tui.api.sanitize import clean, clean_multiline, clip


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("plain", "plain"),
        ("\x1b[31mred", "␛[31mred"),
        ("bell\x07", "bell␇"),
        ("tab\there", "tab␉here"),
        ("line\nbreak", "line␊break"),
        ("csi\x9b2J", "csi\ufffd2J"),
        ("rtl\u202eevil", "rtl\ufffdevil"),
        ("isolate\u2066x\u2069", "isolate\ufffdx\ufffd"),
        ("del\x7f", "del␡"),
        ("[bold]markup[/]", "[bold]markup[/]"),  # markup is not this layer's job: kept literally
        ("山田太郎 👩‍💻", "山田太郎 👩‍💻"),
        ("e\u0301", "e\u0301"),  # combining marks stay
    ],
)
def test_clean_makes_controls_visible_and_inert(raw: str, expected: str) -> None:
    assert clean(raw) == expected


def test_clean_multiline_keeps_line_breaks_only() -> None:
    assert clean_multiline("a\r\nb\x1b\nc") == "a\nb␛\nc"


def test_clip() -> None:
    assert clip("abcdef", 4) == "abc…"
    assert clip("abc", 4) == "abc"


def test_secret_never_prints() -> None:
    secret = Secret("s3cr3t-value")
    for text in (repr(secret), str(secret), f"{secret}", f"{secret!r}", "%s" % (secret,)):  # noqa: UP031
        assert "s3cr3t" not in text
    assert secret.reveal() == "s3cr3t-value"
    connection = Connection("https://x.example", api_key=Secret("k-123456"), api_secret=secret)
    assert "s3cr3t" not in repr(connection) and "k-123456" not in repr(connection)
    with pytest.raises(TypeError):
        pickle.dumps(secret)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000",
        "http://localhost",
        "http://[::1]:9000/",
        "https://livedesk-api.engagelab.com/",
        "http://127.5.6.7",
    ],
)
def test_allowed_base_urls(url: str) -> None:
    assert check_base_url(url) == url.rstrip("/")


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("http://livedesk-api.engagelab.com", "Refusing plain http://"),
        ("http://localhost.evil.com", "Refusing plain http://"),
        ("HTTP://LOCALHOST.EVIL.COM", "Refusing plain http://"),
        ("http://localhost./", "Refusing plain http://"),  # a trailing dot is another name
        ("http://ｌocalhost", "Refusing plain http://"),  # a full-width look-alike
        ("http://127.0.0.1.nip.io", "Refusing plain http://"),
        ("http://127.1", "Refusing plain http://"),  # short and numeric forms a resolver
        ("http://2130706433", "Refusing plain http://"),  # may read as 127.0.0.1: refused
        ("http://0x7f000001", "Refusing plain http://"),  # rather than guessed at
        ("http://[::ffff:127.0.0.1]", "Refusing plain http://"),
        ("http://0.0.0.0", "Refusing plain http://"),
        ("http://localhost:80@evil.com", "user name"),  # the host is evil.com
        ("http://127.0.0.1\\@evil.com", "user name"),
        ("http://evil.com#@127.0.0.1", "user name"),  # any @: where the host ends is unclear
        ("http://evil.com?@127.0.0.1", "user name"),
        ("http://10.0.0.1", "Refusing plain http://"),
        ("http://user@127.0.0.1", "user name"),
        ("https://a:b@example.com", "user name"),
        ("ftp://example.com", "not an http(s) URL"),
        ("example.com", "not an http(s) URL"),
        ("https://example.com/?x=1", "no ?query"),
        ("https://example.com:99999", "not valid"),
    ],
)
def test_refused_base_urls(url: str, needle: str) -> None:
    with pytest.raises(ConfigError) as caught:
        check_base_url(url)
    assert needle in caught.value.message


def test_is_loopback_rejects_lookalikes() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("LOCALHOST")
    assert not is_loopback("localhost.evil.com")
    assert not is_loopback("127.0.0.1.evil.com")
    assert not is_loopback("0.0.0.0")


def test_query_describe_and_paging() -> None:
    query = ContactQuery(labels=("vip", "billing"), sort="name", direction="desc", search="yamada")
    assert query.describe() == "search 'yamada', labels vip | billing, sort name ↓"
    assert query.at_page(3).page == 3 and query.at_page(0).page == 1
    assert query.at_page(3).filters == query.filters
    assert ContactQuery().describe() == "all contacts"


@pytest.mark.parametrize(
    "url", ["https://user:pw-4471@[bad", "ftp://user:pw-4471@host", "https://u:pw-4471@h.com/?x=1"]
)
def test_refused_base_urls_never_echo_a_password(url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        check_base_url(url)
    assert "pw-4471" not in str(caught.value)


def test_describe_names_sort_keys_as_people_read_them() -> None:
    assert (
        ContactQuery(sort="last_activity_at", direction="desc").describe() == "sort last activity ↓"
    )
    assert ContactQuery(sort="phone_number").describe() == "sort phone number ↑"


# A user name and password that hold every character that ends a part of a URL, so that any
# parser or pattern that stops at the first one shows the rest. No piece may reach a message.
USER = "usr-Kq8m"
PASSWORD = "Zq1/Wx2#Ev3?Rt4@Yu5:Io6\\Pa7"
PIECES = (USER, "Zq1", "Wx2", "Ev3", "Rt4", "Yu5", "Io6", "Pa7")


@pytest.mark.parametrize(
    "url",
    [
        f"https://{USER}:{PASSWORD}@example.com/",
        f"https://{USER}:{PASSWORD}@example.com/?x=1",
        f"http://{USER}:{PASSWORD}@example.com",
        f"http://{USER}:{PASSWORD}@127.0.0.1:8000",
        f"ftp://{USER}:{PASSWORD}@example.com",
        f"{USER}:{PASSWORD}@example.com",
        f"https://{USER}:{PASSWORD}@[bad",
        f"https://{USER}:{PASSWORD}@example.com:99999",
        f"https://{USER}/Zq1#Wx2?Ev3@example.com",  # a user name that holds the delimiters
        f"https://{USER}#Zq1@example.com",
        f"https://{USER}?Zq1@example.com",
        f"https://{USER}:Zq1?@example.com",  # a "port" that is the password
        f"https://example.com:{USER}/",
        f"https://example.com/?token={USER}",
        f"https://example.com/#{USER}",
        f"http://example.com/?q={USER}",  # refused for http://, which shows the host only
        f"https://example.com/{USER}\nZq1",
        USER,  # a credential put under base_url by mistake
        f"{USER}/Zq1",
    ],
)
def test_a_refused_base_url_shows_no_piece_of_its_credentials(url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        check_base_url(url)
    error = caught.value
    shown = [str(error), repr(error), error.message, error.detail, repr(error.args)]
    shown += [repr(error.__context__), repr(error.__cause__)]
    for text in shown:
        for piece in PIECES:
            assert piece not in text, f"{piece!r} shows in {text!r}"


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/\x00x",
        "https://exa mple.com",
        "https://example.com/a\tb",
        "https://example.com\x1b[2J",
        "https://example.com/\x85x",
    ],
)
def test_a_base_url_with_whitespace_or_controls_inside_is_refused(url: str) -> None:
    with pytest.raises(ConfigError, match="space or a control character"):
        check_base_url(url)
