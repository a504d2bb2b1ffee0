"""The keys of a binding as a person reads them, and what is wrong with a ``[keys]`` table.

Textual takes any string as a key and never says that one cannot fire: ``ctrl+banana``,
``fo o``, an empty key between two commas, ``shift+ctrl+left`` (Textual names modifiers in
alphabetical order) or a key that another binding of the same screen already has are silently
dead. ``keymap_problems`` finds those, and the ids that name no binding, as one line each for
the app to show at start; it is pure, so it is tested without running the app.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from textual.app import App
from textual.binding import Binding, BindingType
from textual.keys import (
    KEY_ALIASES,
    KEY_TO_UNICODE_NAME,
    REPLACED_KEYS,
    Keys,
    _character_to_key,
)

from ..api.sanitize import clean, clip

MODIFIERS = ("alt", "ctrl", "hyper", "meta", "shift", "super")
"""In the order Textual writes them in a key's name (``ctrl+shift+left``)."""

EXAMPLES = "n, R, ctrl+n, f2, right, space, escape or question_mark"


def shown_keys(app: App[object], binding_id: str, default: str) -> str:
    """The keys bound to ``binding_id`` (``default``, its own keys, unless remapped)."""
    keys_for = getattr(app, "keys_for", None)
    return keys_for(binding_id, default) if keys_for is not None else default


@dataclass(frozen=True)
class KeymapProblem:
    """One thing wrong in ``[keys]``, for a warning: a title and a one-line message."""

    title: str
    message: str


def binding_owners() -> tuple[type, ...]:
    """The app and every screen with bindings ``[keys]`` may remap; each is one screen's set
    of keys (the app's are the main screen's)."""
    from .app import LiveDeskApp
    from .screens.contact import ContactScreen
    from .screens.copy_menu import CopyScreen
    from .screens.error import ErrorScreen
    from .screens.export import ExportScreen
    from .screens.goto_page import GotoPageScreen
    from .screens.help import HelpScreen
    from .screens.profiles import ProfileScreen
    from .screens.raw_view import RawViewScreen

    return (
        LiveDeskApp,
        ContactScreen,
        CopyScreen,
        RawViewScreen,
        ExportScreen,
        ProfileScreen,
        GotoPageScreen,
        HelpScreen,
        ErrorScreen,
    )


def keymap_problems(
    keymap: Mapping[str, str], owners: Sequence[type] | None = None
) -> list[KeymapProblem]:
    """Everything in ``keymap`` that would do nothing, or not what was meant, one line each.

    Args:
        keymap: ``[keys]``: binding id -> comma-separated keys.
        owners: Classes whose ``BINDINGS`` are one screen's keys each (``binding_owners()``
            when None).

    Returns:
        In this order: ids that name no binding; keys that are not key names; keys given to
        two bindings of one screen (only where ``keymap`` made them meet: a key used by two
        screens is fine).
    """
    import difflib

    owners = binding_owners() if owners is None else owners
    screens = [_bindings(owner.BINDINGS) for owner in owners]  # type: ignore[attr-defined]
    known = list(dict.fromkeys(b.id for bindings in screens for b in bindings if b.id))
    defaults = _default_keys(screens)
    found: list[KeymapProblem] = []
    for binding_id in sorted(set(keymap) - set(known)):
        close = difflib.get_close_matches(binding_id, known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        found.append(
            KeymapProblem(
                "Unknown key binding",
                f"{_shown(binding_id)!r} under [keys] in the config file is not a key binding "
                f"and is ignored{hint}. The binding ids are in the README's keys table.",
            )
        )
    for binding_id, keys in keymap.items():
        if binding_id not in known:
            continue
        if not keys.strip():
            found.append(
                KeymapProblem(
                    "Invalid key",
                    f"{binding_id} under [keys] in the config file names no key, so it keeps "
                    f"its own ({defaults.get(binding_id, '')}).",
                )
            )
            continue
        for key in dict.fromkeys(keys.split(",")):
            problem = key_problem(key)
            if problem:
                found.append(
                    KeymapProblem(
                        "Invalid key",
                        f"{_shown(key)!r} for {binding_id} under [keys] in the config file "
                        f"{problem}, so it never fires. Keys are written like {EXAMPLES}.",
                    )
                )
    for bindings in screens:
        found.extend(_clashes(bindings, keymap))
    return found


def key_problem(key: str) -> str:
    """What keeps ``key`` (one key, as Textual reads a keymap: stripped) from ever firing, as
    words that follow the key in a sentence; "" when it is a key name Textual sends."""
    key = key.strip()
    if not key:
        return "is empty (two commas in a row, or one at an end)"
    if len(key) == 1:
        return "" if key.isprintable() else "is a control character, not a key"
    if key in _full_names():
        return ""
    *modifiers, base = key.split("+")
    if not base:
        return "ends with + and no key (the + key is called plus)"
    for modifier in modifiers:
        if modifier not in MODIFIERS:
            return f"has {_shown(modifier)!r} where a modifier goes ({', '.join(MODIFIERS)})"
    if len(set(modifiers)) < len(modifiers):
        return "names a modifier twice"
    if len(base) == 1:
        if not modifiers:
            return ""
        if base.isupper():
            return (
                f"is not how Textual names it: write {_join([*modifiers, 'shift'], base.lower())!r}"
            )
        if not base.isalnum():
            return (
                f"is not how Textual names it: write {_join(modifiers, _character_to_key(base))!r}"
            )
    elif base not in _base_names() and not _is_character_name(base):
        return "is not a key name"
    if list(modifiers) != sorted(modifiers):
        return f"has its modifiers out of order: write {_join(modifiers, base)!r}"
    return ""


def _join(modifiers: Iterable[str], base: str) -> str:
    return "+".join([*sorted(set(modifiers)), base])


def _shown(text: str) -> str:
    return clean(clip(text, 40))


@lru_cache(maxsize=1)
def _full_names() -> frozenset[str]:
    """Every key name Textual lists whole, modifiers included (``ctrl+@``, ``shift+tab``)."""
    names = {key.value for key in Keys if not key.value.startswith("<")}
    names.update(alias for aliases in KEY_ALIASES.values() for alias in aliases)
    names.update(KEY_ALIASES)
    return frozenset(names)


@lru_cache(maxsize=1)
def _base_names() -> frozenset[str]:
    """The names of keys that are not characters (``f13``, ``pageup``, ``media_play``...)."""
    names = {name.rpartition("+")[2] for name in _full_names()}
    try:
        from textual._keyboard_protocol import FUNCTIONAL_KEYS

        names.update(FUNCTIONAL_KEYS.values())
    except ImportError:  # a private module: the keys of the Keys enum still count
        pass
    return frozenset(name for name in names if len(name) > 1)


def _is_character_name(name: str) -> bool:
    """True for the name Textual gives an ASCII character's key: ``slash``, ``at``, ``minus``."""
    original = REPLACED_KEYS.get(name, name)
    unicode_name = KEY_TO_UNICODE_NAME.get(original, original.replace("_", " ").upper())
    try:
        char = unicodedata.lookup(unicode_name)
    except KeyError:
        return False
    # Only ASCII's: Textual names every character (U+1F34C is "banana"), but a key of any
    # other is written as itself, and a name like "banana" in [keys] is a mistake.
    return char.isascii() and char.isprintable() and _character_to_key(char) == name


_ALIAS_OF = {alias: key for key, aliases in KEY_ALIASES.items() for alias in aliases}


def _normal(key: str) -> str:
    """One key as Textual matches it: single characters by name, aliases as their key."""
    key = key.strip()
    if len(key) == 1:
        key = _character_to_key(key)
    return _ALIAS_OF.get(key, key)


def _bindings(bindings: Iterable[BindingType]) -> list[Binding]:
    found: list[Binding] = []
    for binding in bindings:
        if isinstance(binding, Binding):
            found.append(binding)
        else:
            found.append(Binding(*binding))
    return found


def _default_keys(screens: Iterable[Sequence[Binding]]) -> dict[str, str]:
    keys: dict[str, str] = {}
    for bindings in screens:
        for binding in bindings:
            if binding.id:
                keys.setdefault(binding.id, binding.key)
    return keys


def _clashes(bindings: Sequence[Binding], keymap: Mapping[str, str]) -> list[KeymapProblem]:
    """Keys of one screen that two of its bindings hold, where ``keymap`` had a hand in it."""
    holders: dict[str, list[str]] = {}
    for binding in bindings:
        remapped = bool(binding.id and keymap.get(binding.id, "").strip())
        keys = keymap[binding.id] if remapped and binding.id else binding.key
        name = binding.id or binding.action
        for key in keys.split(","):
            if key.strip() and not key_problem(key):
                holders.setdefault(_normal(key), [])
                if name not in holders[_normal(key)]:
                    holders[_normal(key)].append(name)
    found: list[KeymapProblem] = []
    for key, names in holders.items():
        if len(names) > 1 and any(name in keymap for name in names):
            both = " and ".join(names) if len(names) == 2 else ", ".join(names)
            found.append(
                KeymapProblem(
                    "Key bound twice",
                    f"{_shown(key)!r} is bound to {both} on the same screen (after [keys] in the "
                    "config file), so only one of them can fire; give the other a key of its own.",
                )
            )
    return found
