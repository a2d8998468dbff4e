"""The citizen's complaint form at /t/new/: no login, a code by SMS to the mobile, then the complaint.

What it must prove: a complaint is registered only with the code sent to the mobile typed, exactly
once however often the form or the code is sent; bad input (a file that is no photo, 50 MB, a place
outside the city) is refused with a clear message and nothing typed is lost; the monthly and hourly
limits hold, and a cache outage does not stop citizens; the pages never show the whole mobile number.

The SMS is not sent: the code is read from the outbox (OutboundMessage.context), where delivery would
find it.
"""
from __future__ import annotations

import io
import logging
import re
import threading
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.core.management import call_command
from django.db import connection, connections
from django.http.multipartparser import MultiPartParser
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from nagar_nigam_cc.complaints import dockets
from nagar_nigam_cc.complaints.actions import NewComplaint, do_register
from nagar_nigam_cc.complaints.models import (
    Attachment, AttachmentKind, Channel, Complaint, ComplaintEvent, EventKind,
)
from nagar_nigam_cc.messaging.models import Event, OutboundMessage
from nagar_nigam_cc.public import verification
from nagar_nigam_cc.public.complain import SCRIPT
from nagar_nigam_cc.public.models import PhoneVerification
from nagar_nigam_cc.public.uploads import OversizedUpload, PhotoSizeLimit
from tests.conftest import photo_upload

IST = ZoneInfo("Asia/Kolkata")
MOBILE = "+919839012345"
TYPED_MOBILE = "98390 12345"


@pytest.fixture(autouse=True)
def _fresh_limits(settings):
    """django-ratelimit counts in the cache (locmem here): each test starts with none counted."""
    settings.NNC_PUBLIC_RATE_PER_IP = "100/h"
    settings.NNC_PHOTO_MAX_BYTES = 10 * 1024 * 1024
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def ghantaghar(city):
    """Ward 2 (Katra) is where people say 'Ghantaghar'; 'Chowk' is a name wards 2 and 3 both use."""
    city.wards[2].localities = "घंटाघर\nGhantaghar\nChowk"
    city.wards[2].save()
    city.wards[3].localities = "Chowk"
    city.wards[3].save()
    return city.wards[2]


def in_english() -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    client.cookies["django_language"] = "en"
    return client


def form_token(client: Client, url: str = "/t/new/") -> str:
    html = client.get(url).content.decode()
    return re.search(r'name="form_token" value="([^"]+)"', html).group(1)


def complaint_form(city, **changes) -> dict:
    data = {
        "category": city.garbage.pk, "ward": city.wards[1].pk, "locality": "",
        "description": "Garbage not lifted for three days near the school gate",
        "address": "14 Lal Bahadur Shastri Marg", "landmark": "behind Hanuman Mandir",
        "latitude": "", "longitude": "", "mobile": TYPED_MOBILE, "name": "Ramprasad Kushwaha", "language": "en",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def send_form(client: Client, city, token: str | None = None, **changes):
    token = token or form_token(client)
    return client.post("/t/new/", {"form_token": token, **complaint_form(city, **changes)})


def codes_to(mobile: str = MOBILE) -> list[str]:
    return [m.context["code"] for m in OutboundMessage.objects.filter(event=Event.OTP, to_mobile=mobile).order_by("id")]


def last_code(mobile: str = MOBILE) -> str:
    return codes_to(mobile)[-1]


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def page(response) -> str:
    html = response.content.decode()
    return html[html.index("<body>"):]


def register_through_the_form(client: Client, city, **changes) -> Complaint:
    response = send_form(client, city, **changes)
    assert response.status_code == 303, page(response)
    response = client.post(response["Location"], {"code": last_code(changes.get("mobile_e164", MOBILE))})
    assert response.status_code == 303
    return Complaint.objects.latest("id")


# --- the whole way -----------------------------------------------------------------------------------------

def test_a_citizen_registers_a_complaint_with_a_photo_and_a_map_pin_by_typing_the_code_sent_to_their_mobile(
    city, officer
):
    client = in_english()
    token = form_token(client)
    response = client.post("/t/new/", {"form_token": token, "photo": photo_upload("IMG_20261128_ramprasad.jpg"),
                                       **complaint_form(city, latitude="25.4358", longitude="81.8463")})

    # Nothing is registered yet: a code is waiting in the outbox for the mobile typed.
    assert response.status_code == 303
    assert response["Location"] == reverse("public:code", args=[token])
    assert Complaint.objects.count() == 0
    sms = OutboundMessage.objects.get(event=Event.OTP)
    assert sms.to_mobile == MOBILE and sms.complaint is None and sms.language == "en"
    code = sms.context["code"]
    assert re.fullmatch(r"\d{6}", code)
    waiting = PhoneVerification.objects.get(token=token)
    assert code not in waiting.code_hash and waiting.code_hash  # kept as a keyed hash, never as typed

    code_page = client.get(response["Location"])
    assert code_page.status_code == 200
    assert "ending in ••••••••45" in page(code_page)
    assert "9839012345" not in code_page.content.decode()

    response = client.post(reverse("public:code", args=[token]), {"code": code})
    assert response.status_code == 303
    assert response["Location"] == reverse("public:registered", args=[token])
    complaint = Complaint.objects.get()
    assert complaint.channel == Channel.WEB and complaint.registered_by is None
    assert complaint.citizen.mobile == MOBILE and complaint.citizen.name == "Ramprasad Kushwaha"
    assert complaint.citizen.language == "en"
    assert complaint.ward == city.wards[1] and complaint.category == city.garbage
    assert (complaint.latitude, complaint.longitude) == (Decimal("25.435800"), Decimal("81.846300"))
    photo = Attachment.objects.get(complaint=complaint)
    assert photo.kind == AttachmentKind.CITIZEN_PHOTO and photo.content_type == "image/jpeg"
    assert photo.event.kind == EventKind.REGISTERED
    assert "ramprasad" not in photo.file.name  # the phone's file name is not kept
    assert default_storage.exists(photo.file.name)
    # The acknowledgement with the docket number, as for any registration.
    assert OutboundMessage.objects.filter(complaint=complaint, event=Event.REGISTERED, to_mobile=MOBILE).exists()

    done = client.get(response["Location"])
    assert done.status_code == 200
    body = page(done)
    assert f'class="docket docket-big">{dockets.spoken(complaint.docket)}<' in body
    assert f'href="{reverse("public:status", args=[complaint.docket])}"' in body


def test_the_form_offers_every_active_category_by_department_and_every_ward(city):
    city.sewer.is_active = False
    city.sewer.save()

    body = page(in_english().get("/t/new/"))

    assert '<optgroup label="Sanitation">' in body
    assert "Garbage not lifted (कूड़ा नहीं उठा)" in body  # the reader's language first, the other beside it
    assert "Sewer choked" not in body
    for ward in city.wards.values():
        assert f'<option value="{ward.pk}">{ward}</option>' in body


def test_the_form_page_is_never_stored_never_indexed_and_runs_only_its_own_inline_script(city):
    import base64
    import hashlib

    response = in_english().get("/t/new/")

    assert response["Cache-Control"] == "no-store"
    assert response["X-Robots-Tag"] == "noindex"
    digest = base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in response["Content-Security-Policy"]
    assert "default-src 'none'" in response["Content-Security-Policy"]
    html = response.content.decode()
    assert f"<script>{SCRIPT}</script>" in html
    assert "http://" not in html and "https://" not in html  # no map tiles, fonts or scripts from elsewhere
    # Without JavaScript the location button stays hidden and the two fields can be typed or left empty.
    assert re.search(r'<button type="button" class="btn btn-plain" id="locate" hidden', html)


def test_the_form_speaks_hindi_unless_the_citizen_switches(city):
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    hindi = client.get("/t/new/").content.decode()
    assert '<html lang="hi">' in hindi
    assert "<h1>शिकायत दर्ज करें</h1>" in hindi and "मेरे मोबाइल पर कोड भेजें" in hindi
    assert 'value="hi" checked' in hindi
    switched = client.get("/t/new/?lang=en")
    assert '<html lang="en">' in switched.content.decode()
    assert 'value="en" checked' in switched.content.decode()  # the SMS language follows


def test_the_form_is_protected_against_cross_site_posts(city, officer):
    client = Client(enforce_csrf_checks=True)

    forged = client.post("/t/new/", {"form_token": verification.new_token(), **complaint_form(city)})
    assert forged.status_code == 403
    assert not OutboundMessage.objects.filter(event=Event.OTP).exists()

    html = client.get("/t/new/").content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    token = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
    sent = client.post("/t/new/", {"csrfmiddlewaretoken": csrf, "form_token": token, **complaint_form(city)})
    assert sent.status_code == 303


# --- the code ---------------------------------------------------------------------------------------------

def test_a_wrong_code_registers_nothing_and_says_how_many_tries_are_left(city, officer):
    client = in_english()
    url = send_form(client, city)["Location"]

    response = client.post(url, {"code": wrong(last_code())})

    assert response.status_code == 400
    assert "That code is not right. You may try 4 more times." in page(response)
    assert Complaint.objects.count() == 0
    assert client.post(url, {"code": "12 34"}).status_code == 400  # not six digits: not even a try
    assert PhoneVerification.objects.get().attempts == 1


def test_the_code_may_be_typed_with_hindi_digits_and_spaces(city, officer):
    client = in_english()
    url = send_form(client, city)["Location"]
    hindi = "".join(chr(0x0966 + int(d)) for d in last_code())

    assert client.post(url, {"code": f" {hindi[:3]} {hindi[3:]} "}).status_code == 303
    assert Complaint.objects.count() == 1


def test_a_code_expires_after_ten_minutes_and_a_new_one_registers_the_complaint_kept_meanwhile(city, officer):
    client = in_english()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        url = send_form(client, city)["Location"]
    first = last_code()

    with time_machine.travel(start + timedelta(minutes=10, seconds=1), tick=False):
        response = client.post(url, {"code": first})
        assert response.status_code == 400
        assert "The code has expired: a code is valid for 10 minutes. Send a new code." in page(response)
        assert Complaint.objects.count() == 0

        assert "The code has expired" in page(client.get(url))  # said before another try is wasted
        again = client.post(reverse("public:resend", args=[url.split("/")[-2]]))
        assert again.status_code == 303 and again["Location"] == url + "?sent=1"
        assert "A new code has been sent." in page(client.get(again["Location"]))
        second = last_code()
        assert client.post(url, {"code": first}).status_code == 400  # the old code is gone
        assert client.post(url, {"code": second}).status_code == 303

    complaint = Complaint.objects.get()
    assert complaint.description == "Garbage not lifted for three days near the school gate"


def test_five_wrong_codes_use_the_code_up_and_then_even_the_right_one_is_refused(city, officer):
    client = in_english()
    url = send_form(client, city)["Location"]
    code = last_code()

    for left in (4, 3, 2, 1):
        assert f"You may try {left} more time" in page(client.post(url, {"code": wrong(code)}))
    fifth = client.post(url, {"code": wrong(code)})
    assert "that was the last try. Send a new code." in page(fifth)
    sixth = client.post(url, {"code": code})
    assert sixth.status_code == 400
    assert "Too many wrong codes. Send a new code." in page(sixth)
    assert Complaint.objects.count() == 0

    client.post(reverse("public:resend", args=[url.split("/")[-2]]))
    assert client.post(url, {"code": last_code()}).status_code == 303
    assert Complaint.objects.count() == 1


def test_the_right_code_sent_again_registers_nothing_more(city, officer):
    """The citizen taps twice, or goes back and sends the code again: one complaint, the same page."""
    client = in_english()
    url = send_form(client, city)["Location"]
    code = last_code()

    first = client.post(url, {"code": code})
    second = client.post(url, {"code": code})

    assert first["Location"] == second["Location"]
    assert Complaint.objects.count() == 1
    assert OutboundMessage.objects.filter(event=Event.REGISTERED).count() == 1
    assert ComplaintEvent.objects.filter(kind=EventKind.REGISTERED).count() == 1


def test_the_same_form_sent_twice_sends_one_code_and_after_registering_shows_that_complaint(city, officer):
    client = in_english()
    token = form_token(client)

    first = send_form(client, city, token)
    second = send_form(client, city, token)  # double tap
    assert first["Location"] == second["Location"]
    assert len(codes_to()) == 1

    client.post(first["Location"], {"code": last_code()})
    third = send_form(client, city, token)  # back button, and the form sent once more

    assert third.status_code == 303
    assert third["Location"] == reverse("public:registered", args=[token]) + "?again=1"
    assert "This form had already been sent" in page(client.get(third["Location"]))
    assert Complaint.objects.count() == 1
    assert len(codes_to()) == 1


def test_changing_the_details_before_the_code_keeps_the_code_and_registers_the_change(city, officer):
    client = in_english()
    token = form_token(client)
    send_form(client, city, token)

    changed = send_form(client, city, token, description="Garbage AND a dead dog near the school gate")

    assert len(codes_to()) == 1  # the code already sent still serves
    client.post(changed["Location"], {"code": last_code()})
    assert Complaint.objects.get().description == "Garbage AND a dead dog near the school gate"


def test_a_code_sent_to_one_mobile_does_not_register_the_complaint_for_another(city, officer):
    client = in_english()
    token = form_token(client)
    url = send_form(client, city, token)["Location"]
    code_for_mine = last_code()

    send_form(client, city, token, mobile="94150 22222")  # changed to someone else's number

    assert client.post(url, {"code": code_for_mine}).status_code == 400
    assert Complaint.objects.count() == 0
    client.post(url, {"code": last_code("+919415022222")})
    assert Complaint.objects.get().citizen.mobile == "+919415022222"


def test_the_code_page_never_shows_the_mobile_and_an_unknown_link_is_a_plain_404(city, officer):
    client = in_english()
    url = send_form(client, city)["Location"]

    assert "9839012345" not in client.get(url).content.decode()
    gone = client.get(reverse("public:code", args=[verification.new_token()]))
    assert gone.status_code == 404
    assert "This link has expired" in page(gone)
    assert client.get("/t/new/not-a-token/").status_code == 404


def test_the_same_problem_reported_again_shows_the_complaint_already_registered(city, officer):
    client = in_english()
    first = register_through_the_form(client, city)

    response = send_form(client, city, description="Still lying there, and it smells")
    done = client.get(client.post(response["Location"], {"code": last_code()})["Location"])

    assert Complaint.objects.count() == 1
    body = page(done)
    assert "You have already reported this problem" in body
    assert dockets.spoken(first.docket) in body
    assert f'href="{reverse("public:status", args=[first.docket])}"' in body
    note = ComplaintEvent.objects.get(complaint=first, kind=EventKind.NOTE)
    assert "Still lying there, and it smells" in note.note


# --- bad input: clear errors, nothing lost ---------------------------------------------------------------

def test_a_file_that_is_not_a_photo_is_refused_and_everything_typed_is_kept(city, officer):
    client = in_english()
    token = form_token(client)
    not_a_photo = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 this is a bill, not a photo", content_type="image/jpeg")

    response = client.post("/t/new/", {"form_token": token, "photo": not_a_photo,
                                       **complaint_form(city, latitude="25.44", longitude="81.84")})

    assert response.status_code == 400
    body = page(response)
    assert "That file is not a photo (JPEG, PNG or WebP)." in body
    for typed in ("Garbage not lifted for three days near the school gate", "14 Lal Bahadur Shastri Marg",
                  "behind Hanuman Mandir", TYPED_MOBILE, "Ramprasad Kushwaha", "25.44", "81.84"):
        assert typed in body
    assert f'<option value="{city.garbage.pk}" selected>' in body
    assert f'<option value="{city.wards[1].pk}" selected>' in body
    assert 'name="form_token" value="%s"' % token in body  # the same form, still one
    assert not OutboundMessage.objects.filter(event=Event.OTP).exists()


def test_a_50_mb_photo_is_refused_with_its_size_and_everything_typed_is_kept(city, officer):
    client = in_english()
    huge = SimpleUploadedFile("big.jpg", b"\xff" * (50 * 1024 * 1024), content_type="image/jpeg")

    response = client.post("/t/new/", {"form_token": form_token(client), "photo": huge, **complaint_form(city)})

    assert response.status_code == 400
    body = page(response)
    assert "The photo is 50.0 MB; the limit is 10 MB." in body
    assert "Garbage not lifted for three days near the school gate" in body and TYPED_MOBILE in body
    assert not PhoneVerification.objects.exists()
    assert not OutboundMessage.objects.filter(event=Event.OTP).exists()


def test_the_photo_limit_passes_no_more_than_the_limit_on_to_memory_or_disk(settings):
    """The upload handler in front of Django's: a 3 MB file with a 1 MB limit leaves 1 MB in the
    temporary file at most, and the form still gets the fields sent after the file."""
    settings.NNC_PHOTO_MAX_BYTES = 1024 * 1024

    class Recording(TemporaryFileUploadHandler):
        received = 0

        def receive_data_chunk(self, raw_data, start):
            Recording.received += len(raw_data)
            return super().receive_data_chunk(raw_data, start)

    boundary = "XyZ"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.jpg\"\r\n"
            f"Content-Type: image/jpeg\r\n\r\n").encode() + b"\xff" * (3 * 1024 * 1024) + (
            f"\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\n"
            f"typed after the photo\r\n--{boundary}--\r\n").encode()
    meta = {"CONTENT_TYPE": f"multipart/form-data; boundary={boundary}", "CONTENT_LENGTH": str(len(body))}
    handlers = [PhotoSizeLimit(), Recording()]

    post, files = MultiPartParser(meta, io.BytesIO(body), handlers).parse()

    assert post["description"] == "typed after the photo"
    assert isinstance(files["photo"], OversizedUpload)
    assert files["photo"].size == 3 * 1024 * 1024
    assert Recording.received <= 1024 * 1024


def test_a_request_far_larger_than_any_photo_is_refused_before_it_is_read(city):
    client = in_english()

    response = client.generic("POST", "/t/new/", b"x" * 16, CONTENT_TYPE="multipart/form-data; boundary=x",
                              CONTENT_LENGTH=str(200 * 1024 * 1024))

    assert response.status_code == 413
    assert "A photo may be up to 10 MB." in page(response)


def test_a_photo_that_passed_is_kept_while_another_field_is_corrected(city, officer):
    client = in_english()
    token = form_token(client)

    first = client.post("/t/new/", {"form_token": token, "photo": photo_upload(), **complaint_form(city, description="")})
    assert first.status_code == 400
    assert "Describe the problem in a few words." in page(first)
    assert "Your photo is kept with the complaint" in page(first)

    second = send_form(client, city, token)  # no photo chosen again
    client.post(second["Location"], {"code": last_code()})

    complaint = Complaint.objects.get()
    assert complaint.attachments.get().kind == AttachmentKind.CITIZEN_PHOTO
    assert PhoneVerification.objects.get().photo == ""  # now the complaint's, not the form's


def test_the_citizen_may_remove_a_kept_photo(city, officer):
    client = in_english()
    token = form_token(client)
    client.post("/t/new/", {"form_token": token, "photo": photo_upload(), **complaint_form(city, description="")})
    kept = PhoneVerification.objects.get().photo

    response = send_form(client, city, token, drop_photo="1")
    client.post(response["Location"], {"code": last_code()})

    assert not Complaint.objects.get().attachments.exists()
    assert not default_storage.exists(kept)


@pytest.mark.parametrize("latitude, longitude", [
    ("26.8467", "80.9462"),  # Lucknow
    ("25.30", "82.0001"),  # just east of Prayagraj's box
    ("-25.4358", "81.8463"),  # a sign dropped
])
def test_a_position_outside_the_city_is_refused_and_the_form_kept(city, officer, latitude, longitude):
    client = in_english()

    response = send_form(client, city, latitude=latitude, longitude=longitude)

    assert response.status_code == 400
    body = page(response)
    assert "is outside the city" in body
    assert "latitude 25.3–25.55 and longitude 81.7–82.0" in body
    assert f'value="{latitude}"' in body and f'value="{longitude}"' in body
    assert not OutboundMessage.objects.filter(event=Event.OTP).exists()


@pytest.mark.parametrize("latitude, longitude", [("25.44", ""), ("north", "81.8"), ("25.44", "1e400")])
def test_half_a_position_or_words_are_refused(city, officer, latitude, longitude):
    response = send_form(in_english(), city, latitude=latitude, longitude=longitude)

    assert response.status_code == 400
    assert "Give both latitude and longitude as numbers" in page(response)


def test_no_position_at_all_is_fine(city, officer):
    complaint = register_through_the_form(in_english(), city)

    assert complaint.latitude is None and complaint.longitude is None


def test_a_locality_instead_of_a_ward_finds_the_ward_and_is_kept_in_the_address(city, officer, ghantaghar):
    complaint = register_through_the_form(in_english(), city, ward="", locality="Ghantaghar", address="")

    assert complaint.ward == ghantaghar
    assert complaint.address == "Ghantaghar"


def test_a_locality_two_wards_share_asks_for_the_ward_and_an_unknown_one_says_so(city, officer, ghantaghar):
    client = in_english()

    shared = page(send_form(client, city, ward="", locality="Chowk"))
    assert "“Chowk” fits more than one ward (2 · Katra, 3 · Mumfordganj). Choose your ward from the list." in shared
    unknown = page(send_form(client, city, ward="", locality="Atlantis"))
    assert "We could not find “Atlantis” in the city&#x27;s list. Choose your ward from the list." in unknown
    neither = page(send_form(client, city, ward="", locality=""))
    assert "Choose your ward, or type your locality." in neither
    assert not OutboundMessage.objects.filter(event=Event.OTP).exists()


@pytest.mark.parametrize("mobile, message", [
    ("", "Enter your mobile number: the complaint number is sent to it by SMS."),
    ("0532 240 0000", "is not a mobile number"),  # a Prayagraj landline
    ("12345", "is not a valid phone number"),
])
def test_a_mobile_that_cannot_get_an_sms_is_refused(city, officer, mobile, message):
    response = send_form(in_english(), city, mobile=mobile)

    assert response.status_code == 400
    assert message in page(response)


def test_a_mobile_typed_in_hindi_digits_is_understood(city, officer):
    hindi = "".join(chr(0x0966 + int(d)) if d.isdigit() else d for d in TYPED_MOBILE)

    complaint = register_through_the_form(in_english(), city, mobile=hindi)

    assert complaint.citizen.mobile == MOBILE


# --- limits -----------------------------------------------------------------------------------------------

def _registered_by_web(city, n: int, *, at: datetime, mobile: str = MOBILE, channel: str = Channel.WEB):
    for i in range(n):
        do_register(NewComplaint(mobile=mobile, category=city.garbage, ward=city.wards[1 + i % 4],
                                 description=f"earlier {i}", channel=channel), actor=None, allow_duplicate=True, now=at)


def test_a_mobile_may_register_ten_complaints_a_month_through_the_public_channels(city, officer, settings):
    assert settings.NNC_COMPLAINTS_PER_MOBILE_PER_MONTH == 10  # IGRS's rule is the default
    settings.NNC_COMPLAINTS_PER_MOBILE_PER_MONTH = 3
    now = datetime(2026, 11, 20, 11, 0, tzinfo=IST)
    _registered_by_web(city, 1, at=datetime(2026, 10, 31, 23, 0, tzinfo=IST))  # last month: not counted
    _registered_by_web(city, 2, at=datetime(2026, 11, 1, 0, 5, tzinfo=IST))
    _registered_by_web(city, 4, at=now, channel=Channel.PHONE)  # taken by an agent: not counted
    client = in_english()

    with time_machine.travel(now, tick=False):
        third = register_through_the_form(client, city, category=city.sweeping.pk)
        assert third.channel == Channel.WEB
        refused = send_form(client, city, category=city.sewer.pk)

    assert refused.status_code == 400
    assert "This mobile number has already registered 3 complaints this month" in page(refused)
    assert "Garbage not lifted for three days near the school gate" in page(refused)  # nothing lost
    assert len(codes_to()) == 1

    with time_machine.travel(datetime(2026, 12, 1, 0, 1, tzinfo=IST), tick=False):
        assert send_form(client, city, category=city.sewer.pk).status_code == 303  # a new month


def test_the_monthly_limit_is_checked_again_when_the_code_is_typed(city, officer, settings):
    """Two complaints waiting for codes on the same mobile: the second code finds the limit reached."""
    settings.NNC_COMPLAINTS_PER_MOBILE_PER_MONTH = 1
    first, second = in_english(), in_english()
    first_url = send_form(first, city)["Location"]
    first_code = last_code()
    second_url = send_form(second, city, category=city.sweeping.pk)["Location"]

    assert first.post(first_url, {"code": first_code}).status_code == 303
    response = second.post(second_url, {"code": last_code()})

    assert response.status_code == 400
    assert "already registered 1 complaint this month" in page(response)
    assert Complaint.objects.count() == 1


def test_three_codes_an_hour_reach_one_mobile_and_the_fourth_request_is_told_when_to_come_back(city, officer):
    client = in_english()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        url = send_form(client, city)["Location"]
        token = url.split("/")[-2]
        client.post(reverse("public:resend", args=[token]))
        client.post(reverse("public:resend", args=[token]))
        assert len(codes_to()) == 3

        refused = client.post(reverse("public:resend", args=[token]))

    assert refused.status_code == 429
    assert refused["Retry-After"] == "3600"
    body = page(refused)
    assert "At most 3 codes are sent to one mobile number in an hour." in body
    assert 'lang="hi"' in body and 'lang="en"' in body  # said in both languages
    back_at = timezone.localtime(start + timedelta(hours=1)).strftime("%H:%M")
    assert f"Please try again after {back_at}." in body
    assert len(codes_to()) == 3

    with time_machine.travel(start + timedelta(hours=1, seconds=1), tick=False):
        assert client.post(reverse("public:resend", args=[token])).status_code == 303
    assert len(codes_to()) == 4


def test_a_new_form_over_the_hourly_limit_keeps_the_complaint_for_later(city, officer, settings):
    settings.NNC_PUBLIC_CODES_PER_MOBILE_PER_HOUR = 1
    client = in_english()
    send_form(client, city)  # one code sent

    refused = send_form(client, city, category=city.sweeping.pk, description="Nobody swept our lane this week")

    assert refused.status_code == 429
    draft = re.search(r'href="(/t/new/\?draft=[^"]+)"', page(refused)).group(1)
    reopened = page(client.get(draft))
    assert "Nobody swept our lane this week" in reopened
    assert f'<option value="{city.sweeping.pk}" selected>' in reopened


def test_one_address_asking_for_too_many_codes_gets_a_429_in_both_languages(city, officer, settings):
    settings.NNC_PUBLIC_RATE_PER_IP = "2/h"
    client = in_english()

    sent = [send_form(client, city, mobile=f"98390 1234{i}").status_code for i in range(3)]

    assert sent == [303, 303, 429]
    assert Client(REMOTE_ADDR="10.0.0.9").post(
        "/t/new/", {"form_token": verification.new_token(), **complaint_form(city, mobile="98390 12349")}
    ).status_code == 303  # another address is counted apart
    assert len(OutboundMessage.objects.filter(event=Event.OTP)) == 3


def test_behind_the_proxy_each_citizen_is_counted_by_the_address_the_proxy_saw(city, officer, settings):
    settings.RATELIMIT_IP_META_KEY = "nagar_nigam_cc.public.verification.client_ip"
    settings.NNC_PUBLIC_RATE_PER_IP = "1/h"

    def through_proxy(citizen_ip: str, claimed: str = "") -> Client:
        forwarded = f"{claimed}, {citizen_ip}" if claimed else citizen_ip
        client = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
        client.cookies["django_language"] = "en"
        return client

    assert send_form(through_proxy("49.36.10.1"), city, mobile="98390 12341").status_code == 303
    assert send_form(through_proxy("49.36.10.2"), city, mobile="98390 12342").status_code == 303  # another citizen
    # The first again, claiming another address in front of the one the proxy added: still counted as itself.
    assert send_form(through_proxy("49.36.10.1", claimed="1.2.3.4"), city, mobile="98390 12343").status_code == 429


def test_when_the_cache_is_down_citizens_can_still_complain_and_the_outage_is_logged(city, officer, settings, caplog):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "down": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:9/0",
                 "OPTIONS": {"socket_connect_timeout": 0.2}},
    }
    settings.RATELIMIT_USE_CACHE = "down"
    settings.NNC_PUBLIC_RATE_PER_IP = "1/h"

    with caplog.at_level(logging.WARNING, logger="nagar_nigam_cc.api.limits"):
        complaint = register_through_the_form(in_english(), city)

    assert complaint.channel == Channel.WEB
    assert any("not counted (cache unavailable)" in r.getMessage() for r in caplog.records)


# --- forgetting ----------------------------------------------------------------------------------------------

def test_complaints_never_confirmed_are_forgotten_with_their_photo_and_registered_photos_stay(city, officer):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        citizen = in_english()
        sent = citizen.post("/t/new/", {"form_token": form_token(citizen), "photo": photo_upload(),
                                        **complaint_form(city)})
        citizen.post(sent["Location"], {"code": last_code()})
        abandoned = in_english()
        abandoned.post("/t/new/", {"form_token": form_token(abandoned), "photo": photo_upload(),
                                   **complaint_form(city, mobile="94150 22222")})
    registered = Attachment.objects.get().file.name
    kept = PhoneVerification.objects.get(mobile="+919415022222").photo
    assert default_storage.exists(kept)

    assert verification.forget_stale(start + timedelta(hours=23)) == 0
    out = io.StringIO()
    with time_machine.travel(start + timedelta(hours=25), tick=False):
        call_command("forget_public_drafts", stdout=out)
    assert out.getvalue().strip() == "2 forgotten"

    assert not PhoneVerification.objects.exists()
    assert not default_storage.exists(kept)
    assert default_storage.exists(registered)
    assert Complaint.objects.get().attachments.count() == 1


# --- at once, from several connections (MariaDB) -------------------------------------------------------------

@pytest.mark.mariadb
@pytest.mark.skipif(connection.vendor != "mysql", reason=(
    "needs a database several connections share (MariaDB: DATABASE_URL=mysql://…); SQLite's writers take the "
    "database lock at BEGIN IMMEDIATE and never overlap"))
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_right_code_sent_six_times_at_once_registers_one_complaint(city, officer):
    client = in_english()
    url = send_form(client, city)["Location"]
    code = last_code()
    barrier, results, errors = threading.Barrier(6, timeout=30), [], []

    def send():
        try:
            mine = in_english()
            barrier.wait()
            results.append(mine.post(url, {"code": code})["Location"])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(repr(exc))
        finally:
            connections["default"].close()

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert not errors
    assert results == [reverse("public:registered", args=[url.split("/")[-2]])] * 6
    assert Complaint.objects.count() == 1
    assert OutboundMessage.objects.filter(event=Event.REGISTERED).count() == 1


@pytest.mark.mariadb
@pytest.mark.skipif(connection.vendor != "mysql", reason="needs a database several connections share (MariaDB)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_same_form_sent_four_times_at_once_sends_one_code(city, officer):
    token = form_token(in_english())
    barrier, statuses, errors = threading.Barrier(4, timeout=30), [], []

    def send():
        try:
            mine = in_english()
            barrier.wait()
            statuses.append(send_form(mine, city, token).status_code)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(repr(exc))
        finally:
            connections["default"].close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert not errors
    assert statuses == [303] * 4
    assert len(codes_to()) == 1
    assert PhoneVerification.objects.count() == 1
