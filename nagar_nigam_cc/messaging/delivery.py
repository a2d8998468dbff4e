"""Delivering the outbox: claim due messages, write them from their template, hand them to the gateway,
record what happened. Runs every few seconds (PERIODIC_JOBS: Celery beat in production, the embedded
scheduler in `serve`) and as `manage.py deliver_messages`.

Claiming is safe against other workers: a batch is chosen with SELECT … FOR UPDATE SKIP LOCKED and
marked 'being sent' with a lease (next_attempt_at = now + lease) in one short transaction. A worker
that dies mid-batch leaves its rows to be claimed again when the lease runs out; each attempt bumps
`attempts`, and a result is written only if the row still carries the attempt that sent it, so a
late answer never overwrites a newer one. The one window no outbox can close — the gateway accepted
the message and the worker died before writing so — is narrowed by passing our key as the
gateway's client reference, where the gateway accepts one (see gateways.dlt).

Temporary errors are retried with exponential backoff and jitter, up to NNC_MESSAGE_MAX_ATTEMPTS;
permanent ones (invalid number, no template) stop at once and show in the desk as failed.
"""
from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import formats, timezone, translation
from django.utils.translation import gettext

from nagar_nigam_cc.complaints import dockets
from nagar_nigam_cc.messaging import gateways, templating
from nagar_nigam_cc.messaging.gateways import Outgoing, PermanentError, TemporaryError
from nagar_nigam_cc.messaging.models import QUIET_HOURS_EXEMPT, Event, MessageTemplate, MessagingSettings, OutboundMessage
from nagar_nigam_cc.messaging.outbox import quiet_end

log = logging.getLogger(__name__)
State = OutboundMessage.State
#: Messages whose secret (context["code"]) is blanked once sent.
SECRET_EVENTS = frozenset({Event.OTP})


@dataclass
class DeliveryResult:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    deferred: int = 0
    lost_lease: int = 0

    def __str__(self) -> str:
        return (f"{self.sent} sent, {self.retried} to retry, {self.failed} failed, {self.deferred} held for quiet "
                f"hours (of {self.claimed} claimed)")


def retry_delay(attempt: int, base: float, cap: float, rand: float) -> float:
    """Seconds to wait after the `attempt`-th failure: base·2^(attempt−1), at most `cap`, of which a
    random half (rand in [0, 1)) is dropped so that workers retrying together spread out. Pure."""
    full = min(cap, base * 2 ** max(0, attempt - 1))
    return full / 2 + full / 2 * rand


def claim(now: datetime, batch: int) -> list[OutboundMessage]:
    """Take up to `batch` due messages for this worker; other workers skip them until the lease ends."""
    lease = timedelta(seconds=settings.NNC_MESSAGE_LEASE_SECONDS)
    with transaction.atomic():
        ids = list(
            OutboundMessage.objects.select_for_update(skip_locked=True)
            .filter(state__in=(State.QUEUED, State.SENDING), next_attempt_at__lte=now)
            .order_by("next_attempt_at")
            .values_list("id", flat=True)[:batch]
        )
        if not ids:
            return []
        OutboundMessage.objects.filter(id__in=ids).update(
            state=State.SENDING, next_attempt_at=now + lease, attempts=F("attempts") + 1
        )
    return list(
        OutboundMessage.objects.filter(id__in=ids)
        .select_related("complaint__category", "complaint__ward", "complaint__citizen")
        .order_by("next_attempt_at", "id")
    )


def deliver_due(now: datetime | None = None, *, batch: int = 50, limit: int | None = None,
                stopping: Callable[[], bool] | None = None) -> DeliveryResult:
    """Deliver what is due, batch after batch, until nothing due is left (or `limit` messages, or
    `stopping()` says so between batches: a worker asked to stop finishes the batch in hand only)."""
    result = DeliveryResult()
    rules = MessagingSettings.current()
    templates = Templates()
    while (limit is None or result.claimed < limit) and not (stopping and stopping()):
        moment = now or timezone.now()
        claimed = claim(moment, batch if limit is None else min(batch, limit - result.claimed))
        if not claimed:
            break
        result.claimed += len(claimed)
        for message in claimed:
            deliver_one(message, now or timezone.now(), rules, templates, result)
        if len(claimed) < batch:
            break
    return result


def deliver_one(message: OutboundMessage, now: datetime, rules: MessagingSettings, templates: Templates,
                result: DeliveryResult) -> None:
    """Send one claimed message and record the outcome (a conditional UPDATE on the attempt number)."""
    to_citizen = message.to_officer_id is None and message.complaint_id is not None
    if to_citizen and message.event not in QUIET_HOURS_EXEMPT and rules.quiet_hours:
        end = quiet_end(now, rules.quiet_from, rules.quiet_until, settings.TIME_ZONE)
        if end is not None:  # queued before quiet hours began, or the rules changed: wait, not an attempt
            _finish(message, result, "deferred", state=State.QUEUED, next_attempt_at=end, attempts=F("attempts") - 1)
            return
    try:
        recipient = message.to_email if message.channel == "email" else message.to_mobile
        if not recipient:
            raise PermanentError(gettext("The recipient has no mobile number or e-mail address."), "no_recipient")
        if message.event in templating.LITERAL:
            template, body = None, str((message.context or {}).get("text", ""))
        else:
            template = templates.get(message.event, message.channel, message.language)
            body = render(message, template)
        gateway = gateways.for_channel(message.channel)
        provider_id = gateway.send(Outgoing(
            channel=message.channel, to=recipient, body=body, reference=message.key,
            dlt_template_id=template.dlt_template_id if template else "",
            subject=str(message.get_event_display()) if message.channel == "email" else "",
        ))
    except PermanentError as exc:
        log.warning("message %s (%s) failed for good: %s", message.pk, message.key, exc)
        _finish(message, result, "failed", state=State.FAILED, next_attempt_at=None, error_code=exc.code,
                last_error=str(exc)[:500])
    except Exception as exc:  # TemporaryError, or anything unexpected: the message is not lost
        if not isinstance(exc, TemporaryError):
            log.exception("message %s (%s): unexpected error while sending", message.pk, message.key)
        code = getattr(exc, "code", "") or type(exc).__name__[:20]
        if message.attempts >= settings.NNC_MESSAGE_MAX_ATTEMPTS:
            _finish(message, result, "failed", state=State.FAILED, next_attempt_at=None, error_code=code,
                    last_error=(gettext("Gave up after %(n)d attempts: %(error)s")
                                % {"n": message.attempts, "error": exc})[:500])
        else:
            delay = retry_delay(message.attempts, settings.NNC_MESSAGE_RETRY_BASE_SECONDS,
                                settings.NNC_MESSAGE_RETRY_CAP_SECONDS, random.random())
            _finish(message, result, "retried", state=State.QUEUED, next_attempt_at=now + timedelta(seconds=delay),
                    error_code=code, last_error=str(exc)[:500])
    else:
        extra = {}
        if message.event in SECRET_EVENTS:
            # A one-time code is the citizen's alone: once it has left, the desk keeps no readable copy.
            code = str((message.context or {}).get("code", ""))
            body = body.replace(code, "•" * len(code)) if code else body
            extra["context"] = {k: v for k, v in (message.context or {}).items() if k != "code"}
        _finish(message, result, "sent", state=State.SENT, next_attempt_at=None, body=body, template=template,
                gateway=gateway.name, provider_id=provider_id[:64], error_code="", last_error="", sent_at=now, **extra)


def _finish(message: OutboundMessage, result: DeliveryResult, outcome: str, **fields) -> None:
    # Only if this worker's attempt still holds the row (its lease may have run out and another taken it).
    updated = OutboundMessage.objects.filter(pk=message.pk, attempts=message.attempts, state=State.SENDING).update(**fields)
    if updated:
        setattr(result, outcome, getattr(result, outcome) + 1)
    else:
        result.lost_lease += 1
        log.warning("message %s: lease lost before its outcome (%s) was written", message.pk, outcome)


# --- templates and their values --------------------------------------------------------------------------

class Templates:
    """The active templates, read once per delivery run. Falls back from the recipient's language to the
    city's, then to any: a citizen is better served by a message in the other language than by none."""

    def __init__(self) -> None:
        self._all: dict[tuple[str, str, str], MessageTemplate] | None = None

    def get(self, event: str, channel: str, language: str) -> MessageTemplate:
        if self._all is None:
            self._all = {(t.event, t.channel, t.language): t for t in MessageTemplate.objects.filter(is_active=True)}
        # WhatsApp and e-mail use the SMS words unless they have their own.
        for ch in dict.fromkeys((channel, "sms")):
            for lang in dict.fromkeys((language, settings.LANGUAGE_CODE, "hi", "en")):
                if (event, ch, lang) in self._all:
                    return self._all[(event, ch, lang)]
        raise PermanentError(
            gettext("No message template for “%(event)s” is in use: add one in the desk, then retry.") % {"event": event},
            "no_template",
        )


def render(message: OutboundMessage, template: MessageTemplate) -> str:
    with translation.override(template.language):
        return templating.render(template.body, values(message))


def values(message: OutboundMessage) -> dict[str, object]:
    """The variables of a message, in the active language (rendering overrides it to the template's)."""
    context = message.context or {}
    out: dict[str, object] = {key: context[key] for key in ("percent", "level", "count", "dockets", "code")
                              if key in context}
    if context.get("first_due"):
        out["first_due"] = _when(datetime.fromisoformat(context["first_due"]))
    c = message.complaint
    if c is not None:
        out.update(
            docket=dockets.spoken(c.docket), category=c.category.name, ward=str(c.ward), address=c.address,
            landmark=c.landmark, status=c.get_status_display(), due=_when(c.due_at) if c.due_at else "—",
            link=tracking_link(c.docket), mobile=c.citizen.mobile,
        )
    elif context.get("docket"):
        out["docket"] = dockets.spoken(context["docket"])
    return out


def tracking_link(docket: str) -> str:
    base = settings.NNC_PUBLIC_URL.rstrip("/")
    return f"{base}/t/{docket}" if base else dockets.spoken(docket)


def _when(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "j M Y, H:i")


# --- what the gateway tells us later ---------------------------------------------------------------------

#: Receipt words (Twilio's MessageStatus, DLT delivery reports) → our state. Others only update `receipt`.
RECEIPT_STATES = {
    "delivered": State.DELIVERED, "read": State.DELIVERED, "deliverd": State.DELIVERED, "delivrd": State.DELIVERED,
    "success": State.DELIVERED,
    "undelivered": State.UNDELIVERED, "failed": State.UNDELIVERED, "undeliv": State.UNDELIVERED,
    "expired": State.UNDELIVERED, "failure": State.UNDELIVERED, "rejectd": State.UNDELIVERED, "rejected": State.UNDELIVERED,
}


def do_record_receipt(gateway: str, provider_id: str, status: str, *, error_code: str = "",
                      now: datetime | None = None) -> bool:
    """A delivery report for a message we sent. Returns False if no message has that id.

    Receipts only move a message forward: a late 'sent' or 'queued' never overwrites 'delivered', a
    failure report never undoes a delivery, and a repeated 'delivered' (or WhatsApp's later 'read')
    keeps the first delivery time."""
    now = now or timezone.now()
    status = (status or "").strip().lower()[:30]
    ours = OutboundMessage.objects.filter(gateway=gateway, provider_id=provider_id)
    state = RECEIPT_STATES.get(status)
    reported = (State.SENT, State.DELIVERED, State.UNDELIVERED)
    if state == State.DELIVERED:
        ours.filter(state__in=reported, delivered_at__isnull=True).update(state=state, receipt=status, delivered_at=now)
        ours.filter(state=State.DELIVERED).exclude(receipt=status).update(receipt=status)  # 'read' after 'delivered'
    elif state == State.UNDELIVERED:
        ours.filter(state__in=(State.SENT, State.UNDELIVERED)).update(state=state, receipt=status,
                                                                       error_code=str(error_code)[:20])
    else:  # an intermediate word ('sent', 'queued', 'accepted'): only while nothing final is known
        ours.filter(state=State.SENT).update(receipt=status)
    return ours.exists()


def do_retry(messages, now: datetime | None = None) -> int:
    """Send failed or undelivered messages again (the desk's 'retry' action), from a fresh count."""
    now = now or timezone.now()
    return OutboundMessage.objects.filter(pk__in=[m.pk for m in messages], state__in=(State.FAILED, State.UNDELIVERED)).update(
        state=State.QUEUED, next_attempt_at=now, attempts=0, error_code="", last_error=""
    )
