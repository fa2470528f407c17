"""Dialogs: file and message wrappers tests can pre-program, and the vault's own dialogs."""
