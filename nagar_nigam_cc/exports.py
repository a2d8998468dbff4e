"""What every CSV export shares: streaming rows through csv.writer, and text that a spreadsheet will
not run as a formula."""
from __future__ import annotations


class Echo:
    """A file-like object whose write() returns the line, so csv.writer can feed a streaming response."""

    def write(self, value):
        return value


def csv_safe(text: str) -> str:
    """Neutralise spreadsheet formulas in free text (CSV injection: =, +, -, @ at the start)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
