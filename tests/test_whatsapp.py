"""WhatsApp complaints (issue 5, part 3): a guided conversation in Hindi or English that registers a
complaint, through the real Twilio inbound webhook.

Faked only at the HTTP edge: every message is POSTed as Twilio posts it (form-encoded, signed with the
SDK's RequestValidator over "http://testserver/messages/twilio/inbound/"), and photos are downloaded
from a real HTTP server on 127.0.0.1 (Twilio's media URLs are absolute; TWILIO_API_BASE names that
server as Twilio's, so the account's credentials go to it and to no other host). Answers are read from
the outbox, where they wait for delivery.

The city is conftest's (wards 1 Colonelganj, 2 Katra, 3 Mumfordganj, 4 Naini; garbage, sweeping, sewer),
with keywords and localities added here; `officer` makes routing assign the sanitation complaints.
"""
from __future__ import annotations

import base64
import io
import string
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlencode

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connection, connections
from django.utils import timezone
from PIL import Image
from twilio.request_validator import RequestValidator

from nagar_nigam_cc.complaints import dockets
from nagar_nigam_cc.complaints.models import Attachment, Citizen, Complaint
from nagar_nigam_cc.intake import whatsapp
from nagar_nigam_cc.intake.models import WhatsAppConversation
from nagar_nigam_cc.messaging.models import Event, InboundMessage, OutboundMessage

TOKEN = "twilio-auth-token-for-tests"
ACCOUNT = "AC" + "1" * 32
URL = "http://testserver/messages/twilio/inbound/"
RAMESH = "+919839012345"
SUNITA = "+919415098765"
INSIDE = ("25.435800", "81.846300")  # Civil Lines, Prayagraj
DELHI = ("28.613900", "77.209000")
MB = 1024 * 1024


def jpeg(size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (120, 160, 90)).save(buffer, "JPEG")
    return buffer.getvalue()


# --- a media server standing in for Twilio's ----------------------------------------------------------------------

class MediaServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), MediaHandler)
        self.seen: list[tuple[str, str]] = []  # (path, Authorization header)
        self.sent: dict[str, int] = {}  # bytes written per path, once its handler is done
        self.base = f"http://127.0.0.1:{self.server_address[1]}"

    def finished(self, path: str, timeout: float = 10.0) -> int:
        deadline = time.monotonic() + timeout
        while path not in self.sent and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.sent[path]


class MediaHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # the body ends when the connection closes: lengths can be left out

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.server.seen.append((self.path, self.headers.get("Authorization", "")))
        if self.path.startswith("/photo"):
            body = jpeg()
            self._send(200, "image/jpeg", [body], declared=len(body))
        elif self.path.startswith("/not-a-photo"):
            body = b"%PDF-1.4 this is a letter, not a photo" * 20
            self._send(200, "image/jpeg", [body], declared=len(body))
        elif self.path.startswith("/huge-declared"):
            self._send(200, "image/jpeg", self._fifty_mb(), declared=50 * MB)
        elif self.path.startswith("/huge-streamed"):
            self._send(200, "image/jpeg", self._fifty_mb(), declared=None)
        else:
            self._send(404, "text/plain", [b"no such media"], declared=13)

    @staticmethod
    def _fifty_mb():
        chunk = b"\xff" * (256 * 1024)
        for _ in range(200):
            yield chunk

    def _send(self, status, content_type, chunks, *, declared):
        sent = 0
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            if declared is not None:
                self.send_header("Content-Length", str(declared))
            self.end_headers()
            for chunk in chunks:
                self.wfile.write(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading: what we measure
        finally:
            self.server.sent[self.path] = sent


@pytest.fixture
def media():
    server = MediaServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _twilio(settings, media):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.TWILIO_ACCOUNT_SID = ACCOUNT
    settings.TWILIO_API_BASE = media.base  # "Twilio" is the media server: the credentials may go to it
    settings.NNC_PUBLIC_URL = ""
    settings.NNC_CITY_BOUNDS = "25.30,81.70,25.55,82.00"
    cache.clear()  # the menu's "most common" counts
    yield
    cache.clear()


@pytest.fixture
def town(city, officer):
    """conftest's city, with the words citizens use."""
    city.garbage.keywords = "kooda, kachra, कचरा, garbage, dustbin"
    city.garbage.save()
    city.sewer.keywords = "sewer, gutter, naali, नाली, सीवर"
    city.sewer.save()
    city.wards[1].localities = "Katra Chauraha\nहनुमान मंदिर"
    city.wards[1].save()
    city.wards[3].localities = "Allahpur\nअल्लापुर"
    city.wards[3].save()
    return city


# --- talking to the webhook ---------------------------------------------------------------------------------------

class Chat:
    """One citizen's side of the conversation: each `send` is a signed Twilio webhook; `answer` is what
    the outbox holds for it."""

    def __init__(self, client, mobile: str = RAMESH):
        self.client, self.mobile, self.n = client, mobile, 0

    def send(self, body: str = "", *, media: tuple[str, str] | None = None, pin: tuple[str, str] | None = None,
             sid: str | None = None, signature: str | None = None, expect: int = 200):
        self.n += 1
        sid = sid or f"SM{self.mobile[-4:]}{self.n:04d}{'0' * 20}"
        params = {"MessageSid": sid, "SmsMessageSid": sid, "AccountSid": ACCOUNT, "From": f"whatsapp:{self.mobile}",
                  "To": "whatsapp:+14155238886", "Body": body, "NumMedia": "1" if media else "0",
                  "ProfileName": "Ramesh", "WaId": self.mobile[1:]}
        if media:
            params.update(MediaUrl0=media[0], MediaContentType0=media[1])
        if pin:
            params.update(Latitude=pin[0], Longitude=pin[1])
        if signature is None:
            signature = RequestValidator(TOKEN).compute_signature(URL, params)
        headers = {"HTTP_X_TWILIO_SIGNATURE": signature} if signature else {}
        response = self.client.post("/messages/twilio/inbound/", urlencode(params),
                                    content_type="application/x-www-form-urlencoded", **headers)
        assert response.status_code == expect, response.content
        self.sid = sid
        return self

    @property
    def answer(self) -> str:
        message = OutboundMessage.objects.get(key=f"wa:{self.sid}")
        assert (message.channel, message.event, message.to_mobile) == ("whatsapp", Event.CONVERSATION, self.mobile)
        return message.context["text"]

    def says(self, body: str = "", **kwargs) -> str:
        return self.send(body, **kwargs).answer

    @property
    def conversation(self) -> WhatsAppConversation:
        return WhatsAppConversation.objects.get(mobile=self.mobile)


def menu_number(answer: str, name: str) -> str:
    """The number the menu in `answer` gives the category `name`."""
    for line in answer.splitlines():
        number, _, label = line.partition(". ")
        if label.strip() == name and number.isdigit():
            return number
    raise AssertionError(f"{name!r} is not in the menu:\n{answer}")


def stored_files(folder: str = "complaints/whatsapp") -> list[str]:
    """Every file stored under the WhatsApp photos' folder."""
    try:
        dirs, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return []
    return [*files, *(name for d in dirs for name in stored_files(f"{folder}/{d}"))]


# --- whole conversations ------------------------------------------------------------------------------------------

def test_a_citizen_registers_a_complaint_in_hindi_with_a_photo_and_a_pin(client, town, media,
                                                                          django_capture_on_commit_callbacks):
    chat = Chat(client)
    first = chat.says("नमस्ते")
    assert "भाषा चुनें" in first and "1 हिन्दी" in first and "2 English" in first
    menu = chat.says("1")
    assert "आपकी शिकायत किस बारे में है?" in menu and "कूड़ा नहीं उठा" in menu and "सीवर चोक" in menu
    assert "Garbage" not in menu
    assert "वार्ड नंबर" in chat.says("कचरा")  # typed in words: matched by keyword
    assert chat.conversation.data["category"] == town.garbage.pk
    assert "वार्ड: वार्ड 1 · कर्नलगंज" in chat.says("हनुमान मंदिर")  # a locality of ward 1
    assert "फ़ोटो" in chat.says("तीन दिन से कूड़ा नहीं उठा, गली में बदबू है")
    photo_answer = chat.says(media=(f"{media.base}/photo-1.jpg", "image/jpeg"))
    assert "फ़ोटो मिल गई" in photo_answer and "लोकेशन" in photo_answer
    with django_capture_on_commit_callbacks(execute=True):
        done = chat.says(pin=INSIDE)

    complaint = Complaint.objects.get()
    assert "आपकी शिकायत दर्ज हो गई है" in done and dockets.spoken(complaint.docket) in done
    assert (complaint.channel, complaint.category, complaint.ward, complaint.registered_by) == (
        "whatsapp", town.garbage, town.wards[1], None)
    assert complaint.description == "तीन दिन से कूड़ा नहीं उठा, गली में बदबू है"
    assert complaint.address == "हनुमान मंदिर"
    assert complaint.citizen.mobile == RAMESH and complaint.citizen.language == "hi"
    photo = Attachment.objects.get(complaint=complaint)
    assert (photo.kind, photo.content_type, photo.size, photo.uploaded_by) == (
        "citizen", "image/jpeg", len(jpeg()), None)
    assert photo.event.kind == "registered"
    assert default_storage.open(photo.file.name).read() == jpeg()
    # Twilio's media needs the account's credentials: they went to Twilio's host, and only there.
    assert media.seen == [("/photo-1.jpg", "Basic " + base64.b64encode(f"{ACCOUNT}:{TOKEN}".encode()).decode())]
    conversation = chat.conversation
    assert (conversation.step, conversation.complaint, conversation.language) == ("done", complaint, "hi")
    assert conversation.data["pin"] == {"lat": INSIDE[0], "long": INSIDE[1]}
    # Every message recorded once, each answered once, in Hindi, on WhatsApp.
    assert InboundMessage.objects.filter(channel="whatsapp", from_mobile=RAMESH).count() == 7
    assert InboundMessage.objects.get(provider_id=chat.sid).complaint == complaint
    answers = OutboundMessage.objects.filter(event=Event.CONVERSATION)
    assert answers.count() == 7 and set(answers.values_list("language", flat=True)) == {"hi"}


def test_a_citizen_registers_a_complaint_in_english_sending_the_photo_with_its_description(client, town, media):
    chat = Chat(client, SUNITA)
    chat.says("Hello")
    menu = chat.says("2")
    assert "What is the problem?" in menu and "कूड़ा" not in menu
    assert "Write your ward number" in chat.says(menu_number(menu, "Sewer choked"))
    choices = chat.says("Katra")  # ward 2's name, and a locality of ward 1: the citizen chooses
    assert "Which of these? Send the ward number:" in choices
    assert "Ward 2 · Katra" in choices and "Ward 1 · Colonelganj (Katra Chauraha)" in choices
    assert "Ward: Ward 2 · Katra" in chat.says("2")
    # A photo with a caption answers the description and the photo at once.
    location = chat.says("Sewer overflowing in front of the school since Monday",
                         media=(f"{media.base}/photo-2.jpg", "image/jpeg"))
    assert "Photo received." in location and "Send your location" in location
    done = chat.says(pin=INSIDE)
    complaint = Complaint.objects.get()
    assert "Your complaint is registered." in done and dockets.spoken(complaint.docket) in done
    assert (complaint.category, complaint.ward, complaint.address, complaint.channel) == (
        town.sewer, town.wards[2], "Katra", "whatsapp")
    assert complaint.description == "Sewer overflowing in front of the school since Monday"
    assert complaint.citizen.language == "en" and complaint.citizen.name == "Ramesh"  # WhatsApp's profile name
    assert Attachment.objects.filter(complaint=complaint, kind="citizen").count() == 1
    # The language question goes out in both languages (stored as the city's); every answer after it in English.
    languages = list(OutboundMessage.objects.filter(event=Event.CONVERSATION).order_by("id")
                     .values_list("language", flat=True))
    assert languages == ["hi"] + ["en"] * 6


def conversation_at_photo_step(client, mobile=RAMESH) -> Chat:
    chat = Chat(client, mobile)
    chat.says("hi")
    menu = chat.says("2")
    chat.says(menu_number(menu, "Garbage not lifted"))
    chat.says("1")  # ward 1 by number
    assert "send a photo" in chat.says("Garbage heap near the temple")
    return chat


def test_a_returning_citizen_is_not_asked_the_language_again_and_can_skip_photo_and_location(client, town):
    chat = conversation_at_photo_step(client)
    assert "Send your location" in chat.says("skip")
    done = chat.says("SKIP")
    assert "Your complaint is registered." in done
    again = chat.says("hello again")
    assert "Choose your language" not in again and "What is the problem?" in again
    assert chat.conversation.step == "category" and chat.conversation.complaint is None


def test_a_landmark_typed_for_the_location_is_kept(client, town):
    chat = conversation_at_photo_step(client)
    chat.says("छोड़ें")
    chat.says("opposite Hanuman Mandir gate")
    assert Complaint.objects.get().landmark == "opposite Hanuman Mandir gate"


# --- photos that are refused --------------------------------------------------------------------------------------

def test_a_file_that_is_not_an_image_is_refused_and_the_conversation_goes_on(client, town, media):
    chat = conversation_at_photo_step(client)
    refused = chat.says(media=(f"{media.base}/not-a-photo.jpg", "image/jpeg"))
    assert "That file is not a photo" in refused and "send a photo" in refused
    assert chat.conversation.step == "photo" and chat.conversation.data["photos"] == []
    assert stored_files() == []
    assert "Send your location" in chat.says(media=(f"{media.base}/photo-3.jpg", "image/jpeg"))
    chat.says("skip")
    assert Attachment.objects.get().size == len(jpeg())


def test_a_document_is_refused_without_downloading_it(client, town, media):
    chat = conversation_at_photo_step(client)
    assert "That file is not a photo" in chat.says(media=(f"{media.base}/letter.pdf", "application/pdf"))
    assert media.seen == []


@pytest.mark.parametrize("path", ["/huge-declared.jpg", "/huge-streamed.jpg"])
def test_a_50_mb_photo_is_refused_early_without_reading_it_all(client, town, media, path):
    chat = conversation_at_photo_step(client)
    started = time.monotonic()
    refused = chat.says(media=(f"{media.base}{path}", "image/jpeg"))
    assert "The photo is too large; send one of at most 10 MB." in refused
    assert chat.conversation.step == "photo" and stored_files() == []
    # The server could push only what the connection buffers held before we hung up.
    assert media.finished(path) < 25 * MB
    assert time.monotonic() - started < 20
    assert "Send your location" in chat.says("skip")


def test_a_voice_note_is_answered_with_a_request_to_write(client, town, media):
    chat = Chat(client)
    chat.says("hi")
    chat.says("2")
    answer = chat.says(media=(f"{media.base}/note.ogg", "audio/ogg"))
    assert "We cannot listen to voice messages here" in answer and "What is the problem?" in answer
    assert media.seen == []


def test_credentials_never_go_to_a_host_that_is_not_twilio(client, town, media):
    chat = conversation_at_photo_step(client)
    other_host = media.base.replace("127.0.0.1", "localhost")
    chat.says(media=(f"{other_host}/photo-4.jpg", "image/jpeg"))
    assert media.seen == [("/photo-4.jpg", "")]


def test_a_photo_that_cannot_be_fetched_is_asked_for_again(client, town, media):
    chat = conversation_at_photo_step(client)
    assert "We could not receive the photo" in chat.says(media=(f"{media.base}/gone.jpg", "image/jpeg"))
    assert chat.conversation.step == "photo"


# --- pins ---------------------------------------------------------------------------------------------------------

def test_a_pin_outside_the_city_is_refused_politely_and_the_conversation_continues(client, town):
    chat = conversation_at_photo_step(client)
    chat.says("skip")
    refused = chat.says(pin=DELHI)
    assert "That location is outside the city, so it was not added." in refused and "Send your location" in refused
    assert chat.conversation.step == "location" and "pin" not in chat.conversation.data
    assert "Your complaint is registered." in chat.says("skip")
    complaint = Complaint.objects.get()
    assert complaint.latitude is None and complaint.longitude is None


def test_an_unreadable_pin_is_refused(client, town):
    chat = conversation_at_photo_step(client)
    chat.says("skip")
    assert "could not be read" in chat.says(pin=("north", "81.8"))
    assert chat.conversation.step == "location"


def test_the_pin_is_stored_on_the_complaint(client, town):
    chat = conversation_at_photo_step(client)
    chat.says("skip")
    chat.says(pin=INSIDE)
    complaint = Complaint.objects.get()
    assert (str(complaint.latitude), str(complaint.longitude)) == INSIDE


# --- replays, forgeries, status -----------------------------------------------------------------------------------

def test_a_replayed_webhook_does_nothing_twice(client, town):
    chat = conversation_at_photo_step(client)
    chat.says("skip")
    chat.send("skip", sid="SM" + "5" * 32)
    chat.send("skip", sid="SM" + "5" * 32)  # Twilio retried, or someone replayed it
    assert Complaint.objects.count() == 1
    assert InboundMessage.objects.filter(provider_id="SM" + "5" * 32).count() == 1
    assert OutboundMessage.objects.filter(key="wa:SM" + "5" * 32).count() == 1
    assert chat.conversation.step == "done"


def test_a_replayed_photo_is_not_downloaded_again(client, town, media):
    chat = conversation_at_photo_step(client)
    for _ in range(2):
        chat.send(media=(f"{media.base}/photo-5.jpg", "image/jpeg"), sid="SM" + "6" * 32)
    assert [path for path, _auth in media.seen] == ["/photo-5.jpg"]
    assert len(chat.conversation.data["photos"]) == 1 and len(stored_files()) == 1


@pytest.mark.parametrize("signature", ["", "forged-signature"])
def test_an_unsigned_or_forged_message_is_refused_and_nothing_is_recorded(client, town, media, signature):
    Chat(client).send("hello", media=(f"{media.base}/photo-6.jpg", "image/jpeg"), signature=signature, expect=403)
    assert not InboundMessage.objects.exists()
    assert not WhatsAppConversation.objects.exists()
    assert not OutboundMessage.objects.exists()
    assert media.seen == []


def test_a_docket_number_alone_gets_its_status(client, town):
    chat = conversation_at_photo_step(client)
    chat.says("skip")
    chat.says("skip")
    complaint = Complaint.objects.get()
    chat.send(dockets.spoken(complaint.docket))
    status = OutboundMessage.objects.get(key=f"reply:twilio:{chat.sid}")
    assert (status.event, status.channel, status.complaint, status.to_mobile) == (
        Event.REPLY_STATUS, "whatsapp", complaint, RAMESH)
    assert InboundMessage.objects.get(provider_id=chat.sid).outcome == "status"
    assert chat.conversation.step == "done"


def test_a_docket_number_during_a_conversation_is_answered_and_the_conversation_waits(client, town, register):
    earlier = register(town.sweeping, town.wards[2], mobile=RAMESH)
    chat = Chat(client)
    chat.says("hi")
    chat.says("1")
    chat.send(earlier.docket)
    assert OutboundMessage.objects.get(key=f"reply:twilio:{chat.sid}").event == Event.REPLY_STATUS
    assert chat.conversation.step == "category"


def test_another_citizens_docket_is_not_found(client, town, register):
    theirs = register(town.sweeping, town.wards[2], mobile=SUNITA)
    chat = Chat(client).send(theirs.docket)
    assert OutboundMessage.objects.get(key=f"reply:twilio:{chat.sid}").event == Event.REPLY_NOT_FOUND


def test_one_outside_a_conversation_goes_to_replies_but_inside_one_it_answers_the_menu(client, town):
    chat = Chat(client).send("1")
    assert OutboundMessage.objects.get(key=f"reply:twilio:{chat.sid}").event == Event.REPLY_NOT_FOUND
    assert not WhatsAppConversation.objects.exists()
    assert "Choose your language" in chat.says("hello")
    assert "आपकी शिकायत किस बारे में है?" in chat.says("1")
    assert chat.conversation.language == "hi" and chat.conversation.step == "category"


def test_sms_still_go_to_replies(client, town):
    params = {"MessageSid": "SM" + "8" * 32, "From": RAMESH, "To": "+15005550006", "Body": "hello"}
    signature = RequestValidator(TOKEN).compute_signature(URL, params)
    client.post("/messages/twilio/inbound/", urlencode(params), content_type="application/x-www-form-urlencoded",
                HTTP_X_TWILIO_SIGNATURE=signature)
    reply = OutboundMessage.objects.get()
    assert (reply.event, reply.channel) == (Event.REPLY_HELP, "sms")
    assert not WhatsAppConversation.objects.exists()


# --- the conversation's rules -------------------------------------------------------------------------------------

def test_cancel_drops_the_complaint_and_its_photo(client, town, media, django_capture_on_commit_callbacks):
    chat = conversation_at_photo_step(client)
    chat.says(media=(f"{media.base}/photo-7.jpg", "image/jpeg"))
    assert len(stored_files()) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert "Cancelled." in chat.says("cancel")
    assert stored_files() == [] and chat.conversation.step == "done"
    assert not Complaint.objects.exists()
    assert "What is the problem?" in chat.says("hi")


def test_radd_cancels_in_hindi(client, town):
    chat = Chat(client)
    chat.says("hi")
    chat.says("1")
    assert "शिकायत रद्द कर दी गई" in chat.says("रद्द")


def test_a_conversation_left_for_more_than_a_day_starts_again(client, town):
    chat = Chat(client)
    chat.says("hi")
    chat.says("2")
    chat.says("kooda")
    assert chat.conversation.step == "ward"
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        again = chat.says("Katra")
    assert "expired after 24 hours" in again and "What is the problem?" in again
    assert chat.conversation.step == "category" and "category" not in chat.conversation.data


def test_the_same_problem_again_names_the_docket_already_registered(client, town):
    chat = conversation_at_photo_step(client)
    chat.says("skip")
    chat.says("skip")
    first = Complaint.objects.get()
    menu = chat.says("hi")
    chat.says(menu_number(menu, "Garbage not lifted"))
    chat.says("1")
    chat.says("Still not lifted")
    chat.says("skip")
    again = chat.says("skip")
    assert "You have already reported this: docket number " + dockets.spoken(first.docket) in again
    assert Complaint.objects.count() == 1
    assert chat.conversation.complaint == first


def test_words_that_fit_several_categories_offer_a_choice(client, town):
    chat = Chat(client)
    chat.says("hi")
    chat.says("2")
    offered = chat.says("not")  # "not lifted", "not done": both garbage and sweeping
    assert "Which of these?" in offered and "Sewer choked" not in offered
    assert "Problem: Sweeping not done" in chat.says(menu_number(offered, "Sweeping not done"))
    assert chat.conversation.step == "ward"


def test_words_that_fit_nothing_show_the_menu_again(client, town):
    chat = Chat(client)
    chat.says("hi")
    chat.says("2")
    again = chat.says("my neighbour plays loud music")
    assert "Sorry, we did not understand that." in again and "Garbage not lifted" in again
    assert chat.conversation.step == "category"


def test_a_sentence_is_read_word_by_word(client, town):
    chat = Chat(client)
    chat.says("hi")
    chat.says("2")
    assert "Problem: Garbage not lifted" in chat.says("kooda pada hai 3 din se")


def test_a_menu_number_out_of_range_is_explained(client, town):
    chat = Chat(client)
    chat.says("hi")
    chat.says("2")
    assert "Please send a number from 1 to 3." in chat.says("7")


def test_an_unknown_ward_number_is_explained(client, town):
    chat = Chat(client)
    chat.says("hi")
    chat.says("2")
    chat.says("garbage")
    assert "There is no ward number 99." in chat.says("ward no. 99")
    assert chat.conversation.step == "ward"


def test_a_description_over_the_limit_is_refused_with_the_limit(client, town, settings):
    settings.NNC_DESCRIPTION_MAX_CHARS = 40
    chat = Chat(client)
    chat.says("hi")
    chat.says("2")
    chat.says("garbage")
    chat.says("3")
    assert "Keep the description within 40 characters (it has 60)." in chat.says("x" * 60)
    assert chat.conversation.step == "description"


def test_skip_is_not_a_description(client, town):
    chat = Chat(client)
    chat.says("hi")
    chat.says("2")
    chat.says("garbage")
    chat.says("3")
    assert "A description is needed" in chat.says("skip")
    assert chat.conversation.step == "description"


def test_the_menu_lists_the_most_common_problems_first(client, town, register):
    for _ in range(3):
        register(town.sewer, town.wards[4])
    register(town.sweeping, town.wards[4])
    chat = Chat(client)
    chat.says("hi")
    menu = chat.says("2")
    order = [menu_number(menu, n) for n in ("Sewer choked", "Sweeping not done", "Garbage not lifted")]
    assert order == ["1", "2", "3"]


# --- pure parts ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("words, number", [
    ("12", 12), ("ward 12", 12), ("Ward No. 12", 12), ("वार्ड नं. १२", 12), ("w 12", None), ("12 13", None),
    ("katra", None), ("", None),
])
def test_ward_number(words, number):
    assert whatsapp.ward_number(words) == number


@pytest.mark.parametrize("words", ["skip", "SKIP", "छोड़ें", "छोड़ें।", "nahi", "no"])
def test_skip_words(words):
    assert whatsapp.is_skip(words)


@pytest.mark.parametrize("words", ["cancel", "Cancel!", "रद्द", "रद्द करें", "radd"])
def test_cancel_words(words):
    assert whatsapp.is_cancel(words)


def test_every_text_has_both_languages():
    def fields(words):
        return {name for _text, name, _spec, _conv in string.Formatter().parse(words) if name}

    for key, (hindi, english) in whatsapp.TEXTS.items():
        assert hindi and english, key
        assert fields(hindi) == fields(english), key


def test_media_too_large_is_refused_from_its_declared_length(media, settings):
    with pytest.raises(whatsapp.MediaRefused) as refused:
        whatsapp.download(f"{media.base}/huge-declared.jpg", limit=MB)
    assert refused.value.code == "too_large"
    assert media.finished("/huge-declared.jpg") < 25 * MB


def test_citizen_name_from_whatsapp_never_overwrites_a_known_one(client, town):
    Citizen.objects.create(mobile=RAMESH, name="Ramesh Kumar Tiwari", language="hi")
    chat = conversation_at_photo_step(client)
    chat.says("skip")
    chat.says("skip")
    assert Complaint.objects.get().citizen.name == "Ramesh Kumar Tiwari"


# --- messages at the same instant (MariaDB) -----------------------------------------------------------------------

@pytest.fixture
def _role_groups(transactional_db):
    """The role groups come from a data migration an earlier transactional test's flush may have removed."""
    from django.contrib.auth.models import Group

    from nagar_nigam_cc.directory import roles

    for name in roles.ALL:
        Group.objects.get_or_create(name=name)


@pytest.mark.mariadb
@pytest.mark.skipif(connection.vendor != "mysql", reason=(
    "needs a database several connections share (MariaDB: DATABASE_URL=mysql://…); SQLite's writers take the "
    "database lock at BEGIN IMMEDIATE and never overlap"))
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_messages_register_one_complaint(_role_groups, client, town):
    """At the last step, six messages arrive at once: Twilio delivering one message three times, and the
    citizen pressing "skip" three more times. Each message is recorded and answered once, and exactly one
    complaint is registered (the conversation's row lock takes them one at a time)."""
    chat = conversation_at_photo_step(client)
    chat.says("skip")
    barrier, errors = threading.Barrier(6, timeout=30), []

    def deliver(sid: str):
        try:
            barrier.wait()
            whatsapp.receive(whatsapp.Incoming(sid=sid, mobile=RAMESH, text="skip"))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(repr(exc))
        finally:
            connections["default"].close()

    sids = ["SM-race", "SM-race", "SM-race", "SM-b", "SM-c", "SM-d"]
    workers = [threading.Thread(target=deliver, args=(sid,)) for sid in sids]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert not errors
    assert Complaint.objects.count() == 1
    assert InboundMessage.objects.filter(provider_id__in=sids).count() == 4
    assert OutboundMessage.objects.filter(key__in=[f"wa:{sid}" for sid in set(sids)]).count() == 4
    registered = [m for m in OutboundMessage.objects.filter(key__in=[f"wa:{sid}" for sid in set(sids)])
                  if "Your complaint is registered." in m.context["text"]]
    assert len(registered) == 1
