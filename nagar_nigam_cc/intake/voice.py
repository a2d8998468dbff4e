"""The central number: Twilio Voice webhooks, the agents' screen-pop, and the call-back queue.

A citizen calls the city's Twilio number; Twilio asks `incoming` what to do (signed with our auth token,
checked as messaging's webhooks are). In working hours (`intake.hours`) the caller hears a short Hindi
greeting and every agent line in CallCentre.agent_numbers rings at once; the first agent to pick up takes
the call (Twilio hangs up the others), and the agents' consoles, polling `live_calls`, show who is calling
with a link that opens the console on the caller (screen-pop by caller id). When nobody answers, or
outside working hours, the caller hears a message (the after-hours one names when the centre opens) and
is put in the call-back queue the agents work through next morning.

Every webhook may arrive twice (Twilio retries, or someone replays it): a call is recorded once per
CallSid, each state change is a conditional UPDATE that only one delivery can make, and a caller has at
most one pending CallbackRequest however often they ring in one night. The TwiML answer is built from
the recorded call, so a replay hears what the first delivery heard.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from urllib.parse import urlencode

import phonenumbers
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from twilio.twiml.voice_response import Dial, VoiceResponse

from nagar_nigam_cc.complaints import access
from nagar_nigam_cc.complaints.actions import clean_text
from nagar_nigam_cc.complaints.models import Citizen
from nagar_nigam_cc.intake import hours
from nagar_nigam_cc.intake.models import CallbackRequest, CallCentre, IncomingCall
from nagar_nigam_cc.messaging.webhooks import twilio_signed

log = logging.getLogger(__name__)
State = IncomingCall.State

#: How long the agents' lines ring before the caller is told nobody is free (Twilio's <Dial timeout>).
RING_SECONDS = 30
#: The screen-pop lists calls that started this recently.
LIVE_SECONDS = 60
#: Twilio's final words for a <Dial> that connected (DialCallStatus); anything else means nobody answered.
_CONNECTED = frozenset({"completed", "answered"})


# --- pure helpers -------------------------------------------------------------------------------------------------

def caller_number(raw: str) -> str:
    """The caller's number in E.164 if it is a phone number one could ring back (mobile or landline);
    '' for a withheld number ("anonymous", "+266696687" — Twilio's stand-ins) or anything unusable. Pure."""
    text = (raw or "").strip()
    if not text or len(text) > 32 or any(ch.isalpha() for ch in text):
        return ""
    try:
        number = phonenumbers.parse(text, settings.NNC_PHONE_REGION)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_HI_WEEKDAYS = ("सोमवार", "मंगलवार", "बुधवार", "गुरुवार", "शुक्रवार", "शनिवार", "रविवार")
_EN_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def opening_words(opens_at: datetime, now: datetime, language: str) -> str:
    """When the centre opens, as a caller hears it: "कल सुबह 7 बजे" / "tomorrow at 7:00 am". Both
    instants aware; read on the city's clock. Pure."""
    tz = timezone.get_default_timezone()
    local, today = opens_at.astimezone(tz), now.astimezone(tz).date()
    days = (local.date() - today).days
    hour, minute = local.hour, local.minute
    if language == "hi":
        part = "सुबह" if 4 <= hour < 12 else "दोपहर" if 12 <= hour < 16 else "शाम" if 16 <= hour < 20 else "रात"
        clock = f"{hour % 12 or 12}" + (f":{minute:02d}" if minute else "") + " बजे"
        day = "आज" if days <= 0 else "कल" if days == 1 else f"{_HI_WEEKDAYS[local.weekday()]} को"
        return f"{day} {part} {clock}"
    clock = f"{hour % 12 or 12}:{minute:02d} {'am' if hour < 12 else 'pm'}"
    day = "today" if days <= 0 else "tomorrow" if days == 1 else f"on {_EN_WEEKDAYS[local.weekday()]}"
    return f"{day} at {clock}"


def _say(response: VoiceResponse, hindi: str, english: str) -> None:
    voice = settings.TWILIO_VOICE
    if hindi.strip():
        response.say(hindi.strip(), language="hi-IN", voice=voice)
    if english.strip():
        response.say(english.strip(), language="en-IN", voice=voice)


def twiml_ring(centre: CallCentre, lines: list[str]) -> str:
    """Working hours: the greeting, then every agent line at once; Twilio reports the outcome to
    dial-status, and each line that picks up to agent-answered (who took it)."""
    response = VoiceResponse()
    _say(response, centre.greeting_hi, centre.greeting_en)
    # answerOnBridge: the caller keeps hearing the ring until an agent picks up (not silence).
    dial = Dial(action=reverse("intake:voice-dial-status"), method="POST", timeout=RING_SECONDS,
                answer_on_bridge=True)
    answered = {"status_callback_event": "answered", "status_callback": reverse("intake:voice-answered"),
                "status_callback_method": "POST"}
    for line in lines:
        if line.lower().startswith("sip:"):
            dial.sip(line, **answered)
        elif line.lower().startswith("client:"):
            dial.client(line.split(":", 1)[1], **answered)
        else:
            dial.number(line, **answered)
    response.append(dial)
    return str(response)


def twiml_after_hours(centre: CallCentre, opens_at: datetime, now: datetime) -> str:
    response = VoiceResponse()
    _say(response, centre.after_hours_hi.replace("{opens}", opening_words(opens_at, now, "hi")),
         centre.after_hours_en.replace("{opens}", opening_words(opens_at, now, "en")))
    response.hangup()
    return str(response)


def twiml_no_answer(centre: CallCentre) -> str:
    response = VoiceResponse()
    _say(response, centre.no_answer_hi, centre.no_answer_en)
    response.hangup()
    return str(response)


# --- what happens to a call ---------------------------------------------------------------------------------------

def do_record_incoming(call_sid: str, from_number: str, *, now: datetime | None = None,
                       centre: CallCentre | None = None) -> tuple[IncomingCall, bool]:
    """Record a call to the central number (once per CallSid; returns (call, created)). Outside working
    hours, or in hours with no agent line configured, the caller goes straight to the call-back queue."""
    now = now or timezone.now()
    centre = centre or CallCentre.current()
    mobile = caller_number(from_number)
    with transaction.atomic():
        call, created = IncomingCall.objects.get_or_create(
            call_sid=call_sid, defaults={"from_number": from_number[:32], "from_mobile": mobile, "at": now},
        )
        if not created:
            log.info("call %s announced again; already recorded (%s)", call_sid, call.state)
            return call, False
        if not hours.is_open(now):
            call.state = State.AFTER_HOURS
        elif not centre.agent_lines():
            log.warning("call %s in working hours, but no agent line is configured: queued for a call back", call_sid)
            call.state, call.dial_status, call.ended_at = State.MISSED, "no_agent_lines", now
        else:
            return call, True
        call.save(update_fields=["state", "dial_status", "ended_at"])
        if mobile:
            _ask_callback(mobile, call_sid, CallbackRequest.Reason.AFTER_HOURS if call.state == State.AFTER_HOURS
                          else CallbackRequest.Reason.MISSED, now)
    return call, True


def do_record_dial_result(call_sid: str, dial_status: str, *, now: datetime | None = None) -> IncomingCall | None:
    """Twilio's word on the agents' lines: someone took the call, or nobody did (busy, no answer,
    failed, or the caller gave up). A missed call joins the call-back queue, once."""
    now = now or timezone.now()
    status = (dial_status or "").strip().lower()[:20]
    with transaction.atomic():
        calls = IncomingCall.objects.filter(call_sid=call_sid)
        if status in _CONNECTED:
            calls.filter(state__in=(State.RINGING, State.ANSWERED), ended_at__isnull=True).update(
                state=State.ANSWERED, dial_status=status, ended_at=now)
        elif calls.filter(state=State.RINGING).update(state=State.MISSED, dial_status=status, ended_at=now):
            call = calls.get()
            if call.from_mobile:
                _ask_callback(call.from_mobile, call_sid, CallbackRequest.Reason.MISSED, now)
        return calls.first()


def do_record_answered(call_sid: str, line: str) -> bool:
    """An agent line picked up the call (Twilio's 'answered' event for that line). True if recorded now."""
    return bool(IncomingCall.objects.filter(call_sid=call_sid, state=State.RINGING).update(
        state=State.ANSWERED, answered_by=(line or "")[:64]))


def _ask_callback(mobile: str, call_sid: str, reason: str, now: datetime) -> CallbackRequest:
    """Queue the caller for a call back, or count one more call on the request already waiting. Inside
    the caller's transaction; the unique `open_key` makes two at once impossible."""
    callback, created = CallbackRequest.objects.get_or_create(
        open_key=mobile,
        defaults={"mobile": mobile, "asked_at": now, "call_sid": call_sid, "reason": reason, "last_call_at": now},
    )
    if not created and callback.call_sid != call_sid:
        CallbackRequest.objects.filter(pk=callback.pk).update(calls=F("calls") + 1, last_call_at=now)
    return callback


# --- the call-back queue (the console's after-hours panel) --------------------------------------------------------

def pending_callbacks():
    """Callers waiting to be rung back, oldest first (a queryset: slice it)."""
    return CallbackRequest.objects.pending()


def do_mark_callback(callback: CallbackRequest, *, actor, state: str, note: str = "",
                     now: datetime | None = None) -> CallbackRequest:
    """An agent worked a call-back request: `called` (rang back and spoke), `done` (closed without a call:
    the caller already got through, or the number does not answer for days — say why in the note), or
    `pending` with a note (rang, no answer: it stays in the queue). Only a pending request can be worked;
    if another agent got there first, a ValidationError says who."""
    if actor is not None and not access.may(actor, "register"):
        raise PermissionDenied(_("You may not work the call-back queue."))
    if state not in CallbackRequest.State.values:
        raise ValidationError({"state": _("Unknown state.")}, code="invalid")
    note = clean_text(note, field="note", max_length=1000, required=state != CallbackRequest.State.CALLED)
    now = now or timezone.now()
    with transaction.atomic():
        locked = CallbackRequest.objects.select_for_update().select_related("handled_by").get(pk=callback.pk)
        if locked.state != CallbackRequest.State.PENDING:
            raise ValidationError(
                _("This call back was already marked “%(state)s” by %(who)s."),
                code="already_handled",
                params={"state": locked.get_state_display(),
                        "who": locked.handled_by.get_username() if locked.handled_by else _("someone")},
            )
        stamp = timezone.localtime(now).strftime("%d-%m %H:%M")
        if note:
            who = actor.get_username() if actor is not None else "system"
            locked.note = f"{locked.note}\n{stamp} {who}: {note}".strip()
        if state != CallbackRequest.State.PENDING:
            locked.state, locked.open_key, locked.handled_by, locked.handled_at = state, None, actor, now
        locked.save(update_fields=["note", "state", "open_key", "handled_by", "handled_at"])
    return locked


# --- webhooks (Twilio) --------------------------------------------------------------------------------------------

def _twiml(body: str) -> HttpResponse:
    return HttpResponse(body, content_type="text/xml")


def _refused(request: HttpRequest) -> HttpResponse:
    log.warning("voice webhook refused (bad signature): %s from %s", request.path, request.META.get("REMOTE_ADDR"))
    return HttpResponse("bad signature", status=403)


@csrf_exempt
@require_POST
def incoming(request: HttpRequest) -> HttpResponse:
    """Twilio: a call to the central number (CallSid, From, To, CallStatus)."""
    if not twilio_signed(request):
        return _refused(request)
    sid = request.POST.get("CallSid", "")[:64]
    if not sid:
        return HttpResponse("CallSid is required", status=400)
    centre = CallCentre.current()
    call, _created = do_record_incoming(sid, request.POST.get("From", ""), centre=centre)
    if call.state == State.AFTER_HOURS:
        return _twiml(twiml_after_hours(centre, hours.next_opening(call.at), call.at))
    lines = centre.agent_lines()
    if call.state == State.MISSED or not lines:
        return _twiml(twiml_no_answer(centre))
    return _twiml(twiml_ring(centre, lines))


@csrf_exempt
@require_POST
def dial_status(request: HttpRequest) -> HttpResponse:
    """Twilio: the agents' lines stopped ringing (DialCallStatus). If nobody answered, tell the caller
    they will be called back (Twilio ignores the answer when the caller has already hung up)."""
    if not twilio_signed(request):
        return _refused(request)
    sid, status = request.POST.get("CallSid", "")[:64], request.POST.get("DialCallStatus", "")
    if not sid:
        return HttpResponse("CallSid is required", status=400)
    call = do_record_dial_result(sid, status)
    if call is None:
        log.info("dial status for a call we do not know: %s", sid)
    if status.strip().lower() in _CONNECTED or call is None:
        response = VoiceResponse()
        response.hangup()
        return _twiml(str(response))
    return _twiml(twiml_no_answer(CallCentre.current()))


@csrf_exempt
@require_POST
def agent_answered(request: HttpRequest) -> HttpResponse:
    """Twilio: one agent line picked up (its status callback; ParentCallSid is the citizen's call, To the line)."""
    if not twilio_signed(request):
        return _refused(request)
    parent = request.POST.get("ParentCallSid", "")[:64]
    if parent:
        do_record_answered(parent, request.POST.get("To", ""))
    return HttpResponse(status=204)


# --- the agents' screen-pop ---------------------------------------------------------------------------------------

def live(now: datetime) -> list[IncomingCall]:
    """Calls that began in the last LIVE_SECONDS and are ringing or were just answered, newest first."""
    return list(IncomingCall.objects.filter(at__gte=now - timedelta(seconds=LIVE_SECONDS),
                                            state__in=(State.RINGING, State.ANSWERED)).order_by("-at", "-id")[:20])


@require_GET
def live_calls(request: HttpRequest) -> JsonResponse:
    """The desk's screen-pop, polled by the agents' consoles: who is calling now, with a link that opens
    the console on the caller. For those who may register complaints (the desk login is checked by
    admin_view in intake.urls)."""
    if not access.may(request.user, "register"):
        return JsonResponse({"ok": False, "error": _("You may not register complaints.")}, status=403)
    now = timezone.now()
    calls = live(now)
    names = dict(Citizen.objects.filter(mobile__in={c.from_mobile for c in calls if c.from_mobile})
                 .values_list("mobile", "name"))
    console = reverse("console:page")
    return JsonResponse({"ok": True, "now": now.isoformat(), "calls": [{
        "call_sid": c.call_sid,
        "mobile": c.from_mobile,
        "number": c.from_mobile or c.from_number,
        "name": names.get(c.from_mobile, ""),
        "known": c.from_mobile in names,
        "at": c.at.isoformat(),
        "seconds_ago": max(0, int((now - c.at).total_seconds())),
        "state": c.state,
        "state_label": str(c.get_state_display()),
        "answered_by": c.answered_by,
        "console_url": f"{console}?{urlencode({'mobile': c.from_mobile})}" if c.from_mobile else console,
    } for c in calls]})
