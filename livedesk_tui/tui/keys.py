"""The keys of a binding as a person reads them, as remapped in ``[keys]``, for hints in dialogs."""

from __future__ import annotations

from textual.app import App


def shown_keys(app: App[object], binding_id: str, default: str) -> str:
    """The keys bound to ``binding_id`` (``default``, its own keys, unless remapped)."""
    keys_for = getattr(app, "keys_for", None)
    return keys_for(binding_id, default) if keys_for is not None else default
