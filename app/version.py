"""The one place the version lives: the package metadata, the CLI and the About box read it."""

__version__ = "0.1.0"
