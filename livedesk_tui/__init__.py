"""livedesk-tui: a terminal contact browser for LiveDesk and Chatwoot help desks."""

import logging

__version__ = "0.1.0"

# Records go nowhere unless --log-file or --debug sets up the file (``logsetup``). Without a
# handler of its own, Python would print warnings (a retry, say) on stderr: over the TUI's
# screen, or between an export's progress and its one-line result.
logging.getLogger(__name__).addHandler(logging.NullHandler())
