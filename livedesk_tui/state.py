"""What the app remembers between runs: the last filters and profile, never contact data.

The state file (``paths.state_path()``, JSON, mode 0600) holds the profile, the label filter,
the sort, the direction, whether inboxes are shown, and labels typed before (for suggestions).
It never holds contacts, and it never holds the search text: in practice a search is a
customer's name, email or phone number, which is personal data that has no business on disk.

Remembering is a convenience, so it never gets in the way: a missing, corrupt or strange state
file reads as the defaults, and a state that cannot be saved is logged and forgotten.
"""

from __future__ import annotations

import json
import logging
import os
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from . import paths
from .api.models import SORT_KEYS, ContactQuery

log = logging.getLogger(__name__)

STATE_VERSION = 1
MAX_RECENT_LABELS = 50
_MAX_FILE_BYTES = 1_000_000
_DIRECTIONS = ("asc", "desc")


@dataclass(frozen=True)
class UiState:
    """The filters and profile to restore on the next start."""

    profile: str | None = None
    labels: tuple[str, ...] = ()
    sort: str | None = None
    direction: str = "asc"
    search: str = ""
    """Kept so a state maps to a query, but never saved: ``save_state`` writes no search text."""
    include_inboxes: bool = True
    recent_labels: tuple[str, ...] = ()
    """Labels typed before, most recent first, at most ``MAX_RECENT_LABELS``."""

    def remember_labels(self, labels: Iterable[str]) -> UiState:
        """This state with ``labels`` moved to the front of ``recent_labels``."""
        fresh = [label.strip() for label in labels if label.strip()]
        merged = dict.fromkeys([*fresh, *self.recent_labels])
        return replace(self, recent_labels=tuple(merged)[:MAX_RECENT_LABELS])

    def to_query(self) -> ContactQuery:
        """The first page of the remembered filters."""
        return ContactQuery(
            labels=self.labels,
            sort=self.sort,
            direction="desc" if self.direction == "desc" else "asc",
            search=self.search,
            include_inboxes=self.include_inboxes,
        )

    def with_query(self, query: ContactQuery) -> UiState:
        """This state with the filters of ``query``, its labels remembered for suggestions."""
        return replace(
            self,
            labels=query.labels,
            sort=query.sort,
            direction=query.direction,
            search=query.search,
            include_inboxes=query.include_inboxes,
        ).remember_labels(query.labels)


class _BadState(ValueError):
    """The file holds something other than a state this version wrote."""


def load_state(path: Path | None = None) -> UiState:
    """The remembered state, or the defaults when there is none or it cannot be read.

    Never raises: a missing, unreadable, corrupt or wrongly typed file gives ``UiState()``, and
    so does anything but a regular file (a FIFO, a device, a directory), without waiting on it.
    """
    try:
        target = path if path is not None else paths.state_path()
        # Opened without blocking and checked before reading: a FIFO put there would otherwise
        # hold the start-up until something writes to it, and a device never ends.
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
        with open(os.open(target, flags | getattr(os, "O_BINARY", 0)), "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise _BadState("it is not a regular file")
            data = handle.read(_MAX_FILE_BYTES + 1)
        if len(data) > _MAX_FILE_BYTES:
            raise _BadState("the file is too large")
        return _from_json(json.loads(data.decode("utf-8")))
    except FileNotFoundError:
        return UiState()
    except Exception as exc:
        log.warning("Ignoring the saved UI state (%s: %s).", type(exc).__name__, exc)
        return UiState()


def save_state(state: UiState, path: Path | None = None) -> None:
    """Remember ``state`` (without its search text) in an owner-only file, atomically.

    Creates the state directory when needed. Never raises: the app calls this on the way out,
    and failing to remember filters is no reason to crash; the failure is logged instead.
    """
    target: Path | None = path
    try:
        target = path if path is not None else paths.state_path()
        text = json.dumps(_to_json(state), ensure_ascii=False, indent=2) + "\n"
        paths.write_private(target, text.encode("utf-8"))
    except Exception as exc:
        log.warning("Could not save the UI state to %s (%s: %s).", target, type(exc).__name__, exc)


def _to_json(state: UiState) -> dict[str, Any]:
    # "search" is left out on purpose: see the module docstring.
    recent = UiState().remember_labels(_strings(state.recent_labels)).recent_labels
    return {
        "version": STATE_VERSION,
        "profile": state.profile if isinstance(state.profile, str) else None,
        "labels": _strings(state.labels),
        "sort": state.sort if state.sort in SORT_KEYS else None,
        "direction": state.direction if state.direction in _DIRECTIONS else "asc",
        "include_inboxes": bool(state.include_inboxes),
        "recent_labels": list(recent),
    }


def _strings(values: Iterable[object]) -> list[str]:
    return [value for value in values if isinstance(value, str) and value.strip()]


def _from_json(data: object) -> UiState:
    if not isinstance(data, Mapping):
        raise _BadState("not a JSON object")
    if data.get("version", STATE_VERSION) != STATE_VERSION:
        raise _BadState(f"written by another version ({data.get('version')!r})")
    profile = data.get("profile")
    if profile is not None and not (isinstance(profile, str) and profile):
        raise _BadState("profile is not a name")
    sort = data.get("sort")
    if sort is not None and sort not in SORT_KEYS:
        raise _BadState("sort is not a sort key")
    direction = data.get("direction", "asc")
    if direction not in _DIRECTIONS:
        raise _BadState("direction is not asc or desc")
    include_inboxes = data.get("include_inboxes", True)
    if not isinstance(include_inboxes, bool):
        raise _BadState("include_inboxes is not true or false")
    labels = _string_list(data.get("labels", []), "labels")
    recent = _string_list(data.get("recent_labels", []), "recent_labels")
    return UiState(
        profile=profile,
        labels=tuple(dict.fromkeys(labels)),
        sort=sort,
        direction=direction,
        include_inboxes=include_inboxes,
    ).remember_labels(recent)


def _string_list(value: object, name: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _BadState(f"{name} is not a list of strings")
    return value
