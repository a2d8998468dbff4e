"""WhatsApp: a short guided conversation, in Hindi or English, that registers a complaint.

Citizens write to the city's WhatsApp number (Twilio); messaging.webhooks checks Twilio's signature and
hands each message here (`receive`). The conversation asks, one message at a time:

  language (only the first time: "1 हिन्दी / 2 English") → the problem (a numbered menu of the most
  common categories, or the problem in their own words, matched against names and keywords as the
  agents' console matches them) → ward or locality (a number, a ward name, or a locality the desk lists
  for a ward; when several fit, the citizen picks one) → a description → a photo (optional) → a
  location pin or a landmark (optional)

and then registers the complaint (`do_register`, channel "whatsapp", no desk user) and answers with its
docket number and time limit; if the same citizen reported the same problem in the same ward a short
while ago, it names that docket instead. Photos and pins are kept whenever they arrive; "skip"/"छोड़ें"
passes an optional step, "cancel"/"रद्द" drops the complaint being written. A docket number sent on its
own, and "1"/"2" (solved / not solved) outside a conversation, are answered by messaging.replies.

Every incoming message is recorded once (InboundMessage, unique per Twilio MessageSid) and its answer
is put in the outbox (Event.CONVERSATION, its words in context["text"], key "wa:<MessageSid>") in the
same transaction as the conversation's step, so a replayed or doubled webhook changes nothing twice and
an answer is never lost nor sent twice. WhatsApp allows free-form messages only within 24 hours of the
citizen's last message: we only ever answer a message just received, and a conversation left for more
than 24 hours starts again from the top.

The citizen's words are in `TEXTS`, Hindi and English side by side, chosen by the conversation's
language (not the desk's active language), so each pair can be read together and kept saying the same.
"""
from __future__ import annotations

import logging
import time
from decimal import Decimal
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import requests
import urllib3
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Count
from django.utils import formats, timezone, translation

from nagar_nigam_cc.directory.places import inside_city, parse_coordinate
from nagar_nigam_cc.complaints import dockets
from nagar_nigam_cc.complaints.actions import NewComplaint, PossibleDuplicate, clean_text, do_register
from nagar_nigam_cc.complaints.console import directory, search_categories, search_wards
from nagar_nigam_cc.complaints.models import (
    Attachment,
    AttachmentKind,
    Channel,
    Citizen,
    Complaint,
    ComplaintEvent,
    EventKind,
)
from nagar_nigam_cc.complaints.photos import check_photo
from nagar_nigam_cc.directory.models import Category, Ward
from nagar_nigam_cc.intake.models import WhatsAppConversation
from nagar_nigam_cc.messaging import outbox, replies
from nagar_nigam_cc.messaging.models import Event, InboundMessage, OutboundMessage

log = logging.getLogger(__name__)
Step = WhatsAppConversation.Step
GATEWAY = "twilio"

#: WhatsApp's free-form window: an unfinished conversation older than this starts again.
SESSION = timedelta(hours=24)
#: The category menu lists this many (the most common first); other problems are typed in words.
MENU_SIZE = 9
#: When words fit several categories or wards, at most this many are offered.
CANDIDATES = 5
#: Photos kept per complaint from one conversation.
MAX_PHOTOS = 3
#: A photo download that takes longer than this in all is given up (a server trickling bytes).
DOWNLOAD_SECONDS = 20.0
_COMMON_KEY = "intake:whatsapp:common-categories"
_COMMON_SECONDS = 600
_COMMON_DAYS = 30

# --- what the citizen reads ---------------------------------------------------------------------------------------

TEXTS: dict[str, tuple[str, str]] = {
    "welcome": ("नमस्ते! नगर निगम शिकायत सेवा में आपका स्वागत है।",
                "Namaste! Welcome to the Nagar Nigam complaint service."),
    "ask_category": ("आपकी शिकायत किस बारे में है? नंबर भेजें, या समस्या अपने शब्दों में लिखें:",
                     "What is the problem? Send its number, or write it in your own words:"),
    "cancel_hint": ("(रोकने के लिए किसी भी समय रद्द लिखें)", "(Write CANCEL at any time to stop.)"),
    "category_candidates": ("इनमें से कौन सी? नंबर भेजें, या दूसरे शब्दों में लिखें:",
                            "Which of these? Send its number, or write it in other words:"),
    "category_unknown": ("माफ़ कीजिए, यह समझ नहीं आया।", "Sorry, we did not understand that."),
    "category_out_of_range": ("कृपया 1 से {n} तक का नंबर भेजें।", "Please send a number from 1 to {n}."),
    "category_chosen": ("समस्या: {category}", "Problem: {category}"),
    "category_inactive": ("यह समस्या-श्रेणी अब उपयोग में नहीं है; कृपया दूसरी चुनें।",
                          "That kind of problem is no longer in use; please choose another."),
    "ask_ward": ("आपका वार्ड नंबर या मोहल्ले/इलाके का नाम लिखें।",
                 "Write your ward number, or the name of your locality."),
    "ward_candidates": ("इनमें से कौन सा? वार्ड नंबर भेजें:", "Which of these? Send the ward number:"),
    "ward_unknown": ("यह वार्ड या इलाका नहीं मिला। वार्ड नंबर या पास की किसी जगह का नाम लिखें।",
                     "We could not find that ward or locality. Write the ward number, or the name of a place nearby."),
    "ward_no_number": ("वार्ड नंबर {number} नहीं है।", "There is no ward number {number}."),
    "ward_line": ("वार्ड {number} · {name}", "Ward {number} · {name}"),
    "ward_chosen": ("वार्ड: {ward}", "Ward: {ward}"),
    "ask_description": ("समस्या के बारे में थोड़ा लिखें: ठीक कहाँ है, और कब से है।",
                        "Describe the problem in a few words: exactly where it is, and since when."),
    "description_needed": ("शिकायत दर्ज करने के लिए विवरण ज़रूरी है।",
                           "A description is needed to register the complaint."),
    "description_too_long": ("विवरण {limit} अक्षरों के अंदर रखें (इसमें {length} हैं)।",
                             "Keep the description within {limit} characters (it has {length})."),
    "ask_photo": ("हो सके तो समस्या की एक फ़ोटो भेजें। फ़ोटो नहीं है तो छोड़ें लिखें।",
                  "If you can, send a photo of the problem. If not, write SKIP."),
    "ask_location": ("अपनी लोकेशन भेजें (📎 → लोकेशन), या पास की कोई पहचान की जगह लिखें। नहीं तो छोड़ें लिखें।",
                     "Send your location (📎 → Location), or write a landmark nearby. Otherwise write SKIP."),
    "added_to_description": ("यह विवरण में जोड़ दिया गया।", "Added to the description."),
    "photo_received": ("फ़ोटो मिल गई।", "Photo received."),
    "photo_limit": ("हम {n} से ज़्यादा फ़ोटो नहीं रखते; यह फ़ोटो नहीं जोड़ी गई।",
                    "We keep at most {n} photos; this one was not added."),
    "photo_not_image": ("यह फ़ाइल फ़ोटो नहीं है; JPEG, PNG या WebP फ़ोटो भेजें।",
                        "That file is not a photo; send a JPEG, PNG or WebP photo."),
    "photo_too_large": ("फ़ोटो बहुत बड़ी है; {limit} MB तक की फ़ोटो भेजें।",
                        "The photo is too large; send one of at most {limit} MB."),
    "photo_audio": ("हम यहाँ वॉयस मैसेज नहीं सुन सकते; कृपया लिखकर भेजें।",
                    "We cannot listen to voice messages here; please write it instead."),
    "photo_unreachable": ("फ़ोटो हम तक नहीं पहुँच सकी; कृपया दोबारा भेजें।",
                          "We could not receive the photo; please send it again."),
    "pin_received": ("लोकेशन मिल गई।", "Location received."),
    "pin_outside": ("यह लोकेशन नगर निगम क्षेत्र के बाहर है, इसलिए नहीं जोड़ी गई।",
                    "That location is outside the city, so it was not added."),
    "pin_unreadable": ("यह लोकेशन पढ़ी नहीं जा सकी।", "That location could not be read."),
    "registered": ("आपकी शिकायत दर्ज हो गई है।\nडॉकेट नंबर: {docket}",
                   "Your complaint is registered.\nDocket number: {docket}"),
    "registered_due": ("निस्तारण की समय-सीमा: {due}", "To be resolved by: {due}"),
    "status_hint": ("स्थिति जानने के लिए यही नंबर भेजें।", "Send this number any time to know its status."),
    "duplicate": ("आप यह शिकायत पहले ही दर्ज करा चुके हैं: डॉकेट नंबर {docket} ({status})। "
                  "स्थिति जानने के लिए यही नंबर भेजें।",
                  "You have already reported this: docket number {docket} ({status}). "
                  "Send this number any time to know its status."),
    "duplicate_photos": ("आपकी फ़ोटो उसी शिकायत में जोड़ दी गई।", "Your photo was added to it."),
    "not_registered": ("शिकायत दर्ज नहीं हो सकी: {why}", "The complaint could not be registered: {why}"),
    "cancelled": ("शिकायत रद्द कर दी गई। नई शिकायत के लिए कोई भी संदेश भेजें।",
                  "Cancelled. Send any message to start a new complaint."),
    "nothing_to_cancel": ("अभी कोई शिकायत नहीं लिखी जा रही। नई शिकायत के लिए कोई भी संदेश भेजें।",
                          "No complaint is being written now. Send any message to start one."),
    "expired": ("आपकी पिछली अधूरी शिकायत 24 घंटे बाद बंद हो गई; चलिए फिर से शुरू करते हैं।",
                "Your unfinished complaint expired after 24 hours; let us start again."),
}
#: Asked before the language is known: both languages.
ASK_LANGUAGE = "भाषा चुनें / Choose your language:\n1 हिन्दी\n2 English"


def say(key: str, language: str, **values) -> str:
    hindi, english = TEXTS[key]
    words = english if language == "en" else hindi
    return words.format(**values) if values else words


def _fold(words) -> frozenset[str]:
    return frozenset(replies._plain(w).strip() for w in words)


_SKIP = _fold({"skip", "छोड़ें", "छोड़ो", "छोड़िए", "छोड़े", "chhodo", "chhoden", "chodo", "no", "nahi", "nahin",
               "नहीं", "ना", "na", "none", "nothing", "0"})
_CANCEL = _fold({"cancel", "रद्द", "radd", "rad", "कैंसल"})
_HINDI = _fold({"1", "hindi", "हिन्दी", "हिंदी"})
_ENGLISH = _fold({"2", "english", "अंग्रेज़ी", "अंग्रेजी", "angrezi", "eng"})
_WARD_WORDS = _fold({"ward", "वार्ड", "no", "number", "num", "नंबर", "नम्बर", "नं", "संख्या"})


def _tokens(message: str) -> list[str]:
    return replies._plain(message or "").split()


def is_skip(message: str) -> bool:
    tokens = _tokens(message)
    return 0 < len(tokens) <= 2 and tokens[0] in _SKIP


def is_cancel(message: str) -> bool:
    tokens = _tokens(message)
    return 0 < len(tokens) <= 3 and tokens[0] in _CANCEL


def language_chosen(message: str) -> str:
    tokens = _tokens(message)
    if len(tokens) != 1:
        return ""
    return "hi" if tokens[0] in _HINDI else "en" if tokens[0] in _ENGLISH else ""


def ward_number(message: str) -> int | None:
    """"12", "ward 12", "वार्ड नं. 12", "१२" → 12; anything else None. Pure."""
    rest = [t for t in _tokens(message) if t not in _WARD_WORDS]
    if len(rest) == 1 and rest[0].isascii() and rest[0].isdigit() and len(rest[0]) <= 6:
        return int(rest[0])
    return None


def menu_number(message: str) -> int | None:
    tokens = _tokens(message)
    if len(tokens) == 1 and tokens[0].isascii() and tokens[0].isdigit() and len(tokens[0]) <= 3:
        return int(tokens[0])
    return None


# --- the incoming message -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Incoming:
    """One WhatsApp message as Twilio posts it (https://www.twilio.com/docs/messaging/guides/webhook-request)."""

    sid: str
    mobile: str  # E.164
    text: str = ""
    media: tuple[tuple[str, str], ...] = ()  # (MediaUrlN, MediaContentTypeN)
    latitude: str = ""
    longitude: str = ""
    profile_name: str = ""

    @classmethod
    def from_twilio(cls, post, *, sid: str, mobile: str) -> Incoming:
        try:
            count = max(0, min(int(post.get("NumMedia") or 0), 10))
        except ValueError:
            count = 0
        media = tuple((post.get(f"MediaUrl{i}", ""), post.get(f"MediaContentType{i}", "")) for i in range(count)
                      if post.get(f"MediaUrl{i}"))
        return cls(sid=sid, mobile=mobile, text=post.get("Body", ""), media=media,
                   latitude=post.get("Latitude", ""), longitude=post.get("Longitude", ""),
                   profile_name=post.get("ProfileName", ""))

    @property
    def has_pin(self) -> bool:
        return bool(self.latitude or self.longitude)

    def recorded_body(self) -> str:
        """The text as received, with a line for each photo and the pin (the desk reads the conversation)."""
        lines = [self.text[:replies.MAX_CHARS]] if self.text else []
        lines += [f"[{kind or 'media'}]" for _url, kind in self.media]
        if self.has_pin:
            lines.append(f"[location {self.latitude[:20]},{self.longitude[:20]}]")
        return "\n".join(lines)


# --- photos: fetched from Twilio, checked, stored -----------------------------------------------------------------

class MediaRefused(Exception):
    """A photo that is not kept; `code` names the reason the citizen is told (photo_<code>)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _sends_credentials_to(host: str) -> bool:
    # Twilio's media URLs need the account's credentials; never hand them to any other host.
    hosts = {"api.twilio.com"}
    if settings.TWILIO_API_BASE:
        hosts.add(urlsplit(settings.TWILIO_API_BASE).hostname or "")
    return host in hosts


def download(url: str, *, limit: int) -> bytes:
    """The media at `url`, at most `limit` bytes, read as it streams: a larger file is refused as soon as
    its declared length or its first `limit` + 1 bytes show it, never read whole. Raises MediaRefused."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise MediaRefused("unreachable")
    auth = None
    if _sends_credentials_to(parts.hostname) and settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN:
        auth = (settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN)
    deadline = time.monotonic() + DOWNLOAD_SECONDS
    timeout = settings.NNC_GATEWAY_TIMEOUT_SECONDS
    try:
        # Twilio answers with a redirect to its media store; requests drops the credentials on the way.
        with requests.get(url, auth=auth, stream=True, timeout=(timeout, timeout), allow_redirects=True,
                          headers={"Accept-Encoding": "identity"}) as response:
            if response.status_code != 200:
                log.info("WhatsApp media %s: HTTP %s", url[:200], response.status_code)
                raise MediaRefused("unreachable")
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > limit:
                raise MediaRefused("too_large")
            body = bytearray()
            # Raw bytes, not decoded: a compressed body cannot expand past the limit inside one chunk.
            for chunk in response.raw.stream(64 * 1024, decode_content=False):
                body += chunk
                if len(body) > limit:
                    raise MediaRefused("too_large")
                if time.monotonic() > deadline:
                    raise MediaRefused("unreachable")
            return bytes(body)
    except requests.RequestException as error:
        log.info("WhatsApp media %s could not be fetched: %s", url[:200], error)
        raise MediaRefused("unreachable") from error
    except (OSError, urllib3.exceptions.HTTPError) as error:  # while streaming the raw body
        log.info("WhatsApp media %s broke off: %s", url[:200], error)
        raise MediaRefused("unreachable") from error


_EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "image/heif": ".heic",
               "image/gif": ".gif"}


@dataclass
class Fetched:
    """What became of one photo of a message: stored (a dict for the conversation's data) or refused."""

    stored: dict | None = None
    refused: str = ""


def fetch_photo(url: str, declared_type: str, *, sid: str, index: int, now: datetime) -> Fetched:
    """Download, check (complaints.photos.check_photo) and store one photo of a message."""
    declared_type = (declared_type or "").lower()
    if declared_type.startswith("audio/"):
        return Fetched(refused="audio")  # a voice note: not downloaded
    if not declared_type.startswith("image/"):
        return Fetched(refused="not_image")  # a PDF, a video: not downloaded at all
    limit = settings.NNC_PHOTO_MAX_BYTES
    try:
        data = download(url, limit=limit)
    except MediaRefused as refusal:
        return Fetched(refused=refusal.code)
    upload = SimpleUploadedFile(f"{sid}-{index}", data, content_type=declared_type)
    try:
        content_type = check_photo(upload)
    except ValidationError as error:
        return Fetched(refused="too_large" if error.code == "too_large" else "not_image")
    safe_sid = "".join(ch for ch in sid if ch.isascii() and ch.isalnum())[:64] or "media"
    name = f"complaints/whatsapp/{timezone.localtime(now):%Y/%m}/{safe_sid}-{index}{_EXTENSIONS.get(content_type, '')}"
    stored = default_storage.save(name, ContentFile(data))
    return Fetched(stored={"name": stored, "type": content_type, "size": len(data)})


def _forget_files(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:  # already gone: nothing to forget
            log.info("could not delete %s", name)


def _forget_after_commit(names: list[str]) -> None:
    if names:
        transaction.on_commit(lambda: _forget_files(names))


# --- receiving a message ------------------------------------------------------------------------------------------

def in_progress(conversation: WhatsAppConversation | None, now: datetime) -> bool:
    return (conversation is not None and conversation.step != Step.DONE
            and now - conversation.last_message_at <= SESSION)


def for_replies(message: str, going: bool) -> bool:
    """Is this message for messaging.replies (a docket's status, "1"/"2" on a resolution) rather than the
    conversation? Outside a conversation every such command is; inside one, only a valid docket number
    (menus and ward numbers are short, and "1"/"2" answer the conversation's questions)."""
    if len(message) > replies.MAX_CHARS:
        return False
    command = replies.parse(message)
    if command.kind == replies.HELP:
        return False
    if not going:
        return True
    return command.kind == replies.STATUS and command.docket is not None


def receive(message: Incoming, *, now: datetime | None = None) -> InboundMessage:
    """Record a citizen's WhatsApp message, take the conversation one step and queue the answer, in one
    transaction. A MessageSid seen before returns its first record and does nothing again."""
    now = now or timezone.now()
    earlier = InboundMessage.objects.filter(gateway=GATEWAY, provider_id=message.sid).first()
    if earlier is not None:
        log.info("WhatsApp message %s received again; already handled", message.sid)
        return earlier
    going = in_progress(WhatsAppConversation.objects.filter(mobile=message.mobile).first(), now)
    if not message.media and not message.has_pin and for_replies(message.text or "", going):
        return replies.receive(channel=Channel.WHATSAPP, gateway=GATEWAY, provider_id=message.sid,
                               mobile=message.mobile, text=message.text or "", now=now)
    # Photos are fetched before the transaction: no row is held locked while Twilio's servers answer.
    fetched = [fetch_photo(url, kind, sid=message.sid, index=i, now=now) for i, (url, kind) in enumerate(message.media)]
    new_files = [f.stored["name"] for f in fetched if f.stored]
    try:
        with transaction.atomic():
            inbound, created = InboundMessage.objects.get_or_create(
                gateway=GATEWAY, provider_id=message.sid,
                defaults={"channel": Channel.WHATSAPP, "from_mobile": message.mobile,
                          "body": message.recorded_body(), "received_at": now},
            )
            if created:
                conversation, _ = WhatsAppConversation.objects.get_or_create(
                    mobile=message.mobile, defaults={"step": Step.DONE, "started_at": now, "last_message_at": now})
                conversation = WhatsAppConversation.objects.select_for_update().get(pk=conversation.pk)
                turn = Turn(conversation, message, now, fetched)
                answer = turn.take()
                conversation.last_message_at = now
                conversation.save()
                inbound.citizen = Citizen.objects.filter(mobile=message.mobile).first()
                inbound.complaint = turn.complaint
                inbound.save(update_fields=["citizen", "complaint"])
                outbox.put(OutboundMessage(
                    key=f"wa:{message.sid}", channel=Channel.WHATSAPP, event=Event.CONVERSATION,
                    complaint=turn.complaint, to_mobile=message.mobile,
                    language=conversation.language or settings.LANGUAGE_CODE,
                    context={"text": answer}, created_at=now, next_attempt_at=now,
                ))
                _forget_after_commit(turn.unused)
    except BaseException:
        _forget_files(new_files)
        raise
    if not created:  # the same message delivered twice at once: the other delivery acted on it
        _forget_files(new_files)
    return inbound


# --- one step of the conversation ---------------------------------------------------------------------------------

@dataclass
class Turn:
    """The conversation's answer to one message. `take` changes the conversation (the caller saves it)
    and returns the words to send; `complaint` is set when one was registered (or found a duplicate of);
    `unused` lists stored files no longer wanted (deleted after commit)."""

    conversation: WhatsAppConversation
    message: Incoming
    now: datetime
    fetched: list[Fetched]
    notes: list[str] = field(default_factory=list)
    complaint: Complaint | None = None
    unused: list[str] = field(default_factory=list)

    @property
    def language(self) -> str:
        return self.conversation.language or "hi"

    @property
    def data(self) -> dict:
        return self.conversation.data

    def say(self, key: str, **values) -> str:
        return say(key, self.language, **values)

    def answer(self, *parts: str) -> str:
        return "\n\n".join(p for p in (*self.notes, *parts) if p)

    # --- the whole turn -------------------------------------------------------------------------------------------
    def take(self) -> str:
        c, words = self.conversation, self.message.text or ""
        if not in_progress(c, self.now):
            expired = c.step not in (Step.DONE, Step.LANGUAGE)
            self.restart()
            if is_cancel(words) and not self.message.media and not self.message.has_pin:
                c.step = Step.DONE
                return self.say("nothing_to_cancel")
            opening = [self.say("expired")] if expired else []
            self.keep_extras()
            if c.step == Step.LANGUAGE:
                return self.answer(*opening, f"{TEXTS['welcome'][0]}\n{TEXTS['welcome'][1]}", ASK_LANGUAGE)
            return self.answer(*opening, self.say("welcome"), self.ask(Step.CATEGORY))
        if is_cancel(words):
            self.unused += [p["name"] for p in self.data.get("photos", [])]
            self.unused += [f.stored["name"] for f in self.fetched if f.stored]
            c.step, c.data = Step.DONE, {"cancelled": True}
            return self.say("cancelled")
        fresh_photo, fresh_pin = self.keep_extras()
        return getattr(self, f"on_{c.step}")(words.strip(), fresh_photo, fresh_pin)

    def restart(self) -> None:
        c = self.conversation
        self.unused += [p["name"] for p in (c.data or {}).get("photos", [])]
        c.data, c.complaint, c.started_at = {}, None, self.now
        c.step = Step.CATEGORY if c.language else Step.LANGUAGE

    def keep_extras(self) -> tuple[bool, bool]:
        """Keep the message's photos and pin whatever the step (they are asked for later, and nothing a
        citizen sends is dropped unless it is refused, with the reason). Returns (photo kept, pin kept)."""
        photos = self.data.setdefault("photos", [])
        kept_photo = False
        for item in self.fetched:
            if item.refused:
                limit = round(settings.NNC_PHOTO_MAX_BYTES / 1_048_576)
                self.notes.append(self.say(f"photo_{item.refused}", limit=limit))
            elif len(photos) >= MAX_PHOTOS:
                self.unused.append(item.stored["name"])
                self.notes.append(self.say("photo_limit", n=MAX_PHOTOS))
            else:
                photos.append(item.stored)
                kept_photo = True
        if kept_photo:
            self.notes.append(self.say("photo_received"))
        if not self.message.has_pin:
            return kept_photo, False
        latitude = parse_coordinate(self.message.latitude, -90, 90)
        longitude = parse_coordinate(self.message.longitude, -180, 180)
        if latitude is None or longitude is None:
            self.notes.append(self.say("pin_unreadable"))
            return kept_photo, False
        if not inside_city(float(latitude), float(longitude)):
            self.notes.append(self.say("pin_outside"))
            return kept_photo, False
        self.data["pin"] = {"lat": str(latitude), "long": str(longitude)}
        self.notes.append(self.say("pin_received"))
        return kept_photo, True

    # --- questions ------------------------------------------------------------------------------------------------
    def ask(self, step: str, *, lead: str = "") -> str:
        """Move to `step` and return its question (with the menu, for the category)."""
        self.conversation.step = step
        if step == Step.CATEGORY:
            ids = common_categories()
            self.data["menu"] = ids
            parts = (lead or self.say("ask_category"), self._menu(ids), self.say("cancel_hint"))
            return "\n".join(p for p in parts if p)
        question = {Step.WARD: "ask_ward", Step.DESCRIPTION: "ask_description", Step.PHOTO: "ask_photo",
                    Step.LOCATION: "ask_location"}[step]
        return "\n".join(p for p in (lead, self.say(question)) if p)

    def _menu(self, ids: list[int]) -> str:
        entries = directory().categories
        hindi = self.language != "en"
        return "\n".join(f"{n}. {entries[i].name_hi if hindi else entries[i].name_en}"
                         for n, i in enumerate(ids, 1) if i in entries)

    def after_description(self) -> str:
        """The next question after the description, skipping those already answered; or register."""
        if not self.data.get("photos") and not self.data.get("photo_skipped"):
            return self.answer(self.ask(Step.PHOTO))
        if not self.data.get("pin") and not self.data.get("location_done"):
            return self.answer(self.ask(Step.LOCATION))
        return self.register()

    # --- each step's answer ---------------------------------------------------------------------------------------
    def on_language(self, words: str, _photo: bool, _pin: bool) -> str:
        chosen = language_chosen(words)
        if not chosen:
            return self.answer(ASK_LANGUAGE)
        self.conversation.language = chosen
        return self.answer(self.ask(Step.CATEGORY))

    def on_category(self, words: str, _photo: bool, _pin: bool) -> str:
        if not words:
            return self.answer(self.ask(Step.CATEGORY))
        menu = [i for i in self.data.get("menu", []) if i in directory().categories]
        number = menu_number(words)
        if number is not None and not menu:
            return self.answer(self.ask(Step.CATEGORY))
        if number is not None:
            if not 1 <= number <= len(menu):
                return self.answer(self.say("category_out_of_range", n=len(menu)), self._menu(menu))
            return self.choose_category(menu[number - 1])
        found = match_categories(words)
        if not found:
            return self.answer(self.say("category_unknown"), self.ask(Step.CATEGORY))
        if len(found) == 1:
            return self.choose_category(found[0])
        self.data["menu"] = found
        return self.answer(f"{self.say('category_candidates')}\n{self._menu(found)}")

    def choose_category(self, category_id: int) -> str:
        entry = directory().categories.get(category_id)
        if entry is None or not entry.is_active:
            return self.answer(self.ask(Step.CATEGORY, lead=self.say("category_inactive")))
        self.data["category"] = category_id
        self.data.pop("menu", None)
        name = entry.name_hi if self.language != "en" else entry.name_en
        return self.answer(self.say("category_chosen", category=name), self.ask(Step.WARD))

    def on_ward(self, words: str, _photo: bool, _pin: bool) -> str:
        if not words:
            return self.answer(self.ask(Step.WARD))
        wards = directory().wards
        number = ward_number(words)
        if number is not None:
            chosen = next((w for w in wards.values() if w.number == number), None)
            if chosen is None:
                return self.answer(self.say("ward_no_number", number=number), self.ask(Step.WARD))
            return self.choose_ward(chosen.pk, "")
        found = search_wards(words, limit=CANDIDATES)
        if not found:
            return self.answer(self.say("ward_unknown"))
        if len(found) == 1:
            return self.choose_ward(found[0][0].pk, words)
        self.data["place"] = words[:255]
        lines = [self._ward_line(entry) + (f" ({locality})" if locality else "") for entry, locality in found]
        return self.answer("\n".join((self.say("ward_candidates"), *lines)))

    def _ward_line(self, entry) -> str:
        name = entry.name_hi if self.language != "en" else entry.name_en
        return self.say("ward_line", number=entry.number, name=name)

    def choose_ward(self, ward_id: int, place: str) -> str:
        self.data["ward"] = ward_id
        # What the citizen called the place ("near Hanuman Mandir, Katra") helps the officer find it.
        place = place or self.data.get("place", "")
        self.data.pop("place", None)
        if place:
            self.data["address"] = place[:255]
        return self.answer(self.say("ward_chosen", ward=self._ward_line(directory().wards[ward_id])),
                           self.ask(Step.DESCRIPTION))

    def on_description(self, words: str, _photo: bool, _pin: bool) -> str:
        if not words:
            return self.answer(self.ask(Step.DESCRIPTION))
        if is_skip(words):
            return self.answer(self.say("description_needed"), self.ask(Step.DESCRIPTION))
        try:
            described = clean_text(words, field="description", max_length=settings.NNC_DESCRIPTION_MAX_CHARS,
                                   required=True)
        except ValidationError:
            return self.answer(self.say("description_too_long", limit=settings.NNC_DESCRIPTION_MAX_CHARS,
                                        length=len(words)))
        self.data["description"] = described
        return self.after_description()

    def on_photo(self, words: str, photo: bool, _pin: bool) -> str:
        if photo:
            return self.after_description()
        if is_skip(words):
            self.data["photo_skipped"] = True
            return self.after_description()
        if words:  # more about the problem: kept with the description
            joined = f"{self.data.get('description', '')}\n{words}".strip()
            if len(joined) <= settings.NNC_DESCRIPTION_MAX_CHARS:
                self.data["description"] = joined
                self.notes.append(self.say("added_to_description"))
            else:
                self.notes.append(self.say("description_too_long", limit=settings.NNC_DESCRIPTION_MAX_CHARS,
                                           length=len(joined)))
        return self.answer(self.ask(Step.PHOTO))

    def on_location(self, words: str, _photo: bool, pin: bool) -> str:
        if pin:
            return self.register()
        if is_skip(words):
            self.data["location_done"] = True
            return self.register()
        if words:
            self.data["landmark"] = words[:255]
            self.data["location_done"] = True
            return self.register()
        return self.answer(self.ask(Step.LOCATION))

    # --- registering ----------------------------------------------------------------------------------------------
    def register(self) -> str:
        c, data = self.conversation, self.data
        category = Category.objects.select_related("department").filter(pk=data.get("category")).first()
        ward = Ward.objects.filter(pk=data.get("ward")).first()
        if category is None or not category.is_active:
            return self.answer(self.ask(Step.CATEGORY, lead=self.say("category_inactive")))
        if ward is None:
            return self.answer(self.ask(Step.WARD))
        pin = data.get("pin") or {}
        known = Citizen.objects.filter(mobile=self.message.mobile).values_list("name", flat=True).first()
        name = self.message.profile_name if not known else ""
        try:
            name = clean_text(name, field="name", max_length=120)
        except ValidationError:
            name = ""
        new = NewComplaint(
            mobile=self.message.mobile, category=category, ward=ward, description=data.get("description", ""),
            name=name, language=self.language, address=data.get("address", ""), landmark=data.get("landmark", ""),
            channel=Channel.WHATSAPP,
            **({"latitude": Decimal(pin["lat"]), "longitude": Decimal(pin["long"])} if pin else {}),
        )
        try:
            with transaction.atomic():
                complaint = do_register(new, actor=None, now=self.now)
        except PossibleDuplicate as duplicate:
            existing = duplicate.existing
            added = self.attach_photos(existing, event=None)
            c.step, c.complaint, self.complaint = Step.DONE, existing, existing
            with translation.override(self.language):
                status = str(existing.get_status_display())
            return self.answer(self.say("duplicate", docket=dockets.spoken(existing.docket), status=status),
                               self.say("duplicate_photos") if added else "")
        except ValidationError as error:
            log.info("WhatsApp complaint from %s not registered: %s", self.message.sid, error)
            with translation.override(self.language):
                why = " ".join(str(m) for m in error.messages)
            return self.answer(self.say("not_registered", why=why), self.ask(Step.DESCRIPTION))
        registered = ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.REGISTERED).first()
        self.attach_photos(complaint, event=registered)
        c.step, c.complaint, self.complaint = Step.DONE, complaint, complaint
        lines = [self.say("registered", docket=dockets.spoken(complaint.docket))]
        if complaint.due_at:
            with translation.override(self.language):
                due = formats.date_format(timezone.localtime(complaint.due_at), "j M Y, H:i")
            lines.append(self.say("registered_due", due=due))
        lines.append(self.say("status_hint"))
        return self.answer("\n".join(lines))

    def attach_photos(self, complaint: Complaint, *, event: ComplaintEvent | None) -> int:
        """The conversation's photos become the complaint's citizen photos (same transaction)."""
        photos = self.data.get("photos", [])
        Attachment.objects.bulk_create([
            Attachment(complaint=complaint, event=event, kind=AttachmentKind.CITIZEN_PHOTO, file=p["name"],
                       content_type=p["type"], size=p["size"], uploaded_by=None, uploaded_at=self.now)
            for p in photos
        ])
        self.data["attached"] = [p["name"] for p in photos]
        self.data["photos"] = []
        return len(photos)


# --- matching words to categories ---------------------------------------------------------------------------------

def match_categories(words: str) -> list[int]:
    """Active categories the citizen's words name, best first (at most CANDIDATES). The console's matcher
    reads the whole phrase first; a sentence ("kooda nahi utha 3 din se") that no category matches as a
    whole is read word by word, and categories named by more of its words come first."""
    found = [entry.pk for entry, _phrase in search_categories(words, limit=CANDIDATES)]
    if found:
        return found
    votes: dict[int, int] = {}
    for word in _tokens(words):
        if len(word) < 3 or word.isdigit():
            continue
        for rank, (entry, _phrase) in enumerate(search_categories(word, limit=CANDIDATES)):
            votes[entry.pk] = votes.get(entry.pk, 0) + CANDIDATES - rank
    return sorted(votes, key=lambda pk: -votes[pk])[:CANDIDATES]


def common_categories(limit: int = MENU_SIZE) -> list[int]:
    """The active categories for the menu: the most complained-about of the last _COMMON_DAYS days first,
    then the rest by name, at most `limit`. The counts are kept in the cache for _COMMON_SECONDS."""
    ranked = cache.get(_COMMON_KEY)
    if ranked is None:
        since = timezone.now() - timedelta(days=_COMMON_DAYS)
        counts = (Complaint.objects.filter(registered_at__gte=since).values("category_id")
                  .annotate(n=Count("id")).order_by("-n", "category_id"))
        ranked = [row["category_id"] for row in counts[:100]]
        cache.set(_COMMON_KEY, ranked, _COMMON_SECONDS)
    entries = {pk: e for pk, e in directory().categories.items() if e.is_active}
    rest = sorted((pk for pk in entries if pk not in ranked), key=lambda pk: entries[pk].name_en.casefold())
    return [pk for pk in (*ranked, *rest) if pk in entries][:limit]

