"""The window's pages: create a vault, its recovery key, unlock (and lock screen), the workspace."""
