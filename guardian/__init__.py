"""guardian: a local-first calendar auditor and focus-time guardian."""

__version__ = "0.1.0"
