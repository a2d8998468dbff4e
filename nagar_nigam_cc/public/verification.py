"""Sending one-time codes and the limits on what the public pages may ask for.

Codes go out through the outbox (Event.OTP, exempt from the quiet hours) in the transaction that sets
them, like every other message; they are never sent from here directly. Three limits, checked before
a code is sent (a code costs an SMS and reaches a person's phone):

- per address (IP): NNC_PUBLIC_RATE_PER_IP, counted by django-ratelimit in the cache. A cache outage
  lets the request through and is logged (api.limits.over_limit): a Redis failure must not stop
  citizens from complaining;
- per mobile: NNC_PUBLIC_CODES_PER_MOBILE_PER_HOUR codes, counted in the database (CodeSent);
- per mobile: NNC_COMPLAINTS_PER_MOBILE_PER_MONTH complaints registered through the public channels
  in the calendar month (city time), counted in the database — as IGRS does. Complaints an agent
  registers on a call, or imported from IGRS, do not count.
"""
from __future__ import annotations

import ipaddress
import logging
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from nagar_nigam_cc.api.limits import over_limit
from nagar_nigam_cc.complaints.models import Channel, Complaint
from nagar_nigam_cc.messaging import outbox
from nagar_nigam_cc.messaging.models import Channel as MessageChannel
from nagar_nigam_cc.messaging.models import Event, OutboundMessage
from nagar_nigam_cc.public.models import CodeSent, PhoneVerification

log = logging.getLogger(__name__)

#: The channels a citizen uses by themself; the monthly limit counts complaints from these.
PUBLIC_CHANNELS = (Channel.WEB, Channel.WHATSAPP, Channel.API)
CODE_DIGITS = 6
IP_GROUP = "public-codes"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def new_code() -> str:
    return f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"


def masked_mobile(mobile: str) -> str:
    """+919839012345 → ••••••••45: the public pages show at most the last two digits."""
    digits = [c for c in mobile if c.isdigit()]
    national = digits[-10:]
    return "•" * (len(national) - 2) + "".join(national[-2:]) if len(national) > 2 else ""


# --- limits --------------------------------------------------------------------------------------------

def month_start(now: datetime) -> datetime:
    local = timezone.localtime(now)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def complaints_this_month(mobile: str, now: datetime) -> int:
    return Complaint.objects.filter(
        citizen__mobile=mobile, channel__in=PUBLIC_CHANNELS, registered_at__gte=month_start(now)
    ).count()


def month_limit_reached(mobile: str, now: datetime) -> bool:
    return complaints_this_month(mobile, now) >= settings.NNC_COMPLAINTS_PER_MOBILE_PER_MONTH


def codes_sent_within_hour(mobile: str, now: datetime) -> list[datetime]:
    return list(
        CodeSent.objects.filter(mobile=mobile, sent_at__gt=now - timedelta(hours=1))
        .order_by("sent_at").values_list("sent_at", flat=True)
    )


def next_code_allowed_at(mobile: str, now: datetime) -> datetime | None:
    """None if a code may be sent to this mobile now; else when the next may be."""
    sent = codes_sent_within_hour(mobile, now)
    allowed = settings.NNC_PUBLIC_CODES_PER_MOBILE_PER_HOUR
    if len(sent) < allowed:
        return None
    return sent[len(sent) - allowed] + timedelta(hours=1)


def client_ip(request) -> str:
    """The citizen's address behind the city's one TLS proxy (RATELIMIT_IP_META_KEY when
    BEHIND_TLS_PROXY): the last address in X-Forwarded-For, the one our proxy added. The ones before it
    are whatever the client claimed, so a client cannot choose its own bucket by sending the header."""
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if forwarded:
        try:
            return str(ipaddress.ip_address(forwarded[-1]))
        except ValueError:
            log.warning("unreadable X-Forwarded-For %r: counting the proxy's address", forwarded[-1][:60])
    return request.META.get("REMOTE_ADDR", "")


def address_over_limit(request) -> bool:
    """Count one code request from this address; True when it is one too many."""
    return over_limit(request, IP_GROUP, settings.NNC_PUBLIC_RATE_PER_IP)


def ip_period_seconds() -> int:
    """The length of NNC_PUBLIC_RATE_PER_IP's period ("20/h" → 3600): the 429's Retry-After at most."""
    rate = settings.NNC_PUBLIC_RATE_PER_IP or "0/h"
    _count, _slash, period = rate.partition("/")
    number = "".join(c for c in period if c.isdigit()) or "1"
    unit = {"s": 1, "m": 60, "h": 3600, "d": 86400}.get(period.lstrip("0123456789")[:1], 3600)
    return int(number) * unit


@dataclass(frozen=True)
class Refusal:
    """Why no code may be sent now: too many from this address, or to this mobile."""

    by: str  # "address" | "mobile"
    retry_after: int  # seconds (for the address, the rate's whole period: an upper bound)


def refusal(request, mobile: str, now: datetime) -> Refusal | None:
    """Check the limits before sending a code to `mobile`; counts the request against its address."""
    if address_over_limit(request):
        return Refusal("address", ip_period_seconds())
    allowed_at = next_code_allowed_at(mobile, now)
    if allowed_at is not None:
        return Refusal("mobile", max(1, math.ceil((allowed_at - now).total_seconds())))
    return None


# --- codes ---------------------------------------------------------------------------------------------

def send_code(verification: PhoneVerification, now: datetime) -> None:
    """Set a new code on the row and put its SMS in the outbox, in one transaction. The caller has
    checked the limits and holds the row's lock."""
    code = new_code()
    with transaction.atomic():
        verification.set_code(code, now)
        verification.save()
        CodeSent.objects.create(mobile=verification.mobile, sent_at=now)
        outbox.put(OutboundMessage(
            key=f"otp:{verification.pk}:{verification.codes_sent}", channel=MessageChannel.SMS, event=Event.OTP,
            to_mobile=verification.mobile, language=verification.language or settings.LANGUAGE_CODE,
            context={"code": code}, created_at=now, next_attempt_at=now,
        ))


# --- forgetting ----------------------------------------------------------------------------------------

def forget_stale(now: datetime | None = None, *, batch: int = 500) -> int:
    """Delete rows older than NNC_PUBLIC_DRAFT_HOURS (what a citizen typed and never confirmed, and the
    photo waiting with it) and the hourly counts no limit needs any more. Returns the rows deleted."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.NNC_PUBLIC_DRAFT_HOURS)
    CodeSent.objects.filter(sent_at__lt=now - timedelta(hours=2)).delete()
    deleted = 0
    while True:
        rows = list(PhoneVerification.objects.filter(created_at__lt=cutoff).values_list("pk", "photo")[:batch])
        if not rows:
            return deleted
        for _pk, photo in rows:
            if photo:
                try:
                    default_storage.delete(photo)
                except OSError:  # already gone
                    log.info("could not delete %s", photo)
        deleted += PhoneVerification.objects.filter(pk__in=[pk for pk, _photo in rows]).delete()[0]
