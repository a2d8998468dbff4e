"""Webhooks the gateways call: delivery receipts and citizens' replies.

Twilio's are checked with the SDK's RequestValidator (X-Twilio-Signature over our URL and the posted
fields); the DLT gateway's carry a secret token in the URL, compared in constant time. A forged or
unsigned call is refused with 403 and logged, and changes nothing. Replays are harmless: receipts
only move a message forward, and a reply is acted on once per gateway message id.
"""
from __future__ import annotations

import hmac
import json
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from twilio.request_validator import RequestValidator

from nagar_nigam_cc.complaints.phones import normalise_mobile
from nagar_nigam_cc.messaging import delivery, replies

log = logging.getLogger("nagar_nigam_cc.webhooks")
_TWIML_EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def twilio_signed(request: HttpRequest) -> bool:
    """Was this request signed by Twilio with our auth token? (Also used by intake.voice's call webhooks.)"""
    token = settings.TWILIO_AUTH_TOKEN
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        return False
    validator = RequestValidator(token)
    # Twilio signs the address it was given; behind a proxy that rewrites Host, that is our public
    # address (NNC_PUBLIC_URL) rather than the one this request arrived at.
    urls = [request.build_absolute_uri()]
    if settings.NNC_PUBLIC_URL:
        urls.append(settings.NNC_PUBLIC_URL.rstrip("/") + request.get_full_path())
    return any(validator.validate(url, request.POST, signature) for url in urls)


def _refused(request: HttpRequest, why: str) -> HttpResponse:
    log.warning("webhook refused (%s): %s from %s", why, request.path, request.META.get("REMOTE_ADDR"))
    return HttpResponseForbidden(why)


@csrf_exempt
@require_POST
def twilio_status(request: HttpRequest) -> HttpResponse:
    """Twilio's status callback: MessageSid, MessageStatus (queued … delivered/undelivered/failed/read)."""
    if not twilio_signed(request):
        return _refused(request, "bad signature")
    sid, status = request.POST.get("MessageSid", ""), request.POST.get("MessageStatus", "")
    if not sid or not status:
        return HttpResponse("MessageSid and MessageStatus are required", status=400)
    found = delivery.do_record_receipt("twilio", sid, status, error_code=request.POST.get("ErrorCode", ""))
    if not found:
        log.info("Twilio receipt for a message we do not know: %s", sid)
    return HttpResponse(status=204)


@csrf_exempt
@require_POST
def twilio_inbound(request: HttpRequest) -> HttpResponse:
    """A citizen's SMS or WhatsApp message to our Twilio number. The answer goes out through the outbox
    (durable, retried), so the TwiML response is empty. WhatsApp messages go to the guided conversation
    (intake.whatsapp), which hands docket numbers and "1"/"2" to replies; SMS go to replies directly."""
    if not twilio_signed(request):
        return _refused(request, "bad signature")
    sid, sender = request.POST.get("MessageSid", ""), request.POST.get("From", "")
    ok = HttpResponse(_TWIML_EMPTY, content_type="text/xml")
    if sender.startswith("whatsapp:"):
        return _whatsapp(request, sid, sender.removeprefix("whatsapp:"), ok=ok)
    return _inbound(request, "twilio", "sms", sid, sender, request.POST.get("Body", ""), ok=ok)


def _whatsapp(request: HttpRequest, sid: str, sender: str, *, ok: HttpResponse) -> HttpResponse:
    from nagar_nigam_cc.intake import whatsapp  # intake builds on messaging, not the other way round

    if not sid:
        return HttpResponse("the message id is required", status=400)
    try:
        mobile = normalise_mobile(sender)
    except ValidationError:
        log.info("WhatsApp message %s from an unusable number %r ignored", sid, sender[:20])
        return HttpResponse("the sender is not a mobile number", status=400)
    whatsapp.receive(whatsapp.Incoming.from_twilio(request.POST, sid=sid[:64], mobile=mobile))
    return ok


def _dlt_token_ok(token: str) -> bool:
    expected = settings.NNC_DLT_WEBHOOK_TOKEN
    return bool(expected) and hmac.compare_digest(token.encode(), expected.encode())


def _param(request: HttpRequest, *names: str) -> str:
    data = request.POST if request.method == "POST" else request.GET
    for name in names:
        if data.get(name):
            return data[name]
    return ""


#: DLT gateways' receipt words that delivery.RECEIPT_STATES does not know under the same name: Gupshup's
#: GET report says SUCCESS / FAILURE / UNKNOWN, MSG91's `desc` NDNC (on the do-not-disturb list) or BLOCKED.
_DLT_WORDS = {"failure": "failed", "ndnc": "undelivered", "blocked": "undelivered"}


def _dlt_reports(request: HttpRequest) -> list[tuple[str, str, str]]:
    """(gateway id, status, error code) of each report in a DLT gateway's call. Four shapes:
    - query or form fields: generic id/status, Gupshup's GET externalId/status/cause/errCode
      (https://docs.gupshup.io/docs/real-time-delivery-reports);
    - Gupshup's POST: a JSON array of events {externalId, eventType: DELIVERED|FAILED, cause, errCode};
    - MSG91's webhook v2: a form field `data` holding a JSON array of {requestId, report: [{desc, status,
      failedReason}]}; v3: one JSON object {requestId, desc, …}
      (https://msg91.com/help/webhooks/how-can-i-get-the-delivery-reports-on-my-webhook-url)."""
    events: object = None
    if request.method == "POST" and request.content_type == "application/json":
        try:
            events = json.loads(request.body or b"null")
        except ValueError:
            return []
    elif _param(request, "data"):
        try:
            events = json.loads(_param(request, "data"))
        except ValueError:
            return []
    if events is None:
        return [(_param(request, "id", "externalId", "requestId", "request_id", "messageId"),
                 _param(request, "status", "deliveryStatus", "desc"),
                 _param(request, "errCode", "errorCode", "cause", "code"))]
    reports = []
    for event in events if isinstance(events, list) else [events]:
        if not isinstance(event, dict):
            continue
        provider_id = str(event.get("externalId") or event.get("requestId") or event.get("id") or "")
        for part in event.get("report") or [event]:  # MSG91 v2 nests one report per number
            if isinstance(part, dict):
                status = part.get("eventType") or part.get("desc") or part.get("status") or ""
                code = part.get("errCode") or part.get("failedReason") or part.get("cause") or ""
                reports.append((provider_id, str(status), str(code)))
    return reports


@csrf_exempt
@require_http_methods(["GET", "POST"])
def dlt_receipt(request: HttpRequest, token: str) -> HttpResponse:
    """A DLT gateway's delivery report(s): the generic style's id/status, Gupshup's (GET, or POSTed JSON
    events), MSG91's (webhook v2 or v3); see _dlt_reports."""
    if not _dlt_token_ok(token):
        return _refused(request, "bad token")
    reports = [(pid, status, code) for pid, status, code in _dlt_reports(request) if pid and status]
    if not reports:
        return HttpResponse("id and status are required", status=400)
    for provider_id, status, code in reports:
        status = _DLT_WORDS.get(status.strip().lower(), status)
        if not delivery.do_record_receipt("dlt", provider_id[:64], status, error_code=code):
            log.info("DLT receipt for a message we do not know: %s", provider_id[:64])
    return HttpResponse("OK")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def dlt_inbound(request: HttpRequest, token: str) -> HttpResponse:
    """An SMS to the city's long code or virtual number, forwarded by the DLT gateway."""
    if not _dlt_token_ok(token):
        return _refused(request, "bad token")
    return _inbound(request, "dlt", "sms", _param(request, "id", "messageId", "msgid", "smsId"),
                    _param(request, "from", "mobile", "sender", "msisdn"), _param(request, "text", "message", "content"),
                    ok=HttpResponse("OK"))


def _inbound(request, gateway: str, channel: str, provider_id: str, sender: str, body: str, *, ok: HttpResponse):
    if not provider_id:
        return HttpResponse("the message id is required", status=400)
    try:
        mobile = normalise_mobile(sender)
    except ValidationError:
        log.info("inbound %s message %s from an unusable number %r ignored", gateway, provider_id, sender[:20])
        return HttpResponse("the sender is not a mobile number", status=400)
    replies.receive(channel=channel, gateway=gateway, provider_id=provider_id[:64], mobile=mobile, text=body)
    return ok
