"""Citizens' replies by SMS or WhatsApp: "STATUS <docket>", "1" (it is solved) and "2" (it is not).

`parse` reads what a citizen typed into a Command; it is pure and forgiving (Hindi digits and the word
स्थिति, any case, spaces and punctuation, WhatsApp's *bold*, dockets written 2611-00042-7), and reads
docket numbers with their check digit, so a mistyped number is answered "not found" instead of
reaching another complaint. Anything else gets the help text.

`receive` records the message once per gateway message id and acts on it in one transaction: a gateway
retrying its webhook, or the same message delivered twice at once, is acted on once. It only ever
touches complaints of the citizen with the sender's mobile number: another citizen's docket is "not
found", exactly like a docket that does not exist. "1" and "2" without a docket answer the citizen's
most recently resolved complaint. The answer goes through the outbox to the same number, on the
channel the citizen wrote on, keyed by the incoming message so it is queued once.
"""
from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from nagar_nigam_cc.complaints import dockets
from nagar_nigam_cc.complaints.actions import do_confirm, do_dispute
from nagar_nigam_cc.complaints.models import Citizen, Complaint, ComplaintEvent, EventKind, Status
from nagar_nigam_cc.messaging.models import Event, InboundMessage, OutboundMessage

log = logging.getLogger(__name__)
Outcome = InboundMessage.Outcome

#: Longer messages are stored cut to this length and answered with the help text (no command is that long).
MAX_CHARS = 1000

STATUS, CONFIRM, DISPUTE, HELP = "status", "confirm", "dispute", "help"


@dataclass(frozen=True)
class Command:
    kind: str  # status | confirm | dispute | help
    #: The docket named, in its stored form (check digit right); None when none was given.
    docket: str | None = None
    #: Digits given as a docket whose check digit is wrong (a typo): answered "not found", never looked up.
    mistyped: str = ""


_STATUS_WORDS = frozenset({"status", "sthiti", "स्थिति", "स्टेटस"})
_FIRST_WORD = {"1": CONFIRM, "2": DISPUTE}
# Digit runs and everything else between spaces: "status2611000427" is two tokens, "2611-00042-7" three.
_TOKEN = re.compile(r"[0-9]+|[^\s0-9]+")


def _plain(text: str) -> str:
    """Compatibility forms folded (full-width, ①), every script's digits as ASCII (१ → 1), punctuation,
    symbols and WhatsApp's *_~` marks as spaces, invisible joiners and direction marks dropped, case folded."""
    out = []
    for ch in unicodedata.normalize("NFKC", text):
        digit = unicodedata.decimal(ch, None)
        category = unicodedata.category(ch)
        if digit is not None:
            out.append(str(digit))
        elif category == "Cf":
            continue
        elif category[0] in "PSZC":
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out).casefold()


def parse(text: str) -> Command:
    """What a citizen's message asks for. Pure; never raises."""
    tokens = _TOKEN.findall(_plain(text or ""))
    if not tokens:
        return Command(HELP)
    head, rest = tokens[0], tokens[1:]
    if head in _STATUS_WORDS:
        kind = STATUS
    elif head in _FIRST_WORD:
        kind = _FIRST_WORD[head]
    elif head.isascii() and head.isdigit():
        kind, rest = STATUS, tokens  # a docket number on its own: its status
    else:
        return Command(HELP)
    if not rest:
        return Command(kind)
    digits = "".join(rest)
    if not (digits.isascii() and digits.isdigit()) or not dockets.normalise(digits):
        return Command(HELP)
    if dockets.is_valid(digits):
        return Command(kind, docket=digits)
    return Command(kind, mistyped=digits)


# --- acting on it ------------------------------------------------------------------------------------------

@dataclass
class _Answer:
    event: str
    outcome: str
    complaint: Complaint | None = None
    context: dict = field(default_factory=dict)


def receive(*, channel: str, gateway: str, provider_id: str, mobile: str, text: str,
            now: datetime | None = None) -> InboundMessage:
    """Record a citizen's message (`mobile` in E.164, as webhooks.normalise_mobile gives it), act on it
    and queue the answer, all in one transaction. A message id seen before returns its first record
    and does nothing again."""
    now = now or timezone.now()
    text = text or ""
    command = parse(text) if len(text) <= MAX_CHARS else Command(HELP)
    with transaction.atomic():
        # get_or_create inserts in a savepoint and, if a simultaneous delivery of the same id committed
        # first, reads that row (READ COMMITTED on MariaDB; SQLite runs writers one after another).
        inbound, created = InboundMessage.objects.get_or_create(
            gateway=gateway, provider_id=provider_id,
            defaults={"channel": channel, "from_mobile": mobile, "body": text[:MAX_CHARS], "received_at": now},
        )
        if not created:
            log.info("%s message %s received again; already handled (%s)", gateway, provider_id, inbound.outcome)
            return inbound
        inbound.citizen = Citizen.objects.filter(mobile=mobile).first()
        answer = _act(inbound, command, now)
        inbound.complaint, inbound.outcome = answer.complaint, answer.outcome
        inbound.save(update_fields=["citizen", "complaint", "outcome"])
        OutboundMessage.objects.bulk_create([_reply(inbound, answer, now)], ignore_conflicts=True)
    return inbound


def _act(inbound: InboundMessage, command: Command, now: datetime) -> _Answer:
    if command.kind == HELP:
        return _Answer(Event.REPLY_HELP, Outcome.NOT_UNDERSTOOD)
    named = command.docket or command.mistyped
    if inbound.citizen is None or command.mistyped:
        return _not_found(named)
    theirs = Complaint.objects.filter(citizen=inbound.citizen)
    if command.docket:
        complaint = theirs.filter(docket=command.docket).first()
        if complaint is None and command.kind == STATUS:
            # Another caller attached to the complaint (Follower) may ask where it stands, not answer for it.
            complaint = Complaint.objects.filter(docket=command.docket, followers__citizen=inbound.citizen).first()
    else:
        complaint = _meant(theirs, command.kind, now)
    if complaint is None:
        return _not_found(named)
    if command.kind == STATUS:
        return _Answer(Event.REPLY_STATUS, Outcome.STATUS, complaint)
    # Decide on the row as it is now, and keep it so until we are done (an agent may be closing it).
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    details = {"reply": inbound.pk, "channel": inbound.channel}
    if command.kind == CONFIRM:
        if complaint.status == Status.RESOLVED:
            complaint = do_confirm(complaint, actor=None, details=details, now=now)
            return _Answer(Event.REPLY_CONFIRMED, Outcome.CONFIRMED, complaint)
        if complaint.status == Status.CLOSED:
            # Said "1" again, or it was closed meanwhile: thank them again; nothing more to record.
            return _Answer(Event.REPLY_CONFIRMED, Outcome.CONFIRMED, complaint)
    else:
        if complaint.status == Status.RESOLVED or (
                complaint.status == Status.CLOSED and complaint.closed_at and complaint.closed_at >= _cutoff(now)):
            complaint = do_dispute(complaint, actor=None, details=details, now=now)
            return _Answer(Event.REPLY_REOPENED, Outcome.DISPUTED, complaint, {"level": complaint.escalation_level})
        if complaint.status == Status.REOPENED and _disputed_since(
                Complaint.objects.filter(pk=complaint.pk), _cutoff(now)).exists():
            # Said "2" again: it is already reopened and escalated; say so again, escalate no further.
            return _Answer(Event.REPLY_REOPENED, Outcome.DISPUTED, complaint, {"level": complaint.escalation_level})
    # Still being worked on, rejected, or closed too long ago to reopen by SMS: tell them where it stands.
    return _Answer(Event.REPLY_STATUS, Outcome.REFUSED, complaint)


def _meant(theirs, kind: str, now: datetime) -> Complaint | None:
    """The complaint a reply without a docket is about: for STATUS the latest one; for "1" and "2" the most
    recently resolved one still awaiting the citizen's word (for "2" also one closed in the last
    NNC_DISPUTE_DAYS), else one they already answered the same way (to answer a repeat kindly)."""
    cutoff = _cutoff(now)
    if kind == STATUS:
        return theirs.order_by("-registered_at", "-id").first()
    if kind == CONFIRM:
        awaiting = Q(status=Status.RESOLVED)
        answered = theirs.filter(status=Status.CLOSED, closed_at__gte=cutoff).order_by("-closed_at", "-id")
    else:
        awaiting = Q(status=Status.RESOLVED) | Q(status=Status.CLOSED, closed_at__gte=cutoff)
        answered = _disputed_since(theirs, cutoff).order_by("-updated_at", "-id")
    return theirs.filter(awaiting).order_by("-resolved_at", "-id").first() or answered.first()


def _cutoff(now: datetime) -> datetime:
    return now - timedelta(days=settings.NNC_DISPUTE_DAYS)


def _disputed_since(complaints, cutoff: datetime):
    """Those of the complaints that are reopened because the citizen disputed them since `cutoff`."""
    return complaints.filter(status=Status.REOPENED).filter(Exists(ComplaintEvent.objects.filter(
        complaint=OuterRef("pk"), kind=EventKind.DISPUTED, at__gte=cutoff)))


def _not_found(named: str) -> _Answer:
    # Another citizen's complaint and no complaint at all look the same from here: nothing leaks.
    return _Answer(Event.REPLY_NOT_FOUND, Outcome.NOT_FOUND, None, {"docket": named})


def _reply(inbound: InboundMessage, answer: _Answer, now: datetime) -> OutboundMessage:
    """The answer, to the number that wrote, on the channel it wrote on. (outbox.to_citizen needs a
    complaint; a stranger's message has none.) Replies are never held for the quiet hours."""
    citizen, complaint = inbound.citizen, answer.complaint
    return OutboundMessage(
        key=f"reply:{inbound.gateway}:{inbound.provider_id}", channel=inbound.channel, event=answer.event,
        complaint=complaint, to_mobile=inbound.from_mobile,
        language=(citizen.language if citizen else "") or settings.LANGUAGE_CODE,
        context={"docket": complaint.docket if complaint else "", **answer.context},
        created_at=now, next_attempt_at=now,
    )
