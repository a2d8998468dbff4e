"""Synthetic complaints carry the time limits, escalations and citizens' answers the product would have
recorded, so reports over a synthetic million mean something (issue 6)."""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from nagar_nigam_cc.complaints.models import OPEN_STATUSES, Complaint, ComplaintEvent, EventKind, Status
from nagar_nigam_cc.demo import loader
from nagar_nigam_cc.sla.plan import Plan
from nagar_nigam_cc.sla.policies import choose_policy, plan_for
from nagar_nigam_cc.sla.sweep import sweep

COUNT = 3000
OPEN = {s.value for s in OPEN_STATUSES}
#: Which kinds change the status, and from which statuses (as actions.TRANSITIONS allows).
MOVES = {
    EventKind.RESOLVED: {Status.ASSIGNED, Status.IN_PROGRESS, Status.REOPENED},
    EventKind.CLOSED: {Status.RESOLVED},
    EventKind.CONFIRMED: {Status.RESOLVED},
    EventKind.DISPUTED: {Status.RESOLVED, Status.CLOSED},
    EventKind.REOPENED: {Status.RESOLVED, Status.CLOSED},
    EventKind.REJECTED: set(OPEN),
    EventKind.DUPLICATE: set(OPEN),
    EventKind.ON_HOLD: {Status.ASSIGNED, Status.IN_PROGRESS, Status.REOPENED},
}


@pytest.fixture(scope="module")
def synthetic(django_db_setup, django_db_blocker):
    """One synthetic load for the whole module (it takes a few seconds), removed again after it."""
    with django_db_blocker.unblock():
        call_command("load_demo_city", complaints=0, verbosity=0, stdout=StringIO(), stderr=StringIO())
        now = timezone.now().replace(microsecond=0)
        result = loader.synthesise(COUNT, batch=700, days=365, now=now)
        complaints = {c.pk: c for c in Complaint.objects.all()}
        timelines = defaultdict(list)
        for event in ComplaintEvent.objects.order_by("at", "id"):
            timelines[event.complaint_id].append(event)
        yield type("Load", (), dict(now=now, result=result, complaints=complaints, timelines=timelines))
        loader.delete_demo()


pytestmark = pytest.mark.django_db


def test_every_complaint_has_its_category_s_plan_and_deadline(synthetic):
    plans = {}
    for c in synthetic.complaints.values():
        if c.category_id not in plans:
            policy = choose_policy(c.category_id, None, c.priority)
            plans[c.category_id] = (policy.pk, plan_for(policy))
        policy_id, plan = plans[c.category_id]
        assert c.sla_policy_id == policy_id and c.sla_plan == plan.to_json()
        assert c.due_at == plan.due_at(c.registered_at, timedelta(0))
        assert c.paused_for == timedelta(0)


def test_resolved_ones_have_their_working_time_to_resolve_and_open_ones_none(synthetic):
    for c in synthetic.complaints.values():
        if c.status in (Status.RESOLVED, Status.CLOSED):
            plan = Plan.from_json(c.sla_plan)
            assert c.resolved_at is not None and c.registered_at <= c.resolved_at <= synthetic.now
            assert c.resolution_seconds == int(plan.between(c.registered_at, c.resolved_at).total_seconds())
            assert c.resolution_seconds <= (c.resolved_at - c.registered_at).total_seconds()
        else:
            assert c.resolution_seconds is None
        if c.status == Status.CLOSED:
            assert c.closed_at is not None and c.resolved_at <= c.closed_at <= synthetic.now


def test_shares_of_late_resolutions_overdue_confirmed_and_disputed_are_realistic(synthetic):
    done = [c for c in synthetic.complaints.values() if c.status in (Status.RESOLVED, Status.CLOSED)]
    late = sum(c.resolved_at > c.due_at for c in done)
    assert 0.15 <= late / len(done) <= 0.25
    overdue = [c for c in synthetic.complaints.values() if c.status in OPEN
               and c.due_at < (c.paused_since or synthetic.now)]
    assert 0.02 <= len(overdue) / COUNT <= 0.15
    assert any(c.status == Status.ON_HOLD and c.due_at < c.paused_since for c in overdue)
    assert any(c.status == Status.ON_HOLD and c.due_at >= c.paused_since for c in synthetic.complaints.values()
               if c.paused_since)
    kinds = Counter(e.kind for timeline in synthetic.timelines.values() for e in timeline)
    ever_resolved = sum(1 for t in synthetic.timelines.values() if any(e.kind == EventKind.RESOLVED for e in t))
    assert 0.25 <= kinds[EventKind.CONFIRMED] / ever_resolved <= 0.35
    assert 0.03 <= kinds[EventKind.DISPUTED] / ever_resolved <= 0.08
    assert kinds[EventKind.REOPENED] > 0
    levels = Counter(c.escalation_level for c in synthetic.complaints.values())
    assert levels[1] and levels[2] and levels[3]


def test_every_escalated_complaint_has_one_escalated_event_per_level(synthetic):
    escalated = 0
    for pk, c in synthetic.complaints.items():
        events = [e for e in synthetic.timelines[pk] if e.kind == EventKind.ESCALATED]
        assert [e.data["level"] for e in events] == list(range(1, c.escalation_level + 1))
        for e in events:
            assert e.data["reassigned"] is False and e.data["from_officer"] == c.assigned_to_id
            assert e.officer_id == e.data["to_officer"]
        escalated += bool(events)
    assert escalated


def test_the_breach_and_the_ladder_came_when_the_plan_says(synthetic):
    for pk, c in synthetic.complaints.items():
        plan = Plan.from_json(c.sla_plan)
        timeline = synthetic.timelines[pk]
        breached = [e for e in timeline if e.kind == EventKind.BREACHED]
        assert len(breached) == (c.breached_at is not None)
        if c.breached_at is not None:
            assert c.breached_at == c.due_at and breached[0].at >= c.due_at
        stopped = c.paused_since or (c.resolved_at if c.status in (Status.RESOLVED, Status.CLOSED) else None)
        if c.status in OPEN and c.due_at < (stopped or synthetic.now):
            assert c.breached_at is not None and c.escalation_level >= 1  # open and overdue
        if c.status in (Status.RESOLVED, Status.CLOSED) and c.resolved_at > c.due_at:
            assert c.breached_at is not None  # resolved late
        for e in timeline:
            if e.kind == EventKind.ESCALATED and "step" in e.data:
                scheduled = plan.at(c.registered_at, timedelta(0), next(s.offset for s in plan.steps
                                                                        if s.key == e.data["step"]))
                assert e.data["scheduled_for"] == scheduled.astimezone(UTC).isoformat()
                assert e.at >= scheduled
        assert set(c.sla_done) == {s.key for s in plan.steps[:len(c.sla_done)]}  # done in order


def test_timelines_are_in_order_and_end_in_the_row_s_state(synthetic):
    for pk, c in synthetic.complaints.items():
        timeline = synthetic.timelines[pk]
        assert timeline[0].kind == EventKind.REGISTERED and timeline[0].at == c.registered_at
        assert [e.at for e in timeline] == sorted(e.at for e in timeline)
        assert timeline[-1].at == c.updated_at <= synthetic.now
        status = Status.ASSIGNED
        for e in timeline[1:]:
            if e.kind in MOVES:
                assert e.from_status == status and status in MOVES[e.kind], (c.docket, e.kind, status)
                status = e.to_status
            else:
                assert e.from_status == e.to_status == status
            if e.kind in (EventKind.RESOLVED, EventKind.CONFIRMED):
                assert e.officer_id == c.assigned_to_id
        if c.status != Status.IN_PROGRESS:  # no 'started' events: in progress is still 'assigned' on the timeline
            assert status == c.status, c.docket
        disputes = [e for e in timeline if e.kind == EventKind.DISPUTED]
        for dispute in disputes:
            escalation = next(e for e in timeline if e.kind == EventKind.ESCALATED and e.at == dispute.at
                              and e.data.get("reason") == "citizen disputed")
            assert 1 <= escalation.data["level"] <= c.escalation_level
        if c.status == Status.REOPENED:
            assert disputes or any(e.kind == EventKind.REOPENED for e in timeline)


def test_the_sweep_finds_nothing_left_to_do_at_the_moment_of_the_load(synthetic):
    assert all(c.next_action_at is None or c.next_action_at > synthetic.now for c in synthetic.complaints.values())
    for c in synthetic.complaints.values():
        if c.status in (Status.ASSIGNED, Status.IN_PROGRESS, Status.REOPENED):
            plan = Plan.from_json(c.sla_plan)
            pending = plan.pending(frozenset(c.sla_done))
            assert c.next_action_at == (plan.at(c.registered_at, timedelta(0), pending[0].offset) if pending else None)
        elif c.status == Status.RESOLVED:
            assert c.next_action_at == c.resolved_at + timedelta(days=7)
        else:
            assert c.next_action_at is None
    before = ComplaintEvent.objects.count()
    result = sweep(synthetic.now)
    assert (result.steps, ComplaintEvent.objects.count()) == (0, before)
