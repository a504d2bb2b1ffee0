"""``python -m livedesk_tui``: the same as the ``livedesk-tui`` command."""

from livedesk_tui.cli import main

raise SystemExit(main())
