"""The embedded LiveDesk-compatible demo API server and its seeded data."""
