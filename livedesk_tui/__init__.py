"""livedesk-tui: a terminal contact browser for LiveDesk and Chatwoot help desks."""

__version__ = "0.1.0"
