"""IGRS (Uttar Pradesh's Integrated Grievance Redressal System, "Jansunwai"): bring in the complaints the
portal forwards to the city from its export file, and give the portal back its disposal report.

The file's columns, the encodings read and what happens to a bad row are in docs/igrs.md. In short:

1. `read_file` decodes and parses the whole file before anything is written. What makes the file as a
   whole unreadable — an encoding that garbled the Hindi, a missing required column, an old .xls — is
   an `IgrsFileError` with a message a desk clerk can act on, and nothing is imported.
2. `check_row` decides, without writing, what each row would become: a complaint, or one of the
   problems the report names (broken row, bad mobile, unmapped category, unknown ward).
3. `start_import` records the file and every row (`IgrsImport`, `IgrsImportRow`); `import_pending`
   then registers the ready rows one at a time through `do_import_igrs`, which wraps `do_register`.
   A row's failure never stops the others, and the same IGRS reference is never registered twice: it
   is looked up first, and the (channel, external_ref) unique constraint settles a race.
4. `disposal_rows` with `disposal_csv` / `disposal_xlsx` write the report the portal takes back.

Parsing, the text matching and the encoding checks are plain functions over strings and bytes; only
the `CategoryIndex.load` / `WardIndex.load` and the `do_*` / `start_import` / `import_pending` /
`disposal_rows` functions touch the database.
"""
from __future__ import annotations

import csv
import io
from collections import Counter
import re
import time
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as dtime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nagar_nigam_cc.exports import Echo, csv_safe
from nagar_nigam_cc.complaints import dockets
from nagar_nigam_cc.complaints.actions import NewComplaint, do_register
from nagar_nigam_cc.complaints.models import Channel, Complaint, ComplaintEvent, EventKind, Status
from nagar_nigam_cc.complaints.phones import normalise_mobile
from nagar_nigam_cc.directory.models import Category, Ward
from nagar_nigam_cc.intake.models import IgrsCategoryMap, IgrsImport, IgrsImportRow, IgrsRowOutcome

#: Files larger than this, or with more data rows, are refused whole (split them on the portal).
MAX_BYTES = getattr(settings, "NNC_IGRS_MAX_BYTES", 20 * 1024 * 1024)
MAX_ROWS = getattr(settings, "NNC_IGRS_MAX_ROWS", 50_000)
#: The header may sit below a few title rows ("जनसुनवाई – समन्वित शिकायत निवारण प्रणाली …").
HEADER_SEARCH_ROWS = 15
REFERENCE_MAX = 64  # Complaint.external_ref


class IgrsFileError(Exception):
    """The file as a whole cannot be imported; the message says why and what to do. Nothing was written."""


# --- text matching ------------------------------------------------------------------------------------------

_NUKTA = "\u093c"
_SPACES = re.compile(r"\s+")


def match_key(text: str | None) -> str:
    """The form two spellings of a name share: NFC, casefolded, nukta dropped (कूड़ा = कूडा),
    chandrabindu as anusvara, punctuation as space, one space between words."""
    text = unicodedata.normalize("NFC", text or "").casefold().replace(_NUKTA, "").replace("\u0901", "\u0902")
    text = "".join(" " if unicodedata.category(ch)[0] in "PSZC" else ch for ch in text)
    return _SPACES.sub(" ", text).strip()


def _header_key(text: str) -> str:
    return match_key(text).replace(" ", "")


# --- the columns ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    field: str
    label_hi: str
    label_en: str
    #: Header texts read as this column (compared by `_header_key`: spaces, case and punctuation ignored).
    aliases: tuple[str, ...]
    required: bool = False

    @property
    def label(self) -> str:
        return f"{self.label_hi} ({self.label_en})"


COLUMNS: tuple[Column, ...] = (
    Column("reference", "संदर्भ संख्या", "Reference No", (
        "संदर्भ संख्या", "सन्दर्भ संख्या", "संदर्भ सं", "शिकायत संख्या", "शिकायत सं", "आवेदन संख्या",
        "पंजीकरण संख्या", "Reference No", "Reference Number", "Reference", "Ref No", "Complaint No",
        "Complaint Number", "Application No", "Registration No", "IGRS Reference", "IGRS No"), required=True),
    Column("received", "प्राप्ति दिनांक", "Date Received", (
        "प्राप्ति दिनांक", "प्राप्ति की तिथि", "प्राप्ति तिथि", "शिकायत दिनांक", "पंजीकरण दिनांक", "दिनांक",
        "Date Received", "Received Date", "Received On", "Complaint Date", "Registration Date", "Date")),
    Column("name", "शिकायतकर्ता का नाम", "Complainant Name", (
        "शिकायतकर्ता का नाम", "शिकायतकर्ता", "आवेदक का नाम", "आवेदक", "नाम", "Complainant Name", "Complainant",
        "Applicant Name", "Applicant", "Name")),
    Column("mobile", "मोबाइल नंबर", "Mobile No", (
        "मोबाइल नंबर", "मोबाइल नम्बर", "मोबाइल नं", "मोबाइल संख्या", "मोबाइल", "Mobile No", "Mobile Number",
        "Mobile", "Contact No", "Phone"), required=True),
    Column("category", "शिकायत की श्रेणी", "Category", (
        "शिकायत की श्रेणी", "श्रेणी", "शिकायत का विषय", "विषय", "Category", "Complaint Category", "Subject",
        "Complaint Type"), required=True),
    Column("ward", "वार्ड", "Ward", (
        "वार्ड", "वार्ड संख्या", "वार्ड नंबर", "वार्ड का नाम", "Ward", "Ward No", "Ward Number", "Ward Name")),
    Column("mohalla", "मोहल्ला", "Mohalla", ("मोहल्ला", "मुहल्ला", "क्षेत्र", "Mohalla", "Locality", "Area")),
    Column("address", "पता", "Address", (
        "पता", "शिकायतकर्ता का पता", "घटनास्थल का पता", "घटना स्थल", "Address", "Location", "Site Address")),
    Column("description", "शिकायत का विवरण", "Description", (
        "शिकायत का विवरण", "विवरण", "शिकायत", "Description", "Complaint Details", "Grievance Details", "Details",
        "Grievance", "Complaint"), required=True),
    Column("due", "निस्तारण की अंतिम तिथि", "Due Date", (
        "निस्तारण की अंतिम तिथि", "अंतिम तिथि", "अन्तिम तिथि", "नियत तिथि", "Due Date", "Target Date", "Last Date",
        "Deadline")),
    Column("attachment", "संलग्नक", "Attachment URL", (
        "संलग्नक", "संलग्नक लिंक", "Attachment URL", "Attachment", "Attachments", "Document URL")),
)
COLUMNS_BY_FIELD = {c.field: c for c in COLUMNS}
#: A row needs at least one of these to find its ward.
PLACE_FIELDS = ("ward", "mohalla", "address")
_ALIASES = {_header_key(alias): column.field for column in COLUMNS for alias in column.aliases}


def column_for_header(header: str) -> str | None:
    """The field a header names: the whole text, else either half of a bilingual "हिन्दी / English"
    or "हिन्दी (English)" header."""
    key = _header_key(header)
    if not key:
        return None
    if key in _ALIASES:
        return _ALIASES[key]
    for part in re.split(r"[/|()\[\]]", header):
        if _header_key(part) in _ALIASES:
            return _ALIASES[_header_key(part)]
    return None


# --- reading the file: bytes → cells -------------------------------------------------------------------------

@dataclass
class Table:
    """The file's rows as cells, each with its row number as a spreadsheet shows it (a CSV record
    whose quoted cell holds line breaks is one row, as in Excel)."""

    file_format: str  # "csv" or "xlsx"
    encoding: str
    rows: list[tuple[int, list]]  # (row number, cells)
    #: CSV only: row number → (first line, last line) of the file it was read from.
    spans: dict[int, tuple[int, int]] = field(default_factory=dict)
    delimiter: str = ","


def decode(data: bytes) -> tuple[str, str]:
    """The file's text and the encoding it was read with: a BOM decides; else UTF-16 by its zero bytes,
    else UTF-8, else Windows-1252 (and Latin-1 for the five bytes 1252 leaves undefined)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    for bom, name in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            try:
                return data[2:].decode(name), "utf-16"
            except UnicodeDecodeError as error:
                raise IgrsFileError(_("The file says it is UTF-16 but byte %(at)d is not: it is damaged. "
                                      "Export it again from the portal.") % {"at": error.start + 2}) from error
    sample = data[:4000]
    if len(sample) >= 4 and sample.count(0) >= len(sample) // 4:
        # Excel's "Unicode text" without its BOM: ASCII characters come with a zero byte beside them.
        name = "utf-16-le" if sample[1::2].count(0) > sample[0::2].count(0) else "utf-16-be"
        try:
            return data.decode(name), name
        except UnicodeDecodeError as error:
            raise IgrsFileError(_("The file looks like UTF-16 but byte %(at)d is not: it is damaged. "
                                  "Export it again from the portal.") % {"at": error.start}) from error
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


_DELIMITERS = (",", "\t", ";", "|")


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the widest of the first lines (the header may sit under title lines)."""
    lines = [line for line in text.splitlines()[:HEADER_SEARCH_ROWS] if line.strip()]
    best, widest = ",", 0
    for delimiter in _DELIMITERS:
        count = max((line.count(delimiter) for line in lines), default=0)
        if count > widest:
            best, widest = delimiter, count
    return best


def _read_csv(text: str, encoding: str) -> Table:
    text = text.lstrip("\ufeff")
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    rows: list[tuple[int, list]] = []
    lines: dict[int, tuple[int, int]] = {}
    number, last_line = 0, 0
    try:
        for cells in reader:
            number += 1
            lines[number] = (last_line + 1, reader.line_num)
            last_line = reader.line_num
            rows.append((number, cells))
            if len(rows) > MAX_ROWS + HEADER_SEARCH_ROWS:
                raise IgrsFileError(_too_many_rows())
    except csv.Error as error:
        raise IgrsFileError(_("Line %(line)d of the file cannot be read as CSV (%(error)s). Nothing was imported.")
                            % {"line": reader.line_num, "error": error}) from error
    return Table("csv", encoding, rows, spans=lines, delimiter=delimiter)


def _read_xlsx(data: bytes) -> Table:
    import openpyxl  # only for XLSX files

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise IgrsFileError(_("The file is not a readable Excel workbook (.xlsx): %(error)s. "
                              "Open it in Excel and save it again as .xlsx or as “CSV UTF-8”.")
                            % {"error": error}) from error
    try:
        sheet = book.worksheets[0]
        rows: list[tuple[int, list]] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            rows.append((number, list(values)))
            if len(rows) > MAX_ROWS + HEADER_SEARCH_ROWS:
                raise IgrsFileError(_too_many_rows())
    finally:
        book.close()
    return Table("xlsx", "xlsx", rows)


def _too_many_rows() -> str:
    return _("The file has more than %(max)d rows. Export a shorter period from the portal (a week or a month) "
             "and import the files one after another.") % {"max": MAX_ROWS}


def read_table(data: bytes, file_name: str = "") -> Table:
    """Bytes → cells. The content decides the format (an .xlsx renamed .csv still reads)."""
    if not data or not data.strip():
        raise IgrsFileError(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise IgrsFileError(_("The file is %(size).1f MB; at most %(max)d MB is read at once. Export a shorter "
                              "period from the portal.") % {"size": len(data) / 1e6, "max": MAX_BYTES // 1_000_000})
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise IgrsFileError(_("This is an old Excel file (.xls), which is not read. Open it in Excel and save it as "
                              "“Excel Workbook (.xlsx)” or “CSV UTF-8”, then import that."))
    text, encoding = decode(data)
    head = text[:2000].lstrip("\ufeff \r\n\t").lower()
    if head.startswith("<") and ("<table" in text[:20000].lower() or "<html" in head):
        raise IgrsFileError(_("This file is a web page (HTML) saved with an Excel name, as some portals export. "
                              "Open it in Excel and save it as “Excel Workbook (.xlsx)” or “CSV UTF-8”, "
                              "then import that."))
    return _read_csv(text, encoding)


# --- garbled Hindi -------------------------------------------------------------------------------------------

# Devanagari is U+0900–U+097F: UTF-8 bytes E0 A4 xx / E0 A5 xx. Read as Windows-1252 or Latin-1 they
# show as "à¤…" / "à¥…" — the mark of Hindi saved through the wrong encoding.
_DEVANAGARI_MOJIBAKE = re.compile("\u00e0[\u00a4\u00a5]")
_C1_CONTROLS = re.compile("[\u0080-\u009f]")
_LATIN1_RUN = re.compile("[\u00c0-\u00ff]{2,}")


def garbled(value: str, *, fallback: bool) -> str | None:
    """Why this text looks like Hindi that an encoding destroyed, or None. `fallback`: the file was
    not UTF-8, so any run of accented Latin letters is suspect too."""
    if _DEVANAGARI_MOJIBAKE.search(value):
        return "mojibake"
    if _C1_CONTROLS.search(value):
        return "mojibake"
    if fallback and _LATIN1_RUN.search(value):
        return "mojibake"
    marks = value.count("?")
    if marks >= 3 and marks * 2 >= len(value) - sum(value.count(space) for space in " \t\n"):
        return "question_marks"  # "???? ?? ????": Excel's "CSV (Comma delimited)" cannot hold Hindi
    return None


def check_encoding(table: Table) -> None:
    """Refuse the whole file if any cell looks like Hindi destroyed by an encoding. Runs before the
    header is looked for: garbled Hindi headers would otherwise read as "no header"."""
    fallback = table.encoding in ("cp1252", "latin-1")
    for number, cells in table.rows:
        for index, value in enumerate(cells):
            if not isinstance(value, str) or not value:
                continue
            why = garbled(value, fallback=fallback)
            if why is None:
                continue
            where = {"row": number, "column": index + 1, "sample": value[:40]}
            if why == "question_marks":
                raise IgrsFileError(_(
                    "The Hindi in this file has been replaced by question marks (row %(row)d, column %(column)d: "
                    "“%(sample)s”): it was saved as “CSV (Comma delimited)”, which cannot hold Hindi. The Hindi "
                    "is lost in this file. Export it again from the portal, or save it from Excel as "
                    "“CSV UTF-8” or “Excel Workbook (.xlsx)”. Nothing was imported.") % where)
            raise IgrsFileError(_(
                "The Hindi in this file is garbled (row %(row)d, column %(column)d reads “%(sample)s”): the file "
                "was saved through the wrong encoding (read as %(encoding)s), and importing it would register "
                "nonsense. Nothing was imported. Export it again from the portal and import that file unopened, "
                "or in Excel use Data → From Text/CSV with “65001: Unicode (UTF-8)” and save as “CSV UTF-8”."
            ) % {**where, "encoding": table.encoding})


# --- header and rows -----------------------------------------------------------------------------------------

def _text(value) -> str:
    """A cell as text: numbers as Excel shows them (a mobile 9839012345.0 is "9839012345")."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return str(value).strip()


@dataclass(frozen=True)
class Header:
    row_number: int
    columns: dict[str, int]  # field → cell index
    headers: list[str]
    ignored: list[str]  # headers read as no known column


def find_header(table: Table) -> Header:
    """The first row among the first few that names every required column (title rows above it are
    skipped); else an IgrsFileError naming what is missing."""
    best: tuple[Header, list[str]] | None = None
    for number, cells in table.rows[:HEADER_SEARCH_ROWS]:
        headers = [_text(cell) for cell in cells]
        columns: dict[str, int] = {}
        ignored: list[str] = []
        twice: list[tuple[str, str, str]] = []
        for index, header in enumerate(headers):
            name = column_for_header(header) if header else None
            if name is None:
                if header:
                    ignored.append(header)
            elif name in columns:
                twice.append((name, headers[columns[name]], header))
            else:
                columns[name] = index
        missing = [c.label for c in COLUMNS if c.required and c.field not in columns]
        if not any(f in columns for f in PLACE_FIELDS):
            missing.append(" / ".join(COLUMNS_BY_FIELD[f].label for f in PLACE_FIELDS) + " " + _("(at least one)"))
        header = Header(number, columns, headers, ignored)
        if not missing:
            if twice:
                name, first, second = twice[0]
                raise IgrsFileError(_("Two columns are both read as “%(column)s”: “%(first)s” and “%(second)s” "
                                      "(row %(row)d). Remove or rename one of them. Nothing was imported.")
                                    % {"column": COLUMNS_BY_FIELD[name].label, "first": first, "second": second,
                                       "row": number})
            return header
        if columns and (best is None or len(columns) > len(best[0].columns)):
            best = (header, missing)
    if best is None:
        raise IgrsFileError(_("No header row was found in the first %(n)d rows: the file has none of the IGRS "
                              "columns (%(required)s). Nothing was imported; see docs/igrs.md for the column "
                              "names read.") % {"n": HEADER_SEARCH_ROWS, "required": _required_labels()})
    header, missing = best
    raise IgrsFileError(_("Required columns are missing: %(missing)s. The header read was row %(row)d: %(found)s. "
                          "Nothing was imported; see docs/igrs.md for the column names read.")
                        % {"missing": "; ".join(missing), "row": header.row_number,
                           "found": ", ".join(f"“{h}”" for h in header.headers if h) or "—"})


def _required_labels() -> str:
    return ", ".join(c.label for c in COLUMNS if c.required)


@dataclass(frozen=True)
class IgrsRow:
    """One data row, its values as text (dates parsed), and what is wrong with its shape, if anything."""

    number: int
    reference: str = ""
    received_at: datetime | None = None
    name: str = ""
    mobile: str = ""
    category: str = ""
    ward: str = ""
    mohalla: str = ""
    address: str = ""
    description: str = ""
    due_at: datetime | None = None
    attachment: str = ""
    #: Why the row is broken (no reference, a date not understood, cells shifted …); empty if it is not.
    problems: tuple[str, ...] = ()
    #: The cells as read, by field, for the report and for a corrected re-import.
    raw: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ParsedFile:
    file_format: str
    encoding: str
    header: Header
    rows: list[IgrsRow]
    blank_rows: int

    def report(self) -> dict:
        return {
            "header_row": self.header.row_number,
            "columns": {f: self.header.headers[i] for f, i in self.header.columns.items()},
            "ignored_columns": self.header.ignored,
            "blank_rows": self.blank_rows,
        }


_SCIENTIFIC = re.compile(r"^\d+(\.\d+)?[eE]\+?\d+$")
_REFERENCE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z/\-]{3,63}$")


def parse_reference(value: str) -> tuple[str, str | None]:
    """(reference, problem). Spaces and Excel's text apostrophe are dropped."""
    ref = value.strip().lstrip("'").replace(" ", "")
    if not ref:
        return "", _("no reference number")
    if _SCIENTIFIC.match(ref):
        return ref, _("the reference number %(value)s was turned into a number by Excel and its last digits are "
                      "lost; export the file again and do not save it from Excel (or format that column as Text)"
                      ) % {"value": ref}
    if ref.endswith(".0") and ref[:-2].isdigit():
        ref = ref[:-2]
    if not _REFERENCE.match(ref):
        return ref[:REFERENCE_MAX], _("“%(value)s” is not an IGRS reference number") % {"value": ref[:80]}
    return ref, None


_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp]\.?[Mm]\.?)?)?$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(?:[+-]\d{2}:?\d{2}|Z)?$")
_DMONY = re.compile(r"^(\d{1,2})[ \-/]([A-Za-z]{3,9})[ \-/,]+(\d{4})(?:[ ,]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?$")
_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
_DEVANAGARI_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")


def parse_date(value, tz: ZoneInfo | None = None) -> datetime | None:
    """A date as IGRS files write it (day first: 12/01/2026, 12-01-2026 10:35, 12-Jan-2026, 2026-01-12,
    an Excel date cell or serial number) → an aware datetime in the city's time zone; None if empty.
    Raises ValueError for anything else."""
    tz = tz or ZoneInfo(settings.TIME_ZONE)
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else value.replace(tzinfo=tz)
    if isinstance(value, date):
        return datetime.combine(value, dtime(0), tzinfo=tz)
    if isinstance(value, int | float):
        if 20000 < value < 80000:  # an Excel serial date (1954–2119)
            return (datetime(1899, 12, 30) + timedelta(days=float(value))).replace(tzinfo=tz)
        raise ValueError(value)
    text = str(value).strip().translate(_DEVANAGARI_DIGITS)
    if not text:
        return None
    if re.fullmatch(r"\d{5}(\.\d+)?", text):
        return parse_date(float(text), tz)
    year = month = day = None
    hour = minute = second = 0
    ampm = None
    if m := _DMY.match(text):
        day, month, year = int(m[1]), int(m[2]), int(m[3])
        year += 2000 if year < 100 else 0
        hour, minute, second, ampm = int(m[4] or 0), int(m[5] or 0), int(m[6] or 0), m[7]
    elif m := _YMD.match(text):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
        hour, minute, second = int(m[4] or 0), int(m[5] or 0), int(m[6] or 0)
    elif m := _DMONY.match(text):
        month = _MONTHS.get(m[2][:3].lower())
        if month is None:
            raise ValueError(text)
        day, year = int(m[1]), int(m[3])
        hour, minute, second, ampm = int(m[4] or 0), int(m[5] or 0), int(m[6] or 0), m[7]
    else:
        raise ValueError(text)
    if ampm:
        if not 1 <= hour <= 12:
            raise ValueError(text)
        hour = hour % 12 + (12 if ampm[0] in "Pp" else 0)
    if not 2000 <= year <= 2100:
        raise ValueError(text)
    return datetime(year, month, day, hour, minute, second, tzinfo=tz)


def parse_rows(table: Table, header: Header) -> tuple[list[IgrsRow], int]:
    """The data rows under the header (blank rows skipped and counted)."""
    rows: list[IgrsRow] = []
    blank = 0
    # A row must reach every column read, and have no more cells than the header (or than most rows,
    # where every line ends in a delimiter): an extra cell means the values have shifted.
    width = max(header.columns.values()) + 1
    header_width = len(header.headers)
    lengths = Counter(len(cells) for number, cells in table.rows if number > header.row_number)
    allowed = max(header_width, lengths.most_common(1)[0][0] if lengths else 0)
    # A line break inside a cell followed by a line with this many delimiters is a row of the file
    # swallowed by a quotation mark that was never closed.
    swallowed = re.compile(r"\n[^\n]*" + (r"[^\n]*".join([re.escape(table.delimiter)] * max(3, header_width - 2))))
    tz = ZoneInfo(settings.TIME_ZONE)
    for number, cells in table.rows:
        if number <= header.row_number:
            continue
        if all(_text(c) == "" for c in cells):
            blank += 1
            continue
        problems: list[str] = []
        if table.file_format == "csv":
            extra = len(cells) > allowed
            first, last = table.spans.get(number, (number, number))
            if last > first and any(swallowed.search(c) for c in cells):
                problems.append(_("lines %(first)d–%(last)d of the file were read as this one row: a quotation "
                                  "mark is not closed, so the rows in those lines are not imported either")
                                % {"first": first, "last": last})
            elif extra:
                problems.append(_("it has %(n)d cells where the header has %(m)d: a comma inside a value that is not "
                                  "in quotation marks?") % {"n": len(cells), "m": header_width})
            elif len(cells) < width:
                problems.append(_("it has %(n)d cells where the header has %(m)d: the row is cut short")
                                % {"n": len(cells), "m": header_width})
        raw = {f: _text(cells[i]) if i < len(cells) else "" for f, i in header.columns.items()}
        values = {f: (cells[i] if i < len(cells) else None) for f, i in header.columns.items()}
        reference, problem = parse_reference(raw.get("reference", ""))
        # Once the cells are out of line with the header, what each column "holds" means nothing:
        # only the shape is reported.
        misaligned = bool(problems)
        if problem and not (misaligned and reference):
            problems.append(problem)
        dates: dict[str, datetime | None] = {}
        for name in ("received", "due"):
            try:
                dates[name] = parse_date(values.get(name), tz)
            except (ValueError, OverflowError):
                dates[name] = None
                if not misaligned:
                    problems.append(_("“%(value)s” in the column “%(column)s” is not a date (day/month/year)")
                                    % {"column": header.headers[header.columns[name]], "value": raw.get(name, "")[:40]})
        if not raw.get("description") and not misaligned:
            problems.append(_("no description"))
        rows.append(IgrsRow(
            number=number, reference=reference, received_at=dates["received"], due_at=dates["due"],
            name=raw.get("name", ""), mobile=raw.get("mobile", ""), category=raw.get("category", ""),
            ward=raw.get("ward", ""), mohalla=raw.get("mohalla", ""), address=raw.get("address", ""),
            description=raw.get("description", ""), attachment=raw.get("attachment", ""),
            problems=tuple(problems), raw=raw,
        ))
    if len(rows) > MAX_ROWS:
        raise IgrsFileError(_too_many_rows())
    return rows, blank


def read_file(data: bytes, file_name: str = "") -> ParsedFile:
    """The whole file, checked as a whole: raises IgrsFileError (nothing to import) or returns every
    data row, each possibly with problems of its own."""
    table = read_table(data, file_name)
    check_encoding(table)
    header = find_header(table)
    rows, blank = parse_rows(table, header)
    if not rows:
        raise IgrsFileError(_("The file has a header but no rows of complaints."))
    return ParsedFile(table.file_format, table.encoding, header, rows, blank)


# --- categories and wards -------------------------------------------------------------------------------------

#: IGRS's own category names as seen in the portal's files, and the demo city's category codes they mean.
#: The desk's "Add suggested mappings" creates IgrsCategoryMap rows from these for the codes a city has.
SUGGESTED_MAP: dict[str, str] = {
    "सफाई/कूड़ा": "garbage",
    "कूड़ा निस्तारण": "garbage",
    "सफाई/झाड़ू": "sweeping",
    "सफाई व्यवस्था": "sweeping",
    "नाली/नाला सफाई": "drain-blocked",
    "मृत पशु": "dead-animal",
    "सीवर": "sewer-choked",
    "सीवर लाइन चोक": "sewer-choked",
    "पेयजल आपूर्ति": "no-water",
    "पानी की आपूर्ति": "no-water",
    "दूषित पेयजल": "dirty-water",
    "पाइपलाइन लीकेज": "pipeline-leak",
    "मार्ग प्रकाश": "streetlight",
    "पथ प्रकाश": "streetlight",
    "सड़क/गड्ढा": "pothole",
    "सड़क मरम्मत": "pothole",
    "आवारा पशु": "stray-cattle",
    "आवारा कुत्ते": "stray-dogs",
    "फॉगिंग/मच्छर": "mosquito",
    "सार्वजनिक शौचालय": "public-toilet",
    "Sanitation/Garbage": "garbage",
    "Street Light": "streetlight",
    "Sewer": "sewer-choked",
    "Drinking Water Supply": "no-water",
    "Road/Pothole": "pothole",
}


def _split_terms(text: str) -> list[str]:
    return [match_key(part) for part in re.split(r"[,;\n]", text or "") if match_key(part)]


class CategoryIndex:
    """IGRS category text → our category: the map first, then our categories' names and keywords."""

    def __init__(self, mapped: dict[str, Category], categories: Iterable[Category]):
        self.mapped = mapped
        self.terms: dict[str, set[int]] = {}
        self.by_id: dict[int, Category] = {}
        for category in categories:
            self.by_id[category.pk] = category
            names = {match_key(category.name_hi), match_key(category.name_en), match_key(category.code)}
            for term in names | set(_split_terms(category.keywords)):
                if term:
                    self.terms.setdefault(term, set()).add(category.pk)

    @classmethod
    def load(cls) -> CategoryIndex:
        mapped = {m.key: m.category for m in IgrsCategoryMap.objects.select_related("category__department")}
        return cls(mapped, Category.objects.filter(is_active=True).select_related("department"))

    def resolve(self, text: str) -> tuple[Category | None, str]:
        """(category, "") or (None, why not)."""
        key = match_key(text)
        if not key:
            return None, _("no IGRS category given")
        if key in self.mapped:
            category = self.mapped[key]
            if not category.is_active:
                return None, _("IGRS category “%(igrs)s” is mapped to “%(ours)s”, which is no longer in use: "
                               "change the mapping") % {"igrs": text, "ours": category}
            return category, ""
        found = self.terms.get(key, set())
        if not found:
            parts = [match_key(p) for p in re.split(r"[/|,;()\-–]", text) if match_key(p)]
            for part in parts:
                found |= self.terms.get(part, set())
        if not found:
            padded = f" {key} "
            for term, ids in self.terms.items():
                if len(term) >= 4 and f" {term} " in padded:
                    found |= ids
        if len(found) == 1:
            return self.by_id[next(iter(found))], ""
        if found:
            names = ", ".join(sorted(str(self.by_id[i]) for i in found))
            return None, _("IGRS category “%(igrs)s” could be any of %(ours)s: map it to one in the IGRS "
                           "category map") % {"igrs": text, "ours": names}
        return None, _("IGRS category “%(igrs)s” is not mapped to one of ours: add it to the IGRS category map"
                       ) % {"igrs": text}


#: Words around a ward's name in the ward column ("वार्ड सं. कटरा"), dropped as whole words only
#: ("सं" is also the start of "संगम").
_WARD_WORDS = frozenset(match_key(w) for w in ("ward", "no", "number", "name", "वार्ड", "नं", "नंबर", "नम्बर",
                                                "संख्या", "सं", "का", "नाम"))


class WardIndex:
    """A row's ward: by its number, else by the name of the ward or of a locality in it (the ward,
    mohalla and address columns, in that order)."""

    def __init__(self, wards: Iterable[Ward]):
        self.by_number: dict[int, Ward] = {}
        self.names: dict[str, set[int]] = {}
        self.by_id: dict[int, Ward] = {}
        for ward in wards:
            self.by_id[ward.pk] = ward
            self.by_number[ward.number] = ward
            for name in (ward.name_hi, ward.name_en, *ward.localities.splitlines()):
                key = match_key(name)
                if key:
                    self.names.setdefault(key, set()).add(ward.pk)
        # Longest names first: "कटरा पूर्व" is found before "कटरा" inside an address.
        self.by_length = sorted(self.names, key=len, reverse=True)

    @classmethod
    def load(cls) -> WardIndex:
        return cls(Ward.objects.select_related("zone"))

    def _named(self, text: str, *, inside: bool) -> tuple[set[int], str]:
        key = match_key(text)
        if not key:
            return set(), ""
        if key in self.names:
            return self.names[key], key
        if not inside:
            return set(), ""
        padded = f" {key} "
        for name in self.by_length:
            if f" {name} " in padded:
                # Every ward with a name this long that the text holds: two means we cannot tell.
                same = {i for n in self.by_length if len(n) == len(name) and f" {n} " in padded for i in self.names[n]}
                return same, name
        return set(), ""

    def resolve(self, ward: str, mohalla: str = "", address: str = "") -> tuple[Ward | None, str]:
        ward_text = (ward or "").translate(_DEVANAGARI_DIGITS)
        if numbers := re.findall(r"\d+", ward_text):
            number = int(numbers[0])
            if number in self.by_number:
                return self.by_number[number], ""
            return None, _("there is no ward %(number)d") % {"number": number}
        ward_name = " ".join(w for w in match_key(ward_text).split() if w not in _WARD_WORDS)
        for text, inside in ((ward_name, False), (mohalla, False), (mohalla, True),
                             (address, True)):
            found, name = self._named(text, inside=inside)
            if len(found) == 1:
                return self.by_id[next(iter(found))], ""
            if len(found) > 1:
                wards = ", ".join(str(self.by_id[i]) for i in sorted(found, key=lambda i: self.by_id[i].number))
                return None, _("“%(name)s” could be in any of the wards %(wards)s") % {"name": name, "wards": wards}
        given = " / ".join(v for v in (ward, mohalla, address) if v) or "—"
        return None, _("no ward or locality of ours was recognised in “%(place)s”") % {"place": given[:120]}


# --- deciding a row --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Check:
    """What a row would become: `outcome` PENDING (ready) with its category, ward and mobile, or a
    problem outcome with the reasons (every problem found, so one correction fixes the row)."""

    outcome: str
    message: str = ""
    category: Category | None = None
    ward: Ward | None = None
    mobile: str = ""


def _excel_number(value: str) -> bool:
    return bool(_SCIENTIFIC.match(value.strip()))


def check_row(row: IgrsRow, categories: CategoryIndex, wards: WardIndex) -> Check:
    """Pure: decide a row against the city's categories and wards (not whether it was imported before)."""
    mobile, mobile_problem = "", None
    if _excel_number(row.mobile):
        mobile_problem = _("the mobile number %(value)s was turned into a number by Excel and its digits are lost"
                           ) % {"value": row.mobile}
    else:
        try:
            mobile = normalise_mobile(row.mobile)
        except ValidationError as error:
            mobile_problem = " ".join(error.messages) if row.mobile else _("no mobile number")
    category, category_problem = categories.resolve(row.category)
    ward, ward_problem = wards.resolve(row.ward, row.mohalla, row.address)
    found = [
        (IgrsRowOutcome.BROKEN, "; ".join(row.problems)),
        (IgrsRowOutcome.BAD_MOBILE, mobile_problem),
        (IgrsRowOutcome.UNMAPPED, category_problem),
        (IgrsRowOutcome.UNKNOWN_WARD, ward_problem),
    ]
    problems = [(outcome, why) for outcome, why in found if why]
    if problems:
        return Check(problems[0][0], "; ".join(why for _o, why in problems), category, ward, mobile)
    return Check(IgrsRowOutcome.PENDING, "", category, ward, mobile)


def describe(row: IgrsRow) -> str:
    """The complaint's description: the citizen's words, marked with the IGRS reference and its dates."""
    head = f"[IGRS {row.reference}]"
    facts = []
    if row.received_at:
        received = timezone.localtime(row.received_at)
        facts.append(f"प्राप्त/received {received:%d-%m-%Y %H:%M}" if received.time() != dtime(0)
                     else f"प्राप्त/received {received:%d-%m-%Y}")
    if row.due_at:
        facts.append(f"IGRS अंतिम तिथि/due {timezone.localtime(row.due_at):%d-%m-%Y}")
    text = f"{head} {row.description}"
    if facts:
        text += "\n\n" + " · ".join(facts)
    if len(row.address) + len(row.mohalla) + 2 > 255:
        text += "\nपता/address: " + ", ".join(v for v in (row.mohalla, row.address) if v)
    if row.attachment:
        text += "\n" + "संलग्नक/attachment: " + row.attachment
    return text


def _address(row: IgrsRow) -> str:
    address = ", ".join(v for v in (row.mohalla, row.address) if v)
    return address if len(address) <= 255 else address[:254] + "…"


def new_complaint(row: IgrsRow, check: Check) -> NewComplaint:
    return NewComplaint(
        mobile=check.mobile, category=check.category, ward=check.ward, description=describe(row),
        name=row.name[:120], address=_address(row), channel=Channel.IGRS, external_ref=row.reference,
    )


# --- writing --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RowResult:
    outcome: str
    message: str = ""
    complaint_id: int | None = None
    docket: str = ""


#: do_import_igrs's outcome when another worker finished the same import row first (nothing was done).
TAKEN = "taken"


class _Taken(Exception):
    """Another worker finished this row of the import first: undo this registration."""


def already_imported(references: Iterable[str]) -> dict[str, tuple[int, str]]:
    """IGRS reference → (complaint id, docket) for those already registered."""
    refs = sorted({r for r in references if r})
    found: dict[str, tuple[int, str]] = {}
    for start in range(0, len(refs), 500):
        for ref, pk, docket in Complaint.objects.filter(
            channel=Channel.IGRS, external_ref__in=refs[start:start + 500]
        ).values_list("external_ref", "pk", "docket"):
            found[ref] = (pk, docket)
    return found


def _already(ref: str, pk: int, docket: str) -> RowResult:
    return RowResult(IgrsRowOutcome.ALREADY,
                     _("already imported as docket %(docket)s") % {"docket": dockets.spoken(docket)}, pk, docket)


def do_import_igrs(row: IgrsRow, *, actor, categories: CategoryIndex, wards: WardIndex,
                   record: IgrsImportRow | None = None, known: dict[str, tuple[int, str]] | None = None,
                   now: datetime | None = None) -> RowResult:
    """Register one IGRS row as a complaint (channel IGRS, its reference kept), or say why not.

    Registration is `do_register` (which checks the actor may register), without its duplicate check:
    IGRS has already accepted the complaint. The reference goes on the complaint in the same
    INSERT, so the (channel, external_ref) unique constraint is the last word when two imports
    race: the loser's registration is undone and the row reported as already imported. `record`, the
    row of an `IgrsImport`, gets the outcome in that transaction too, and only if it is still pending.
    `known`: what `already_imported` found for a whole batch of rows just before (one query for many
    rows instead of one each); the constraint still decides.
    """
    result = _import_one(row, actor=actor, categories=categories, wards=wards, record=record, known=known, now=now)
    if record is not None and result.outcome not in (IgrsRowOutcome.IMPORTED, TAKEN):
        IgrsImportRow.objects.filter(pk=record.pk, outcome=IgrsRowOutcome.PENDING).update(
            outcome=result.outcome, message=result.message[:2000], complaint_id=result.complaint_id)
    return result


def _import_one(row, *, actor, categories, wards, record, known, now) -> RowResult:
    if row.reference:
        existing = (known if known is not None else already_imported([row.reference])).get(row.reference)
        if existing is not None:
            return _already(row.reference, *existing)
    check = check_row(row, categories, wards)
    if check.outcome != IgrsRowOutcome.PENDING:
        return RowResult(check.outcome, check.message)
    try:
        with transaction.atomic():
            complaint = do_register(new_complaint(row, check), actor=actor, allow_duplicate=True, now=now)
            if record is not None:
                claimed = IgrsImportRow.objects.filter(pk=record.pk, outcome=IgrsRowOutcome.PENDING).update(
                    outcome=IgrsRowOutcome.IMPORTED, complaint=complaint, message="")
                if not claimed:
                    raise _Taken
    except _Taken:
        return RowResult(TAKEN)
    except IntegrityError:
        existing = already_imported([row.reference]).get(row.reference)
        if existing is None:
            raise
        return _already(row.reference, *existing)
    except ValidationError as error:
        messages = " ".join(error.messages)
        if getattr(error, "code", None) == "inactive" or "category" in getattr(error, "error_dict", {}):
            return RowResult(IgrsRowOutcome.UNMAPPED, messages)
        return RowResult(IgrsRowOutcome.BROKEN, messages)
    return RowResult(IgrsRowOutcome.IMPORTED, "", complaint.pk, complaint.docket)


def dry_run(parsed: ParsedFile, *, categories: CategoryIndex | None = None,
            wards: WardIndex | None = None) -> list[tuple[IgrsRow, RowResult]]:
    """What importing would do to each row, without writing anything."""
    categories = categories or CategoryIndex.load()
    wards = wards or WardIndex.load()
    existing = already_imported(r.reference for r in parsed.rows)
    seen: dict[str, int] = {}
    out = []
    for row in parsed.rows:
        if row.reference in existing:
            out.append((row, _already(row.reference, *existing[row.reference])))
            continue
        check = check_row(row, categories, wards)
        if check.outcome == IgrsRowOutcome.PENDING and row.reference in seen:
            out.append((row, RowResult(IgrsRowOutcome.ALREADY, _("same reference as row %(row)d of this file")
                                       % {"row": seen[row.reference]})))
            continue
        if check.outcome == IgrsRowOutcome.PENDING:
            seen[row.reference] = row.number
        out.append((row, RowResult(check.outcome, check.message)))
    return out


def _row_data(row: IgrsRow) -> dict:
    return dict(row.raw)


def _row_from_record(record: IgrsImportRow) -> IgrsRow:
    raw = record.data or {}
    problems = tuple(raw.get("_problems", ()))
    return IgrsRow(
        number=record.row_number, reference=record.reference, received_at=record.received_at, due_at=record.due_at,
        name=raw.get("name", ""), mobile=raw.get("mobile", ""), category=raw.get("category", ""),
        ward=raw.get("ward", ""), mohalla=raw.get("mohalla", ""), address=raw.get("address", ""),
        description=raw.get("description", ""), attachment=raw.get("attachment", ""), problems=problems,
        raw={k: v for k, v in raw.items() if not k.startswith("_")},
    )


def start_import(parsed: ParsedFile, *, file_name: str, actor, now: datetime | None = None) -> IgrsImport:
    """Record the file and each of its rows with what it will become (nothing is registered yet):
    rows already imported, or with a problem, get their outcome now; the rest wait as PENDING for
    `import_pending`."""
    now = now or timezone.now()
    results = dry_run(parsed)
    with transaction.atomic():
        batch = IgrsImport.objects.create(
            file_name=file_name[:255], file_format=parsed.file_format, encoding=parsed.encoding,
            uploaded_by=actor, uploaded_at=now, rows_total=len(parsed.rows), report=parsed.report(),
        )
        records = []
        for row, result in results:
            data = _row_data(row)
            if row.problems:
                data["_problems"] = list(row.problems)
            records.append(IgrsImportRow(
                batch=batch, row_number=row.number, reference=row.reference[:REFERENCE_MAX],
                outcome=result.outcome, message=result.message[:2000], complaint_id=result.complaint_id,
                received_at=row.received_at, due_at=row.due_at, data=data,
            ))
        IgrsImportRow.objects.bulk_create(records, batch_size=500)
        refresh_counts(batch)
    return batch


def refresh_counts(batch: IgrsImport) -> dict[str, int]:
    from django.db.models import Count

    counts = {o: 0 for o in IgrsRowOutcome.values}
    for outcome, n in batch.rows.order_by().values_list("outcome").annotate(n=Count("id")):
        counts[outcome] = n
    batch.counts = counts
    if counts[IgrsRowOutcome.PENDING] == 0 and batch.finished_at is None:
        batch.finished_at = timezone.now()
    IgrsImport.objects.filter(pk=batch.pk).update(counts=counts, finished_at=batch.finished_at)
    return counts


def import_pending(batch: IgrsImport, *, actor, limit: int | None = None, seconds: float | None = None,
                   progress: Callable[[RowResult], None] | None = None) -> dict[str, int]:
    """Register the import's rows that are still pending, in file order, each in its own transaction:
    at most `limit` rows, or for about `seconds`. Returns the import's counts afterwards."""
    categories, wards = CategoryIndex.load(), WardIndex.load()
    started = time.monotonic()
    done = 0
    while True:
        chunk = min(200, limit - done) if limit is not None else 200
        if chunk <= 0:
            break
        records = list(batch.rows.filter(outcome=IgrsRowOutcome.PENDING).order_by("row_number")[:chunk])
        if not records:
            break
        known = already_imported(record.reference for record in records)
        for record in records:
            result = do_import_igrs(_row_from_record(record), actor=actor, categories=categories, wards=wards,
                                    record=record, known=known)
            done += 1
            if progress is not None:
                progress(result)
            if seconds is not None and time.monotonic() - started >= seconds:
                return refresh_counts(batch)
    return refresh_counts(batch)


# --- the disposal report -------------------------------------------------------------------------------------

#: Our statuses in the portal's words.
IGRS_STATUS: dict[str, str] = {
    Status.ASSIGNED: "लंबित",
    Status.IN_PROGRESS: "लंबित",
    Status.ON_HOLD: "लंबित",
    Status.REOPENED: "लंबित",
    Status.RESOLVED: "निस्तारित",
    Status.CLOSED: "निस्तारित",
    Status.DUPLICATE: "निस्तारित",
    Status.REJECTED: "अस्वीकृत",
}

#: The disposal report's columns, in the portal's order (docs/igrs.md).
DISPOSAL_COLUMNS: tuple[tuple[str, str], ...] = (
    ("reference", "संदर्भ संख्या"),
    ("docket", "नगर निगम डॉकेट संख्या"),
    ("received", "प्राप्ति दिनांक"),
    ("registered", "नगर निगम में दर्ज दिनांक"),
    ("status", "स्थिति"),
    ("remarks", "निस्तारण आख्या"),
    ("resolved", "निस्तारण दिनांक"),
    ("closed", "बंद होने का दिनांक"),
    ("officer", "निस्तारणकर्ता अधिकारी का पदनाम"),
)

RECEIVED, CHANGED = "received", "changed"
DISPOSAL_BASES = {RECEIVED: gettext_lazy("received in the period"), CHANGED: gettext_lazy("changed in the period")}


@dataclass(frozen=True)
class DisposalRow:
    reference: str
    docket: str
    received: datetime | None
    registered: datetime
    status: str
    remarks: str
    resolved: datetime | None
    closed: datetime | None
    officer: str


def disposal_queryset(complaints: QuerySet[Complaint], start: date, end: date, basis: str = RECEIVED) -> QuerySet:
    """The IGRS complaints (from `complaints`, already scoped to the reader) registered — or changed —
    between two local dates, both included."""
    tz = ZoneInfo(settings.TIME_ZONE)
    low = datetime.combine(start, dtime(0), tzinfo=tz)
    high = datetime.combine(end + timedelta(days=1), dtime(0), tzinfo=tz)
    column = "updated_at" if basis == CHANGED else "registered_at"
    imported = IgrsImportRow.objects.filter(complaint=OuterRef("pk"), outcome=IgrsRowOutcome.IMPORTED)
    refused = ComplaintEvent.objects.filter(complaint=OuterRef("pk"), kind=EventKind.REJECTED).order_by("-at", "-id")
    return (
        complaints.filter(channel=Channel.IGRS, external_ref__isnull=False,
                          **{f"{column}__gte": low, f"{column}__lt": high})
        .select_related("assigned_to", "duplicate_of")
        .annotate(igrs_received=Subquery(imported.values("received_at")[:1]),
                  refusal=Subquery(refused.values("note")[:1]))
        .order_by("registered_at", "pk")
    )


def disposal_row(c: Complaint) -> DisposalRow:
    if c.status in (Status.RESOLVED, Status.CLOSED):
        remarks = c.resolution_remarks
    elif c.status == Status.REJECTED:
        remarks = getattr(c, "refusal", "") or ""
    elif c.status == Status.DUPLICATE and c.duplicate_of is not None:
        remarks = f"दोहरी शिकायत: डॉकेट {c.duplicate_of.docket} पर कार्यवाही"
        if c.duplicate_of.resolution_remarks:
            remarks += f" — {c.duplicate_of.resolution_remarks}"
    elif c.status == Status.ON_HOLD:
        remarks = c.hold_reason
    else:
        remarks = c.resolution_remarks  # a reopened complaint keeps its last remarks
    officer = c.assigned_to.designation_hi or c.assigned_to.designation_en if c.assigned_to else ""
    return DisposalRow(
        reference=c.external_ref or "", docket=c.docket, received=getattr(c, "igrs_received", None),
        registered=c.registered_at, status=IGRS_STATUS.get(c.status, c.status), remarks=remarks,
        resolved=c.resolved_at if c.status in (Status.RESOLVED, Status.CLOSED) else None,
        closed=c.closed_at, officer=officer,
    )


def disposal_rows(queryset: QuerySet[Complaint]) -> Iterator[DisposalRow]:
    for complaint in queryset.iterator(chunk_size=2000):
        yield disposal_row(complaint)


def _local(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M") if moment else ""


def disposal_csv(rows: Iterable[DisposalRow]) -> Iterator[str]:
    """The report as CSV text, a line at a time, starting with a BOM so Excel reads the Hindi as UTF-8."""
    writer = csv.writer(Echo())
    yield "\ufeff" + writer.writerow([title for _key, title in DISPOSAL_COLUMNS])
    for r in rows:
        yield writer.writerow([
            r.reference, r.docket, _local(r.received), _local(r.registered), r.status, csv_safe(r.remarks),
            _local(r.resolved), _local(r.closed), r.officer,
        ])


def disposal_xlsx(rows: Iterable[DisposalRow]) -> bytes:
    """The report as an Excel workbook: dates as Excel dates (city time), references as text."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("निस्तारण आख्या")
    bold = Font(bold=True)
    header = []
    for _key, title in DISPOSAL_COLUMNS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)

    def when(moment):
        if not moment:
            return None
        cell = WriteOnlyCell(sheet, value=timezone.localtime(moment).replace(tzinfo=None))
        cell.number_format = "dd/mm/yyyy hh:mm"
        return cell

    def text(value):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "@"
        return cell

    for r in rows:
        sheet.append([text(r.reference), text(r.docket), when(r.received), when(r.registered), r.status,
                      csv_safe(r.remarks), when(r.resolved), when(r.closed), r.officer])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def add_suggested_mappings() -> list[IgrsCategoryMap]:
    """Create the `SUGGESTED_MAP` entries whose category code this city has and that are not mapped yet."""
    codes = {c.code: c for c in Category.objects.filter(code__in=set(SUGGESTED_MAP.values()), is_active=True)}
    taken = set(IgrsCategoryMap.objects.values_list("key", flat=True))
    made = []
    for igrs_name, code in SUGGESTED_MAP.items():
        if code in codes and match_key(igrs_name) not in taken:
            entry = IgrsCategoryMap(igrs_category=igrs_name, category=codes[code])
            entry.save()
            taken.add(entry.key)
            made.append(entry)
    return made
