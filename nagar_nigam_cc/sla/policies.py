"""Which policy applies to a complaint, and the plan it makes (read from the desk's configuration).

Registration asks this for every complaint, so the active policies (a city has tens) are kept in this
process for a short while (`NNC_SLA_POLICY_CACHE_SECONDS`, 30 s) and chosen among in memory: reading
a policy, its ladder and its calendar's holidays costs three round trips per registration otherwise.
Saving or deleting any SLA configuration clears this process's copy at once (signals below); other
processes pick the change up within those seconds. Complaints already registered are never affected:
they carry their own copy of the plan.
"""
from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import NamedTuple

from django.conf import settings
from django.db.models.signals import post_delete, post_save

from nagar_nigam_cc.sla.models import ClockKind, EscalationStep, Holiday, SLAPolicy, WorkingCalendar
from nagar_nigam_cc.sla.plan import Plan, Rung


class _Entry(NamedTuple):
    category_id: int | None
    ward_id: int | None
    priority: int | None
    policy: SLAPolicy


_cache: dict[str, object] = {"expires": 0.0, "entries": (), "plans": {}}
_lock = threading.Lock()


def _active_entries() -> list[_Entry]:
    policies = (
        SLAPolicy.objects.filter(is_active=True)
        .select_related("calendar")
        .prefetch_related("ladder", "calendar__holidays")
    )
    return [_Entry(p.category_id, p.ward_id, p.priority, p) for p in policies]


def _most_specific(entries, category_id: int, ward_id: int, priority: int) -> SLAPolicy | None:
    """Its own category over the default one, then a ward of its own, then a priority of its own;
    ties go to the oldest policy."""
    matching = [
        e for e in entries
        if e.category_id in (category_id, None) and e.ward_id in (ward_id, None) and e.priority in (priority, None)
    ]
    best = min(
        matching,
        key=lambda e: (e.category_id is None, e.ward_id is None, e.priority is None, e.policy.pk),
        default=None,
    )
    return best.policy if best is not None else None


def choose_policy(category_id: int, ward_id: int, priority: int) -> SLAPolicy | None:
    """The policy that applies today, read afresh from the database."""
    return _most_specific(_active_entries(), category_id, ward_id, priority)


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
    now = time.monotonic()
    if _cache["expires"] <= now:
        entries = _active_entries()
        with _lock:
            _cache.update(expires=now + settings.NNC_SLA_POLICY_CACHE_SECONDS, entries=entries, plans={})
    policy = _most_specific(_cache["entries"], category_id, ward_id, priority)
    if policy is None:
        return None, None
    plans = _cache["plans"]
    if policy.pk not in plans:
        plans[policy.pk] = plan_for(policy)
    return policy.pk, plans[policy.pk]


def forget_plans(**kwargs) -> None:
    with _lock:
        _cache.update(expires=0.0, entries=(), plans={})


for _model in (SLAPolicy, EscalationStep, WorkingCalendar, Holiday):
    post_save.connect(forget_plans, sender=_model, dispatch_uid=f"sla-forget-{_model.__name__}-save")
    post_delete.connect(forget_plans, sender=_model, dispatch_uid=f"sla-forget-{_model.__name__}-delete")
