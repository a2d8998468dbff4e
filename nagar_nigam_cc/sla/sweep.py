"""The sweep: performs what is due — reminders, the breach, escalations, auto-closing — and nothing else.

It reads only complaints whose `next_action_at` has come (an index range), so its cost follows the
work that is due, never the open backlog. Several sweeps may run at once (two beat processes by
mistake, a worker restarted mid-batch): each batch is claimed with SELECT … FOR UPDATE SKIP LOCKED on
MariaDB (SQLite takes the database's write lock at BEGIN IMMEDIATE, so sweeps there run one after
another), and each complaint's performed step keys (`sla_done`) are written in the same transaction
as the step's events and messages. A replay, a second sweep or a restart therefore never performs a
step twice, and a crash mid-batch rolls the whole batch back to be done once later.

After downtime the sweep catches up once: every due step is performed in order, except reminders
that an escalation or the breach has already overtaken (they are recorded as skipped).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from nagar_nigam_cc.complaints.models import OPEN_STATUSES, Complaint, ComplaintEvent, EventKind, Status
from nagar_nigam_cc.directory.availability import head_of, usable
from nagar_nigam_cc.directory.models import Officer
from nagar_nigam_cc.messaging import outbox
from nagar_nigam_cc.messaging.models import Event, MessagingSettings, OutboundMessage
from nagar_nigam_cc.sla import schedule
from nagar_nigam_cc.sla.models import EscalationTarget
from nagar_nigam_cc.sla.plan import BREACH, ESCALATE, REMIND, Plan, Rung, Step

log = logging.getLogger(__name__)

_SAVED = ("status", "updated_at", "closed_at", "assigned_to", "escalation_level", "breached_at", "sla_done",
          "next_action_at")


@dataclass
class SweepResult:
    complaints: int = 0
    steps: int = 0
    skipped: int = 0

    def __str__(self) -> str:
        return f"{self.steps} steps on {self.complaints} complaints ({self.skipped} overtaken reminders skipped)"


def sweep(now: datetime | None = None, *, batch: int = 200) -> SweepResult:
    """Perform every step due at `now`, batch by batch, until nothing due is left unclaimed."""
    now = now or timezone.now()
    result = SweepResult()
    while True:
        with transaction.atomic():
            claimed = list(
                # Only complaint rows are locked (MariaDB has no FOR UPDATE OF): the officers and
                # citizens they point to are prefetched by separate, unlocking queries.
                Complaint.objects.select_for_update(skip_locked=True)
                .filter(next_action_at__lte=now)
                .prefetch_related("assigned_to__substitute", "assigned_to__reports_to", "department__head__substitute",
                                  "citizen")
                .order_by("next_action_at")[:batch]
            )
            events: list[ComplaintEvent] = []
            messages: list[OutboundMessage] = []
            for complaint in claimed:
                _act(complaint, now, events, messages, result)
                complaint.save(update_fields=_SAVED)
            ComplaintEvent.objects.bulk_create(events)
            # An officer with many reminders due gets one message listing them.
            if any(m.event == Event.REMINDER for m in messages):
                messages = outbox.combine_reminders(messages, now, MessagingSettings.current().digest_from)
            # The keys are unique: a message already queued by an earlier run is not queued again.
            outbox.put(*messages)
        result.complaints += len(claimed)
        if len(claimed) < batch:
            return result


def _act(c: Complaint, now: datetime, events: list, messages: list, result: SweepResult) -> None:
    plan = schedule.plan_of(c)
    if plan is None:
        c.next_action_at = None
        return
    if c.status == Status.RESOLVED:
        _auto_close(c, plan, now, events, messages, result)
    elif c.status in OPEN_STATUSES and c.paused_since is None:  # on hold counts when the policy does not pause
        done = set(c.sla_done)
        due = [(s, at) for s in plan.pending(done) if (at := plan.at(c.registered_at, c.paused_for, s.offset)) <= now]
        overtaken = any(step.kind != REMIND for step, _ in due)
        for step, at in due:
            if step.kind == REMIND and overtaken:
                # Not sent (the breach or an escalation says more), but not skipped silently either.
                events.append(_event(c, EventKind.REMINDED, now, None,
                                     gettext_noop("Not sent: overtaken by a later step after a pause in the sweep."),
                                     {"step": step.key, "scheduled_for": _iso(at), "skipped": True}))
                result.skipped += 1
            else:
                _perform(c, plan, step, at, now, events, messages)
                result.steps += 1
            done.add(step.key)
        c.sla_done = sorted(done)
    c.next_action_at = schedule.next_action(c, plan)
    if c.next_action_at is not None and c.next_action_at <= now:
        # Every step due by `now` was just performed, so this is a bug; retry in a minute rather than
        # spin on the same row or drop the step.
        log.error("SLA sweep: complaint %s is still due after its steps (%s); retrying later", c.pk, c.sla_done)
        c.next_action_at = now + timedelta(minutes=1)


def _perform(c: Complaint, plan: Plan, step: Step, at: datetime, now: datetime, events: list, messages: list) -> None:
    data = {"step": step.key, "due_at": _iso(c.due_at), "scheduled_for": _iso(at)}
    if step.kind == REMIND:
        officer, why = _available(c.assigned_to, c)
        events.append(_event(c, EventKind.REMINDED, now, officer, why, {**data, "percent": step.percent}))
        _message(messages, c, step, "reminder", officer, now, {"percent": step.percent})
    elif step.kind == BREACH:
        c.breached_at = at
        officer, why = _available(c.assigned_to, c)
        events.append(_event(c, EventKind.BREACHED, now, officer, why, data))
        if plan.remind_at_breach:
            _message(messages, c, step, "breach", officer, now, {})
    elif step.kind == ESCALATE:
        rung = plan.rung(step.level)
        target, why = _escalation_target(c, rung, events)
        previous = c.assigned_to_id
        c.escalation_level = max(c.escalation_level, step.level)
        reassigned = bool(rung.reassign and target is not None and target.pk != previous)
        if reassigned:
            c.assigned_to = target
        events.append(_event(c, EventKind.ESCALATED, now, target, why, {
            **data, "level": step.level, "from_officer": previous, "to_officer": target.pk if target else None,
            "reassigned": reassigned, "target_rule": rung.target,
        }))
        _message(messages, c, step, "escalation", target, now, {"level": step.level})
    c.updated_at = now


def _auto_close(c, plan: Plan, now, events, messages, result) -> None:
    if not (plan.auto_close_days and c.resolved_at and now >= c.resolved_at + timedelta(days=plan.auto_close_days)):
        return
    c.status, c.closed_at, c.updated_at = Status.CLOSED, now, now
    events.append(ComplaintEvent(
        complaint=c, kind=EventKind.CLOSED, at=now, from_status=Status.RESOLVED, to_status=Status.CLOSED,
        note=gettext_noop("Closed automatically: the citizen did not dispute the resolution in time."),
        data={"auto": True, "days": plan.auto_close_days},
    ))
    messages.extend(outbox.to_citizens(c, Event.CLOSED, f"{c.pk}:auto_close:{c.resolved_at.isoformat()}", now))
    result.steps += 1


# --- whom a step goes to ------------------------------------------------------------------------------

def _available(officer: Officer | None, c: Complaint) -> tuple[Officer | None, str]:
    chosen = usable(officer)
    if chosen is not None:
        return chosen, ""
    return head_of(c, gettext_noop("the officer cannot act (left, inactive or on leave without a substitute)"))


def _escalation_target(c: Complaint, rung: Rung, batch_events: list[ComplaintEvent]) -> tuple[Officer | None, str]:
    if rung.target == EscalationTarget.REPORTS_TO:
        # One step up from whoever holds the complaint at the level below: the last officer it was
        # escalated to (in this batch, when catching up several levels at once, else in the
        # database), else the officer it is assigned to.
        in_batch = [e.officer_id for e in batch_events if e.complaint is c and e.kind == EventKind.ESCALATED
                    and e.officer_id]
        # Level 0: never escalated, so no earlier escalation to look up.
        last = in_batch[-1] if in_batch else None if c.escalation_level == 0 else (
            ComplaintEvent.objects.filter(complaint=c, kind=EventKind.ESCALATED, officer__isnull=False)
            .order_by("-at", "-id").values_list("officer_id", flat=True).first()
        )
        base = Officer.objects.filter(pk=last).select_related("reports_to").first() if last else c.assigned_to
        candidate = base.reports_to if base is not None else None
        missing = gettext_noop("no senior officer (reports to) is set")
    elif rung.target == EscalationTarget.DEPARTMENT_HEAD:
        candidate, missing = c.department.head, gettext_noop("the department has no head")
    elif rung.target == EscalationTarget.ZONAL_OFFICER:
        candidate = (
            Officer.objects.filter(is_active=True, zones=c.zone_id)
            .filter(Q(department=c.department_id) | Q(department__isnull=True))
            .order_by("-level", "id").first()
        )
        missing = gettext_noop("the zone has no zonal officer")
    else:
        candidate = Officer.objects.filter(pk=rung.officer_id).first()
        missing = gettext_noop("the named officer no longer exists")
    if candidate is None:
        return head_of(c, missing)
    chosen = usable(candidate)
    if chosen is None:
        return head_of(c, gettext_noop("the escalation officer cannot act (inactive or on leave)"))
    return chosen, ""


# --- records ---------------------------------------------------------------------------------------------

def _event(c, kind, now, officer, why, data) -> ComplaintEvent:
    return ComplaintEvent(complaint=c, kind=kind, at=now, officer=officer, note=why, data=data,
                          from_status=c.status, to_status=c.status)


def _message(messages, c, step: Step, event: str, officer: Officer | None, now, context) -> None:
    if officer is None:
        return
    messages.append(outbox.to_officer(c, officer, event, f"{c.pk}:{step.key}:officer:{officer.pk}", now,
                                      context=context))


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
