"""Gateways: how a message leaves the building. Chosen by one setting per channel, as Django chooses
its EMAIL_BACKEND:

    NNC_SMS_GATEWAY       console (default) | twilio | dlt | a dotted path to a Gateway class
    NNC_WHATSAPP_GATEWAY  console (default) | twilio | a dotted path
    NNC_EMAIL_GATEWAY     email (default: Django's EMAIL_BACKEND) | console | a dotted path

A gateway's `send` returns the provider's message id, or raises TemporaryError (try again later:
network down, 5xx, rate limited) or PermanentError (will never succeed: invalid number, unregistered
template). The delivery worker (messaging.delivery) decides what to do with each.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

ALIASES = {
    "console": "nagar_nigam_cc.messaging.gateways.console.ConsoleGateway",
    "twilio": "nagar_nigam_cc.messaging.gateways.twilio.TwilioGateway",
    "dlt": "nagar_nigam_cc.messaging.gateways.dlt.DltGateway",
    "email": "nagar_nigam_cc.messaging.gateways.email.EmailGateway",
}
SETTINGS = {"sms": "NNC_SMS_GATEWAY", "whatsapp": "NNC_WHATSAPP_GATEWAY", "email": "NNC_EMAIL_GATEWAY"}


class GatewayError(Exception):
    def __init__(self, message: str, code: str = ""):
        super().__init__(message)
        self.code = str(code or "")[:20]


class TemporaryError(GatewayError):
    """Worth trying again later."""


class PermanentError(GatewayError):
    """Will never succeed as it is; a person must look (the desk lists these)."""


@dataclass(frozen=True)
class Outgoing:
    channel: str  # sms | whatsapp | email
    to: str  # E.164 mobile, or an e-mail address
    body: str
    #: Our idempotency key: gateways that accept a client reference get it, so a resend is recognised.
    reference: str
    dlt_template_id: str = ""
    subject: str = ""


class Gateway:
    #: Recorded on each message (OutboundMessage.gateway) and used to match receipts to messages.
    name = "gateway"

    def send(self, message: Outgoing) -> str:  # pragma: no cover - interface
        raise NotImplementedError


@cache
def _for_path(path: str) -> Gateway:
    return import_string(ALIASES.get(path, path))()


def for_channel(channel: str) -> Gateway:
    """The configured gateway of a channel (one instance per process: gateways keep connections open)."""
    return _for_path(getattr(settings, SETTINGS[channel]))


def reset() -> None:
    """Forget the gateway instances (after settings change: tests, or a reload)."""
    _for_path.cache_clear()
