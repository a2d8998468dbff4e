"""The agent console: the desk's one page for taking a call and registering what the caller says.

The agent types (or the telephony screen-pop passes, `?mobile=+91…`) the caller's mobile, and the
caller's name and latest complaints appear; the complaint type is found by typing words in Hindi or
English (or Hinglish: "kooda" finds कूड़ा), the ward by its number, name or a locality or landmark the
caller names. Before saving, open complaints of the same type in the same ward are shown, and the
agent can attach the caller to one of them instead of opening a second (`do_attach_caller`). Saving
calls `do_register`, and the docket number is shown large, to be read back.

This is the only registration form of the desk: the complaint list's "add" page sends agents here, and
a plain form POST (no JavaScript) registers through the same form and the same code as the page's own
JSON endpoint.

Every endpoint needs the desk login (is_staff) and the right to register (`access.may(user, "register")`).
Category and ward lists are matched in memory (a few hundred rows, kept per process for a minute and
dropped at once when one is saved); the caller lookup is one indexed query per table.
"""
from __future__ import annotations

import re
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import wraps

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponseRedirect, JsonResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from nagar_nigam_cc.bilingual import reader_wants_hindi
from nagar_nigam_cc.complaints import access, actions, dockets
from nagar_nigam_cc.complaints.action_forms import add_action_error
from nagar_nigam_cc.complaints.admin_forms import RegisterComplaintForm
from nagar_nigam_cc.complaints.models import (
    OPEN_STATUSES,
    Channel,
    Citizen,
    Complaint,
    Follower,
    Language,
    Status,
)
from nagar_nigam_cc.complaints.phones import normalise_mobile
from nagar_nigam_cc.directory.models import Category, Department, Ward, Zone
from nagar_nigam_cc.intake import hours, voice
from nagar_nigam_cc.intake.models import CallbackRequest
from nagar_nigam_cc.sla.display import duration_text, time_left, time_left_text

#: How many of the caller's complaints the lookup shows (newest first).
CALLER_COMPLAINTS = 10
#: How many suggestions a category or ward search returns.
SUGGESTIONS = 8
#: Open complaints of the same type and ward registered within this many days count as likely
#: duplicates (older ones are shown on the desk's list, not offered for attaching).
DUPLICATE_DAYS = getattr(settings, "NNC_CONSOLE_DUPLICATE_DAYS", 14)
DUPLICATES_SHOWN = 5
#: How many complaints the after-hours panel lists.
AFTER_HOURS_SHOWN = 50


# --- matching what the agent types (pure) ------------------------------------------------------------------
#
# Agents type what the caller says, in Devanagari, in English, or in Hinglish ("kooda", "nali",
# "safai"). Every name, keyword and locality is kept in two forms: as written (lower case, NFC), for
# plain prefix and substring matches, and as a "skeleton" — Devanagari romanised, then both scripts
# folded the same way: aspirates and long vowels merged (kh→k, oo→u, ee→i), the vowel "a" dropped (it
# is the one Hindi spellers disagree on most: कचरा is "kachra" and "kachara"), doubled letters
# collapsed. "kooda", "kuda" and "कूड़ा" all become "kud".

_CONSONANTS = {
    "क": "k", "ख": "kh", "ग": "g", "घ": "gh", "ङ": "n", "च": "ch", "छ": "chh", "ज": "j", "झ": "jh", "ञ": "n",
    "ट": "t", "ठ": "th", "ड": "d", "ढ": "dh", "ण": "n", "त": "t", "थ": "th", "द": "d", "ध": "dh", "न": "n",
    "प": "p", "फ": "ph", "ब": "b", "भ": "bh", "म": "m", "य": "y", "र": "r", "ल": "l", "व": "v", "श": "sh",
    "ष": "sh", "स": "s", "ह": "h", "ळ": "l",
}
#: A consonant followed by the nukta (़) is another sound (NFC keeps them as two characters).
_NUKTA_CONSONANTS = {"क": "q", "ख": "kh", "ग": "g", "ज": "z", "ड": "d", "ढ": "dh", "फ": "f", "य": "y"}
_VOWELS = {
    "अ": "a", "आ": "aa", "इ": "i", "ई": "ee", "उ": "u", "ऊ": "oo", "ऋ": "ri", "ए": "e", "ऐ": "ai", "ओ": "o",
    "औ": "au", "ऑ": "o", "ऍ": "e",
}
_MATRAS = {
    "ा": "aa", "ि": "i", "ी": "ee", "ु": "u", "ू": "oo", "ृ": "ri", "े": "e", "ै": "ai", "ो": "o", "ौ": "au",
    "ॉ": "o", "ॅ": "e",
}
_SIGNS = {"ं": "n", "ँ": "n", "ः": "h", "्": "", "़": "", "ऽ": ""}
_DIGITS = {chr(0x0966 + i): str(i) for i in range(10)}

# Applied in order, to lower-case ASCII.
_FOLDS = (
    (re.compile(r"[^a-z0-9]+"), ""),
    (re.compile(r"chh|ch"), "c"),
    (re.compile(r"ck"), "k"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"sh"), "s"),
    (re.compile(r"([bcdgjklmnprstv])h"), r"\1"),  # kh→k, dh→d, bh→b …
    (re.compile(r"w"), "v"),
    (re.compile(r"z"), "j"),
    (re.compile(r"q"), "k"),
    (re.compile(r"x"), "ks"),
    (re.compile(r"ee|ii|ie|ea|y(?=[^aeiou]|$)"), "i"),
    (re.compile(r"oo|uu|ou"), "u"),
    (re.compile(r"ai|ay"), "e"),
    (re.compile(r"au|aw"), "o"),
    (re.compile(r"m(?=[bp])"), "n"),  # खंभा: "khambha" and "khanbha"
    (re.compile(r"a"), ""),
    (re.compile(r"(.)\1+"), r"\1"),
)


def romanise(text: str) -> str:
    """Devanagari → Latin letters, roughly as Hindi speakers type it; other characters kept. Pure."""
    out: list[str] = []
    chars = unicodedata.normalize("NFC", text)
    for i, ch in enumerate(chars):
        following = chars[i + 1] if i + 1 < len(chars) else ""
        if ch in _CONSONANTS:
            # The inherent vowel is not written: the fold drops "a" anyway.
            out.append(_NUKTA_CONSONANTS.get(ch, _CONSONANTS[ch]) if following == "़" else _CONSONANTS[ch])
        elif ch in _VOWELS:
            out.append(_VOWELS[ch])
        elif ch in _MATRAS:
            out.append(_MATRAS[ch])
        elif ch in _SIGNS:
            out.append(_SIGNS[ch])
        elif ch in _DIGITS:
            out.append(_DIGITS[ch])
        else:
            out.append(ch)
    return "".join(out)


def skeleton(text: str) -> str:
    """The folded form both scripts share: 'Kooda', 'kuda', 'कूड़ा' → 'kud'. Pure."""
    ascii_text = unicodedata.normalize("NFKD", romanise(text).lower()).encode("ascii", "ignore").decode()
    for pattern, replacement in _FOLDS:
        ascii_text = pattern.sub(replacement, ascii_text)
    return ascii_text


def plain(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


@dataclass(frozen=True)
class Phrase:
    """One name, keyword or locality of an entry, in the forms the matcher compares."""

    text: str  # as written
    plain: str
    words: tuple[str, ...]
    skeleton: str
    word_skeletons: tuple[str, ...]
    weight: int  # names above keywords and localities

    @classmethod
    def of(cls, text: str, weight: int) -> Phrase:
        p = plain(text)
        words = tuple(p.split())
        return cls(text.strip(), p, words, skeleton(p), tuple(skeleton(w) for w in words), weight)


def phrase_score(query: str, query_skeleton: str, phrase: Phrase) -> int:
    """How well a typed query matches one phrase; 0 when it does not. Pure."""
    if not query:
        return 0
    if phrase.plain == query:
        return 100 + phrase.weight
    if phrase.plain.startswith(query):
        return 90 + phrase.weight
    if any(w.startswith(query) for w in phrase.words):
        return 80 + phrase.weight
    if len(query) >= 3 and query in phrase.plain:
        return 70 + phrase.weight
    if len(query_skeleton) >= 2:
        if phrase.skeleton.startswith(query_skeleton) or any(w.startswith(query_skeleton) for w in phrase.word_skeletons):
            return 60 + phrase.weight
        if len(query_skeleton) >= 3 and query_skeleton in phrase.skeleton:
            return 50 + phrase.weight
    return 0


def best_phrase(query: str, phrases: tuple[Phrase, ...]) -> tuple[int, Phrase | None]:
    """The best-matching phrase for the query (score, phrase). A query of several words matches when
    every word matches some phrase; the score is then that of its weakest word. Pure."""
    q = plain(query)
    if not q:
        return 0, None
    top, top_phrase = 0, None
    q_skeleton = skeleton(q)
    for phrase in phrases:
        score = phrase_score(q, q_skeleton, phrase)
        if score > top:
            top, top_phrase = score, phrase
    if top or len(q.split()) < 2:
        return top, top_phrase
    weakest, first = None, None
    for word in q.split():
        word_skeleton = skeleton(word)
        scored = [(phrase_score(word, word_skeleton, p), p) for p in phrases]
        score, phrase = max(scored, key=lambda sp: sp[0], default=(0, None))
        if not score:
            return 0, None
        weakest = score if weakest is None else min(weakest, score)
        first = first or phrase
    return max(0, (weakest or 0) - 30), first


# --- the city's categories and wards, kept in memory ------------------------------------------------------

@dataclass(frozen=True)
class CategoryEntry:
    pk: int
    code: str
    name_hi: str
    name_en: str
    department_hi: str
    department_en: str
    is_active: bool
    phrases: tuple[Phrase, ...]

    def as_json(self) -> dict:
        hindi = reader_wants_hindi()
        return {
            "id": self.pk, "code": self.code,
            "name": self.name_hi if hindi else self.name_en, "other_name": self.name_en if hindi else self.name_hi,
            "department": self.department_hi if hindi else self.department_en,
        }


@dataclass(frozen=True)
class WardEntry:
    pk: int
    number: int
    name_hi: str
    name_en: str
    zone_hi: str
    zone_en: str
    localities: tuple[str, ...]
    phrases: tuple[Phrase, ...]

    @property
    def name(self) -> str:
        return self.name_hi if reader_wants_hindi() else self.name_en

    @property
    def label(self) -> str:
        return f"{self.number} · {self.name}"

    def as_json(self, locality: str = "") -> dict:
        hindi = reader_wants_hindi()
        return {
            "id": self.pk, "number": self.number, "name": self.name, "label": self.label,
            "other_name": self.name_en if hindi else self.name_hi,
            "zone": self.zone_hi if hindi else self.zone_en, "locality": locality,
        }


@dataclass
class Directory:
    categories: dict[int, CategoryEntry]
    wards: dict[int, WardEntry]
    loaded_at: float = field(default_factory=time.monotonic)


_DIRECTORY_SECONDS = 60.0
_directory: Directory | None = None


def _keywords(text: str) -> list[str]:
    return [k for k in re.split(r"[,;\n]+", text or "") if k.strip()]


def load_directory() -> Directory:
    """Every category (the inactive too: old complaints name them) and every ward, in two queries."""
    categories = {}
    for c in Category.objects.select_related("department").order_by("pk"):
        phrases = (Phrase.of(c.name_hi, 5), Phrase.of(c.name_en, 5), Phrase.of(c.code.replace("-", " "), 2),
                   *(Phrase.of(k, 0) for k in _keywords(c.keywords)))
        categories[c.pk] = CategoryEntry(c.pk, c.code, c.name_hi, c.name_en, c.department.name_hi,
                                         c.department.name_en, c.is_active, tuple(p for p in phrases if p.plain))
    wards = {}
    for w in Ward.objects.select_related("zone").order_by("number"):
        localities = tuple(line.strip() for line in (w.localities or "").splitlines() if line.strip())
        phrases = (Phrase.of(w.name_hi, 5), Phrase.of(w.name_en, 5), *(Phrase.of(line, 0) for line in localities))
        wards[w.pk] = WardEntry(w.pk, w.number, w.name_hi, w.name_en, w.zone.name_hi, w.zone.name_en, localities,
                                tuple(p for p in phrases if p.plain))
    return Directory(categories, wards)


def directory() -> Directory:
    global _directory
    current = _directory
    if current is None or time.monotonic() - current.loaded_at > _DIRECTORY_SECONDS:
        current = _directory = load_directory()
    return current


def forget_directory(**_kwargs) -> None:
    """Drop this process's copy (other processes refresh within _DIRECTORY_SECONDS)."""
    global _directory
    _directory = None


for _model in (Category, Ward, Department, Zone):
    post_save.connect(forget_directory, sender=_model, dispatch_uid=f"console-directory-save-{_model.__name__}")
    post_delete.connect(forget_directory, sender=_model, dispatch_uid=f"console-directory-delete-{_model.__name__}")


def search_categories(query: str, limit: int = SUGGESTIONS) -> list[tuple[CategoryEntry, str]]:
    """Active categories matching the query, best first, each with the phrase that matched."""
    scored = []
    for entry in directory().categories.values():
        if not entry.is_active:
            continue
        score, phrase = best_phrase(query, entry.phrases)
        if score:
            scored.append((-score, entry.name_en, entry, phrase.text if phrase else ""))
    scored.sort(key=lambda row: row[:2])
    return [(entry, matched) for _score, _name, entry, matched in scored[:limit]]


def search_wards(query: str, limit: int = SUGGESTIONS) -> list[tuple[WardEntry, str]]:
    """Wards matching the query (a ward number, a ward name, a locality or landmark), best first, each
    with the locality line that matched ('' when the number or the ward's own name did)."""
    q = plain(query)
    scored = []
    number = int(q) if q.isdigit() and len(q) <= 6 else None
    for entry in directory().wards.values():
        if number is not None:
            text = str(entry.number)
            if text == q:
                scored.append((-200, entry.number, entry, ""))
            elif text.startswith(q):
                scored.append((-150, entry.number, entry, ""))
            continue
        score, phrase = best_phrase(q, entry.phrases)
        if score:
            locality = phrase.text if phrase is not None and phrase.weight == 0 else ""
            scored.append((-score, entry.number, entry, locality))
    scored.sort(key=lambda row: row[:2])
    return [(entry, locality) for _score, _number, entry, locality in scored[:limit]]


# --- the caller, likely duplicates, the after-hours queue ----------------------------------------------------

def _when(moment: datetime | None) -> str:
    return formats.date_format(timezone.localtime(moment), "j M Y, H:i") if moment else ""


def _age(moment: datetime, now: datetime) -> str:
    return _("%(time)s ago") % {"time": duration_text(max(now - moment, timedelta(0)))}


_status_labels: dict[str, dict[str, str]] = {}


def status_label(status: str) -> str:
    """The status in the reader's language. (Model.get_FOO_display hashes the lazy choices on every
    call: a third of the lookup's Python time for ten rows.)"""
    language = get_language() or ""
    labels = _status_labels.get(language)
    if labels is None:
        labels = _status_labels[language] = {value: str(label) for value, label in Status.choices}
    return labels.get(status, status)


def complaint_json(c: Complaint, now: datetime, *, citizen_id: int | None = None) -> dict:
    """What the console shows of one complaint. Category and ward names come from the in-memory
    directory, so the row was read without joins."""
    d = directory()
    category, ward = d.categories.get(c.category_id), d.wards.get(c.ward_id)
    state = time_left(c, now)
    return {
        "id": c.pk,
        "docket": c.docket,
        "spoken": dockets.spoken(c.docket),
        "category": category.as_json()["name"] if category else "",
        "category_id": c.category_id,
        "ward": ward.label if ward else "",
        "ward_id": c.ward_id,
        "status": c.status,
        "status_label": status_label(c.status),
        "open": c.status in OPEN_STATUSES,
        "address": c.address,
        "landmark": c.landmark,
        "registered_at": c.registered_at.isoformat(),
        "registered_text": _when(c.registered_at),
        "age": _age(c.registered_at, now),
        "due_text": str(time_left_text(state)) if state else "",
        "due_key": state.key if state else "",
        "own": citizen_id is not None and c.citizen_id == citizen_id,
        "url": reverse("admin:complaints_complaint_change", args=[c.pk]),
    }


_LIST_FIELDS = ("id", "docket", "citizen_id", "category_id", "ward_id", "status", "registered_at", "due_at",
                "paused_since", "sla_plan", "address", "landmark")


def caller_complaints(citizen_id: int, limit: int = CALLER_COMPLAINTS) -> list[Complaint]:
    """The caller's latest complaints: a backward walk of the (citizen, registered_at) index, however
    many they have."""
    return list(Complaint.objects.filter(citizen_id=citizen_id).order_by("-registered_at", "-id")
                .only(*_LIST_FIELDS)[:limit])


def followed_complaints(citizen_id: int, limit: int = CALLER_COMPLAINTS) -> list[Complaint]:
    """Complaints the caller was attached to as another caller (newest attachment first)."""
    rows = (Follower.objects.filter(citizen_id=citizen_id).select_related("complaint")
            .only(*(f"complaint__{f}" for f in _LIST_FIELDS), "complaint_id", "added_at")
            .order_by("-added_at", "-id")[:limit])
    return [row.complaint for row in rows]


def look_up_caller(mobile: str) -> tuple[Citizen | None, list[Complaint], list[Complaint]]:
    """(citizen, their latest complaints, complaints they follow) for a normalised mobile: two indexed
    queries, three when the caller follows some complaint (whether they do comes with the citizen's row)."""
    citizen = (Citizen.objects.filter(mobile=mobile).only("id", "name", "language")
               .annotate(follows=Exists(Follower.objects.filter(citizen_id=OuterRef("pk")))).first())
    if citizen is None:
        return None, [], []
    return citizen, caller_complaints(citizen.pk), followed_complaints(citizen.pk) if citizen.follows else []


def likely_duplicates(category_id: int, ward_id: int, now: datetime, *, locality: str = "",
                      limit: int = DUPLICATES_SHOWN) -> list[Complaint]:
    """Open complaints of this type in this ward from the last DUPLICATE_DAYS days, newest first;
    those naming the caller's locality (in the address or landmark) before the rest."""
    rows = list(
        Complaint.objects.filter(category_id=category_id, ward_id=ward_id, status__in=OPEN_STATUSES,
                                 registered_at__gte=now - timedelta(days=DUPLICATE_DAYS))
        .order_by("-registered_at", "-id").only(*_LIST_FIELDS)[:limit * 4]
    )
    place = plain(locality)
    if place:
        rows.sort(key=lambda c: place not in plain(f"{c.address} {c.landmark}"))  # stable: newest first within
    return rows[:limit]


@dataclass(frozen=True)
class CentreState:
    now: datetime
    is_open: bool
    closed_at: datetime | None  # when the call centre last closed (the queue's start)
    opens_at: datetime  # when it opens next (now, if open)
    queue_until: datetime  # the queue's end: now while closed, else when it reopened


def centre_state(now: datetime) -> CentreState:
    cal = hours.calendar()
    is_open = hours.is_open(now, cal)
    # Working hours are whole minutes; last_closing walks back from the instant it is given and would
    # carry its seconds into the answer (closing "22:00:41"), leaving out what came in meanwhile.
    closed_at = hours.last_closing(now.replace(second=0, microsecond=0), cal)
    if is_open:
        until = hours.next_opening(closed_at, cal) if closed_at else now
    else:
        until = now
    return CentreState(now, is_open, closed_at, hours.next_opening(now, cal), until)


def after_hours_queue(now: datetime, state: CentreState | None = None):
    """Complaints that came in through the public channels (WhatsApp, web, IGRS, API …) while the call
    centre was last closed: from its last closing until it reopened (or until now, while closed),
    oldest first. The after-hours panel lists these beside the call-back requests (`pending_callbacks`)."""
    state = state or centre_state(now)
    if state.closed_at is None:
        return Complaint.objects.none()
    return (Complaint.objects.filter(registered_at__gte=state.closed_at, registered_at__lte=state.queue_until)
            .exclude(channel=Channel.PHONE).order_by("registered_at", "id"))


def pending_callbacks(limit: int = AFTER_HOURS_SHOWN) -> list[CallbackRequest]:
    """Callers who rang when nobody could answer and wait to be rung back, oldest first."""
    return list(CallbackRequest.objects.pending()[:limit])


def sms_state(key: str) -> dict:
    """The state of one outbox message, for the console's 'SMS queued / sent / delivered' line."""
    from nagar_nigam_cc.messaging.models import OutboundMessage

    row = OutboundMessage.objects.filter(key=key).values("state", "to_mobile").first()
    if row is None:
        return {"state": "", "label": _("no SMS")}
    return {"state": row["state"], "label": str(OutboundMessage.State(row["state"]).label)}


# --- views -------------------------------------------------------------------------------------------------

def _json_error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"ok": False, "error": message}, status=status)


def agents_only(view):
    """For the JSON endpoints: the desk login is checked by admin_view (see urlpatterns), this checks
    the right to register and answers 403 in JSON."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not access.may(request.user, "register"):
            return _json_error(_("You may not register complaints."), 403)
        return view(request, *args, **kwargs)

    return wrapped


def _errors(form) -> dict[str, list[str]]:
    return {name: [str(e) for e in errors] for name, errors in form.errors.items()}


def register_from(request) -> tuple[RegisterComplaintForm, Complaint | None, Complaint | None]:
    """The one way the desk registers a complaint: the console's form, by its JSON endpoint or a plain
    POST. Returns (form, complaint or None, the caller's own recent duplicate or None)."""
    form = RegisterComplaintForm(request.POST)
    if not form.is_valid():
        return form, None, None
    try:
        complaint = actions.do_register(form.new_complaint(), actor=request.user,
                                        allow_duplicate=form.cleaned_data["allow_duplicate"])
    except actions.PossibleDuplicate as exc:
        form.add_error(None, exc)
        return form, None, exc.existing
    except ValidationError as exc:
        add_action_error(form, exc)
        return form, None, None
    return form, complaint, None


def _page_context(request, form, *, registered: Complaint | None = None, duplicate: Complaint | None = None):
    now = timezone.now()
    state = centre_state(now)
    mobile = request.GET.get("mobile", "")[:32]
    return {
        **admin.site.each_context(request),
        "title": _("Agent console"),
        "form": form,
        "registered": registered,
        "registered_spoken": dockets.spoken(registered.docket) if registered else "",
        "registered_sms": sms_state(f"{registered.pk}:registered:citizen") if registered else None,
        "duplicate": duplicate,
        "screen_pop_mobile": mobile,
        **_panel_context(now, state),
        "live_calls_url": _live_calls_url(),
        "search_class": RegisterComplaintForm.base_fields["name"].widget.attrs.get("class", ""),
        "category_search_url": reverse("console:categories"),
        "ward_search_url": reverse("console:wards"),
        "strings": _js_strings(),
    }


def _panel_context(now: datetime, state: CentreState) -> dict:
    return {
        "centre": state,
        "queue": list(after_hours_queue(now, state).select_related("category", "ward")[:AFTER_HOURS_SHOWN]),
        "callbacks": pending_callbacks(),
    }


def _live_calls_url() -> str:
    """intake's screen-pop feed (who is ringing the central number now), if the voice line is wired."""
    try:
        return reverse("intake:live-calls")
    except NoReverseMatch:
        return ""


def _js_strings() -> dict[str, str]:
    return {
        "new_caller": _("New caller: nothing registered from this number yet."),
        "known_caller": _("Known caller"),
        "open_complaints": _("Open complaints"),
        "earlier_complaints": _("Earlier complaints"),
        "attached_to": _("Also follows (as another caller)"),
        "no_matches": _("Nothing matches; try another word."),
        "duplicates_title": _("Already registered here? Open complaints of this type in this ward"),
        "no_duplicates": _("No open complaint of this type in this ward in the last %(days)d days.")
        % {"days": DUPLICATE_DAYS},
        "attach": _("Attach caller to this complaint"),
        "own_complaint": _("This caller's own complaint: read them its number."),
        "other_callers": _("other callers"),
        "attached": _("Caller attached. Read them this docket number:"),
        "already_attached": _("This caller was already attached to this complaint. Read them its number:"),
        "registered": _("Complaint registered. Read the docket number back to the caller:"),
        "copied": _("Copied"),
        "sms": _("Acknowledgement SMS"),
        "sms_follower": _("SMS to this caller"),
        "locality_matched": _("locality"),
        "network_error": _("The desk did not answer; nothing was saved. Try again."),
        "fix_errors": _("Please correct the fields marked below; nothing you typed was lost."),
        "choose_category": _("Choose the complaint type from the list."),
        "choose_ward": _("Choose the ward from the list."),
        "due": _("due"),
        "take_call": _("Take this call"),
        "unsaved": _("The form has things typed in it that are not saved. Start the next call anyway?"),
        "calling_back": _("Calling back"),
        "close_reason": _("Why is this call-back closed without calling? (the caller got through, wrong number …)"),
    }


@require_http_methods(["GET", "POST"])
def page(request):
    """The console. A plain POST here (the form without JavaScript, or the old add page) registers too."""
    if not access.may(request.user, "register"):
        raise PermissionDenied
    if request.method == "POST":
        form, complaint, duplicate = register_from(request)
        if complaint is not None:
            return HttpResponseRedirect(f"{reverse('console:page')}?registered={complaint.pk}")
        return TemplateResponse(request, "complaints/console/page.html",
                                _page_context(request, form, duplicate=duplicate))
    registered = None
    if request.GET.get("registered", "").isdigit():
        registered = (access.visible_complaints(request.user).select_related("category", "ward", "assigned_to")
                      .filter(pk=int(request.GET["registered"])).first())
    form = RegisterComplaintForm(initial={"mobile": request.GET.get("mobile", "")[:32]})
    return TemplateResponse(request, "complaints/console/page.html", _page_context(request, form, registered=registered))


@require_GET
@agents_only
def caller(request):
    """The caller behind a mobile number: name, language, latest complaints, complaints they follow."""
    try:
        mobile = normalise_mobile(request.GET.get("mobile", ""))
    except ValidationError as exc:
        return JsonResponse({"ok": False, "errors": {"mobile": exc.messages}}, status=400)
    now = timezone.now()
    citizen, complaints, following = look_up_caller(mobile)
    if citizen is None:
        return JsonResponse({"ok": True, "found": False, "mobile": mobile, "complaints": [], "following": []})
    return JsonResponse({
        "ok": True, "found": True, "mobile": mobile, "name": citizen.name, "language": citizen.language,
        "language_label": str(Language(citizen.language).label) if citizen.language in Language.values else "",
        "complaints": [complaint_json(c, now, citizen_id=citizen.pk) for c in complaints],
        "following": [complaint_json(c, now) for c in following],
    })


@require_GET
@agents_only
def categories(request):
    query = request.GET.get("q", "")[:100]
    return JsonResponse({"ok": True, "results": [
        {**entry.as_json(), "matched": matched} for entry, matched in search_categories(query)
    ]})


@require_GET
@agents_only
def wards(request):
    query = request.GET.get("q", "")[:100]
    return JsonResponse({"ok": True, "results": [entry.as_json(locality) for entry, locality in search_wards(query)]})


@require_GET
@agents_only
def duplicates(request):
    """Likely duplicates of what is being typed: same category, same ward, still open, recent."""
    try:
        category_id, ward_id = int(request.GET["category"]), int(request.GET["ward"])
    except (KeyError, ValueError):
        return _json_error(_("Choose the complaint type and the ward first."), 400)
    now = timezone.now()
    citizen_id = None
    try:
        mobile = normalise_mobile(request.GET.get("mobile", ""))
    except ValidationError:
        mobile = ""
    if mobile:
        citizen_id = Citizen.objects.filter(mobile=mobile).values_list("id", flat=True).first()
    rows = likely_duplicates(category_id, ward_id, now, locality=request.GET.get("locality", "")[:255])
    callers = dict(Follower.objects.filter(complaint_id__in=[c.pk for c in rows]).values("complaint_id")
                   .annotate(n=Count("id")).values_list("complaint_id", "n"))
    return JsonResponse({"ok": True, "days": DUPLICATE_DAYS, "results": [
        {**complaint_json(c, now, citizen_id=citizen_id), "other_callers": callers.get(c.pk, 0)} for c in rows
    ]})


@require_POST
@agents_only
def register(request):
    """The console's save: the same form and action as a plain POST, answered in JSON."""
    form, complaint, duplicate = register_from(request)
    if complaint is None:
        body = {"ok": False, "errors": _errors(form)}
        if duplicate is not None:
            body["duplicate"] = complaint_json(duplicate, timezone.now(), citizen_id=duplicate.citizen_id)
        return JsonResponse(body, status=409 if duplicate is not None else 400)
    complaint = Complaint.objects.select_related("assigned_to").get(pk=complaint.pk)
    return JsonResponse({
        "ok": True,
        "complaint": {
            **complaint_json(complaint, timezone.now()),
            "assigned_to": str(complaint.assigned_to) if complaint.assigned_to else "",
            "unrouted": complaint.unrouted,
        },
        "sms": sms_state(f"{complaint.pk}:registered:citizen"),
        "sms_url": reverse("console:sms", args=[complaint.pk]),
    }, status=201)


@require_POST
@agents_only
def attach(request):
    """Attach the caller to an open complaint (a likely duplicate) instead of registering a new one."""
    complaint = (access.visible_complaints(request.user).filter(pk=request.POST.get("complaint") or 0).first()
                 if str(request.POST.get("complaint", "")).isdigit() else None)
    if complaint is None:
        return _json_error(_("No complaint you can see has that number."), 404)
    language = request.POST.get("language", "")
    try:
        follower, created = actions.do_attach_caller(
            complaint, mobile=request.POST.get("mobile", ""), name=request.POST.get("name", ""),
            language=language if language in Language.values else "", actor=request.user, channel=Channel.PHONE,
        )
    except PermissionDenied as exc:
        return _json_error(str(exc) or _("You may not do that to this complaint."), 403)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            errors = {name: [m for e in errs for m in e.messages] for name, errs in exc.error_dict.items()}
        else:
            errors = {"__all__": exc.messages}
        return JsonResponse({"ok": False, "errors": errors}, status=400)
    complaint.refresh_from_db()
    key = f"{complaint.pk}:follower_added:{follower.citizen_id}"
    return JsonResponse({
        "ok": True, "created": created, "complaint": complaint_json(complaint, timezone.now()),
        "sms": sms_state(key), "sms_url": reverse("console:sms", args=[complaint.pk]) + f"?follower={follower.citizen_id}",
    })


@require_GET
@agents_only
def sms(request, pk: int):
    """The acknowledgement's state now (the console asks a few times after saving)."""
    if not access.visible_complaints(request.user).filter(pk=pk).exists():
        return _json_error(_("No complaint you can see has that number."), 404)
    follower = request.GET.get("follower", "")
    key = f"{pk}:follower_added:{int(follower)}" if follower.isdigit() else f"{pk}:registered:citizen"
    return JsonResponse({"ok": True, "sms": sms_state(key)})


@require_GET
@agents_only
def queue(request):
    """The after-hours panel again (the console refreshes it between calls)."""
    now = timezone.now()
    state = centre_state(now)
    html = render_to_string("complaints/console/_after_hours.html", _panel_context(now, state), request=request)
    return JsonResponse({"ok": True, "html": html, "is_open": state.is_open})


@require_POST
@agents_only
def callback(request, pk: int):
    """An agent worked a call-back request: rang back and spoke ('called'), rang without an answer
    ('pending' with a note: it stays queued), or closed it without calling ('done', saying why)."""
    request_row = CallbackRequest.objects.filter(pk=pk).first()
    if request_row is None:
        return _json_error(_("No such call-back request."), 404)
    state = request.POST.get("state", "")
    note = request.POST.get("note", "")
    if state == CallbackRequest.State.PENDING and not note.strip():
        note = "No answer."  # the queue's record, like the timeline's notes, is kept in English
    try:
        voice.do_mark_callback(request_row, actor=request.user, state=state, note=note)
    except PermissionDenied as exc:
        return _json_error(str(exc), 403)
    except ValidationError as exc:
        return JsonResponse({"ok": False, "errors": {"__all__": exc.messages}}, status=400)
    now = timezone.now()
    html = render_to_string("complaints/console/_after_hours.html", _panel_context(now, centre_state(now)),
                            request=request)
    return JsonResponse({"ok": True, "html": html})


app_name = "console"
urlpatterns = [
    path("", admin.site.admin_view(page), name="page"),
    path("caller/", admin.site.admin_view(caller), name="caller"),
    path("categories/", admin.site.admin_view(categories), name="categories"),
    path("wards/", admin.site.admin_view(wards), name="wards"),
    path("duplicates/", admin.site.admin_view(duplicates), name="duplicates"),
    path("register/", admin.site.admin_view(register), name="register"),
    path("attach/", admin.site.admin_view(attach), name="attach"),
    path("complaints/<int:pk>/sms/", admin.site.admin_view(sms), name="sms"),
    path("queue/", admin.site.admin_view(queue), name="queue"),
    path("callbacks/<int:pk>/", admin.site.admin_view(callback), name="callback"),
]
