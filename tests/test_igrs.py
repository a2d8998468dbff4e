"""IGRS: importing the portal's export files, and the disposal report that goes back to it.

The test city (conftest) has wards 1 Colonelganj, 2 Katra, 3 Mumfordganj and 4 Naini, and the categories
garbage and sweeping (Sanitation) and sewer (Jal Kal). The shipped samples in docs/samples are imported
into the demo city, whose wards and categories they name.
"""
from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from datetime import datetime, timedelta
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from nagar_nigam_cc.complaints import actions, dockets
from nagar_nigam_cc.complaints.models import Channel, Complaint
from nagar_nigam_cc.directory.models import Category
from nagar_nigam_cc.intake import igrs
from nagar_nigam_cc.intake.models import CallCentre, IgrsCategoryMap, IgrsImport, IgrsImportRow, IgrsRowOutcome
from tests.conftest import PASSWORD, photo_upload

SAMPLES = Path(__file__).resolve().parents[1] / "docs" / "samples"
IST = ZoneInfo("Asia/Kolkata")
HEADER_HI = ["संदर्भ संख्या", "प्राप्ति दिनांक", "शिकायतकर्ता का नाम", "मोबाइल नंबर", "शिकायत की श्रेणी", "वार्ड",
             "मोहल्ला", "पता", "शिकायत का विवरण", "निस्तारण की अंतिम तिथि", "संलग्नक"]
HEADER_EN = ["Reference No", "Date Received", "Complainant Name", "Mobile No", "Category", "Ward", "Mohalla",
             "Address", "Description", "Due Date", "Attachment URL"]

GARBAGE_IN_KATRA = ["40018726010001", "12/01/2026 10:35", "रमेश चंद्र यादव", "9839012345", "सफाई/कूड़ा", "2",
                    "कटरा बाज़ार", "नेतराम चौराहा के पास", "तीन दिन से कूड़ा नहीं उठा है, सड़क पर फैल रहा है।",
                    "15/01/2026", "https://jansunwai.up.nic.in/a/40018726010001.jpg"]
SWEEPING_IN_COLONELGANJ = ["40018726010002", "12/01/2026 11:02", "Sunita Devi", "+91 94150 23456", "सफाई/झाड़ू",
                           "वार्ड १", "", "Bank Road", "No sweeping in our lane for a week.", "19/01/2026", ""]
SEWER_BY_LOCALITY = ["40018726010003", "13-01-2026 09:15", "Mohd. Arif", "07007123456", "सीवर", "",
                     "नैनी बाज़ार", "", "सीवर चार दिन से ओवरफ्लो हो रहा है।", "", ""]
GOOD_ROWS = [GARBAGE_IN_KATRA, SWEEPING_IN_COLONELGANJ, SEWER_BY_LOCALITY]


def igrs_file(rows, *, header=HEADER_HI, encoding="utf-8", delimiter=",", above=()) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    for line in above:
        writer.writerow(line)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_file(rows, *, header=HEADER_EN, above=()) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for line in above:
        sheet.append(line)
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def igrs_city(city, officer, outsider):
    """The test city with IGRS's names for its categories, and a locality in Naini."""
    for name, category in (("सफाई/कूड़ा", city.garbage), ("सफाई/झाड़ू", city.sweeping), ("सीवर", city.sewer)):
        IgrsCategoryMap.objects.create(igrs_category=name, category=category)
    naini = city.wards[4]
    naini.localities = "नैनी बाज़ार\nNaini Bazaar\nनैनी रेलवे स्टेशन"
    naini.save()
    return city


def import_bytes(data: bytes, actor=None, name="igrs.csv") -> IgrsImport:
    batch = igrs.start_import(igrs.read_file(data, name), file_name=name, actor=actor)
    igrs.import_pending(batch, actor=actor)
    batch.refresh_from_db()
    return batch


def outcomes(batch: IgrsImport) -> dict[int, str]:
    return dict(batch.rows.values_list("row_number", "outcome"))


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    client.cookies["django_language"] = "en"
    return client


# --- importing --------------------------------------------------------------------------------------------------

def test_each_good_row_becomes_an_igrs_complaint_with_its_category_ward_mobile_and_reference(igrs_city, officer,
                                                                                              outsider):
    batch = import_bytes(igrs_file(GOOD_ROWS))
    assert outcomes(batch) == {2: "imported", 3: "imported", 4: "imported"}
    garbage = Complaint.objects.get(external_ref="40018726010001")
    assert (garbage.channel, garbage.category, garbage.ward.number) == (Channel.IGRS, igrs_city.garbage, 2)
    assert garbage.citizen.mobile == "+919839012345" and garbage.citizen.name == "रमेश चंद्र यादव"
    assert garbage.assigned_to == officer and garbage.registered_by is None
    assert garbage.description.startswith("[IGRS 40018726010001] तीन दिन से कूड़ा नहीं उठा है")
    assert "15-01-2026" in garbage.description and "40018726010001.jpg" in garbage.description
    assert garbage.address == "कटरा बाज़ार, नेतराम चौराहा के पास"
    sweeping = Complaint.objects.get(external_ref="40018726010002")
    assert (sweeping.category, sweeping.ward.number) == (igrs_city.sweeping, 1)  # "वार्ड १": Devanagari digits
    assert sweeping.citizen.mobile == "+919415023456"
    sewer = Complaint.objects.get(external_ref="40018726010003")
    assert (sewer.category, sewer.ward.number, sewer.assigned_to) == (igrs_city.sewer, 4, outsider)  # by locality
    row = batch.rows.get(row_number=2)
    assert row.complaint == garbage and row.received_at == datetime(2026, 1, 12, 10, 35, tzinfo=IST)
    assert row.due_at == datetime(2026, 1, 15, tzinfo=IST)
    assert batch.counts["imported"] == 3 and batch.finished_at is not None


def test_reimporting_the_same_file_imports_nothing_and_reports_every_row_already_imported(igrs_city):
    data = igrs_file(GOOD_ROWS)
    first = import_bytes(data)
    numbers = dict(first.rows.values_list("reference", "complaint__docket"))
    second = import_bytes(data)
    assert Complaint.objects.count() == 3
    assert outcomes(second) == {2: "already", 3: "already", 4: "already"}
    for row in second.rows.all():
        assert row.complaint.docket == numbers[row.reference]
        assert row.message == f"already imported as docket {dockets.spoken(row.complaint.docket)}"
    assert second.counts == {**{o: 0 for o in IgrsRowOutcome.values}, "already": 3}


def test_the_same_reference_twice_in_one_file_is_imported_once(igrs_city):
    batch = import_bytes(igrs_file([GARBAGE_IN_KATRA, SWEEPING_IN_COLONELGANJ, GARBAGE_IN_KATRA]))
    assert outcomes(batch) == {2: "imported", 3: "imported", 4: "already"}
    assert Complaint.objects.filter(external_ref=GARBAGE_IN_KATRA[0]).count() == 1
    assert "row 2" in batch.rows.get(row_number=4).message


def test_broken_rows_are_reported_with_their_row_numbers_while_the_good_rows_import(igrs_city):
    no_reference = ["", *GARBAGE_IN_KATRA[1:]]
    excel_number = ["4.00187E+13", *GARBAGE_IN_KATRA[1:]]
    bad_date = ["40018726010010", "31/02/2026", *GARBAGE_IN_KATRA[2:]]
    no_description = ["40018726010011", *GARBAGE_IN_KATRA[1:8], "", *GARBAGE_IN_KATRA[9:]]
    data = igrs_file([GARBAGE_IN_KATRA, no_reference, excel_number, bad_date, no_description,
                      SWEEPING_IN_COLONELGANJ])
    # A row with an unquoted comma: one cell too many.
    data += "40018726010012,12/01/2026,Ram,9839012399,सफाई/कूड़ा,2,,,कूड़ा, बहुत बदबू,,\r\n".encode()
    batch = import_bytes(data)
    assert outcomes(batch) == {2: "imported", 3: "broken", 4: "broken", 5: "broken", 6: "broken", 7: "imported",
                               8: "broken"}
    why = dict(batch.rows.values_list("row_number", "message"))
    assert why[3] == "no reference number"
    assert "turned into a number by Excel" in why[4]
    assert "“31/02/2026”" in why[5] and "not a date" in why[5]
    assert why[6] == "no description"
    assert "12 cells where the header has 11" in why[8]
    assert Complaint.objects.count() == 2
    assert batch.rows.get(row_number=8).data["reference"] == "40018726010012"  # the row is kept as read


def test_a_quotation_mark_never_closed_is_reported_with_the_lines_it_swallowed(igrs_city):
    good = igrs_file([GARBAGE_IN_KATRA])
    tail = ('40018726010020,12/01/2026,Ram,9839012346,सफाई/कूड़ा,2,,,"कूड़ा नहीं उठा,15/01/2026,\r\n'
            '40018726010021,12/01/2026,Shyam,9839012347,सफाई/कूड़ा,2,,,कूड़ा पड़ा है,15/01/2026,\r\n'
            '40018726010022,12/01/2026,Mohan,9839012348,सफाई/कूड़ा,2,,,कूड़ा पड़ा है,15/01/2026,\r\n')
    batch = import_bytes(good + tail.encode())
    assert outcomes(batch) == {2: "imported", 3: "broken"}
    assert "lines 3–5" in batch.rows.get(row_number=3).message
    assert "quotation mark is not closed" in batch.rows.get(row_number=3).message
    assert Complaint.objects.count() == 1


def test_a_bad_mobile_is_reported_and_not_imported(igrs_city):
    masked = ["40018726010030", *GARBAGE_IN_KATRA[1:3], "98XXXXXX45", *GARBAGE_IN_KATRA[4:]]
    landline = ["40018726010031", *GARBAGE_IN_KATRA[1:3], "0532 2400000", *GARBAGE_IN_KATRA[4:]]
    empty = ["40018726010032", *GARBAGE_IN_KATRA[1:3], "", *GARBAGE_IN_KATRA[4:]]
    excel = ["40018726010033", *GARBAGE_IN_KATRA[1:3], "9.83901E+09", *GARBAGE_IN_KATRA[4:]]
    batch = import_bytes(igrs_file([masked, landline, empty, excel]))
    assert set(outcomes(batch).values()) == {"bad_mobile"}
    why = dict(batch.rows.values_list("row_number", "message"))
    assert "98XXXXXX45" in why[2] and "not a phone number" in why[2]
    assert "not a mobile number" in why[3]
    assert why[4] == "no mobile number"
    assert "turned into a number by Excel" in why[5]
    assert not Complaint.objects.exists()


def test_an_unmapped_category_is_reported_and_imports_once_it_is_mapped(igrs_city):
    encroachment = ["40018726010040", *GARBAGE_IN_KATRA[1:4], "अतिक्रमण", *GARBAGE_IN_KATRA[5:]]
    data = igrs_file([encroachment, GARBAGE_IN_KATRA])
    first = import_bytes(data)
    assert outcomes(first) == {2: "unmapped", 3: "imported"}
    assert first.rows.get(row_number=2).message == (
        "IGRS category “अतिक्रमण” is not mapped to one of ours: add it to the IGRS category map")
    IgrsCategoryMap.objects.create(igrs_category="अतिक्रमण", category=igrs_city.sweeping)
    second = import_bytes(data)
    assert outcomes(second) == {2: "imported", 3: "already"}
    assert Complaint.objects.get(external_ref="40018726010040").category == igrs_city.sweeping


def test_a_category_mapped_to_one_no_longer_in_use_is_reported(igrs_city):
    Category.objects.filter(pk=igrs_city.garbage.pk).update(is_active=False)
    batch = import_bytes(igrs_file([GARBAGE_IN_KATRA]))
    assert outcomes(batch) == {2: "unmapped"}
    assert "no longer in use" in batch.rows.get().message


def test_without_a_mapping_our_category_names_and_keywords_are_matched(igrs_city):
    Category.objects.filter(pk=igrs_city.sewer.pk).update(keywords="sewer, manhole, सीवर, गटर")
    IgrsCategoryMap.objects.all().delete()
    by_name = ["40018726010050", *GARBAGE_IN_KATRA[1:4], "कूडा नहीं उठा", *GARBAGE_IN_KATRA[5:]]  # no nukta
    by_keyword = ["40018726010051", *GARBAGE_IN_KATRA[1:4], "Manhole / गटर", *GARBAGE_IN_KATRA[5:]]
    nothing = ["40018726010052", *GARBAGE_IN_KATRA[1:4], "पार्क", *GARBAGE_IN_KATRA[5:]]
    batch = import_bytes(igrs_file([by_name, by_keyword, nothing]))
    assert outcomes(batch) == {2: "imported", 3: "imported", 4: "unmapped"}
    assert Complaint.objects.get(external_ref="40018726010050").category == igrs_city.garbage
    assert Complaint.objects.get(external_ref="40018726010051").category == igrs_city.sewer


def test_an_igrs_category_that_fits_two_of_ours_is_not_guessed(igrs_city):
    Category.objects.filter(pk=igrs_city.garbage.pk).update(keywords="सफाई, कूड़ा")
    Category.objects.filter(pk=igrs_city.sweeping.pk).update(keywords="सफाई, झाड़ू")
    both = ["40018726010055", *GARBAGE_IN_KATRA[1:4], "सफाई व्यवस्था", *GARBAGE_IN_KATRA[5:]]
    batch = import_bytes(igrs_file([both]))
    assert outcomes(batch) == {2: "unmapped"}
    assert "could be any of" in batch.rows.get().message


def test_wards_are_found_by_number_name_or_locality_and_an_unknown_one_is_reported(igrs_city):
    def at(ref, ward, mohalla="", address=""):
        return [ref, "12/01/2026", "Ram", "9839012345", "सफाई/कूड़ा", ward, mohalla, address, "कूड़ा", "", ""]

    rows = [
        at("40018726010060", "Ward No. 3"),
        at("40018726010061", "कर्नलगंज"),
        at("40018726010062", "", "", "House 12, near Naini Railway Station"),
        at("40018726010063", "वार्ड 140"),
        at("40018726010064", "", "Civil Lines"),
        at("40018726010065", "वार्ड सं. मम्फोर्डगंज"),
    ]
    batch = import_bytes(igrs_file(rows))
    assert outcomes(batch) == {2: "imported", 3: "imported", 4: "imported", 5: "unknown_ward", 6: "unknown_ward",
                               7: "imported"}
    assert Complaint.objects.get(external_ref="40018726010060").ward.number == 3
    assert Complaint.objects.get(external_ref="40018726010061").ward.number == 1
    assert Complaint.objects.get(external_ref="40018726010062").ward.number == 4
    assert Complaint.objects.get(external_ref="40018726010065").ward.number == 3
    why = dict(batch.rows.values_list("row_number", "message"))
    assert why[5] == "there is no ward 140"
    assert "Civil Lines" in why[6]


def test_every_problem_of_a_row_is_named_so_one_correction_fixes_it(igrs_city):
    row = ["40018726010070", "12/01/2026", "Ram", "12345", "अतिक्रमण", "वार्ड 140", "", "", "कूड़ा", "", ""]
    batch = import_bytes(igrs_file([row]))
    record = batch.rows.get()
    assert record.outcome == "bad_mobile"
    assert "“12345”" in record.message and "अतिक्रमण" in record.message and "no ward 140" in record.message


def test_do_import_igrs_on_its_own_reports_an_existing_reference_as_already_imported(igrs_city):
    parsed = igrs.read_file(igrs_file([GARBAGE_IN_KATRA]))
    categories, wards = igrs.CategoryIndex.load(), igrs.WardIndex.load()
    first = igrs.do_import_igrs(parsed.rows[0], actor=None, categories=categories, wards=wards)
    second = igrs.do_import_igrs(parsed.rows[0], actor=None, categories=categories, wards=wards)
    assert first.outcome == "imported" and second.outcome == "already"
    assert second.docket == first.docket
    assert Complaint.objects.count() == 1


def test_an_officer_cannot_import(igrs_city, outsider):
    from django.core.exceptions import PermissionDenied

    parsed = igrs.read_file(igrs_file([GARBAGE_IN_KATRA]))
    with pytest.raises(PermissionDenied):
        igrs.do_import_igrs(parsed.rows[0], actor=outsider.user, categories=igrs.CategoryIndex.load(),
                            wards=igrs.WardIndex.load())
    assert not Complaint.objects.exists()


def test_an_import_can_stop_half_way_and_carry_on(igrs_city, agent):
    batch = igrs.start_import(igrs.read_file(igrs_file(GOOD_ROWS)), file_name="igrs.csv", actor=agent)
    counts = igrs.import_pending(batch, actor=agent, limit=1)
    assert counts["imported"] == 1 and counts["pending"] == 2
    batch.refresh_from_db()
    assert batch.finished_at is None
    counts = igrs.import_pending(batch, actor=agent)
    assert counts["imported"] == 3 and counts["pending"] == 0
    assert Complaint.objects.filter(registered_by=agent).count() == 3


# --- encodings and formats ------------------------------------------------------------------------------------

def test_a_utf8_file_with_a_bom_is_read(igrs_city):
    batch = import_bytes(b"\xef\xbb\xbf" + igrs_file(GOOD_ROWS))
    assert batch.encoding == "utf-8-sig" and batch.counts["imported"] == 3
    assert batch.report["columns"]["reference"] == "संदर्भ संख्या"


def test_excels_unicode_text_utf16_with_tabs_is_read(igrs_city):
    data = igrs_file(GOOD_ROWS, delimiter="\t", encoding="utf-16")  # Python writes the BOM, as Excel does
    assert data[:2] == b"\xff\xfe"
    batch = import_bytes(data, name="igrs.txt")
    assert batch.encoding == "utf-16" and batch.counts["imported"] == 3
    assert Complaint.objects.get(external_ref="40018726010001").citizen.name == "रमेश चंद्र यादव"


def test_a_utf16_file_without_its_bom_is_read(igrs_city):
    batch = import_bytes(igrs_file(GOOD_ROWS, delimiter="\t", encoding="utf-16-le"))
    assert batch.encoding == "utf-16-le" and batch.counts["imported"] == 3


def test_an_english_file_saved_by_excel_as_windows_1252_is_read(igrs_city):
    row = ["40018726010080", "12/01/2026", "Priya Singh", "9936123456", "सफाई/झाड़ू", "1", "", "Bank Road",
           "Sweeper didn’t come – lane is dirty", "", ""]
    data = igrs_file([row], header=HEADER_EN).replace("सफाई/झाड़ू".encode(), b"Sweeping not done")
    encoded = data.decode("utf-8").encode("cp1252")
    batch = import_bytes(encoded)
    assert batch.encoding == "cp1252"
    assert Complaint.objects.get().description == (
        "[IGRS 40018726010080] Sweeper didn’t come – lane is dirty\n\nप्राप्त/received 12-01-2026")


@pytest.mark.parametrize("garble", ["utf8-read-as-latin1", "utf8-read-as-cp1252", "utf8-damaged"])
def test_a_file_whose_hindi_was_garbled_by_an_encoding_is_refused_and_nothing_is_imported(igrs_city, garble):
    text = igrs_file(GOOD_ROWS).decode("utf-8")
    if garble == "utf8-read-as-latin1":  # opened as Latin-1, saved back as UTF-8
        data = text.encode("utf-8").decode("latin-1").encode("utf-8")
    elif garble == "utf8-read-as-cp1252":
        data = text.encode("utf-8").decode("cp1252", errors="replace").encode("utf-8")
    else:  # not valid UTF-8 any more (one byte lost): read as Windows-1252, the Hindi shows as "à¤…"
        data = text.encode("utf-8").replace("नहीं".encode(), "नहीं".encode()[1:], 1)
    with pytest.raises(igrs.IgrsFileError) as refused:
        igrs.read_file(data, "igrs.csv")
    message = str(refused.value)
    assert "The Hindi in this file is garbled" in message and "Nothing was imported" in message
    assert "row 1" in message and "à¤" in message  # where, and what it looks like
    assert not IgrsImport.objects.exists() and not Complaint.objects.exists()


def test_a_file_whose_hindi_became_question_marks_is_refused(igrs_city):
    data = igrs_file(GOOD_ROWS).decode("utf-8").encode("cp1252", errors="replace")
    with pytest.raises(igrs.IgrsFileError, match="replaced by question marks"):
        igrs.read_file(data, "igrs.csv")


def test_an_xlsx_export_with_title_rows_number_cells_and_date_cells_is_read(igrs_city):
    rows = []
    for row in GOOD_ROWS:
        row = list(row)
        row[0] = int(row[0])  # Excel keeps a long number as a number
        row[1] = datetime(2026, 1, 12, 10, 35)
        row[3] = float(row[3].replace(" ", "").replace("+91", "")) if row[3][0] == "9" else row[3]
        row[9] = datetime(2026, 1, 20) if row[9] else None
        rows.append(row)
    data = xlsx_file(rows, above=[["जनसुनवाई – समन्वित शिकायत निवारण प्रणाली"], []])
    batch = import_bytes(data, name="igrs.xlsx")
    assert batch.file_format == "xlsx" and batch.report["header_row"] == 3
    assert outcomes(batch) == {4: "imported", 5: "imported", 6: "imported"}
    garbage = Complaint.objects.get(external_ref="40018726010001")
    assert garbage.citizen.mobile == "+919839012345"
    assert batch.rows.get(row_number=4).due_at == datetime(2026, 1, 20, tzinfo=IST)


@pytest.mark.parametrize(("data", "expected"), [
    (b"", "The file is empty"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old Excel file (.xls)"),
    (b"<html><body><table><tr><td>1</td></tr></table></body></html>", "web page (HTML)"),
    (b"PK\x03\x04 not really a zip", "not a readable Excel workbook"),
    ("Name,Mobile\nRam,9839012345\n".encode(), "Required columns are missing: संदर्भ संख्या"),
    ("Naam,Phone number\nRam,9839012345\n".encode(), "No header row was found"),
])
def test_files_that_cannot_be_imported_say_why(db, data, expected):
    with pytest.raises(igrs.IgrsFileError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        igrs.read_file(data, "igrs.csv")


def test_a_missing_required_column_is_reported_before_anything_is_imported(igrs_city):
    header = [h for h in HEADER_HI if h != "मोबाइल नंबर"]
    rows = [[v for i, v in enumerate(r) if i != 3] for r in GOOD_ROWS]
    with pytest.raises(igrs.IgrsFileError) as refused:
        igrs.read_file(igrs_file(rows, header=header))
    assert "Required columns are missing: मोबाइल नंबर (Mobile No)" in str(refused.value)
    assert not Complaint.objects.exists()


_CSV_BITS = list(',"\n\r\t;?à¤ab19 ९कूड़ा\x00\x85') + ["40018726010001", "9839012345", "12/01/2026"]


@settings(max_examples=300, deadline=None)
@given(st.one_of(
    st.binary(max_size=2000),
    st.lists(st.sampled_from(_CSV_BITS), max_size=200).map(lambda bits: igrs_file([]) + "".join(bits).encode()),
    st.lists(st.sampled_from(_CSV_BITS), max_size=200).map(
        lambda bits: igrs_file([], delimiter="\t", encoding="utf-16") + "".join(bits).encode("utf-16-le")),
))
def test_any_bytes_are_read_or_refused_with_a_reason_never_a_crash(data):
    try:
        parsed = igrs.read_file(data, "igrs.csv")
    except igrs.IgrsFileError as refused:
        assert str(refused)
    else:
        assert all(row.number > parsed.header.row_number for row in parsed.rows)


def test_bilingual_headers_are_read():
    header = [f"{hi} / {en}" for hi, en in zip(HEADER_HI, HEADER_EN)]
    table = igrs.read_table(igrs_file(GOOD_ROWS, header=header))
    assert set(igrs.find_header(table).columns) == {c.field for c in igrs.COLUMNS}


@pytest.mark.parametrize(("text", "expected"), [
    ("12/01/2026", datetime(2026, 1, 12, tzinfo=IST)),
    ("12-01-2026 10:35", datetime(2026, 1, 12, 10, 35, tzinfo=IST)),
    ("12.01.2026 10:35:20", datetime(2026, 1, 12, 10, 35, 20, tzinfo=IST)),
    ("12/01/2026 02:05 PM", datetime(2026, 1, 12, 14, 5, tzinfo=IST)),
    ("12-Jan-2026", datetime(2026, 1, 12, tzinfo=IST)),
    ("2026-01-12 10:35:00", datetime(2026, 1, 12, 10, 35, tzinfo=IST)),
    ("१२/०१/२०२६", datetime(2026, 1, 12, tzinfo=IST)),
    ("46034", datetime(2026, 1, 12, tzinfo=IST)),  # an Excel serial number
    ("", None),
])
def test_dates_are_read_day_first(text, expected):
    assert igrs.parse_date(text, IST) == expected


@pytest.mark.parametrize("text", ["31/02/2026", "12/13/2026", "tomorrow", "12/01/1890", "13:00 PM 12/01/2026"])
def test_what_is_not_a_date_is_refused(text):
    with pytest.raises(ValueError):
        igrs.parse_date(text, IST)


def test_match_keys_ignore_spaces_case_punctuation_and_the_nukta():
    assert igrs.match_key("सफाई / कूड़ा") == igrs.match_key("सफाई/कूडा") == "सफाई कूडा"
    assert igrs.match_key("  Street-Light ") == "street light"


def test_the_same_igrs_category_cannot_be_mapped_twice(igrs_city):
    from django.core.exceptions import ValidationError

    entry = IgrsCategoryMap(igrs_category="सफाई / कूडा", category=igrs_city.sweeping)
    with pytest.raises(ValidationError, match="already mapped"):
        entry.full_clean()


# --- the shipped samples, into the demo city -------------------------------------------------------------------

@pytest.fixture
def demo_city(db):
    call_command("load_demo_city", complaints=0, verbosity=0, stdout=StringIO())
    igrs.add_suggested_mappings()


def test_the_sample_files_import_into_the_demo_city(demo_city):
    batch = import_bytes((SAMPLES / "igrs-sample.csv").read_bytes(), name="igrs-sample.csv")
    assert batch.counts["imported"] == 12 and batch.rows_total == 12
    expected = {  # reference → (category code, ward number, mobile)
        "40018726012345": ("garbage", 51, "+919839012345"),
        "40018726012346": ("streetlight", 2, "+919415023456"),
        "40018726012347": ("sewer-choked", 11, "+918765432109"),
        "40018726012348": ("no-water", 79, "+917007123456"),
        "40018726012351": ("drain-blocked", 9, "+918299123456"),
        "40018726012355": ("sweeping", 55, "+919889123456"),
    }
    for reference, (code, ward, mobile) in expected.items():
        complaint = Complaint.objects.select_related("category", "ward", "citizen").get(external_ref=reference)
        assert (complaint.category.code, complaint.ward.number, complaint.citizen.mobile) == (code, ward, mobile)
        assert complaint.channel == Channel.IGRS and complaint.assigned_to is not None
    again = import_bytes((SAMPLES / "igrs-sample.xlsx").read_bytes(), name="igrs-sample.xlsx")
    assert again.report["header_row"] == 3 and again.counts["already"] == 12
    assert Complaint.objects.count() == 12


def test_the_broken_sample_reports_each_kind_of_problem_on_its_row(demo_city):
    import_bytes((SAMPLES / "igrs-sample.csv").read_bytes())
    batch = import_bytes((SAMPLES / "igrs-broken.csv").read_bytes(), name="igrs-broken.csv")
    assert outcomes(batch) == {2: "imported", 3: "bad_mobile", 4: "unmapped", 5: "unknown_ward", 6: "broken",
                               7: "broken", 8: "broken", 9: "broken", 10: "already", 11: "already"}


# --- the disposal report --------------------------------------------------------------------------------------

@pytest.fixture
def disposed(igrs_city, officer, head, agent):
    """Three IGRS complaints: one resolved by its officer, one rejected by the head, one left open."""
    import_bytes(igrs_file(GOOD_ROWS))
    garbage = Complaint.objects.get(external_ref="40018726010001")
    sweeping = Complaint.objects.get(external_ref="40018726010002")
    actions.do_resolve(garbage, actor=officer.user, remarks="कूड़ा उठवा दिया गया, फोटो संलग्न।", photo=photo_upload())
    actions.do_reject(sweeping, actor=head.user, reason="निजी भूमि, नगर निगम से सम्बंधित नहीं")
    return igrs_city


def export(basis=igrs.RECEIVED):
    today = timezone.localdate()
    return igrs.disposal_queryset(Complaint.objects.all(), today - timedelta(days=1), today, basis)


def test_the_disposal_report_csv_carries_the_igrs_status_words_and_the_resolution_remarks(disposed):
    text = "".join(igrs.disposal_csv(igrs.disposal_rows(export())))
    assert text.startswith("\ufeffसंदर्भ संख्या,")
    rows = {r["संदर्भ संख्या"]: r for r in csv.DictReader(io.StringIO(text.lstrip("\ufeff")))}
    assert set(rows) == {"40018726010001", "40018726010002", "40018726010003"}
    resolved = rows["40018726010001"]
    assert resolved["स्थिति"] == "निस्तारित"
    assert resolved["निस्तारण आख्या"] == "कूड़ा उठवा दिया गया, फोटो संलग्न।"
    assert resolved["प्राप्ति दिनांक"] == "12/01/2026 10:35"
    assert resolved["निस्तारण दिनांक"] and resolved["निस्तारणकर्ता अधिकारी का पदनाम"] == "Sanitary Inspector"
    assert resolved["नगर निगम डॉकेट संख्या"] == Complaint.objects.get(external_ref="40018726010001").docket
    assert rows["40018726010002"]["स्थिति"] == "अस्वीकृत"
    assert rows["40018726010002"]["निस्तारण आख्या"] == "निजी भूमि, नगर निगम से सम्बंधित नहीं"
    assert rows["40018726010003"]["स्थिति"] == "लंबित" and rows["40018726010003"]["निस्तारण दिनांक"] == ""


def test_the_disposal_report_xlsx_round_trips(disposed):
    book = openpyxl.load_workbook(io.BytesIO(igrs.disposal_xlsx(igrs.disposal_rows(export()))), read_only=True)
    values = list(book.worksheets[0].iter_rows(values_only=True))
    assert values[0][0] == "संदर्भ संख्या" and len(values) == 4
    by_ref = {row[0]: row for row in values[1:]}
    assert by_ref["40018726010001"][4] == "निस्तारित" and by_ref["40018726010001"][5].startswith("कूड़ा उठवा")
    assert by_ref["40018726010001"][2] == datetime(2026, 1, 12, 10, 35)
    assert by_ref["40018726010003"][4] == "लंबित"


def test_the_disposal_report_only_holds_igrs_complaints_of_the_period(disposed, register, agent):
    register(disposed.garbage, disposed.wards[1])  # a phone complaint: not IGRS's
    assert export().count() == 3
    long_ago = timezone.localdate() - timedelta(days=30)
    assert igrs.disposal_queryset(Complaint.objects.all(), long_ago, long_ago).count() == 0


def test_spreadsheet_formulas_in_remarks_are_neutralised(igrs_city, officer):
    import_bytes(igrs_file([SWEEPING_IN_COLONELGANJ]))
    actions.do_resolve(Complaint.objects.get(), actor=officer.user, remarks="=HYPERLINK(\"http://x\")")
    text = "".join(igrs.disposal_csv(igrs.disposal_rows(export())))
    assert "'=HYPERLINK" in text


# --- the desk -------------------------------------------------------------------------------------------------

UPLOAD = "admin:intake_igrsimport_upload"
DISPOSAL = "admin:intake_igrsimport_disposal_report"


def test_an_agent_uploads_a_file_reads_the_report_and_imports_with_the_progress_bar(client, igrs_city, agent):
    login(client, agent)
    bad = ["40018726010090", *GARBAGE_IN_KATRA[1:3], "98XXXXXX45", *GARBAGE_IN_KATRA[4:]]
    upload = SimpleUploadedFile("igrs-12-01.csv", igrs_file([*GOOD_ROWS, bad]), content_type="text/csv")
    response = client.post(reverse(UPLOAD), {"file": upload})
    batch = IgrsImport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("admin:intake_igrsimport_change",
                                                                           args=[batch.pk])
    assert not Complaint.objects.exists()  # read and checked, nothing registered yet
    page = client.get(response["Location"]).content.decode()
    assert 'id="igrs-progress"' in page and "Import 3 complaints" in page
    assert 'data-row="5" data-outcome="bad_mobile"' in page and "98XXXXXX45" in page
    progress = client.post(reverse("admin:intake_igrsimport_run", args=[batch.pk]), HTTP_ACCEPT="application/json")
    assert progress.json() == {"total": 4, "done": 4, "pending": 0, "counts": {
        **{o: 0 for o in IgrsRowOutcome.values}, "imported": 3, "bad_mobile": 1}}
    assert Complaint.objects.filter(registered_by=agent, channel=Channel.IGRS).count() == 3
    page = client.get(reverse("admin:intake_igrsimport_change", args=[batch.pk])).content.decode()
    assert 'id="igrs-progress"' not in page
    for complaint in Complaint.objects.all():
        assert dockets.spoken(complaint.docket) in page
    problems = client.get(reverse("admin:intake_igrsimport_change", args=[batch.pk]) + "?outcome=problems")
    assert [row.row_number for row in problems.context["page"]] == [5]


def test_without_javascript_import_posts_once_and_comes_back_to_the_report(client, igrs_city, agent):
    login(client, agent)
    client.post(reverse(UPLOAD), {"file": SimpleUploadedFile("igrs.csv", igrs_file(GOOD_ROWS))})
    batch = IgrsImport.objects.get()
    response = client.post(reverse("admin:intake_igrsimport_run", args=[batch.pk]))
    assert response.status_code == 302
    assert Complaint.objects.count() == 3


def test_an_unreadable_file_is_refused_on_the_upload_page_with_the_reason(client, igrs_city, agent):
    login(client, agent)
    garbled = igrs_file(GOOD_ROWS).decode("utf-8").encode("utf-8").decode("latin-1").encode("utf-8")
    response = client.post(reverse(UPLOAD), {"file": SimpleUploadedFile("igrs.csv", garbled)})
    assert response.status_code == 200
    assert "The Hindi in this file is garbled" in response.content.decode()
    assert not IgrsImport.objects.exists()


@pytest.mark.parametrize("who", ["agent", "commissioner"])
def test_agents_and_the_commissioner_may_import(client, igrs_city, who, request):
    login(client, request.getfixturevalue(who))
    assert client.get(reverse(UPLOAD)).status_code == 200
    assert client.get(reverse("admin:intake_igrsimport_changelist")).status_code == 200


def test_an_outsider_officer_may_not_import_or_read_imports(client, igrs_city, outsider, agent):
    batch = igrs.start_import(igrs.read_file(igrs_file(GOOD_ROWS)), file_name="igrs.csv", actor=agent)
    login(client, outsider.user)
    assert client.get(reverse(UPLOAD)).status_code == 403
    upload = SimpleUploadedFile("igrs.csv", igrs_file(GOOD_ROWS))
    assert client.post(reverse(UPLOAD), {"file": upload}).status_code == 403
    assert client.post(reverse("admin:intake_igrsimport_run", args=[batch.pk])).status_code == 403
    assert client.get(reverse("admin:intake_igrsimport_change", args=[batch.pk])).status_code == 403
    assert client.get(reverse(DISPOSAL)).status_code == 403
    assert IgrsImport.objects.count() == 1 and not Complaint.objects.exists()


def test_an_auditor_reads_reports_but_may_not_import(client, igrs_city, auditor, agent):
    batch = igrs.start_import(igrs.read_file(igrs_file(GOOD_ROWS)), file_name="igrs.csv", actor=agent)
    login(client, auditor)
    assert client.get(reverse("admin:intake_igrsimport_change", args=[batch.pk])).status_code == 200
    assert "Import 3 complaints" not in client.get(
        reverse("admin:intake_igrsimport_change", args=[batch.pk])).content.decode()
    assert client.get(reverse(UPLOAD)).status_code == 403
    assert client.post(reverse("admin:intake_igrsimport_run", args=[batch.pk])).status_code == 403


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_disposal_report_downloads_from_the_desk(client, disposed, agent, file_format):
    login(client, agent)
    today = timezone.localdate()
    response = client.get(reverse(DISPOSAL), {"start": (today - timedelta(days=1)).isoformat(),
                                              "end": today.isoformat(), "basis": "received",
                                              "file_format": file_format})
    assert response.status_code == 200
    assert f'.{file_format}"' in response["Content-Disposition"]
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if file_format == "csv":
        assert body.startswith(b"\xef\xbb\xbf") and "निस्तारित".encode() in body
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
        assert len(list(sheet.iter_rows(values_only=True))) == 4


def test_the_disposal_form_refuses_an_end_before_its_start(client, disposed, agent):
    login(client, agent)
    response = client.get(reverse(DISPOSAL), {"start": "2026-02-01", "end": "2026-01-01", "basis": "received",
                                              "file_format": "csv"})
    assert response.status_code == 200 and response.context["form"].errors["end"]


def test_the_commissioner_adds_the_suggested_mappings_and_an_agent_may_not(client, demo_city):
    from nagar_nigam_cc.demo.loader import DEFAULT_PASSWORD

    IgrsCategoryMap.objects.all().delete()
    url = reverse("admin:intake_igrscategorymap_add_suggested")
    assert client.login(username="agent", password=DEFAULT_PASSWORD)
    assert client.post(url).status_code == 403
    assert client.login(username="commissioner", password=DEFAULT_PASSWORD)
    assert client.post(url).status_code == 302
    assert IgrsCategoryMap.objects.get(igrs_category="मार्ग प्रकाश").category.code == "streetlight"
    assert client.post(url).status_code == 302  # a second time adds nothing and changes nothing
    assert IgrsCategoryMap.objects.count() == len(igrs.SUGGESTED_MAP)


def test_the_call_centre_page_is_its_one_row(client, commissioner, agent):
    login(client, commissioner)
    response = client.get(reverse("admin:intake_callcentre_changelist"))
    assert response["Location"] == reverse("admin:intake_callcentre_add")
    form = client.get(reverse("admin:intake_callcentre_add")).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    assert client.post(reverse("admin:intake_callcentre_add"), data).status_code == 302
    assert CallCentre.objects.get().pk == 1
    assert client.get(reverse("admin:intake_callcentre_changelist"))["Location"] == reverse(
        "admin:intake_callcentre_change", args=[1])
    assert client.get(reverse("admin:intake_callcentre_add")).status_code == 403  # only one
    login(client, agent)
    assert client.get(reverse("admin:intake_callcentre_change", args=[1])).status_code == 200
    assert client.post(reverse("admin:intake_callcentre_change", args=[1]), data).status_code == 403


# --- the commands ---------------------------------------------------------------------------------------------

def test_a_file_with_nothing_to_import_says_so(client, igrs_city, agent):
    login(client, agent)
    bad = ["40018726010096", *GARBAGE_IN_KATRA[1:3], "98XXXXXX45", *GARBAGE_IN_KATRA[4:]]
    response = client.post(reverse(UPLOAD), {"file": SimpleUploadedFile("igrs.csv", igrs_file([bad]))}, follow=True)
    assert "none of its rows can be imported" in response.content.decode()
    assert 'id="igrs-run"' not in response.content.decode()


def test_the_import_command_dry_run_writes_nothing(igrs_city, tmp_path):
    path = tmp_path / "igrs.csv"
    path.write_bytes(igrs_file(GOOD_ROWS))
    out = StringIO()
    call_command("import_igrs", str(path), "--dry-run", stdout=out, stderr=StringIO())
    assert "would be imported: 3" in out.getvalue()
    assert not IgrsImport.objects.exists() and not Complaint.objects.exists()


def test_the_import_command_imports_as_the_named_user_and_lists_problem_rows(igrs_city, agent, tmp_path):
    bad = ["40018726010095", *GARBAGE_IN_KATRA[1:4], "अतिक्रमण", *GARBAGE_IN_KATRA[5:]]
    path = tmp_path / "igrs.csv"
    path.write_bytes(igrs_file([*GOOD_ROWS, bad]))
    out = StringIO()
    call_command("import_igrs", str(path), "--user", "agent", stdout=out, stderr=StringIO())
    assert "imported: 3" in out.getvalue() and "row 5 40018726010095 — unmapped category" in out.getvalue()
    assert Complaint.objects.filter(registered_by=agent).count() == 3


def test_the_import_command_refuses_an_unreadable_file(igrs_city, tmp_path):
    path = tmp_path / "igrs.csv"
    path.write_bytes(igrs_file(GOOD_ROWS).decode().encode("utf-8").decode("latin-1").encode("utf-8"))
    with pytest.raises(CommandError, match="garbled"):
        call_command("import_igrs", str(path), stdout=StringIO(), stderr=StringIO())
    assert not IgrsImport.objects.exists()


def test_the_export_command_writes_the_report(disposed, tmp_path):
    today = timezone.localdate()
    path = tmp_path / "report.xlsx"
    call_command("export_igrs", "--from", (today - timedelta(days=1)).isoformat(), "--to", today.isoformat(),
                 "-o", str(path), stdout=StringIO(), stderr=StringIO())
    rows = list(openpyxl.load_workbook(path, read_only=True).worksheets[0].iter_rows(values_only=True))
    assert {row[4] for row in rows[1:]} == {"निस्तारित", "अस्वीकृत", "लंबित"}


# --- two imports of one file at once (MariaDB) ------------------------------------------------------------------

@pytest.fixture
def roles_exist(transactional_db):
    """A transactional test's flush can remove the role groups (a data migration makes them); access
    goes by group name, so the names are what the agent needs. (As in test_docket_concurrency.)"""
    from django.contrib.auth.models import Group

    from nagar_nigam_cc.directory import roles

    for name in roles.ALL:
        Group.objects.get_or_create(name=name)


@pytest.mark.mariadb
@pytest.mark.skipif(connection.vendor != "mysql", reason="needs a database shared by several processes (MariaDB)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_four_imports_of_the_same_file_at_once_register_each_reference_once(roles_exist, igrs_city, agent, tmp_path):
    """Four `import_igrs` commands on one file, started together: every reference becomes one complaint;
    each import reports it imported by exactly one of them and already imported by the other three
    (the pre-check, or the unique constraint when two got past it at once)."""
    rows = [[f"400187260{i:05d}", "12/01/2026", f"Caller {i}", f"98390{i:05d}", "सफाई/कूड़ा", str(1 + i % 2), "",
             "", f"कूड़ा नहीं उठा {i}", "", ""] for i in range(150)]
    path = tmp_path / "igrs.csv"
    path.write_bytes(igrs_file(rows))
    db = connection.settings_dict
    env = {**os.environ, "DATABASE_URL": f"mysql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 3306}/"
                                         f"{db['NAME']}",
           "NNC_DATA_DIR": str(tmp_path), "NNC_EMBEDDED_SCHEDULER": "false"}
    manage = Path(__file__).resolve().parents[1] / "manage.py"
    commands = [subprocess.Popen([sys.executable, str(manage), "import_igrs", str(path), "--user", "agent",
                                  "--verbosity", "0"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                for _ in range(4)]
    results = [command.communicate(timeout=300) for command in commands]
    assert [command.returncode for command in commands] == [0] * 4, [err.decode()[-2000:] for _out, err in results]
    assert Complaint.objects.filter(channel=Channel.IGRS).count() == 150
    assert IgrsImport.objects.count() == 4
    for reference in {r[0] for r in rows}:
        outcomes_of_ref = list(IgrsImportRow.objects.filter(reference=reference).values_list("outcome", flat=True))
        assert sorted(outcomes_of_ref) == ["already", "already", "already", "imported"], reference
