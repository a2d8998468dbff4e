"""Keeps a complaint's clock fields true as its status changes (called by the do_* actions).

`next_action_at` is the one field the sweep reads: the instant of the next pending step while the
complaint is open and its clock runs; the auto-close instant once resolved; nothing while paused or
after closing.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from nagar_nigam_cc.sla.plan import Plan

#: The complaint fields these functions may change; actions save them with the status.
FIELDS = ("sla_policy_id", "sla_plan", "due_at", "paused_for", "paused_since", "next_action_at", "resolution_seconds")

_OPEN = {"assigned", "in_progress", "on_hold", "reopened"}


def plan_of(complaint) -> Plan | None:
    return Plan.from_json(complaint.sla_plan) if complaint.sla_plan else None


def start(complaint, plan: Plan | None, policy_id: int | None = None) -> None:
    """At registration: copy the plan onto the complaint and set its deadline."""
    complaint.sla_policy_id = policy_id
    complaint.sla_plan = plan.to_json() if plan is not None else {}
    complaint.paused_for, complaint.paused_since = timedelta(0), None
    complaint.due_at = plan.due_at(complaint.registered_at, timedelta(0)) if plan is not None else None
    complaint.next_action_at = next_action(complaint, plan)


def status_changed(complaint, before: str, now: datetime) -> None:
    """After an action moved the complaint from `before` to its current status."""
    plan = plan_of(complaint)
    if plan is None:
        complaint.next_action_at = None
        if complaint.status == "resolved" and complaint.resolved_at is not None:  # no working calendar: wall time
            complaint.resolution_seconds = max(0, int((complaint.resolved_at - complaint.registered_at).total_seconds()))
        elif complaint.status in _OPEN:
            complaint.resolution_seconds = None
        return
    if complaint.status == "on_hold" and plan.pause_on_hold and complaint.paused_since is None:
        complaint.paused_since = now
    if complaint.status != "on_hold" and complaint.paused_since is not None:
        complaint.paused_for += plan.between(complaint.paused_since, now)
        complaint.paused_since = None
        complaint.due_at = plan.due_at(complaint.registered_at, complaint.paused_for)
    if complaint.status == "resolved" and complaint.resolved_at is not None:
        worked = plan.between(complaint.registered_at, complaint.resolved_at) - complaint.paused_for
        complaint.resolution_seconds = max(0, int(worked.total_seconds()))
    elif complaint.status in _OPEN:
        complaint.resolution_seconds = None
    complaint.next_action_at = next_action(complaint, plan)


def next_action(complaint, plan: Plan | None) -> datetime | None:
    if plan is None:
        return None
    if complaint.status == "resolved":
        if plan.auto_close_days and complaint.resolved_at:
            return complaint.resolved_at + timedelta(days=plan.auto_close_days)
        return None
    if complaint.status not in _OPEN or complaint.paused_since is not None:
        return None
    pending = plan.pending(frozenset(complaint.sla_done))
    return plan.at(complaint.registered_at, complaint.paused_for, pending[0].offset) if pending else None
