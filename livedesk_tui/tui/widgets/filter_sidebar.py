"""The filters: labels, sort, direction, search and inboxes, all usable from the keyboard.

The sidebar fetches nothing. When the user changes a filter it posts ``FiltersChanged`` with
the new filters on page 1; the app decides what to load. Labels apply on Enter or on leaving
the field, search on Enter or after a short pause in typing, the selects and the switch at once.

The controls are built the first time the sidebar is shown (``build``), not with the app: in a
terminal narrower than 120 columns it starts hidden, and mounting its inputs and selects cost
about 55 ms of the time to the first row. Until then it only keeps the filters and the label
suggestions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from textual import on
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.suggester import Suggester
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Switch
from textual.worker import Worker

from ...api.models import SORT_KEYS, SORT_LABELS, ContactQuery
from ..messages import FiltersChanged

SEARCH_PAUSE = 0.6
"""Seconds of no typing after which the search applies by itself."""

DEFAULT_SORT = "default"


def parse_labels(text: str) -> tuple[str, ...]:
    """``"vip, trial,,vip"`` -> ``("vip", "trial")``: trimmed, no blanks, no repeats."""
    seen: dict[str, None] = {}
    for part in text.split(","):
        label = part.strip()
        if label:
            seen.setdefault(label, None)
    return tuple(seen)


def format_labels(labels: Iterable[str]) -> str:
    return ", ".join(labels)


class LabelSuggester(Suggester):
    """Completes the label being typed (the text after the last comma) from known labels.

    Known labels are those configured and those applied earlier in the session.
    """

    def __init__(self, labels: Iterable[str] = ()) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self._labels: list[str] = []
        self.add(labels)

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(self._labels)

    def add(self, labels: Iterable[str]) -> None:
        for label in labels:
            label = label.strip()
            if label and label not in self._labels:
                self._labels.append(label)

    async def get_suggestion(self, value: str) -> str | None:
        head, _, partial = value.rpartition(",")
        stem = partial.lstrip()
        if not stem:
            return None
        chosen = {label.casefold() for label in parse_labels(head)}
        folded = stem.casefold()
        for label in self._labels:
            candidate = label.casefold()
            if candidate.startswith(folded) and candidate not in chosen and len(label) > len(stem):
                return value + label[len(stem) :]
        return None


class FilterSidebar(VerticalScroll, can_focus=False):
    """The filter controls. ``show_filters`` sets them; user changes post ``FiltersChanged``.

    It starts empty; ``build`` adds the controls (the app calls it when the sidebar is shown).
    """

    class Done(Message):
        """The user pressed Enter in a field: done with the filters for now."""

    def __init__(
        self,
        query: ContactQuery,
        *,
        label_suggestions: Sequence[str] = (),
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._query = query.filters
        self.suggester = LabelSuggester(label_suggestions)
        self._search_timer: Timer | None = None
        self._building: Worker[None] | None = None
        self._built = False

    @property
    def built(self) -> bool:
        """Whether the controls are mounted."""
        return self._built

    @property
    def building(self) -> bool:
        """Whether the controls have been asked for (they may still be mounting)."""
        return self._building is not None

    def start_building(self) -> Worker[None]:
        """Start mounting the controls, showing the current filters, if not done yet."""
        if self._building is None:
            self._building = self.run_worker(
                self._build(), name="filter controls", group="build", exit_on_error=False
            )
        return self._building

    async def build(self) -> None:
        """Mount the controls if not done yet, and return when they are mounted."""
        await self.start_building().wait()

    async def _build(self) -> None:
        await self.mount_all(list(self._controls(self._query)))
        self._built = True
        self.show_filters(self._query)  # in case they changed while the controls mounted

    def _controls(self, query: ContactQuery) -> Iterable[Widget]:
        yield Label("Filters", classes="sidebar-title")
        yield Label("Labels (any of)", classes="field-label")
        yield Input(
            format_labels(query.labels),
            placeholder="e.g. vip, trial",
            suggester=self.suggester,
            id="labels",
            compact=True,
        )
        yield Label("Sort by", classes="field-label")
        yield Select(
            [("default order", DEFAULT_SORT)] + [(SORT_LABELS[key], key) for key in SORT_KEYS],
            value=query.sort or DEFAULT_SORT,
            allow_blank=False,
            id="sort",
            compact=True,
        )
        yield Label("Direction", classes="field-label")
        yield Select(
            [("ascending ↑", "asc"), ("descending ↓", "desc")],
            value=query.direction,
            allow_blank=False,
            id="direction",
            compact=True,
        )
        yield Label("Search", classes="field-label")
        yield Input(
            query.search,
            placeholder="name, email, phone, id",
            id="search",
            compact=True,
        )
        yield Horizontal(
            Switch(query.include_inboxes, id="inboxes"),
            Label("include inboxes", classes="switch-label"),
            classes="switch-row",
        )

    # --- what the app calls ----------------------------------------------------------------

    @property
    def filters(self) -> ContactQuery:
        """The filters the controls show now (page 1)."""
        return self._query

    def show_filters(self, query: ContactQuery) -> None:
        """Set every control to ``query`` without announcing it as a user change."""
        self._query = query.filters
        if not self._built:
            return
        with self.prevent(Input.Changed, Select.Changed, Switch.Changed):
            self.query_one("#labels", Input).value = format_labels(query.labels)
            self.query_one("#sort", Select).value = query.sort or DEFAULT_SORT
            self.query_one("#direction", Select).value = query.direction
            self.query_one("#search", Input).value = query.search
            self.query_one("#inboxes", Switch).value = query.include_inboxes

    async def focus_labels(self) -> None:
        await self.build()
        self.query_one("#labels", Input).focus()

    async def focus_search(self) -> None:
        await self.build()
        self.query_one("#search", Input).focus()

    async def focus_sort(self) -> None:
        await self.build()
        select = self.query_one("#sort", Select)
        select.focus()
        select.expanded = True

    # --- user changes ------------------------------------------------------------------------

    def _apply(self, **changes: Any) -> None:
        query = replace(self._query, page=1, **changes)
        if query == self._query:
            return
        self._query = query
        if "labels" in changes:
            self.suggester.add(query.labels)
        self.post_message(FiltersChanged(query, self))

    def _apply_labels(self) -> None:
        field = self.query_one("#labels", Input)
        labels = parse_labels(field.value)
        self._apply(labels=labels)

    def _apply_search(self) -> None:
        self._cancel_search_timer()
        self._apply(search=self.query_one("#search", Input).value.strip())

    def _cancel_search_timer(self) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
            self._search_timer = None

    @on(Input.Submitted, "#labels")
    def _labels_submitted(self, event: Input.Submitted) -> None:
        self._apply_labels()
        self.post_message(self.Done())

    @on(Input.Blurred, "#labels")
    def _labels_left(self, event: Input.Blurred) -> None:
        self._apply_labels()

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        self._apply_search()
        self.post_message(self.Done())

    @on(Input.Changed, "#search")
    def _search_typed(self, event: Input.Changed) -> None:
        self._cancel_search_timer()
        self._search_timer = self.set_timer(SEARCH_PAUSE, self._apply_search)

    @on(Select.Changed, "#sort")
    def _sort_changed(self, event: Select.Changed) -> None:
        value = event.value
        self._apply(sort=None if value in (DEFAULT_SORT, Select.NULL) else str(value))

    @on(Select.Changed, "#direction")
    def _direction_changed(self, event: Select.Changed) -> None:
        if event.value in ("asc", "desc"):
            self._apply(direction=event.value)

    @on(Switch.Changed, "#inboxes")
    def _inboxes_changed(self, event: Switch.Changed) -> None:
        self._apply(include_inboxes=event.value)
