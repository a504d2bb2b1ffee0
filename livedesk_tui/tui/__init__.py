"""The Textual user interface. Knows nothing of httpx."""
