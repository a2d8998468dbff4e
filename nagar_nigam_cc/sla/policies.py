"""Which policy applies to a complaint, and the plan it makes (read from the desk's configuration).

Registration asks this for every complaint, so the answer is kept in this process for a short while
(`NNC_SLA_POLICY_CACHE_SECONDS`, 30 s): the policy query, its ladder and its calendar's holidays cost
three round trips per registration otherwise. Saving or deleting any SLA configuration clears this
process's copy at once (signals below); other processes pick the change up within those seconds.
Complaints already registered are never affected: they carry their own copy of the plan.
"""
from __future__ import annotations

import threading
import time
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.db.models.signals import post_delete, post_save

from nagar_nigam_cc.sla.models import ClockKind, EscalationStep, Holiday, SLAPolicy, WorkingCalendar
from nagar_nigam_cc.sla.plan import Plan, Rung

_cache: dict[tuple[int, int, int], tuple[float, int | None, Plan | None]] = {}
_lock = threading.Lock()


def choose_policy(category_id: int, ward_id: int, priority: int) -> SLAPolicy | None:
    """The most specific active policy: its own category over the default one, then a ward of its
    own, then a priority of its own; ties go to the oldest policy."""
    candidates = SLAPolicy.objects.filter(
        Q(category_id=category_id) | Q(category__isnull=True),
        Q(ward_id=ward_id) | Q(ward__isnull=True),
        Q(priority=priority) | Q(priority__isnull=True),
        is_active=True,
    ).select_related("calendar")
    return min(
        candidates,
        key=lambda p: (p.category_id is None, p.ward_id is None, p.priority is None, p.pk),
        default=None,
    )


def plan_for(policy: SLAPolicy) -> Plan:
    calendar = policy.calendar.to_clock() if policy.clock == ClockKind.BUSINESS and policy.calendar else None
    return Plan(
        duration=timedelta(hours=float(policy.resolution_hours)),
        calendar=calendar,
        reminders=tuple(policy.reminders()),
        remind_at_breach=policy.remind_at_breach,
        ladder=tuple(
            Rung(step.level, timedelta(hours=float(step.delay_hours)), step.target, step.officer_id, step.reassign)
            for step in policy.ladder.all()
        ),
        pause_on_hold=policy.pause_on_hold,
        auto_close_days=policy.auto_close_days,
        policy_id=policy.pk,
    )


def current_plan(category_id: int, ward_id: int, priority: int) -> tuple[int | None, Plan | None]:
    """(policy id, plan) for a new complaint, from this process's short-lived copy when fresh."""
    key = (category_id, ward_id, priority)
    now = time.monotonic()
    hit = _cache.get(key)
    if hit is not None and hit[0] > now:
        return hit[1], hit[2]
    policy = choose_policy(category_id, ward_id, priority)
    plan = plan_for(policy) if policy is not None else None
    with _lock:
        _cache[key] = (now + settings.NNC_SLA_POLICY_CACHE_SECONDS, policy.pk if policy else None, plan)
    return (policy.pk if policy else None), plan


def forget_plans(**kwargs) -> None:
    with _lock:
        _cache.clear()


for _model in (SLAPolicy, EscalationStep, WorkingCalendar, Holiday):
    post_save.connect(forget_plans, sender=_model, dispatch_uid=f"sla-forget-{_model.__name__}-save")
    post_delete.connect(forget_plans, sender=_model, dispatch_uid=f"sla-forget-{_model.__name__}-delete")
