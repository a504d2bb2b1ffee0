"""The demo account's published key pair: what the demo server accepts and ``--demo`` sends.

Kept apart from ``server`` so that the TUI can point a client at a demo server in another
process without importing the server itself.
"""

from __future__ import annotations

DEMO_API_KEY = "demo-key"
DEMO_API_SECRET = "demo-secret"  # noqa: S105 - a published demo credential, not a secret
