"""Opt-in logging to a file, with credentials and personal data redacted.

Nothing is logged unless ``--log-file`` or ``--debug`` asks for it, and never to the terminal
the TUI draws on. Each record passes through ``Redactor``, which blanks anything shaped like a
credential header, an e-mail address or a phone number, and the known secrets themselves.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable
from pathlib import Path

_PATTERNS = (
    (
        re.compile(
            r"(?i)(authorization|api_access_token|api[_-]?secret|api[_-]?key)([\"']?\s*[:=]\s*[\"']?)"
            r"(?:(?:basic|bearer|token)\s+)?[^\s,'\"}]+"
        ),
        r"\1\2<redacted>",
    ),
    (re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"), "<email>"),
    (re.compile(r"\+?\d[\d ()-]{7,}\d"), "<phone>"),
)


class Redactor(logging.Filter):
    """Rewrites each record's message so no secret or personal datum reaches the file."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s and len(s) >= 4]

    def scrub(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "<redacted>")
        for pattern, replacement in _PATTERNS:
            text = pattern.sub(replacement, text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            # Tracebacks carry messages but never locals here; scrub their text too.
            message += "\n" + logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
            record.exc_text = None
        record.msg = self.scrub(message)
        record.args = ()
        return True


def setup_logging(path: Path, *, debug: bool = False, secrets: Iterable[str] = ()) -> Path:
    """Send this package's log records to ``path`` (mode 0600); return the path used."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.close(fd)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(Redactor(secrets))
    logger = logging.getLogger("livedesk_tui")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if debug else logging.INFO)
    # httpx logs whole URLs (with search text) at INFO: keep it to warnings.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    return path
