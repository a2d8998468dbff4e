"""The SLA sweep (issue 3, items 5 and 6): every due step performed exactly once, in order, to the right person.

The city of conftest, with one more officer: `senior` (Chief Sanitary Inspector), between the sanitation
field officer and the head (officer → senior → head). The garbage policy of these tests, made here as the
admin would: 24 hours round the clock; reminders at 50% and 90%; the officer told at breach; level 1
two hours after the breach goes to the officer's senior and takes the complaint over (reassign); level 2
twelve hours later informs the head of the department. A complaint registered at T0 therefore has:

    remind:50  T0+12h      breach      T0+24h      escalate:2  T0+38h
    remind:90  T0+21h36m   escalate:1  T0+26h

Time travels through the `now=` parameters of the actions and of `sweep()`; nothing of ours is patched.
Runs on SQLite and on MariaDB (DATABASE_URL=mysql://…).
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from conftest import make_officer, photo_upload
from django.db import connection

from nagar_nigam_cc.complaints.actions import (
    NewComplaint,
    do_put_on_hold,
    do_reapply_policy,
    do_register,
    do_reopen,
    do_resolve,
    do_resume,
)
from nagar_nigam_cc.complaints.models import (
    Complaint,
    ComplaintEvent,
    EventKind,
    Status,
)
from nagar_nigam_cc.directory import roles
from nagar_nigam_cc.messaging.models import OutboundMessage
from nagar_nigam_cc.sla.models import EscalationStep, SLAPolicy, WorkingCalendar
from nagar_nigam_cc.sla.sweep import sweep

IST = ZoneInfo("Asia/Kolkata")
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=IST)  # a Monday
H = timedelta(hours=1)
S = timedelta(seconds=1)
REMIND_50, REMIND_90, BREACH, ESCALATE_1, ESCALATE_2 = T0 + 12 * H, T0 + 21.6 * H, T0 + 24 * H, T0 + 26 * H, T0 + 38 * H
ALL_KEYS = ["breach", "escalate:1", "escalate:2", "remind:50", "remind:90"]
SLA_EVENTS = (EventKind.REMINDED, EventKind.BREACHED, EventKind.ESCALATED)

pytestmark = pytest.mark.django_db


# --- the city's people and the policy ----------------------------------------------------------------------

@pytest.fixture
def senior(city, head):
    return make_officer("senior", roles.FIELD_OFFICER, city.sanitation, level=2, reports_to=head,
                        designation="Chief Sanitary Inspector", mobile="+919839000002")


@pytest.fixture
def chain(officer, senior, head):
    """officer → senior → head, each with a mobile the messages go to."""
    officer.reports_to, officer.mobile = senior, "+919839000001"
    officer.save()
    head.mobile = "+919839000003"
    head.save()
    return type("Chain", (), {"officer": officer, "senior": senior, "head": head})


def make_policy(category, hours, reminders="50,90", ladder=(), **fields) -> SLAPolicy:
    """ladder: (level, delay hours, target, reassign[, officer])"""
    policy = SLAPolicy.objects.create(
        name_en=f"{category.code} {hours} h", name_hi=f"{category.code} {hours} घंटे", category=category,
        resolution_hours=Decimal(str(hours)), reminder_percents=reminders, **fields,
    )
    for level, delay, target, reassign, *named in ladder:
        EscalationStep.objects.create(policy=policy, level=level, delay_hours=Decimal(str(delay)), target=target,
                                      reassign=reassign, officer=named[0] if named else None)
    return policy


@pytest.fixture
def policy(city):
    return make_policy(city.garbage, 24, "50,90", ladder=[(1, 2, "reports_to", True), (2, 12, "department_head", False)],
                       auto_close_days=7)


@pytest.fixture
def register_at(city, agent):
    """register_at(now, **fields) → a garbage complaint in ward 1 registered by the agent at `now`."""
    counter = iter(range(100_000))

    def _register(now, *, category=None, ward=None, **fields):
        n = next(counter)
        new = NewComplaint(mobile=f"+9198391{n:05d}", category=category or city.garbage, ward=ward or city.wards[1],
                           description=f"Garbage heap number {n}", **fields)
        return do_register(new, actor=agent, now=now)

    return _register


# --- reading the record --------------------------------------------------------------------------------------

def fresh(c: Complaint) -> Complaint:
    return Complaint.objects.select_related("assigned_to").get(pk=c.pk)


def sla_events(c: Complaint) -> list[ComplaintEvent]:
    return list(ComplaintEvent.objects.filter(complaint=c, kind__in=SLA_EVENTS).order_by("id"))


def step_log(c: Complaint) -> Counter:
    """How many events carry each step key (performed and skipped steps alike)."""
    return Counter(e.data.get("step") for e in ComplaintEvent.objects.filter(complaint=c) if e.data.get("step"))


#: Registration queues these itself (the acknowledgement, the officer's new complaint): not the sweep's.
BY_REGISTRATION = ("registered", "assigned")


def sweep_messages():
    return OutboundMessage.objects.exclude(event__in=BY_REGISTRATION)


def messages(c: Complaint) -> list[OutboundMessage]:
    return list(sweep_messages().filter(complaint=c).order_by("id"))


def record(c: Complaint) -> tuple:
    """Everything the sweep may write about a complaint: a second sweep must leave it equal."""
    c = fresh(c)
    return (c.status, c.assigned_to_id, c.escalation_level, c.breached_at, sorted(c.sla_done), c.next_action_at,
            ComplaintEvent.objects.filter(complaint=c).count(), sweep_messages().filter(complaint=c).count())


def assert_every_done_step_left_an_event(c: Complaint):
    """Nothing is skipped silently: each step key the complaint has done appears on exactly one event."""
    c = fresh(c)
    log = step_log(c)
    assert {key: log[key] for key in c.sla_done} == {key: 1 for key in c.sla_done}, (c.sla_done, log)


# --- snapshot at registration ----------------------------------------------------------------------------------

def test_the_due_time_is_fixed_at_registration_and_editing_the_policy_does_not_move_it(
        chain, policy, register_at, commissioner):
    c = register_at(T0)
    assert c.due_at == BREACH
    assert c.next_action_at == REMIND_50
    assert c.sla_policy == policy and c.sla_plan["duration_s"] == 24 * 3600
    registered = ComplaintEvent.objects.get(complaint=c, kind=EventKind.REGISTERED)
    assert datetime.fromisoformat(registered.data["due_at"]) == BREACH

    policy.resolution_hours = Decimal(48)
    policy.reminder_percents = "75"
    policy.save()
    policy.ladder.filter(level=2).delete()
    c = fresh(c)
    assert (c.due_at, c.next_action_at) == (BREACH, REMIND_50), "a policy edit moved an open deadline"
    sweep(now=REMIND_50)
    assert [e.data["step"] for e in sla_events(c)] == ["remind:50"], "the sweep did not follow the snapshot"

    later = register_at(T0 + H)
    assert later.due_at == T0 + 49 * H  # new complaints get the edited policy

    do_reapply_policy(c, actor=commissioner, reason="Policy revised by the commissioner's order 12/2026",
                      now=T0 + 13 * H)
    c = fresh(c)
    assert c.due_at == T0 + 48 * H
    assert c.next_action_at == T0 + 36 * H  # remind:75; remind:50 stays done
    event = ComplaintEvent.objects.get(complaint=c, kind=EventKind.SLA_SET)
    assert event.actor == commissioner
    assert "12/2026" in event.note
    assert datetime.fromisoformat(event.data["old_due_at"]) == BREACH
    assert datetime.fromisoformat(event.data["due_at"]) == T0 + 48 * H
    assert event.data["policy"] == policy.pk


# --- each step, once, in order, to the right person --------------------------------------------------------------

def test_reminders_breach_and_the_ladder_each_happen_once_at_their_time(chain, policy, register_at):
    c = register_at(T0)
    timeline = [
        (REMIND_50, "remind:50", EventKind.REMINDED, chain.officer, "reminder"),
        (REMIND_90, "remind:90", EventKind.REMINDED, chain.officer, "reminder"),
        (BREACH, "breach", EventKind.BREACHED, chain.officer, "breach"),
        (ESCALATE_1, "escalate:1", EventKind.ESCALATED, chain.senior, "escalation"),
        (ESCALATE_2, "escalate:2", EventKind.ESCALATED, chain.head, "escalation"),
    ]
    for n, (at, key, kind, to, what) in enumerate(timeline, start=1):
        assert fresh(c).next_action_at == at
        before = record(c)
        assert sweep(now=at - S).steps == 0  # a second early: nothing
        assert record(c) == before
        result = sweep(now=at)
        assert (result.steps, result.complaints) == (1, 1), key
        events, sent = sla_events(c), messages(c)
        assert len(events) == len(sent) == n
        assert (events[-1].kind, events[-1].data["step"], events[-1].officer) == (kind, key, to)
        assert datetime.fromisoformat(events[-1].data["scheduled_for"]) == at
        assert events[-1].note == ""  # nobody had to stand in
        assert (sent[-1].key, sent[-1].event, sent[-1].to_officer, sent[-1].to_mobile) == (
            f"{c.pk}:{key}:officer:{to.pk}", what, to, to.mobile)
        assert sent[-1].context["docket"] == c.docket
        # Replay: the same instant again, and an earlier one (a clock that stepped back), do nothing.
        after = record(c)
        assert sweep(now=at).steps == 0
        assert sweep(now=at - H).steps == 0
        assert record(c) == after

    c = fresh(c)
    assert c.breached_at == BREACH
    assert c.assigned_to == chain.senior, "level 1 reassigns to the officer's senior"
    assert c.escalation_level == 2
    assert sorted(c.sla_done) == ALL_KEYS
    assert c.next_action_at is None
    level1, level2 = [e for e in sla_events(c) if e.kind == EventKind.ESCALATED]
    assert (level1.data["reassigned"], level1.data["from_officer"], level1.data["to_officer"]) == (
        True, chain.officer.pk, chain.senior.pk)
    assert (level2.data["reassigned"], level2.data["to_officer"], level2.data["target_rule"]) == (
        False, chain.head.pk, "department_head")
    assert [e.data["percent"] for e in sla_events(c) if e.kind == EventKind.REMINDED] == [50, 90]
    assert sweep(now=ESCALATE_2 + 30 * 24 * H).steps == 0
    assert_every_done_step_left_an_event(c)


def test_the_breach_tells_nobody_when_the_policy_says_so_but_is_recorded(chain, city, register_at):
    make_policy(city.garbage, 24, "", remind_at_breach=False)
    c = register_at(T0)
    sweep(now=BREACH)
    assert [e.kind for e in sla_events(c)] == [EventKind.BREACHED]
    assert messages(c) == []
    assert fresh(c).breached_at == BREACH


def test_a_restart_after_three_hours_down_catches_up_once_and_skips_overtaken_reminders(chain, city, register_at):
    """A 2-hour policy (reminders at 1 h and 1 h 48 min, breach at 2 h, level 1 half an hour later); the
    scheduler dies right after the registration and comes back three hours later."""
    make_policy(city.garbage, 2, "50,90", ladder=[(1, 0.5, "reports_to", True), (2, 12, "department_head", False)])
    c = register_at(T0)
    sweep(now=T0 + S)  # the last sweep before the outage
    back = T0 + 3 * H

    result = sweep(now=back)

    assert (result.steps, result.skipped) == (2, 2)
    events = sla_events(c)
    performed = [e for e in events if not e.data.get("skipped")]
    assert [(e.kind, e.data["step"]) for e in performed] == [
        (EventKind.BREACHED, "breach"), (EventKind.ESCALATED, "escalate:1")]
    assert [datetime.fromisoformat(e.data["scheduled_for"]) for e in performed] == [T0 + 2 * H, T0 + 2.5 * H]
    assert all(e.at == back for e in performed)
    # Overtaken reminders are not sent: only the breach notice and the escalation.
    assert [m.key.split(":")[1:3] for m in messages(c)] == [["breach", "officer"], ["escalate", "1"]]
    c = fresh(c)
    assert sorted(c.sla_done) == ["breach", "escalate:1", "remind:50", "remind:90"]
    assert c.assigned_to == chain.senior and c.escalation_level == 1
    assert c.next_action_at == T0 + 14.5 * H

    before = record(c)
    for now in (back, back + S, back + H):  # beat's next ticks
        assert sweep(now=now).steps == 0
    assert record(c) == before
    assert_every_done_step_left_an_event(c)


def test_catching_up_climbs_the_ladder_the_same_way_as_sweeping_on_time(chain, city, register_at):
    """Both levels go up the reports_to chain and only inform. On time: level 1 tells the senior, level 2
    tells the senior's senior (the head). After downtime, both levels are due in the same sweep; they must
    still go to senior, then head — not twice to the senior."""
    make_policy(city.garbage, 2, "", ladder=[(1, 1, "reports_to", False), (2, 1, "reports_to", False)])
    on_time = register_at(T0)
    for now in (T0 + 2 * H, T0 + 3 * H, T0 + 4 * H):
        sweep(now=now)
    on_time_targets = [e.officer for e in sla_events(on_time) if e.kind == EventKind.ESCALATED]
    assert on_time_targets == [chain.senior, chain.head]

    late = register_at(T0)  # registered at the same time; nobody swept it until 4 h later
    sweep(now=T0 + 4 * H)
    late_targets = [e.officer for e in sla_events(late) if e.kind == EventKind.ESCALATED]
    assert late_targets == on_time_targets, "catching up sent level 2 to the same officer as level 1"


# --- the clock stops while on hold ----------------------------------------------------------------------------------

def test_on_hold_stops_the_clock_and_resuming_pushes_every_step_by_the_time_paused(chain, policy, register_at):
    c = register_at(T0)
    do_put_on_hold(c, actor=chain.head.user, reason="Awaiting the citizen's address details", now=T0 + 5 * H)
    c = fresh(c)
    assert c.paused_since == T0 + 5 * H and c.next_action_at is None
    for now in (REMIND_50, T0 + 15 * H - S):  # nothing while paused
        assert sweep(now=now).steps == 0
    assert sla_events(c) == [] and messages(c) == []

    do_resume(c, actor=chain.head.user, now=T0 + 15 * H)  # ten hours on hold
    c = fresh(c)
    assert c.paused_for == 10 * H and c.paused_since is None
    assert c.due_at == BREACH + 10 * H
    assert c.next_action_at == REMIND_50 + 10 * H
    assert sweep(now=REMIND_50 + 10 * H - S).steps == 0
    for at in (REMIND_50, REMIND_90, BREACH, ESCALATE_1, ESCALATE_2):
        assert sweep(now=at + 10 * H).steps == 1
    assert [datetime.fromisoformat(e.data["scheduled_for"]) for e in sla_events(c)] == [
        at + 10 * H for at in (REMIND_50, REMIND_90, BREACH, ESCALATE_1, ESCALATE_2)]
    assert fresh(c).breached_at == BREACH + 10 * H


def test_on_a_business_calendar_the_hold_is_measured_in_working_time(chain, city, register_at):
    """Mon–Sat 10:00–18:00; 16 working hours. Registered Monday 10:00 → due Tuesday 18:00. On hold from
    Monday 17:00 to Tuesday 11:00: 18 hours on the wall clock, but two of working time (17–18, 10–11), so
    the deadline moves by two working hours, to Wednesday 12:00 (a wall-clock pause would give Thursday)."""
    calendar = WorkingCalendar.objects.create(name_en="Office", name_hi="कार्यालय", **{
        day: "10:00-18:00" for day in ("mon", "tue", "wed", "thu", "fri", "sat")})
    make_policy(city.garbage, 16, "50", clock="business", calendar=calendar)
    c = register_at(T0)
    assert c.due_at == T0 + 32 * H  # Tuesday 18:00
    assert c.next_action_at == T0 + 8 * H  # 8 working hours: Monday 18:00
    do_put_on_hold(c, actor=chain.head.user, reason="Awaiting the citizen", now=T0 + 7 * H)
    do_resume(c, actor=chain.head.user, now=T0 + 25 * H)
    c = fresh(c)
    assert c.paused_for == 2 * H
    assert c.due_at == datetime(2026, 3, 4, 12, 0, tzinfo=IST)
    assert c.next_action_at == datetime(2026, 3, 3, 12, 0, tzinfo=IST)  # 8 + 2 working hours: Tuesday 12:00
    assert sweep(now=c.next_action_at - S).steps == 0
    assert sweep(now=c.next_action_at).steps == 1
    assert sweep(now=c.due_at).steps == 1
    assert fresh(c).breached_at == c.due_at


def test_a_policy_that_does_not_pause_keeps_reminding_while_on_hold(chain, city, register_at):
    """pause_on_hold=False: the clock runs on hold, so the steps are due there too. (The sweep must also
    never spin on a complaint it cannot move forward: it would claim the same rows for ever.)"""
    make_policy(city.garbage, 24, "50", pause_on_hold=False)
    c = register_at(T0)
    do_put_on_hold(c, actor=chain.head.user, reason="Awaiting the citizen", now=T0 + H)
    assert fresh(c).next_action_at == REMIND_50

    with _query_budget(200):
        assert sweep(now=REMIND_50, batch=1).steps == 1
        assert sweep(now=BREACH, batch=1).steps == 1
    assert [e.data["step"] for e in sla_events(c)] == ["remind:50", "breach"]
    assert fresh(c).status == Status.ON_HOLD


class _query_budget:
    """Fail (rather than hang) a sweep that keeps querying: a database-level guard, not a patch."""

    def __init__(self, limit: int):
        self.limit, self.count = limit, 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        if self.count > self.limit:
            raise AssertionError(f"the sweep ran more than {self.limit} queries: it is spinning")
        return execute(sql, params, many, context)

    def __enter__(self):
        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        return self._wrapper.__exit__(*exc)


# --- resolved, then closed by itself -----------------------------------------------------------------------------------

def test_a_resolved_complaint_closes_itself_after_the_policy_days_unless_reopened(chain, policy, register_at, agent):
    kept, disputed = register_at(T0), register_at(T0)
    for c in (kept, disputed):
        do_resolve(c, actor=chain.head.user, remarks="Heap lifted", photo=photo_upload(), now=T0 + 5 * H)
    deadline = T0 + 5 * H + timedelta(days=7)
    assert fresh(kept).next_action_at == deadline
    do_reopen(disputed, actor=agent, reason="The citizen says the heap is back", now=T0 + 3 * 24 * H)

    sweep(now=deadline - S)  # (the reopened one catches up its steps here)
    assert fresh(kept).status == Status.RESOLVED
    sweep(now=deadline)
    kept = fresh(kept)
    assert (kept.status, kept.closed_at, kept.next_action_at) == (Status.CLOSED, deadline, None)
    closed = ComplaintEvent.objects.get(complaint=kept, kind=EventKind.CLOSED)
    assert (closed.from_status, closed.to_status, closed.data) == (Status.RESOLVED, Status.CLOSED, {"auto": True, "days": 7})
    assert [(m.event, m.to_mobile) for m in messages(kept)] == [("resolved", kept.citizen.mobile),
                                                                ("closed", kept.citizen.mobile)]
    before = record(kept)
    assert sweep(now=deadline + H).steps == 0
    assert record(kept) == before

    disputed = fresh(disputed)
    assert disputed.status == Status.REOPENED
    assert not ComplaintEvent.objects.filter(complaint=disputed, kind=EventKind.CLOSED).exists()


# --- whom a step goes to when the ladder is broken ------------------------------------------------------------------------

def test_the_officer_who_left_is_replaced_by_the_head_with_the_reason_recorded(chain, policy, register_at):
    c = register_at(T0)
    chain.officer.is_active = False  # left the corporation after the complaint was assigned
    chain.officer.save()
    sweep(now=REMIND_50)
    (event,) = sla_events(c)
    assert event.officer == chain.head
    assert "cannot act" in event.note and "head of the department" in event.note
    (message,) = messages(c)
    assert (message.to_officer, message.to_mobile) == (chain.head, chain.head.mobile)
    assert_every_done_step_left_an_event(c)


def test_an_officer_on_leave_is_covered_by_the_substitute(chain, city, policy, register_at):
    c = register_at(T0)
    stand_in = make_officer("standin", roles.FIELD_OFFICER, city.sanitation, mobile="+919839000009")
    chain.officer.on_leave, chain.officer.substitute = True, stand_in
    chain.officer.save()
    sweep(now=REMIND_50)
    (event,) = sla_events(c)
    assert (event.officer, event.note) == (stand_in, "")
    assert messages(c)[0].to_officer == stand_in


def test_no_senior_to_escalate_to_goes_to_the_head_with_the_reason(chain, policy, register_at):
    chain.officer.reports_to = None
    chain.officer.save()
    c = register_at(T0)
    for now in (REMIND_50, REMIND_90, BREACH, ESCALATE_1):
        sweep(now=now)
    level1 = next(e for e in sla_events(c) if e.kind == EventKind.ESCALATED)
    assert level1.officer == chain.head
    assert "no senior officer" in level1.note and "head of the department" in level1.note
    assert fresh(c).assigned_to == chain.head  # level 1 reassigns: to the head instead
    assert_every_done_step_left_an_event(c)


def test_a_named_officer_who_is_inactive_is_replaced_by_the_head(chain, city, register_at):
    named = make_officer("named", roles.FIELD_OFFICER, city.sanitation, level=2, mobile="+919839000007")
    make_policy(city.garbage, 24, "", ladder=[(1, 1, "officer", False, named)])
    c = register_at(T0)
    named.is_active = False
    named.save()
    sweep(now=T0 + 25 * H)
    escalated = [e for e in sla_events(c) if e.kind == EventKind.ESCALATED]
    assert [e.officer for e in escalated] == [chain.head]
    assert "cannot act" in escalated[0].note
    assert [m.to_officer for m in messages(c)] == [chain.officer, chain.head]  # breach notice, escalation


def test_no_head_either_is_still_recorded_and_nothing_is_sent_to_nobody(chain, city, policy, register_at):
    c = register_at(T0)
    chain.officer.is_active = False
    chain.officer.save()
    city.sanitation.head = None
    city.sanitation.save()
    sweep(now=REMIND_50)
    (event,) = sla_events(c)
    assert event.officer is None and "no head" in event.note
    assert messages(c) == []
    assert fresh(c).sla_done == ["remind:50"]


# --- a crash in the middle of a batch -------------------------------------------------------------------------------------

def test_a_crash_mid_batch_writes_nothing_of_the_batch_and_the_next_sweep_does_each_step_once(chain, policy, register_at):
    first, broken, third = (register_at(T0 + k * S) for k in range(3))  # swept in this order
    good_plan = fresh(broken).sla_plan
    Complaint.objects.filter(pk=broken.pk).update(sla_plan={**good_plan, "duration_s": 0})  # unreadable plan
    snapshot = {c.pk: record(c) for c in (first, broken, third)}

    with pytest.raises(ValueError, match="more than zero"):
        sweep(now=REMIND_50 + 3 * S)

    for c in (first, broken, third):
        assert record(c) == snapshot[c.pk], "a step of the failed batch was written"
    assert not ComplaintEvent.objects.filter(kind__in=SLA_EVENTS).exists()
    assert not sweep_messages().exists()

    Complaint.objects.filter(pk=broken.pk).update(sla_plan=good_plan)  # the repair
    result = sweep(now=REMIND_50 + 3 * S)
    assert (result.complaints, result.steps, result.skipped) == (3, 3, 0)
    for c in (first, broken, third):
        assert Counter(e.data["step"] for e in sla_events(c)) == {"remind:50": 1}
        assert [m.key for m in messages(c)] == [f"{c.pk}:remind:50:officer:{chain.officer.pk}"]
        assert_every_done_step_left_an_event(c)
    assert sweep(now=REMIND_50 + 3 * S).steps == 0


# --- cost: the sweep reads what is due, not the backlog -------------------------------------------------------------------

@pytest.mark.parametrize("open_complaints", [3, 60])
def test_a_sweep_with_nothing_due_costs_a_few_queries_whatever_the_backlog(
        chain, policy, register_at, open_complaints, django_assert_max_num_queries):
    for k in range(open_complaints):
        register_at(T0 + k * S)
    with django_assert_max_num_queries(3) as captured:  # savepoint, one indexed SELECT, release
        result = sweep(now=T0 + 11 * H)
    assert result.complaints == 0
    selects = [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1 and "next_action_at" in selects[0]


@pytest.mark.parametrize("due", [20, 60])
def test_performing_due_steps_costs_one_update_per_complaint_and_a_few_queries_per_batch(
        chain, policy, register_at, due, django_assert_max_num_queries):
    """Reminders: one UPDATE per complaint; the claim, reading the officers and citizens, one INSERT for
    all events and one for all messages are per batch, and so is the officer's combined reminder (the
    message settings, and the combined message written first so that its parts can point to it)."""
    for k in range(due):
        register_at(T0 + k * S)
    with django_assert_max_num_queries(due + 16):
        result = sweep(now=REMIND_50 + H)
    assert (result.complaints, result.steps) == (due, due)
