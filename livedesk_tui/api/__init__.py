"""The contacts API: models, client, export. Nothing here imports Textual.

This package's ``__init__`` imports nothing heavy: ``httpx`` is loaded only by ``client``,
so the TUI can draw its first frame before the network stack is imported.
"""
