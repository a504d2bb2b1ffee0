"""The demo server's in-memory contact index: filtering, sorting and paging without a database.

Everything is kept as lists of positions into one list of contacts, so nothing is copied or
serialised ahead of time. Per sort key and direction the full order is built once (on first
use); per label, the positions that carry it. A filtered order (labels, search, sort, direction)
is computed from those and kept in a small LRU, so paging through one result costs a slice.

Ordering rules, the ones a client may rely on:

* Text keys (``name``, ``email``, ``phone_number``, and ``company``, ``city``, ``country`` read
  from ``additional_attributes``) compare case-insensitively (``str.casefold``). Numeric keys
  (``created_at``, ``last_activity_at``) compare as numbers.
* A value that is missing, null, empty or blank, or of the wrong type (a number where text is
  expected, text where a timestamp is), counts as empty. Empties come LAST in both directions,
  except for the keys in ``empties_first_descending`` (Chatwoot's ``name``, ``email`` and
  ``phone_number``, sorted with the database's default null order), whose empties come FIRST
  when descending.
* Ties, and the empties among themselves, are ordered by id, ascending, in both directions, so
  paging is stable. Ids that are not integers (nor integer strings) come after all that are.
* Without a (known) sort key the order is the data set's own, and the direction is ignored.

Search is a case-insensitive substring match over name, e-mail, phone number and identifier
(the identifier case-sensitively with ``exact_identifier``, and the company name too with
``search_company``, as Chatwoot's versions do); labels match if a contact carries any of them.

Speed (one page of 15 out of 100,000 contacts, sorted and filtered by label, in about a
millisecond): each contact's JSON text is encoded once and reused; a label filter is a byte mask
laid out in the sort order, so a page of the matching positions is an ``itertools.compress``
away, without building the whole filtered list; and
``warm`` builds every order and mask ahead of the first request, as a database keeps its indexes.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import compress, islice, pairwise
from operator import itemgetter
from typing import Any, cast, overload

from ..api.models import SORT_KEYS
from .catalogue import DemoContact

_ATTRIBUTE_KEYS = {"company": "company_name", "city": "city", "country": "country"}
_NUMERIC_KEYS = frozenset({"created_at", "last_activity_at"})
SEARCH_FIELDS: tuple[str, ...] = ("name", "email", "phone_number", "identifier")

Selection = Sequence[int]
"""Positions into the store's contacts, in the order they are to be served."""


def sort_value(raw: Mapping[str, Any], key: str) -> str | int | float | None:
    """What ``raw`` is sorted by under ``key``: a casefolded string, a number, or ``None``
    for empty."""
    if key in _ATTRIBUTE_KEYS:
        attrs = raw.get("additional_attributes")
        value = attrs.get(_ATTRIBUTE_KEYS[key]) if isinstance(attrs, Mapping) else None
    else:
        value = raw.get(key)
    if key in _NUMERIC_KEYS:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
        return None
    if isinstance(value, str) and value.strip():
        return value.casefold()
    return None


def id_order_key(value: Any) -> tuple[int, int | str]:
    """How ids order ties: integers (and integer strings) first by value, anything else after,
    by its text."""
    number = _integer_id(value)
    if number is not None:
        return (0, number)
    return (1, "" if value is None else str(value))


def _integer_id(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None


class ContactStore:
    """Contacts in a fixed default order, queryable by labels, search text and sort key.

    Thread-safe: the demo server calls ``select`` from many handler threads.

    Args:
        contacts: The contacts, in their default order.
        cache_size: How many filtered orders to keep.
        empties_first_descending: Sort keys whose empties come first when descending.
        search_company: Search matches ``additional_attributes.company_name`` too.
        exact_identifier: Search matches the identifier case-sensitively.
    """

    def __init__(
        self,
        contacts: Sequence[DemoContact],
        *,
        cache_size: int = 32,
        empties_first_descending: frozenset[str] = frozenset(),
        search_company: bool = False,
        exact_identifier: bool = False,
    ) -> None:
        self._contacts = list(contacts)
        self.empties_first_descending = empties_first_descending
        self.search_company = search_company
        self.exact_identifier = exact_identifier
        self._raws = [contact.raw for contact in self._contacts]
        self._cache_size = max(1, cache_size)
        self._lock = threading.RLock()
        self._selections: OrderedDict[tuple[Any, ...], Selection] = OrderedDict()
        self._searches: OrderedDict[str, list[int]] = OrderedDict()
        self._orders: dict[tuple[str, bool], list[int]] = {}
        self._ranks: dict[tuple[str, bool], list[int]] = {}
        self._by_id: list[int] | None = None
        self._haystacks: list[str] | None = None
        self._identifiers: list[str] | None = None
        self._values: dict[str, list[Any]] = {}
        self._label_positions: dict[str, list[int]] = {}
        for position, contact in enumerate(self._contacts):
            for label in contact.labels:
                self._label_positions.setdefault(label, []).append(position)
        self._masks: dict[tuple[str, str | None, bool], bytes] = {}
        """Per label and order: byte ``i`` is 1 when the ``i``-th contact in that order has it."""
        self._encoded: list[bytes | None] = [None] * len(self._raws)
        self._encoded_bare: list[bytes | None] = [None] * len(self._raws)

    def __len__(self) -> int:
        return len(self._raws)

    @property
    def contacts(self) -> list[DemoContact]:
        """The contacts in their default order (do not modify)."""
        return self._contacts

    @property
    def labels(self) -> dict[str, int]:
        """Each label carried by at least one contact, with how many carry it."""
        return {label: len(positions) for label, positions in self._label_positions.items()}

    def raw(self, position: int) -> dict[str, Any]:
        return self._raws[position]

    def page(self, selection: Selection, page: int, size: int) -> list[dict[str, Any]]:
        """The raw contacts of one 1-based page of ``selection`` (empty past the end)."""
        raws = self._raws
        return [raws[position] for position in self._slice(selection, page, size)]

    def page_json(
        self, selection: Selection, page: int, size: int, *, inboxes: bool = True
    ) -> list[bytes]:
        """The compact UTF-8 JSON of each contact of one page, as ``page`` would be encoded
        (``json.dumps(..., ensure_ascii=False, separators=(",", ":"))``), without
        ``contact_inboxes`` when ``inboxes`` is false. Each contact is encoded once."""
        cache = self._encoded if inboxes else self._encoded_bare
        texts: list[bytes] = []
        for position in self._slice(selection, page, size):
            text = cache[position]
            if text is None:  # two threads may both encode it: the same bytes either way
                raw = self._raws[position]
                if not inboxes:
                    raw = {key: value for key, value in raw.items() if key != "contact_inboxes"}
                text = json.dumps(raw, ensure_ascii=False, separators=(",", ":")).encode()
                cache[position] = text
            texts.append(text)
        return texts

    @staticmethod
    def _slice(selection: Selection, page: int, size: int) -> Selection:
        start = (max(1, page) - 1) * size
        if start >= len(selection):
            return ()
        return selection[start : start + size]

    def warm(self) -> None:
        """Build every sort order and label mask now, so no request pays for building one."""
        with self._lock:
            for sort in (None, *SORT_KEYS):
                for descending in (False, True) if sort else (False,):
                    self._order(sort, descending)
                    for label in self._label_positions:
                        self._mask(label, sort, descending)

    def select(
        self,
        *,
        labels: Iterable[str] = (),
        sort: str | None = None,
        descending: bool = False,
        search: str = "",
    ) -> Selection:
        """The positions matching the filters, in serving order (see the module docstring)."""
        wanted = frozenset(label for label in labels if label)
        key_name = sort if sort in SORT_KEYS else None
        descending = descending and key_name is not None
        needle = search.strip() if self.exact_identifier else search.strip().casefold()
        cache_key = (wanted, key_name, descending, needle)
        with self._lock:
            cached = self._selections.get(cache_key)
            if cached is not None:
                self._selections.move_to_end(cache_key)
                return cached
            result = self._compute(wanted, key_name, descending, needle)
            self._selections[cache_key] = result
            if len(self._selections) > self._cache_size:
                self._selections.popitem(last=False)
            return result

    # --- building blocks (called with the lock held) -----------------------------------------

    def _compute(
        self, labels: frozenset[str], sort: str | None, descending: bool, needle: str
    ) -> Selection:
        if labels and not needle:
            return self._with_labels(labels, sort, descending)
        matched: set[int] | None = None
        if labels:
            matched = set()
            for label in labels:
                matched.update(self._label_positions.get(label, ()))
        if needle:
            found = self._search(needle)
            matched = set(found) if matched is None else matched.intersection(found)
        if matched is None:
            return self._order(sort, descending)
        if not matched:
            return ()
        if sort is None:
            return sorted(matched)
        if len(matched) * 4 < len(self._raws):
            return sorted(matched, key=self._rank(sort, descending).__getitem__)
        return [position for position in self._order(sort, descending) if position in matched]

    def _with_labels(self, labels: frozenset[str], sort: str | None, descending: bool) -> Selection:
        """The contacts with any of ``labels``, in order: the order, through the labels' mask."""
        masks = [self._mask(label, sort, descending) for label in labels]
        if not masks:
            return ()
        mask = masks[0]
        if len(masks) > 1:  # any of them: OR the masks, as whole numbers
            union = 0
            for each in masks:
                union |= int.from_bytes(each, "little")
            mask = union.to_bytes(len(mask), "little")
        return MaskedOrder(self._order(sort, descending), mask)

    def _mask(self, label: str, sort: str | None, descending: bool) -> bytes:
        key = (label, sort, descending)
        mask = self._masks.get(key)
        if mask is not None:
            return mask
        positions = self._label_positions.get(label)
        if not positions:
            return bytes(len(self._raws))
        if sort is None:
            flags = bytearray(len(self._raws))
            for position in positions:
                flags[position] = 1
            mask = bytes(flags)
        else:
            by_position = self._mask(label, None, False)
            order = self._order(sort, descending)
            mask = bytes(itemgetter(*order)(by_position)) if len(order) > 1 else by_position
        self._masks[key] = mask
        return mask

    def _sort_values(self, sort: str) -> list[Any]:
        values = self._values.get(sort)
        if values is None:
            values = self._values[sort] = [sort_value(raw, sort) for raw in self._raws]
        return values

    def _order(self, sort: str | None, descending: bool) -> Selection:
        if sort is None:
            return range(len(self._raws))
        key = (sort, descending)
        order = self._orders.get(key)
        if order is None:
            values = self._sort_values(sort)
            by_id = self._ids_ascending()
            present = [position for position in by_id if values[position] is not None]
            empty = [position for position in by_id if values[position] is None]
            # sorted() is stable even with reverse=True, so ties keep their id order either way.
            ordered = sorted(present, key=values.__getitem__, reverse=descending)
            if descending and sort in self.empties_first_descending:
                order = empty + ordered
            else:
                order = ordered + empty
            self._orders[key] = order
        return order

    def _rank(self, sort: str, descending: bool) -> list[int]:
        key = (sort, descending)
        rank = self._ranks.get(key)
        if rank is None:
            rank = [0] * len(self._raws)
            for place, position in enumerate(self._order(sort, descending)):
                rank[position] = place
            self._ranks[key] = rank
        return rank

    def _ids_ascending(self) -> list[int]:
        if self._by_id is None:
            ids = [raw.get("id") for raw in self._raws]
            if all(type(value) is int for value in ids):  # the usual case: plain integer ids
                plain = cast("list[int]", ids)
                if all(a < b for a, b in pairwise(plain)):
                    self._by_id = list(range(len(ids)))  # generated data is already in id order
                else:
                    self._by_id = sorted(range(len(ids)), key=plain.__getitem__)
            else:  # (no tuples per contact: allocating containers wakes the cyclic collector)
                numbers = [_integer_id(value) for value in ids]
                numeric = [
                    position for position, number in enumerate(numbers) if number is not None
                ]
                other = [position for position, number in enumerate(numbers) if number is None]
                numeric.sort(key=cast("list[int]", numbers).__getitem__)  # the not-None ones
                other.sort(key=lambda position: id_order_key(ids[position]))
                self._by_id = numeric + other
        return self._by_id

    def _search(self, needle: str) -> list[int]:
        cached = self._searches.get(needle)
        if cached is not None:
            self._searches.move_to_end(needle)
            return cached
        haystacks = self._haystacks
        if haystacks is None:
            fields = (*SEARCH_FIELDS, "company") if self.search_company else SEARCH_FIELDS
            if self.exact_identifier:
                fields = tuple(field for field in fields if field != "identifier")
            haystacks = self._haystacks = [_haystack(raw, fields) for raw in self._raws]
        identifiers: list[str] | None = None
        if self.exact_identifier:
            identifiers = self._identifiers
            if identifiers is None:
                identifiers = self._identifiers = [
                    _text(raw.get("identifier")) for raw in self._raws
                ]
        # Typing a search narrows it: scan only what a shorter, cached needle already matched.
        narrower: list[int] | None = None
        for earlier, positions in self._searches.items():
            if earlier in needle and (narrower is None or len(positions) < len(narrower)):
                narrower = positions
        candidates: Iterable[int] = range(len(haystacks)) if narrower is None else narrower
        if identifiers is None:
            found = [position for position in candidates if needle in haystacks[position]]
        else:
            folded = needle.casefold()
            found = [
                position
                for position in candidates
                if folded in haystacks[position] or needle in identifiers[position]
            ]
        self._searches[needle] = found
        if len(self._searches) > 16:
            self._searches.popitem(last=False)
        return found


class MaskedOrder(Sequence[int]):
    """The positions of ``order`` whose byte in ``mask`` is set, read lazily.

    Its length is a byte count and a page is an ``islice`` of ``compress``: both run in C and
    stop early, so serving page 1 of a label filter never builds the whole filtered list.
    """

    __slots__ = ("_length", "_mask", "_order")

    def __init__(self, order: Selection, mask: bytes) -> None:
        self._order = order
        self._mask = mask
        self._length = len(mask) - mask.count(0)

    def __len__(self) -> int:
        return self._length

    def __iter__(self) -> Iterator[int]:
        return compress(self._order, self._mask)

    @overload
    def __getitem__(self, index: int) -> int: ...

    @overload
    def __getitem__(self, index: slice) -> list[int]: ...

    def __getitem__(self, index: int | slice) -> int | list[int]:
        if isinstance(index, slice):
            start, stop, step = index.indices(self._length)
            return list(islice(compress(self._order, self._mask), start, stop, step))
        if index < 0:
            index += self._length
        if not 0 <= index < self._length:
            raise IndexError("selection index out of range")
        return next(islice(compress(self._order, self._mask), index, None))


class Rotated(Sequence[int]):
    """``selection`` turned left by ``shift`` places (what comes off the front goes last)."""

    __slots__ = ("_selection", "_shift")

    def __init__(self, selection: Selection, shift: int) -> None:
        self._selection = selection
        self._shift = shift % len(selection) if len(selection) else 0

    def __len__(self) -> int:
        return len(self._selection)

    @overload
    def __getitem__(self, index: int) -> int: ...

    @overload
    def __getitem__(self, index: slice) -> list[int]: ...

    def __getitem__(self, index: int | slice) -> int | list[int]:
        size = len(self._selection)
        if isinstance(index, slice):
            start, stop, step = index.indices(size)
            if step != 1:
                return [self[i] for i in range(start, stop, step)]
            begin, end = start + self._shift, stop + self._shift
            if end <= size:
                return list(self._selection[begin:end])
            if begin >= size:
                return list(self._selection[begin - size : end - size])
            return [*self._selection[begin:size], *self._selection[0 : end - size]]
        if index < 0:
            index += size
        if not 0 <= index < size:
            raise IndexError("selection index out of range")
        return self._selection[(index + self._shift) % size]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _haystack(raw: Mapping[str, Any], fields: Sequence[str] = SEARCH_FIELDS) -> str:
    parts = []
    for field in fields:
        if field == "company":
            attrs = raw.get("additional_attributes")
            value = attrs.get("company_name") if isinstance(attrs, Mapping) else None
        else:
            value = raw.get(field)
        parts.append(value.casefold() if isinstance(value, str) else "")
    return "\x00".join(parts)
