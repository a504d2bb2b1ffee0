"""What changes between the Chatwoot versions teams run (4.8 to 4.15), as the demo server plays
them: the sort keys the contacts controller declares, how search treats labels and what its
``meta`` says, and how sorted columns place contacts without a value.

Read from Chatwoot's own source (see API.md, "Chatwoot, as its source behaves"):

* Sort keys are declared; a key a version does not declare is ignored without an error (the
  answer comes back unsorted). The company key is ``company_name`` since 4.13, ``company``
  before. ``sort`` may list several keys, comma-separated; the demo sorts by the first one the
  version declares (its store orders by one key, with the id as tie-breaker).
* ``last_activity_at``, ``created_at``, company, ``city`` and ``country`` put contacts without
  a value last; ``name``, ``email`` and ``phone_number`` use the database's default, so a
  descending sort puts them FIRST.
* Search (``/contacts/search``): since 4.10.1 it ignores labels and its ``meta`` is
  ``{count: <rows on this page>, current_page, has_more}``; up to 4.10.0 it applied labels,
  matched ``company_name`` too, and ``count`` was the total, with no ``has_more``. The
  identifier is matched case-sensitively in every version.
"""

from __future__ import annotations

from dataclasses import dataclass

OLDEST = (4, 8, 0)
NEWEST = (4, 15, 0)
DEFAULT_VERSION = "4.15"
EMPTIES_FIRST_DESCENDING = frozenset({"name", "email", "phone_number"})
"""Keys sorted with the database's default null order: nulls first when descending."""
_COMMON_KEYS = (
    "name",
    "email",
    "phone_number",
    "last_activity_at",
    "created_at",
    "city",
    "country",
)


def parse_version(text: str) -> tuple[int, int, int]:
    """``"4.10.1"`` -> ``(4, 10, 1)``; a missing patch is 0.

    Raises:
        ValueError: not ``MAJOR.MINOR[.PATCH]``, or outside 4.8 to 4.15.
    """
    pieces = text.strip().removeprefix("v").split(".")
    if not 2 <= len(pieces) <= 3 or not all(p.isascii() and p.isdigit() for p in pieces):
        raise ValueError(f"a Chatwoot version is like 4.15 or 4.10.1, not {text!r}")
    major, minor, patch = (int(p) for p in [*pieces, "0"][:3])
    version = (major, minor, patch)
    if not OLDEST <= version < (NEWEST[0], NEWEST[1] + 1, 0):
        raise ValueError(f"the demo server plays Chatwoot 4.8 to 4.15, not {text!r}")
    return version


@dataclass(frozen=True, slots=True)
class ChatwootVersion:
    """One Chatwoot version's contact listing and search rules."""

    version: tuple[int, int, int]

    @classmethod
    def of(cls, text: str) -> ChatwootVersion:
        return cls(parse_version(text))

    def __str__(self) -> str:
        major, minor, patch = self.version
        return f"{major}.{minor}.{patch}" if patch else f"{major}.{minor}"

    @property
    def company_key(self) -> str:
        """The company sort key this version declares."""
        return "company_name" if self.version >= (4, 13, 0) else "company"

    @property
    def sort_keys(self) -> dict[str, str]:
        """Each sort key the version declares -> the demo store's name for it."""
        keys = {key: key for key in _COMMON_KEYS}
        keys[self.company_key] = "company"
        return keys

    @property
    def search_ignores_labels(self) -> bool:
        """Search looks at every contact, whatever labels are asked for (4.10.1 and later)."""
        return self.version >= (4, 10, 1)

    @property
    def search_has_more(self) -> bool:
        """Search's ``meta`` counts the page's rows and says ``has_more`` (4.10.1 and later);
        before, ``count`` was the total."""
        return self.version >= (4, 10, 1)

    @property
    def search_matches_company(self) -> bool:
        """Search also matches ``additional_attributes.company_name`` (up to 4.10.0)."""
        return self.version < (4, 10, 1)

    def sort(self, value: str) -> tuple[str | None, bool]:
        """The store key and direction a raw ``sort`` parameter asks this version for:
        the first comma-separated key it declares, ``-`` meaning descending; ``(None, False)``
        when it declares none of them (the answer is unsorted)."""
        declared = self.sort_keys
        for part in value.split(","):
            part = part.strip()
            descending = part.startswith("-")
            key = declared.get(part.removeprefix("-"))
            if key is not None:
                return key, descending
        return None, False


NEWEST_VERSION = ChatwootVersion(NEWEST)
