"""SMS and WhatsApp through Twilio's Messages API, with the official SDK.

Settings: TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN; TWILIO_FROM (a number, or a Messaging Service SID
"MG…") for SMS; TWILIO_WHATSAPP_FROM for WhatsApp; NNC_PUBLIC_URL, if set, gives Twilio our status
callback (messaging.webhooks.twilio_status) so delivery receipts come back; TWILIO_API_BASE sends the
API calls to another address (a proxy, or a fake Twilio on 127.0.0.1 in tests and benchmarks).

Twilio's answer is sorted into the two errors delivery understands (see `error_kind`): a number that
can never receive the message is a PermanentError (the desk shows it as failed); a rate limit, a
Twilio outage, the network or a credentials mistake is a TemporaryError, retried with backoff.
"""
from __future__ import annotations

import requests
from django.conf import settings
from django.urls import reverse
from twilio.base.exceptions import TwilioException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from nagar_nigam_cc.messaging.gateways import Gateway, GatewayError, Outgoing, PermanentError, TemporaryError

TWILIO_API = "https://api.twilio.com"

#: Twilio error codes from creating a message that no retry can cure: the recipient's number is wrong,
#: not a mobile, unreachable by SMS or has sent STOP; WhatsApp cannot reach it or the 24-hour window
#: is closed. https://www.twilio.com/docs/api/errors
PERMANENT_CODES = frozenset({
    21211,  # invalid 'To' phone number
    21214,  # 'To' phone number cannot be reached
    21217,  # phone number does not appear to be valid
    21401,  # invalid phone number
    21407,  # this phone number type does not support SMS
    21408,  # permission to send an SMS has not been enabled for the region of 'To'
    21421,  # phone number is invalid
    21610,  # the recipient has unsubscribed (replied STOP)
    21612,  # 'To' is not currently reachable via SMS
    21614,  # 'To' is not a valid mobile number
    21617,  # the body is longer than 1600 characters
    21635,  # 'To' cannot be a landline
    63003,  # the channel (WhatsApp) could not find the 'To' address
    63016,  # WhatsApp: outside the 24-hour window, a free-form message is refused
})

#: Twilio error codes that pass: rate limits, full queues, Twilio's own failures. Authentication
#: (20003) is here too: wrong credentials are a configuration mistake an administrator fixes, after
#: which the held messages go out on their next attempt instead of being lost.
TEMPORARY_CODES = frozenset({
    14107,  # SMS send rate limit exceeded
    20003,  # authentication failed
    20429,  # too many requests
    20500,  # internal server error
    20503,  # service unavailable
    21611,  # this 'From' number has too many messages queued
    30001,  # queue overflow
    63017, 63018,  # rate limit exceeded (account, channel)
})


def error_kind(status: int | None, code: int | None) -> type[GatewayError]:
    """PermanentError or TemporaryError for Twilio's HTTP status and error code. Pure."""
    try:
        code = int(code) if code is not None else None
    except ValueError:
        code = None
    if code in PERMANENT_CODES:
        return PermanentError
    if code in TEMPORARY_CODES or status in (401, 429):
        return TemporaryError
    if status is not None and 400 <= status < 500:
        return PermanentError  # the request itself is wrong: sending it again gives the same answer
    return TemporaryError  # 5xx, or a redirect from a misconfigured proxy


class RewritingHttpClient(TwilioHttpClient):
    """The SDK's own HTTP client (pooled connections, our timeout) that, given a base, sends what was
    meant for https://api.twilio.com there instead."""

    def __init__(self, base: str = "", timeout: float | None = None) -> None:
        super().__init__(pool_connections=True, timeout=timeout)
        self.base = base.rstrip("/")

    def request(self, method, url, *args, **kwargs):
        if self.base and (url == TWILIO_API or url.startswith(TWILIO_API + "/")):
            url = self.base + url[len(TWILIO_API):]
        return super().request(method, url, *args, **kwargs)


class TwilioGateway(Gateway):
    name = "twilio"

    def __init__(self, http_client=None) -> None:
        self.configured = bool(settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN)
        self.client = Client(
            settings.TWILIO_ACCOUNT_SID or None, settings.TWILIO_AUTH_TOKEN or None,
            http_client=http_client or RewritingHttpClient(settings.TWILIO_API_BASE,
                                                           settings.NNC_GATEWAY_TIMEOUT_SECONDS),
        )

    def send(self, message: Outgoing) -> str:
        whatsapp = message.channel == "whatsapp"
        sender = settings.TWILIO_WHATSAPP_FROM if whatsapp else settings.TWILIO_FROM
        # Not configured is a TemporaryError, not a PermanentError: an administrator will set the
        # credentials, and the citizens' messages must then still go out rather than sit as 'failed'.
        if not self.configured:
            raise TemporaryError("Twilio is not configured: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN.",
                                 "not_configured")
        if not sender:
            raise TemporaryError(
                f"Twilio has no sender: set {'TWILIO_WHATSAPP_FROM' if whatsapp else 'TWILIO_FROM'}.", "not_configured"
            )
        params: dict[str, str] = {"to": message.to, "body": message.body}
        if sender.startswith("MG"):  # a Messaging Service picks the number itself
            params["messaging_service_sid"] = sender
        elif whatsapp:
            params["from_"] = sender if sender.startswith("whatsapp:") else f"whatsapp:{sender}"
        else:
            params["from_"] = sender
        if whatsapp and not message.to.startswith("whatsapp:"):
            params["to"] = f"whatsapp:{message.to}"
        if settings.NNC_PUBLIC_URL:
            params["status_callback"] = settings.NNC_PUBLIC_URL.rstrip("/") + reverse("messaging:twilio-status")
        try:
            sent = self.client.messages.create(**params)
        except TwilioException as exc:
            status, code = getattr(exc, "status", None), getattr(exc, "code", None)
            if status is None:  # not an answer from Twilio's API
                raise TemporaryError(f"Twilio: {exc}", "twilio") from exc
            raise error_kind(status, code)(f"Twilio {code or status}: {_text(exc)}", str(code or status)) from exc
        except requests.Timeout as exc:
            # Twilio may have taken the message before the answer was lost: a retry can send it twice.
            # Delivery is at-least-once; a duplicate SMS is better than a lost one.
            raise TemporaryError(f"Twilio did not answer in time: {exc}", "timeout") from exc
        except requests.RequestException as exc:
            raise TemporaryError(f"Twilio could not be reached: {exc}", "network") from exc
        return sent.sid


def _text(exc: TwilioException) -> str:
    # TwilioRestException carries .msg; the newer RFC 9457 TwilioServiceException .title and .detail.
    # Not str(exc): the SDK colours that with terminal escapes when stderr is a tty.
    if getattr(exc, "msg", None):
        return exc.msg
    return " ".join(part for part in (getattr(exc, "title", ""), getattr(exc, "detail", "")) if part)
