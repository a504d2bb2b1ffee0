"""``LiveDeskApp``: the contact browser's layout, keys and routing of messages.

The app holds the current ``ContactQuery`` as one reactive. Changing it shows the page from the
cache at once, or starts one exclusive fetch worker; the worker posts ``PageLoaded`` or
``PageFailed`` and a result for a query that is no longer current is dropped. Widgets are told
what to show and never call the client; no HTTP code lives here.

Module-level imports are kept light (no httpx, no screens, no widgets): the first frame should
cost little more than a bare Textual app's.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from textual import events, on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.reactive import reactive

from ..api.connection import Connection
from ..api.errors import ApiError, ErrorKind, LiveDeskError
from ..api.models import ContactQuery, Page
from ..api.sanitize import clean, clip
from ..api.source import ContactsSource, SourceFactory, open_client
from .commands import HelpNote, bindings, help_layout, listed
from .exporting import Exports
from .formatting import utc_now
from .messages import ExportEnded, ExportProgressed, FiltersChanged, PageFailed, PageLoaded
from .page_loader import PageLoader
from .signals import SignalHandlers, exit_code

if TYPE_CHECKING:
    from textual.screen import Screen
    from textual.worker import Worker

    from ..api.first_page import FirstPage
    from ..api.models import Contact
    from .screens.export import ExportScreen
    from .tmux import TmuxClipboard
    from .widgets.contact_detail import ContactDetail
    from .widgets.contacts_table import ContactsTable
    from .widgets.filter_sidebar import FilterSidebar
    from .widgets.status_bar import StatusBar

log = logging.getLogger("livedesk_tui.tui")

WIDE = 120
"""Terminal widths from which sidebar, table and detail show side by side."""

SHORT = 16
"""Terminals shorter than this (a tmux pane) get the ``-short`` class: dialogs drop their
blank lines (``app.tcss``). Narrow ones lose the palette key in the key bar."""

RAPID = 0.4
"""Page changes closer together than this (seconds) count as a burst of key presses."""

DEBOUNCE = 0.2
"""During a burst, a page not in memory waits this long for the next key before it is asked
for: ten quick presses of ``n`` ask the server for the last page only, not for all ten. A single
press (or the first of a burst) asks at once."""

ACTIONS: tuple[tuple[str, str, str, str], ...] = tuple(
    (command.id, command.runs, command.title, command.section) for command in listed()
)
"""(binding id, action, title in the palette and help, help section) of every main-screen
command the palette and help list (``commands.COMMANDS``)."""


def _unexpected(error: Exception) -> ApiError:
    """An error nobody planned for, told without its text (which could hold anything)."""
    return ApiError(f"Something unexpected went wrong ({type(error).__name__}); press r to retry.")


class LiveDeskApp(App[None]):
    """Browse one account's contacts: filter, sort, page, read, copy."""

    TITLE = "LiveDesk contacts"
    CSS_PATH = "app.tcss"

    BINDINGS: ClassVar[list[BindingType]] = bindings("main")

    contact_query: reactive[ContactQuery] = reactive(ContactQuery(), init=False, repaint=False)
    """The page being asked for: filters and page number."""

    def __init__(
        self,
        connection: Connection,
        *,
        client: ContactsSource | None = None,
        open_source: SourceFactory | None = None,
        label_suggestions: Sequence[str] = (),
        keymap: Mapping[str, str] | None = None,
        theme: str | None = None,
        initial_query: ContactQuery | None = None,
        clock: Callable[[], datetime] | None = None,
        timeout: float | None = None,
        profiles: Sequence[str] = (),
        connect_profile: Callable[[str], Connection] | None = None,
        first_page: FirstPage | None = None,
    ) -> None:
        """Set the app up; nothing is fetched before it is mounted.

        Args:
            connection: Where to connect first.
            client: The source to use for ``connection`` (tests hand in their own); else one
                is opened with ``open_source`` on first use.
            open_source: Opens a contacts source for a connection (called in a thread: it may
                import the HTTP stack): for page loads, exports and profile switches alike.
                The real client with ``timeout`` when ``None``.
            label_suggestions: Labels offered as the labels field is typed.
            keymap: Binding id -> keys, from ``[keys]`` in the config file.
            theme: A Textual theme name.
            initial_query: The filters to start with (remembered from the last run).
            clock: "Now", for relative times (fixed in tests).
            timeout: Seconds the client it opens waits for an answer.
            profiles: The profile names a user may switch to (``P``).
            first_page: Page 1 of ``initial_query``, asked for as the process started (used
                when it came in clean; asked for again otherwise).
            connect_profile: Builds the connection of a profile; may run a secret command,
                so it is called in a thread. Raises ``ConfigError`` for a profile that cannot
                be used, with a message saying what to fix.
        """
        super().__init__()
        self.connection = connection
        self.profiles: tuple[str, ...] = tuple(profiles)
        self._connect_profile = connect_profile
        self.labels_used: list[str] = []
        """Labels filtered by in this session, most recent first (remembered for next time)."""
        self._source_factory: SourceFactory = open_source or partial(open_client, timeout=timeout)
        self.exports = Exports(self)
        self._quit_asked = False
        self._client = client
        self._waiting = ""
        """What the client waits for before asking again (a rate limit's window), if anything."""
        self._label_suggestions = tuple(label_suggestions)
        self._keys: dict[str, str] = {}
        self._theme_name = theme
        self.clock: Callable[[], datetime] = clock or utc_now
        self.loader = PageLoader(self._open_source, first_page=first_page)
        self.page: Page | None = None
        """The page on screen."""
        self.error: LiveDeskError | None = None
        """Why the current query failed, until a page loads."""
        self.pending: ContactQuery | None = None
        """The query being fetched, while a request is in flight."""
        self._last_move = 0.0
        self._burst = False
        self._prefetching: ContactQuery | None = None
        self._labels_asked = False
        self._mounted = False
        """Whether the screen is composed (``App.is_mounted`` is a method about a widget)."""
        self._wide: bool | None = None
        self._sidebar_open = False
        self._empty_text: str | None = None
        self._tmux: TmuxClipboard | None = None
        """tmux's clipboard options as read at the last copy inside tmux."""
        self._signals = SignalHandlers(self._signalled)
        self.signalled: signal.Signals | None = None
        """The signal (SIGTERM, SIGHUP) that ended the app, if one did."""
        self.exit_note: str | None = None
        """The line printed after the app ended (on a signal, where an interrupted export's
        contacts are)."""
        self.set_reactive(LiveDeskApp.contact_query, initial_query or ContactQuery())
        if keymap:
            self.set_keymap(keymap)

    # --- keymap -------------------------------------------------------------------------------

    def set_keymap(self, keymap: Mapping[str, str]) -> None:
        self._keys = dict(keymap)
        super().set_keymap(keymap)

    def update_keymap(self, keymap: Mapping[str, str]) -> None:
        self._keys.update(keymap)
        super().update_keymap(keymap)

    def keys_for(self, binding_id: str, default: str = "") -> str:
        """The keys bound to ``binding_id`` now, as shown to a person (``f, ^b``).

        ``default`` is the binding's own keys when it belongs to a screen, not to the app.
        """
        keys = self._keys.get(binding_id)
        if keys is None:
            for binding in self.BINDINGS:
                if isinstance(binding, Binding) and binding.id == binding_id:
                    if binding.key_display:
                        return binding.key_display
                    keys = binding.key
                    break
            else:
                keys = default
        if not keys:
            return ""
        return ", ".join(self.get_key_display(Binding(key.strip(), "")) for key in keys.split(","))

    # --- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        from textual.containers import Horizontal, Vertical
        from textual.widgets import Static

        from .widgets.contact_detail import ContactDetail
        from .widgets.contacts_table import ContactsTable
        from .widgets.filter_sidebar import FilterSidebar
        from .widgets.key_bar import KeyBar
        from .widgets.status_bar import StatusBar

        with Horizontal(id="main"):
            yield FilterSidebar(
                self.contact_query, label_suggestions=self._label_suggestions, id="sidebar"
            )
            with Vertical(id="center"):
                yield ContactsTable(clock=self.clock, id="contacts")
                yield Static("", id="empty")
            yield ContactDetail(clock=self.clock, id="detail")
        yield StatusBar(id="status")
        yield KeyBar()

    def on_mount(self) -> None:
        self._mounted = True
        if self._theme_name:
            if self._theme_name in self.available_themes:
                self.theme = self._theme_name
            else:
                self.notify(
                    f"Unknown theme {clip(self._theme_name, 40)!r}; using the default.",
                    severity="warning",
                    markup=False,
                )
        self._signals.install()
        self._apply_size(self.size.width, self.size.height)
        self._show_empty("Loading contacts…")
        self._table.focus()
        self._request(self.contact_query)
        if self._keys:
            self.call_after_refresh(self._check_keymap)

    def _check_keymap(self) -> None:
        """Warn about ``[keys]`` entries that would do nothing, or not what was meant."""
        from .keys import keymap_problems

        for problem in keymap_problems(self._keys):
            self.notify(
                problem.message, title=problem.title, severity="warning", timeout=10, markup=False
            )

    def on_resize(self, event: events.Resize) -> None:
        self._apply_size(event.size.width, event.size.height)

    def _apply_size(self, width: int, height: int) -> None:
        self.set_class(height < SHORT, "-short")
        self._apply_width(width)

    def _apply_width(self, width: int) -> None:
        wide = width >= WIDE
        if wide == self._wide:
            return
        self._wide = wide
        self.set_class(wide, "-wide")
        self._set_sidebar(wide)
        if wide:
            self._show_highlighted()

    def _set_sidebar(self, open_: bool) -> None:
        self._sidebar_open = open_
        self.set_class(open_, "-sidebar")
        if open_:
            self._sidebar.start_building()
        if not open_ and self._mounted:
            focused = self.focused
            if focused is not None and self._sidebar in focused.ancestors_with_self:
                self._table.focus()

    @property
    def wide(self) -> bool:
        return bool(self._wide)

    @property
    def sidebar_open(self) -> bool:
        return self._sidebar_open

    @property
    def _table(self) -> ContactsTable:
        from .widgets.contacts_table import ContactsTable

        return self.query_one("#contacts", ContactsTable)

    @property
    def _sidebar(self) -> FilterSidebar:
        from .widgets.filter_sidebar import FilterSidebar

        return self.query_one("#sidebar", FilterSidebar)

    @property
    def _detail(self) -> ContactDetail:
        from .widgets.contact_detail import ContactDetail

        return self.query_one("#detail", ContactDetail)

    @property
    def _status(self) -> StatusBar:
        from .widgets.status_bar import StatusBar

        return self.query_one("#status", StatusBar)

    # --- loading ------------------------------------------------------------------------------

    async def _open_source(self) -> ContactsSource:
        if self._client is None:
            self._client = await asyncio.to_thread(self.open_source, self.connection)
        if getattr(self._client, "on_wait", False) is None:  # a ContactsClient told nobody
            self._client.on_wait = self._rate_limited  # type: ignore[attr-defined]
        return self._client

    def open_source(self, connection: Connection) -> ContactsSource:
        """A new contacts source for ``connection``, from the factory the app was given
        (blocking: call it in a thread). The caller closes it."""
        return self._source_factory(connection)

    def _rate_limited(self, message: str, seconds: float) -> None:
        """The client waits (up to a minute) for a rate limit: the status line says so."""
        self._waiting = clean(clip(message, 160))
        self._update_status()

    def watch_contact_query(self, old: ContactQuery, new: ContactQuery) -> None:
        if old.filters != new.filters:
            self.workers.cancel_group(self, "prefetch")
            self._prefetching = None
            self.loader.cancel_other_filters(new)
        self._request(new)

    def _request(self, query: ContactQuery, *, refresh: bool = False) -> None:
        """Show ``query``'s page: from the cache at once, else through the fetch worker."""
        page = None if refresh else self.loader.cached(query)
        if page is not None:
            self.workers.cancel_group(self, "fetch")
            self.pending = None
            self.post_message(PageLoaded(query, page, from_cache=True))
            return
        if self._prefetching is not None and self._prefetching != query:
            self.workers.cancel_group(self, "prefetch")
            self._prefetching = None
        burst, self._burst = self._burst, False
        self.pending = query
        self._fetch(query, refresh=refresh, delay=DEBOUNCE if burst else 0.0)
        self._update_status()

    @work(exclusive=True, group="fetch", exit_on_error=False)
    async def _fetch(self, query: ContactQuery, *, refresh: bool, delay: float) -> None:
        if delay:
            await asyncio.sleep(delay)
        connection = self.connection
        try:
            page = await self.loader.load(query, refresh=refresh)
        except LiveDeskError as error:
            self.post_message(PageFailed(query, error, connection=connection))
        except Exception as error:
            log.exception("loading a page failed unexpectedly")
            self.post_message(PageFailed(query, _unexpected(error), connection=connection))
        else:
            self.post_message(PageLoaded(query, page, connection=connection))

    @work(exclusive=True, group="labels", exit_on_error=False)
    async def _load_label_suggestions(self) -> None:
        """Servers that can list the account's labels (Chatwoot) add them to the suggestions."""
        try:
            source = await self.loader.source()
            labels = await source.list_labels()
        except Exception as error:  # suggestions are a convenience; the labels field still works
            log.info("could not list labels: %r", error)
            return
        self._sidebar.suggester.add(label for label in labels if isinstance(label, str))

    @work(exclusive=True, group="prefetch", exit_on_error=False)
    async def _prefetch(self, query: ContactQuery) -> None:
        try:
            await self.loader.load(query)
        except Exception as error:  # a prefetch that fails is simply not there
            log.info("prefetch of page %d failed: %r", query.page, error)
        finally:
            if self._prefetching == query:
                self._prefetching = None

    def _prefetch_after(self, page: Page) -> None:
        if page is not self.page or page.is_last or not page.contacts:
            return
        following = page.query.at_page(page.number + 1)
        if self.loader.cached(following) is not None or self.loader.in_flight(following):
            return
        self._prefetching = following
        self._prefetch(following)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The workers turn their own failures into messages; this catches what slips past."""
        from textual.worker import WorkerState

        if event.state == WorkerState.ERROR and event.worker.group == "fetch":
            log.error("fetch worker failed: %r", event.worker.error)
            self.post_message(PageFailed(self.contact_query, _unexpected(Exception())))

    def _stale(self, message: PageLoaded | PageFailed) -> bool:
        """An answer for a page the user has already left, or from the account before a
        profile switch."""
        if message.connection is not None and message.connection != self.connection:
            return True
        return message.query != self.contact_query

    def on_page_loaded(self, message: PageLoaded) -> None:
        if self._stale(message):
            return
        page = message.page
        previous = self.page
        self.page = page
        self.pending = None
        self.error = None
        self._waiting = ""
        table = self._table
        keep_row = previous is not None and previous.query.filters == page.query.filters
        try:
            table.show_contacts(page.contacts, cursor_row=table.cursor_row if keep_row else 0)
        except Exception as error:  # data no test foresaw must not take the app down
            log.exception("showing page %d failed", page.number)
            self.post_message(PageFailed(message.query, _unexpected(error)))
            return
        self._show_empty(
            ""
            if page.contacts
            else "No contacts match these filters."
            if page.number == 1
            else "This page is empty."
        )
        self._show_highlighted()
        self._update_status()
        if page.labels_ignored and page.number == 1 and not message.from_cache:
            self.notify(
                "This server (Chatwoot 4.10.1 or later) does not apply labels to a search: "
                "the list holds every contact matching the search.",
                title="Labels not applied",
                severity="warning",
                timeout=12,
                markup=False,
            )
        if page.omitted:
            if not message.from_cache:
                self.notify(
                    f"The server sent {len(page.contacts) + page.omitted:,} contacts on one "
                    f"page, ignoring the page size asked for; the first {len(page.contacts):,} "
                    "are shown.",
                    title="Page too long",
                    severity="warning",
                    timeout=12,
                    markup=False,
                )
            return  # and the next page is not asked for ahead: it may be as long
        count = page.page_count
        if not page.contacts and count is not None and page.number > count:
            self.contact_query = page.query.at_page(count)  # the list shrank under us
            return
        # Asked for once the page is painted: the request's work would delay the paint.
        self.call_after_refresh(self._prefetch_after, page)
        self._labels_after_first_answer()

    def _labels_after_first_answer(self) -> None:
        """The account's labels, asked for once the first page is in (painted, or failed):
        opening the client imports the HTTP stack, which the first row does not need."""
        if not self._labels_asked:
            self._labels_asked = True
            self.call_after_refresh(self._load_label_suggestions)

    def on_page_failed(self, message: PageFailed) -> None:
        if self._stale(message):
            return
        self._labels_after_first_answer()
        error = message.error
        log.warning("page %d failed (%s): %s", message.query.page, error.kind.value, error)
        self.pending = None
        self.error = error
        self._waiting = ""
        if self.page is None:
            self._show_empty(f"Could not load contacts. Press {self.keys_for('reload')} to retry.")
        self._update_status()
        if error.kind in (ErrorKind.AUTH, ErrorKind.FORBIDDEN):
            self._show_auth_error(error)
        else:
            self.notify(
                clean(clip(str(error), 400)) + f"\nPress {self.keys_for('reload')} to retry.",
                title="Could not load contacts",
                severity="error",
                timeout=8,
                markup=False,
            )

    def _show_auth_error(self, error: LiveDeskError) -> None:
        from .screens.error import ErrorScreen

        if any(isinstance(screen, ErrorScreen) for screen in self.screen_stack):
            return
        title = (
            "The server refused the credentials"
            if error.kind is ErrorKind.AUTH
            else "This key may not list contacts"
        )

        def closed(choice: str | None) -> None:
            if choice == "retry":
                self.action_reload()
            elif choice == "quit":
                self.exit()

        self.push_screen(
            ErrorScreen(title, error.message, origin=self.connection.origin, detail=error.detail),
            closed,
        )

    def _show_empty(self, text: str) -> None:
        """The line over an empty table ("Loading contacts…"); an empty ``text`` hides it.

        Left alone when it already says ``text``: updating it asks for a new layout of the
        whole screen, and every page shown would pay for it."""
        from textual.widgets import Static

        if text == self._empty_text:
            return
        self._empty_text = text
        empty = self.query_one("#empty", Static)
        if text:
            empty.update(text)
        empty.display = bool(text)

    def _show_highlighted(self) -> None:
        """The detail pane follows the cursor (only while it is on screen: wide layouts)."""
        if self._mounted and self.wide:
            self._detail.contact = self._table.highlighted_contact

    def on_data_table_row_highlighted(self, event: object) -> None:
        self._show_highlighted()

    def on_data_table_row_selected(self, event: object) -> None:
        self.action_open_contact()

    # --- the status line ----------------------------------------------------------------------

    def status_text(self) -> str:
        return self._status.text

    def _update_status(self) -> None:
        if not self._mounted:
            return
        page = self.page
        query = self.contact_query
        if page is None:
            where = _describe(query) if self.pending else "no contacts loaded"
        else:
            count = page.page_count
            if count:
                where = f"page {page.number} of {count}"
            else:  # a search page on Chatwoot says only whether more follow
                where = (
                    f"page {page.number} (last)" if page.is_last else f"page {page.number} · more"
                )
            if page.total is not None:
                noun = "contact" if page.total == 1 else "contacts"
                where += f" · {page.total:,} {noun}"
            if page.omitted:
                where += f" · first {len(page.contacts):,} of this page's "
                where += f"{len(page.contacts) + page.omitted:,}"
            where += " · " + _describe(page.query)
        state, kind = "", ""
        if self.pending is not None:
            if self._waiting:
                state = self._waiting
            elif page is None or self.pending.filters == page.query.filters:
                state = f"loading page {self.pending.page}…"
            else:
                state = f"loading {_describe(query)}…"
            kind = "busy"
        elif self.error is not None:
            retry = self.keys_for("reload")
            state = f"failed ({retry} to retry): " + clean(clip(self.error.message, 200))
            kind = "error"
        elif page is not None and page.labels_ignored:
            state = "labels not applied: this server searches every contact"
        conn = self.connection
        self._status.show(
            where, state=state, kind=kind, connection=f"{clean(conn.host)} · {clean(conn.profile)}"
        )

    # --- actions ------------------------------------------------------------------------------

    def _page_limit(self) -> int | None:
        """The last page there is for the current filters, if known."""
        page = self.page
        if page is None or page.query.filters != self.contact_query.filters:
            return None
        count = page.page_count
        if count is not None:
            return count
        return page.number if page.is_last else None

    def _go(self, number: int) -> None:
        limit = self._page_limit()
        target = max(1, number)
        if limit is not None:
            target = min(target, limit)
        if target == self.contact_query.page:
            if self.pending is None and self.error is None:
                where = "the first page" if number < target else "the last page"
                if number == target:
                    where = f"page {target}"
                self.notify(f"Already on {where}.", timeout=2)
            return
        now = time.monotonic()
        self._burst = now - self._last_move < RAPID
        self._last_move = now
        self.contact_query = self.contact_query.at_page(target)

    def action_next_page(self) -> None:
        self._go(self.contact_query.page + 1)

    def action_prev_page(self) -> None:
        self._go(self.contact_query.page - 1)

    def action_first_page(self) -> None:
        self._go(1)

    def action_last_page(self) -> None:
        limit = self._page_limit()
        if limit is None:
            self.notify("The server did not say how many pages there are.", timeout=3)
            return
        self._go(limit)

    def action_goto_page(self) -> None:
        from .screens.goto_page import GotoPageScreen

        def chosen(number: int | None) -> None:
            if number is not None:
                self._go(number)

        self.push_screen(GotoPageScreen(self.contact_query.page, self._page_limit()), chosen)

    def action_reload(self) -> None:
        self.loader.invalidate(self.contact_query)
        self.error = None
        self._request(self.contact_query, refresh=True)

    async def _open_sidebar_at(self, focus: Callable[[FilterSidebar], Awaitable[None]]) -> None:
        self._set_sidebar(True)
        await focus(self._sidebar)

    async def action_search(self) -> None:
        await self._open_sidebar_at(lambda sidebar: sidebar.focus_search())

    async def action_labels(self) -> None:
        await self._open_sidebar_at(lambda sidebar: sidebar.focus_labels())

    async def action_sort(self) -> None:
        await self._open_sidebar_at(lambda sidebar: sidebar.focus_sort())

    def action_direction(self) -> None:
        current = self.contact_query
        flipped = replace(
            current.filters, direction="desc" if current.direction == "asc" else "asc"
        )
        self._sidebar.show_filters(flipped)
        self.contact_query = flipped
        if not flipped.sort:
            self.notify("The direction applies once a sort key is chosen (s).", timeout=3)

    def action_toggle_sidebar(self) -> None:
        self._set_sidebar(not self._sidebar_open)

    def action_escape(self) -> None:
        focused = self.focused
        if focused is not None and self._sidebar in focused.ancestors_with_self:
            self._table.focus()
            if not self.wide:
                self._set_sidebar(False)
        elif self._sidebar_open and not self.wide:
            self._set_sidebar(False)

    @on(FiltersChanged)
    def _filters_changed(self, message: FiltersChanged) -> None:
        for label in reversed(message.query.labels):
            if label in self.labels_used:
                self.labels_used.remove(label)
            self.labels_used.insert(0, label)
        self.contact_query = replace(message.query, page=1, page_size=self.contact_query.page_size)

    def on_filter_sidebar_done(self, message: object) -> None:
        self._table.focus()
        if not self.wide:
            self._set_sidebar(False)

    def action_open_contact(self) -> None:
        from .screens.contact import ContactScreen

        contact = self._table.highlighted_contact
        if contact is None:
            return
        self.push_screen(
            ContactScreen(
                contact, clock=self.clock, on_copy=self.open_copy_menu, on_raw=self.open_raw_view
            )
        )

    def _highlighted_or_say(self) -> Contact | None:
        contact = self._table.highlighted_contact
        if contact is None:
            self.notify("No contact is highlighted.", timeout=3)
        return contact

    def action_copy(self) -> None:
        contact = self._highlighted_or_say()
        if contact is not None:
            self.open_copy_menu(contact)

    def open_copy_menu(self, contact: Contact) -> None:
        """Ask which of the contact's values to copy, then copy it."""
        from .screens.copy_menu import CopyScreen

        def chosen(choice: str | None) -> None:
            if choice:
                self.copy_value(contact, choice)

        self.push_screen(CopyScreen(contact), chosen)

    def copy_value(self, contact: Contact, choice: str) -> None:
        """Copy the contact's ``email``, ``phone``, ``id`` or ``json`` and say what was sent."""
        from .screens.copy_menu import copy_value, describe_choice

        self.copy_with_notice(
            copy_value(contact, choice), describe_choice(choice), show_value=choice != "json"
        )

    def copy_with_notice(self, text: str, what: str, *, show_value: bool = True) -> None:
        """Send ``text`` to the terminal's clipboard (OSC 52) and notify what happened.

        Inside tmux, tmux's clipboard options are read first (in a thread): with its defaults
        it drops the sequence, and the notice must not say "copied" then.
        """
        from .osc52 import in_tmux

        if text and self._driver is not None and in_tmux(os.environ):
            self._copy_through_tmux(text, what, show_value)
        else:
            self._copy_now(text, what, show_value, None)

    @work(group="copy", exit_on_error=False)
    async def _copy_through_tmux(self, text: str, what: str, show_value: bool) -> None:
        from .tmux import read_tmux_clipboard

        environ = dict(os.environ)
        self._tmux = await asyncio.to_thread(read_tmux_clipboard, environ)
        self._copy_now(text, what, show_value, self._tmux)

    def _copy_now(self, text: str, what: str, show_value: bool, tmux: TmuxClipboard | None) -> None:
        from .clipboard import plan_copy

        plan = plan_copy(
            text,
            what,
            environ=os.environ,
            has_terminal=self._driver is not None,
            show_value=show_value,
            tmux=tmux,
        )
        if plan.sequence is not None:
            self._write_clipboard(text, plan.sequence)
        elif text:
            self._clipboard = text  # still there for pasting inside the app
        self.notify(plan.message, severity=plan.severity, markup=False)

    def copy_to_clipboard(self, text: str) -> None:
        """Textual's copy (text selected in a field, too), as tmux took it at the last copy:
        bare when it takes it itself, else wrapped for its passthrough."""
        from .osc52 import in_tmux, osc52_sequence

        tmux = self._tmux
        wrapped = in_tmux(os.environ) and not (tmux is not None and tmux.takes_bare)
        self._write_clipboard(text, osc52_sequence(text, tmux=wrapped))

    def _write_clipboard(self, text: str, sequence: str) -> None:
        self._clipboard = text  # what ``App.clipboard`` returns, for pasting inside the app
        if self._driver is not None:
            self._driver.write(sequence)

    def action_raw_view(self) -> None:
        contact = self._highlighted_or_say()
        if contact is not None:
            self.open_raw_view(contact)

    def open_raw_view(self, contact: Contact) -> None:
        """Show the contact's JSON as the server sent it."""
        from .screens.raw_view import RawViewScreen

        self.push_screen(RawViewScreen(contact))

    def action_export(self) -> None:
        """Export the contacts matching the filters (or show the export running)."""
        self.exports.open_dialog(self._export_summary())

    def _export_summary(self) -> str:
        query = self.contact_query
        page = self.page
        described = _describe(query)
        if page is not None and page.query.filters == query.filters and page.total is not None:
            noun = "contact" if page.total == 1 else "contacts"
            return f"{page.total:,} {noun}: {described}"
        return f"Every contact matching: {described}"

    def on_export_screen_start(self, message: ExportScreen.Start) -> None:
        self.exports.start(message.fmt, message.target, self.contact_query)

    def on_export_screen_cancel(self, message: ExportScreen.Cancel) -> None:
        self.exports.cancel()

    def on_export_progressed(self, message: ExportProgressed) -> None:
        self.exports.progressed(message.progress)

    def on_export_ended(self, message: ExportEnded) -> None:
        self._quit_asked = False
        self.exports.ended(message)

    async def action_quit(self) -> None:
        """Quit; while an export runs, only when asked twice (quitting cancels it)."""
        if self.exports.running and not self._quit_asked:
            self._quit_asked = True
            self.notify(
                f"An export is running ({self.keys_for('export')} shows it). "
                f"Press {self.keys_for('quit')} again to cancel it and quit.",
                severity="warning",
                timeout=6,
                markup=False,
            )
            return
        if self._sidebar.building:  # controls still mounting cannot be torn down cleanly
            await self._sidebar.build()
        self.exit()

    def _signalled(self, sig: signal.Signals) -> None:
        """SIGTERM or SIGHUP (see ``signals``): stop as ``q`` does, without asking."""
        if self.signalled is None:
            self.signalled = sig
            self.call_later(self._begin_stop_for_signal)

    def _begin_stop_for_signal(self) -> None:
        self.run_worker(self._stop_for_signal(), group="signal", exit_on_error=False)

    async def _stop_for_signal(self) -> None:
        """Interrupt an export (its partial file is kept), let the sidebar finish mounting,
        then exit through Textual's shutdown; a line about the export is printed after it,
        unless the terminal is gone (SIGHUP)."""
        sig = self.signalled or signal.SIGTERM
        note = None
        try:
            note = await self.exports.interrupt()
            if self._sidebar.building:
                await self._sidebar.build()
        except Exception:  # stopping anyway: the terminal must be given back
            log.exception("stopping for %s", sig.name)
        finally:
            message = None
            if note is not None and sig != getattr(signal, "SIGHUP", None):
                from rich.text import Text

                self.exit_note = f"livedesk-tui: stopped by {sig.name}. {note}"
                message = Text(self.exit_note)
            self.exit(return_code=exit_code(sig), message=message)

    def action_switch_profile(self) -> None:
        from .screens.profiles import ProfileScreen

        current = self.connection.profile
        if self._connect_profile is None or not set(self.profiles) - {current}:
            self.notify(
                "There is no other profile to switch to. Profiles are [profiles.NAME] tables "
                "in the config file.",
                timeout=6,
                markup=False,
            )
            return

        def chosen(name: str | None) -> None:
            if name is not None and name != self.connection.profile:
                self._switch_profile(name)

        self.push_screen(ProfileScreen(self.profiles, current), chosen)

    @work(exclusive=True, group="profile", exit_on_error=False)
    async def _switch_profile(self, name: str) -> None:
        """Connect to profile ``name`` and show the same filters from its account; a profile
        that cannot be used is reported and the current one stays."""
        connect = self._connect_profile
        if connect is None:
            return
        shown = clean(clip(name, 40))
        self.notify(f"Connecting to profile {shown}…", timeout=2, markup=False)
        try:
            connection = await asyncio.to_thread(connect, name)
        except LiveDeskError as error:
            self.notify(
                clean(clip(error.message, 600)) + f"\nStill on profile {self.connection.profile}.",
                title=f"Cannot switch to profile {shown}",
                severity="error",
                timeout=12,
                markup=False,
            )
            return
        except Exception as error:
            log.exception("connecting to profile %r failed", name)
            self.notify(
                _unexpected(error).message,
                title=f"Cannot switch to profile {shown}",
                severity="error",
                markup=False,
            )
            return
        await self.use_connection(connection)
        self.notify(f"Switched to profile {clean(connection.profile)}.", timeout=3, markup=False)

    async def use_connection(self, connection: Connection) -> None:
        """Browse another account: close the old client, forget its pages, keep the filters
        and load their first page from the new one."""
        for group in ("fetch", "prefetch", "labels"):
            self.workers.cancel_group(self, group)
        old = self.loader
        self.connection = connection
        self._client = None
        self.loader = PageLoader(self._open_source)
        self._prefetching = None
        self.page = None
        self.error = None
        self._table.show_contacts(())  # the old account's contacts are not this one's
        self._show_highlighted()
        self._show_empty(f"Loading contacts from {clean(clip(connection.profile, 40))}…")
        query = self.contact_query.at_page(1)
        self._labels_asked = False
        if query == self.contact_query:
            self._request(query)
        else:
            self.contact_query = query
        await old.aclose()

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        self.push_screen(HelpScreen(self.help_rows()))

    def help_rows(self) -> list[tuple[str, str, str]]:
        """Every key with what it does, as bound now (``commands.help_layout``)."""
        palette = self.get_key_display(Binding(self.COMMAND_PALETTE_BINDING, ""))
        rows: list[tuple[str, str, str]] = []
        for row in help_layout():
            if isinstance(row, HelpNote):
                rows.append((row.section, row.keys or palette, row.title))
            else:
                rows.append((row.section, self.keys_for(row.id), row.title))
        return rows

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            if command.title != "Quit":
                yield command
        for entry in listed():
            keys = self.keys_for(entry.id)
            yield SystemCommand(
                entry.title,
                f"key: {keys}" if keys else entry.title,
                getattr(self, f"action_{entry.runs}"),
            )

    async def on_unmount(self) -> None:
        self._signals.restore()
        await self.loader.aclose()


def binding_ids() -> tuple[str, ...]:
    """Every binding id ``[keys]`` may remap: the app's and its screens'."""
    from .keys import binding_owners

    ids: dict[str, None] = {}
    for owner in binding_owners():
        for binding in owner.BINDINGS:  # type: ignore[attr-defined]
            if isinstance(binding, Binding) and binding.id:
                ids.setdefault(binding.id, None)
    return tuple(ids)


def _describe(query: ContactQuery) -> str:
    text = clean(query.describe())
    if not query.include_inboxes:
        text += ", no inboxes"
    return text
