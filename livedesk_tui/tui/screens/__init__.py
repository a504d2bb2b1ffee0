"""Screens pushed over the main view: help, full contact, dialogs."""
