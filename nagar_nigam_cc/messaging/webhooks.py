"""Webhooks the gateways call: delivery receipts and citizens' replies.

Twilio's are checked with the SDK's RequestValidator (X-Twilio-Signature over our URL and the posted
fields); the DLT gateway's carry a secret token in the URL, compared in constant time. A forged or
unsigned call is refused with 403 and logged, and changes nothing. Replays are harmless: receipts
only move a message forward, and a reply is acted on once per gateway message id.
"""
from __future__ import annotations

import hmac
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


def _twilio_signed(request: HttpRequest) -> bool:
    token = settings.TWILIO_AUTH_TOKEN
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        return False
    return RequestValidator(token).validate(request.build_absolute_uri(), request.POST, signature)


def _refused(request: HttpRequest, why: str) -> HttpResponse:
    log.warning("webhook refused (%s): %s from %s", why, request.path, request.META.get("REMOTE_ADDR"))
    return HttpResponseForbidden(why)


@csrf_exempt
@require_POST
def twilio_status(request: HttpRequest) -> HttpResponse:
    """Twilio's status callback: MessageSid, MessageStatus (queued … delivered/undelivered/failed/read)."""
    if not _twilio_signed(request):
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
    (durable, retried), so the TwiML response is empty."""
    if not _twilio_signed(request):
        return _refused(request, "bad signature")
    sid, sender = request.POST.get("MessageSid", ""), request.POST.get("From", "")
    channel = "whatsapp" if sender.startswith("whatsapp:") else "sms"
    return _inbound(request, "twilio", channel, sid, sender.removeprefix("whatsapp:"), request.POST.get("Body", ""),
                    ok=HttpResponse(_TWIML_EMPTY, content_type="text/xml"))


def _dlt_token_ok(token: str) -> bool:
    expected = settings.NNC_DLT_WEBHOOK_TOKEN
    return bool(expected) and hmac.compare_digest(token.encode(), expected.encode())


def _param(request: HttpRequest, *names: str) -> str:
    data = request.POST if request.method == "POST" else request.GET
    for name in names:
        if data.get(name):
            return data[name]
    return ""


@csrf_exempt
@require_http_methods(["GET", "POST"])
def dlt_receipt(request: HttpRequest, token: str) -> HttpResponse:
    """A DLT gateway's delivery report. Gupshup sends externalId/status, MSG91 requestId/status, the
    generic style id/status; all are accepted."""
    if not _dlt_token_ok(token):
        return _refused(request, "bad token")
    provider_id = _param(request, "id", "externalId", "requestId", "request_id", "messageId")
    status = _param(request, "status", "deliveryStatus", "desc")
    if not provider_id or not status:
        return HttpResponse("id and status are required", status=400)
    delivery.do_record_receipt("dlt", provider_id, status, error_code=_param(request, "cause", "errorCode", "code"))
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
