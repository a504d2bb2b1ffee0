"""Bodies that go past what a client can hold: without end, compressed a thousandfold,
nested deeper than a recursive reader goes, or one page of a million contacts.

Each is made cheaply, whatever size it claims: streamed in chunks from a generator, or (the
compressed bombs) built once per process from one compressed block repeated. Nothing here
touches a socket; ``routes`` wraps these in a ``wire.Stream`` or an ``Answer``.
"""

from __future__ import annotations

import functools
import itertools
import json
import zlib
from collections.abc import Iterator
from typing import Any

CHUNK = 64 * 1024
BOMB_SIZE = 1 << 30
"""How many bytes of whitespace a compression bomb decodes to (1 GiB)."""
OPENING = b'{"meta":{"count":1},"payload":['
"""How the endless and bomb bodies begin, so they look like a page until they do not end."""
_BLOCK = 1 << 20
_MARK = "\x00livedesk-splice\x00"
MARK_JSON = json.dumps(_MARK).encode()
"""How ``MARK`` reads in the JSON text a splice is made in."""


def mark() -> str:
    """A string to put where ``splice`` is to write raw JSON text."""
    return _MARK


def splice(body: bytes, text: str) -> bytes:
    """``body`` with the first ``mark()`` (a JSON string) replaced by ``text``, as is."""
    return body.replace(MARK_JSON, text.encode(), 1)


def endless(opening: bytes, unit: bytes) -> Iterator[bytes]:
    """``opening``, then ``unit`` repeated in chunks of about ``CHUNK`` bytes, forever."""
    yield opening
    chunk = unit * max(1, CHUNK // len(unit))
    yield from itertools.repeat(chunk)


def deep(depth: int) -> tuple[int, Iterator[bytes]]:
    """The length and the chunks of a page whose payload is ``depth`` lists, one in another."""
    head = OPENING[:-1]  # without the payload's own "[": every bracket is counted in depth
    length = len(head) + 2 * depth + 1

    def chunks() -> Iterator[bytes]:
        yield head
        for bracket in (b"[", b"]"):
            full, rest = divmod(depth, CHUNK)
            yield from itertools.repeat(bracket * CHUNK, full)
            yield bracket * rest
        yield b"}"

    return length, chunks()


def many(meta: dict[str, Any], rows: int) -> Iterator[bytes]:
    """A page of ``rows`` minimal contacts, ``{"id":N,"name":"cN"}`` for N from 1, in chunks."""
    yield b'{"meta":' + json.dumps(meta, separators=(",", ":")).encode() + b',"payload":['
    batch = 2048
    for start in range(1, rows + 1, batch):
        numbers = range(start, min(start + batch, rows + 1))
        text = ",".join(f'{{"id":{n},"name":"c{n}"}}' for n in numbers)
        yield (text if start == 1 else "," + text).encode()
    yield b"]}"


@functools.cache
def bomb(encoding: str) -> bytes:
    """A page that decodes to ``BOMB_SIZE`` bytes of whitespace between ``OPENING`` and its
    end, compressed with ``encoding`` (``gzip``, ``deflate`` or ``br``); made once per process.

    Raises:
        ValueError: ``br`` without the ``brotli`` module.
    """
    closing = b"]}"
    if encoding == "br":
        return _brotli_bomb(closing)
    # After a full flush a deflate stream forgets what came before, so every further block of
    # spaces compresses to the same bytes: compress one, repeat it (1 GiB in ~20 ms, not 3 s).
    wbits = 31 if encoding == "gzip" else 15
    raw = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = b" " * _BLOCK
    start = raw.compress(OPENING) + raw.flush(zlib.Z_FULL_FLUSH)
    repeated = raw.compress(block) + raw.flush(zlib.Z_FULL_FLUSH)
    end = raw.compress(closing) + raw.flush(zlib.Z_FINISH)
    body = start + repeated * (BOMB_SIZE // _BLOCK) + end
    size = len(OPENING) + BOMB_SIZE + len(closing)
    if wbits == 31:
        crc = zlib.crc32(OPENING)
        for _ in range(BOMB_SIZE // _BLOCK):
            crc = zlib.crc32(block, crc)
        crc = zlib.crc32(closing, crc)
        header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
        trailer = crc.to_bytes(4, "little") + (size % (1 << 32)).to_bytes(4, "little")
        return header + body + trailer
    adler = zlib.adler32(OPENING)
    for _ in range(BOMB_SIZE // _BLOCK):
        adler = zlib.adler32(block, adler)
    adler = zlib.adler32(closing, adler)
    return b"\x78\xda" + body + adler.to_bytes(4, "big")


def _brotli_bomb(closing: bytes) -> bytes:
    try:
        import brotli  # type: ignore[import-not-found]
    except ImportError:
        raise ValueError("bomb:br needs the brotli module, which is not installed") from None
    compressor = brotli.Compressor(quality=1)
    block = b" " * _BLOCK
    parts = [compressor.process(OPENING)]
    parts += [compressor.process(block) for _ in range(BOMB_SIZE // _BLOCK)]
    parts.append(compressor.process(closing))
    parts.append(compressor.finish())
    return b"".join(parts)
