"""Which policy applies to a complaint, and the plan it makes (read from the desk's configuration)."""
from __future__ import annotations

from datetime import timedelta

from django.db.models import Q

from nagar_nigam_cc.sla.models import ClockKind, SLAPolicy
from nagar_nigam_cc.sla.plan import Plan, Rung


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
