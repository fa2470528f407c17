"""Tandem's user interfaces: the command line and the PySide6 desktop window."""
