"""What every request carries whatever the server kind: the client's name, and its log line.

Kept free of ``httpx`` so the first page can be asked for before the HTTP stack is imported
(see ``first_page``); the client's requests carry the same. What differs by server kind (the
path, the parameters, the credentials) is the dialect's (see ``dialects``).
"""

from __future__ import annotations

from .dialects import Params

USER_AGENT = "livedesk-tui/0.1"


def loggable(params: Params) -> dict[str, str]:
    """Query parameters for the log, with search text (personal data) redacted."""
    return {key: "<redacted>" if key == "q" else value for key, value in params}
