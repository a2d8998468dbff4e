"""Putting messages in the outbox. Called inside the transaction of the change that causes them, so a
message exists exactly when its cause does; the unique key makes a second copy impossible.

The builders here decide who gets what, on which channel, in which language and from when (quiet
hours); messaging.delivery sends them later. Officers' reminders from one sweep are combined into
one message per officer (combine_reminders).
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from nagar_nigam_cc.complaints import dockets
from nagar_nigam_cc.messaging.models import QUIET_HOURS_EXEMPT, Channel, Event, MessagingSettings, OutboundMessage

State = OutboundMessage.State


def quiet_end(now: datetime, quiet_from: time, quiet_until: time, zone: str) -> datetime | None:
    """If `now` falls in the quiet hours [quiet_from, quiet_until) of the city's clock (the window may
    run over midnight), the instant they end; else None. Pure."""
    tz = ZoneInfo(zone)
    local = now.astimezone(tz)
    t = local.time().replace(tzinfo=None)
    if quiet_from == quiet_until:
        return None
    if quiet_from < quiet_until:
        quiet, end_day = quiet_from <= t < quiet_until, local.date()
    else:  # e.g. 21:00 → 08:00
        quiet = t >= quiet_from or t < quiet_until
        end_day = local.date() + timedelta(days=1) if t >= quiet_from else local.date()
    if not quiet:
        return None
    return datetime.combine(end_day, quiet_until, tzinfo=tz)


def earliest_send(event: str, to_citizen: bool, now: datetime, rules: MessagingSettings | None = None) -> datetime:
    """When this message may first be sent: now, or after the quiet hours for a citizen's message."""
    if not to_citizen or event in QUIET_HOURS_EXEMPT:
        return now
    rules = rules or MessagingSettings.current()
    if not rules.quiet_hours:
        return now
    return quiet_end(now, rules.quiet_from, rules.quiet_until, settings.TIME_ZONE) or now


def to_citizen(complaint, event: str, key: str, now: datetime, *, context: dict | None = None,
               channel: str = Channel.SMS, rules: MessagingSettings | None = None) -> OutboundMessage:
    citizen = complaint.citizen
    return OutboundMessage(
        key=key, channel=channel, event=event, complaint=complaint, to_mobile=citizen.mobile,
        language=citizen.language or settings.LANGUAGE_CODE, context={"docket": complaint.docket, **(context or {})},
        created_at=now, next_attempt_at=earliest_send(event, True, now, rules),
    )


def to_officer(complaint, officer, event: str, key: str, now: datetime, *, context: dict | None = None) -> OutboundMessage:
    # Officers read the city's language (settings.LANGUAGE_CODE); reminders are never held for quiet hours.
    return OutboundMessage(
        key=key, channel=Channel.SMS, event=event, complaint=complaint, to_officer=officer,
        to_mobile=officer.mobile, language=settings.LANGUAGE_CODE,
        context={"docket": complaint.docket if complaint else "", **(context or {})},
        created_at=now, next_attempt_at=now,
    )


def put(*messages: OutboundMessage) -> None:
    """Write the messages (inside the caller's transaction). A key already there is left alone."""
    OutboundMessage.objects.bulk_create([m for m in messages if m is not None], ignore_conflicts=True)


# --- what each change sends ----------------------------------------------------------------------------

def registered(complaint, now: datetime) -> list[OutboundMessage]:
    """The acknowledgement to the citizen, and the new complaint to its officer."""
    out = [to_citizen(complaint, Event.REGISTERED, f"{complaint.pk}:registered:citizen", now)]
    if complaint.assigned_to_id:
        out.append(assigned(complaint, complaint.assigned_to, "registered", now))
    return out


def assigned(complaint, officer, why: str, now: datetime) -> OutboundMessage:
    """A complaint handed to an officer (at registration, or reassigned: `why` names the event)."""
    return to_officer(complaint, officer, Event.ASSIGNED, f"{complaint.pk}:assigned:{why}:officer:{officer.pk}", now)


def to_citizens(complaint, event: str, key: str, now: datetime) -> list[OutboundMessage]:
    """The citizen who registered the complaint and every other caller attached to it (Follower)."""
    rules = MessagingSettings.current()
    out = [to_citizen(complaint, event, f"{key}:citizen", now, rules=rules)]
    for follower in complaint.followers.select_related("citizen"):
        message = to_citizen(complaint, event, f"{key}:follower:{follower.citizen_id}", now, rules=rules)
        message.to_mobile = follower.citizen.mobile
        message.language = follower.citizen.language or settings.LANGUAGE_CODE
        out.append(message)
    return out


def resolved(complaint, now: datetime) -> list[OutboundMessage]:
    return to_citizens(complaint, Event.RESOLVED, f"{complaint.pk}:resolved:{now.isoformat()}", now)


def closed(complaint, now: datetime) -> list[OutboundMessage]:
    return to_citizens(complaint, Event.CLOSED, f"{complaint.pk}:closed:{now.isoformat()}", now)


# --- officers' reminders, combined -----------------------------------------------------------------------

#: How many dockets a combined reminder lists by number (DLT variables are short).
DIGEST_LISTED = 2


def combine_reminders(messages: list[OutboundMessage], now: datetime, digest_from: int) -> list[OutboundMessage]:
    """One message per officer instead of many: where this batch has `digest_from` or more reminders for
    one officer, a combined message is created (and saved, so the parts can point to it) and the
    reminders are kept — each complaint's record shows it was reminded — as 'sent in a combined message'.
    Returns the messages still to be written (the parts, and everything else unchanged)."""
    by_officer: dict[int, list[OutboundMessage]] = defaultdict(list)
    for m in messages:
        if m.event == Event.REMINDER and m.to_officer_id:
            by_officer[m.to_officer_id].append(m)
    for officer_id, parts in by_officer.items():
        if len(parts) < digest_from:
            continue
        parts.sort(key=lambda m: m.complaint.due_at or now)
        first = parts[0]
        listed = ", ".join(dockets.spoken(m.complaint.docket) for m in parts[:DIGEST_LISTED])
        more = len(parts) - DIGEST_LISTED
        digest, _ = OutboundMessage.objects.get_or_create(
            key=f"digest:{officer_id}:{now.isoformat()}:{first.complaint.pk}",
            defaults=dict(
                channel=Channel.SMS, event=Event.REMINDER_DIGEST, to_officer_id=officer_id, to_mobile=first.to_mobile,
                language=first.language, created_at=now, next_attempt_at=now,
                context={"count": len(parts), "dockets": listed + (f" +{more}" if more > 0 else ""),
                         "first_due": first.complaint.due_at.isoformat() if first.complaint.due_at else "",
                         "parts": [m.complaint.docket for m in parts]},
            ),
        )
        for m in parts:
            m.state, m.digest, m.next_attempt_at = State.BATCHED, digest, None
    return messages
