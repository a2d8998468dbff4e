"""What every CSV export shares: streaming rows through csv.writer, and text that a spreadsheet will
not run as a formula."""
from __future__ import annotations

from collections.abc import Iterator


class Echo:
    """A file-like object whose write() returns the line, so csv.writer can feed a streaming response."""

    def write(self, value):
        return value


def csv_safe(text: str) -> str:
    """Neutralise spreadsheet formulas in free text (CSV injection: =, +, -, @ at the start)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_lines(header: list[str], rows) -> Iterator[str]:
    """CSV text a line at a time for a streaming response: a BOM first (Excel then reads Hindi as UTF-8),
    free text made formula-safe, times in the city's time."""
    import csv

    writer = csv.writer(Echo())
    yield "\ufeff" + writer.writerow(header)
    for row in rows:
        yield writer.writerow([_plain(value) for value in row])


def _plain(value):
    from datetime import datetime

    from django.utils import timezone

    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, str):
        return csv_safe(value)
    return value


def xlsx_file(sheet_title: str, header: list[str], rows, *, heading: str = ""):
    """An Excel workbook written row by row (openpyxl's write-only mode) into a temporary file, which is
    returned open at its start: memory stays flat however many rows. Times become Excel dates in the
    city's time; text that Excel would run as a formula is neutralised (openpyxl treats "=…" as one)."""
    import tempfile
    from datetime import date, datetime

    import openpyxl
    from django.utils import timezone
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(sheet_title[:31])
    bold = Font(bold=True)

    def titled(text):
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        return cell

    if heading:
        sheet.append([titled(heading)])
    sheet.append([titled(text) for text in header])
    for row in rows:
        out = []
        for value in row:
            if isinstance(value, datetime):
                cell = WriteOnlyCell(sheet, value=timezone.localtime(value).replace(tzinfo=None))
                cell.number_format = "dd/mm/yyyy hh:mm"
                value = cell
            elif isinstance(value, date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "dd/mm/yyyy"
                value = cell
            elif isinstance(value, str):
                value = csv_safe(value)
            out.append(value)
        sheet.append(out)
    spool = tempfile.TemporaryFile()
    book.save(spool)
    spool.seek(0)
    return spool


def newest_first(queryset, field: str, values: tuple[str, ...], *, chunk: int = 2000):
    """The queryset's `values` tuples, newest `field` first (ties by id), read `chunk` rows at a time
    after the last one read (keyset paging). mysqlclient reads a whole result into memory, so
    `.iterator()` alone would hold a 100,000-row export at once on MariaDB; this holds one chunk.
    The condition is written as a range on `field` (<= last) so the database walks its index."""
    from django.db.models import Q

    ordered = queryset.order_by(f"-{field}", "-id")
    last = None
    while True:
        page = ordered
        if last is not None:
            page = ordered.filter(Q(**{f"{field}__lte": last[0]}) & (Q(**{f"{field}__lt": last[0]}) | Q(id__lt=last[1])))
        rows = list(page.values_list(field, "id", *values)[:chunk])
        for row in rows:
            yield row[2:]
        if len(rows) < chunk:
            return
        last = rows[-1][:2]
