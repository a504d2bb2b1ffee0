"""The widgets of the main view; each is told what to show and never calls the client."""
