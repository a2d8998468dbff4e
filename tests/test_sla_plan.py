"""A complaint's SLA plan (nagar_nigam_cc.sla.plan.Plan) and its schedule (sla.schedule), as pure values.

Generated plans: time limits from one second to ten days, reminders any sorted subset of 1–99%, a ladder
of up to four levels with delays of 0–72 h going to any target, round-the-clock or on a generated
business calendar (random weekly windows, split shifts, one-off and yearly holidays, in Asia/Kolkata, a
DST zone or UTC). Registrations are any second of 2024–2028, given in any of those zones. Instants are
compared in UTC (see sla.clock on comparing datetimes of a DST zone).

The schedule functions take "a complaint": here a plain namespace with the fields they read and write
(no database), driven through registration, hold and resume exactly as the do_* actions drive them.
"""
from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from nagar_nigam_cc.sla import schedule
from nagar_nigam_cc.sla.clock import Calendar, business_time_between
from nagar_nigam_cc.sla.plan import BREACH, ESCALATE, REMIND, Plan, Rung

PROPS = settings(max_examples=200, deadline=None)

ZONES = [ZoneInfo(k) for k in ("Asia/Kolkata", "Europe/London", "UTC")]
FIRST = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp())
LAST = int(datetime(2028, 12, 31, tzinfo=UTC).timestamp())
TARGETS = ("reports_to", "department_head", "zonal_officer", "officer")


def utc(x: datetime) -> datetime:
    return x.astimezone(UTC)


def seconds(low: int, high: int):
    return st.integers(low, high).map(lambda s: timedelta(seconds=s))


def durations(high_seconds: int):
    """Mostly whole seconds, sometimes with microseconds (a policy of 0.01 h is 36 s; JSON keeps floats)."""
    return st.one_of(
        seconds(1, high_seconds),
        st.integers(1, high_seconds * 1_000_000).map(lambda us: timedelta(microseconds=us)),
    )


@st.composite
def day_windows(draw):
    bounds = sorted(draw(st.lists(st.integers(0, 48).map(lambda h: h * 30), max_size=4)))
    return tuple((s, e) for s, e in zip(bounds[::2], bounds[1::2]) if s < e)


@st.composite
def calendars(draw, near: datetime):
    tz = draw(st.sampled_from(ZONES))
    weekly = draw(st.tuples(*[day_windows()] * 7).filter(any))
    local = near.astimezone(tz).date()
    holidays = frozenset(local + timedelta(days=k) for k in draw(st.lists(st.integers(-2, 20), max_size=6)))
    yearly = frozenset(draw(st.lists(st.sampled_from([(1, 26), (8, 15), (10, 2), (2, 29)]), max_size=3)))
    return Calendar(tz=tz, weekly=weekly, holidays=holidays, yearly_holidays=yearly).validate()


@st.composite
def instants(draw) -> datetime:
    return datetime.fromtimestamp(draw(st.integers(FIRST, LAST)), draw(st.sampled_from(ZONES)))


@st.composite
def ladders(draw):
    levels = sorted(draw(st.sets(st.integers(1, 6), max_size=4)))
    rungs = []
    for level in levels:
        target = draw(st.sampled_from(TARGETS))
        rungs.append(Rung(level, draw(seconds(0, 72 * 3600)), target,
                          draw(st.integers(1, 10**6)) if target == "officer" else None, draw(st.booleans())))
    return tuple(draw(st.permutations(rungs)))  # the admin's order is not the ladder's order


@st.composite
def plans(draw, registered_at: datetime | None = None, business: bool | None = None):
    registered_at = registered_at or draw(instants())
    use_calendar = draw(st.booleans()) if business is None else business
    return Plan(
        duration=draw(durations(10 * 86400)),
        calendar=draw(calendars(registered_at)) if use_calendar else None,
        reminders=tuple(sorted(draw(st.sets(st.integers(1, 99), max_size=4)))),
        remind_at_breach=draw(st.booleans()),
        ladder=draw(ladders()),
        pause_on_hold=draw(st.booleans()),
        auto_close_days=draw(st.integers(0, 30)),
        policy_id=draw(st.one_of(st.none(), st.integers(1, 10**6))),
    )


@st.composite
def registered_plans(draw, business: bool | None = None):
    registered_at = draw(instants())
    return registered_at, draw(plans(registered_at, business))


# --- the steps ------------------------------------------------------------------------------------------

@PROPS
@given(plans())
def test_steps_are_ordered_reminders_then_breach_then_the_ladder_by_level(plan):
    steps = plan.steps
    offsets = [s.offset for s in steps]
    assert offsets == sorted(offsets)
    kinds = [s.kind for s in steps]
    assert kinds == [REMIND] * len(plan.reminders) + [BREACH] + [ESCALATE] * len(plan.ladder)
    assert [s.percent for s in steps if s.kind == REMIND] == list(plan.reminders)
    assert [s.level for s in steps if s.kind == ESCALATE] == sorted(r.level for r in plan.ladder)
    assert len({s.key for s in steps}) == len(steps)
    (breach,) = (s for s in steps if s.kind == BREACH)
    assert breach.offset == plan.duration
    assert all(s.offset <= plan.duration for s in steps if s.kind == REMIND)
    # Each level comes its own delay after the one below it (level 1: after the breach).
    previous = plan.duration
    for step in (s for s in steps if s.kind == ESCALATE):
        assert step.offset - previous == plan.rung(step.level).delay
        previous = step.offset


@PROPS
@given(plans(), st.data())
def test_pending_keeps_the_order_and_drops_only_what_is_done(plan, data):
    done = data.draw(st.sets(st.sampled_from([s.key for s in plan.steps])))
    assert plan.pending(done) == [s for s in plan.steps if s.key not in done]


# --- when: monotonic in the offset and in the time paused ---------------------------------------------------

@PROPS
@given(registered_plans(), st.data())
def test_at_is_monotonic_in_the_offset(rp, data):
    registered_at, plan = rp
    paused = data.draw(seconds(0, 5 * 86400))
    a, b = sorted(data.draw(st.lists(seconds(0, 20 * 86400), min_size=2, max_size=2)))
    assert utc(plan.at(registered_at, paused, a)) <= utc(plan.at(registered_at, paused, b))
    times = [utc(plan.at(registered_at, paused, s.offset)) for s in plan.steps]
    assert times == sorted(times)
    assert utc(plan.due_at(registered_at, paused)) == utc(plan.at(registered_at, paused, plan.duration))


@PROPS
@given(registered_plans(), st.data())
def test_at_is_monotonic_in_the_time_paused(rp, data):
    registered_at, plan = rp
    offset = data.draw(st.sampled_from([s.offset for s in plan.steps]))
    p, q = sorted(data.draw(st.lists(seconds(0, 5 * 86400), min_size=2, max_size=2)))
    assert utc(plan.at(registered_at, p, offset)) <= utc(plan.at(registered_at, q, offset))
    if p < q and plan.calendar is None:
        assert plan.at(registered_at, q, offset) - plan.at(registered_at, p, offset) == q - p


# --- pausing on a business calendar -------------------------------------------------------------------------------

def complaint_at(registered_at: datetime, plan: Plan) -> SimpleNamespace:
    c = SimpleNamespace(status="assigned", registered_at=registered_at, resolved_at=None, sla_done=[],
                        sla_policy=None, sla_plan={}, due_at=None, paused_for=None, paused_since=None,
                        next_action_at=None)
    schedule.start(c, plan)
    return c


def hold(c, at: datetime):
    before, c.status = c.status, "on_hold"
    schedule.status_changed(c, before, at)


def resume(c, at: datetime):
    before, c.status = c.status, "in_progress"
    schedule.status_changed(c, before, at)


@PROPS
@given(registered_plans(business=True), st.data())
def test_a_hold_moves_the_deadline_by_exactly_the_working_time_it_covered(rp, data):
    """Hold from h1 to h2, anywhere (working or closed time, before or after the deadline): the deadline
    and every later step move by business_time_between(h1, h2) of working time — not by the wall-clock
    length of the hold, which the peers add onto business deadlines."""
    registered_at, plan = rp
    assume(plan.pause_on_hold)
    c = complaint_at(registered_at, plan)
    due_before = c.due_at
    assert utc(due_before) == utc(plan.add(registered_at, plan.duration))
    h1 = registered_at + data.draw(seconds(0, 12 * 86400))
    h2 = h1 + data.draw(seconds(0, 6 * 86400))
    held = business_time_between(h1, h2, plan.calendar)

    hold(c, h1)
    assert c.paused_since == h1 and c.next_action_at is None  # no step while paused
    resume(c, h2)

    assert c.paused_since is None and c.paused_for == held
    assert business_time_between(due_before, c.due_at, plan.calendar) == held
    assert utc(c.due_at) == utc(plan.due_at(registered_at, held))
    first = plan.steps[0]
    assert utc(c.next_action_at) == utc(plan.at(registered_at, held, first.offset))


@PROPS
@given(registered_plans(business=True), st.data())
def test_two_holds_add_up_and_a_hold_in_closed_time_moves_nothing(rp, data):
    registered_at, plan = rp
    assume(plan.pause_on_hold)
    c = complaint_at(registered_at, plan)
    due_before = c.due_at
    t = registered_at
    total = timedelta(0)
    for _ in range(2):
        h1 = t + data.draw(seconds(0, 3 * 86400))
        h2 = h1 + data.draw(seconds(0, 3 * 86400))
        hold(c, h1)
        resume(c, h2)
        total += business_time_between(h1, h2, plan.calendar)
        t = h2
    assert c.paused_for == total
    assert business_time_between(due_before, c.due_at, plan.calendar) == total
    if total == timedelta(0):  # both holds fell in closed time (nights, Sundays, holidays)
        assert utc(c.due_at) == utc(due_before)


@PROPS
@given(registered_plans(business=False), st.data())
def test_round_the_clock_a_hold_moves_the_deadline_by_its_wall_clock_length(rp, data):
    registered_at, plan = rp
    assume(plan.pause_on_hold)
    c = complaint_at(registered_at, plan)
    due_before = c.due_at
    h1 = registered_at + data.draw(seconds(0, 12 * 86400))
    h2 = h1 + data.draw(seconds(0, 6 * 86400))
    hold(c, h1)
    resume(c, h2)
    assert c.due_at - due_before == h2 - h1


def test_a_hold_overnight_on_office_hours_moves_the_deadline_by_the_working_hours_only():
    """The example the peers get wrong: Mon–Sat 10:00–18:00, 16 working hours, registered Monday 10:00
    → due Tuesday 18:00. On hold Monday 17:00 → Tuesday 11:00: 18 wall-clock hours, 2 working hours.
    Due Wednesday 12:00 (adding 18 wall-clock hours onto the deadline would say Wednesday 12:00 *plus*
    the night, i.e. Thursday 10:00 in business terms)."""
    ist = ZoneInfo("Asia/Kolkata")
    cal = Calendar.from_text({"mon-sat": "10:00-18:00"}, tz="Asia/Kolkata")
    plan = Plan(timedelta(hours=16), calendar=cal, reminders=(50,))
    c = complaint_at(datetime(2026, 3, 2, 10, 0, tzinfo=ist), plan)
    assert c.due_at == datetime(2026, 3, 3, 18, 0, tzinfo=ist)
    hold(c, datetime(2026, 3, 2, 17, 0, tzinfo=ist))
    resume(c, datetime(2026, 3, 3, 11, 0, tzinfo=ist))
    assert c.paused_for == timedelta(hours=2)
    assert c.due_at == datetime(2026, 3, 4, 12, 0, tzinfo=ist)
    assert c.next_action_at == datetime(2026, 3, 3, 12, 0, tzinfo=ist)  # remind:50 after 8 + 2 working hours


def test_a_policy_that_does_not_pause_keeps_the_clock_running_on_hold():
    plan = Plan(timedelta(hours=24), reminders=(50,), pause_on_hold=False)
    start = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    c = complaint_at(start, plan)
    hold(c, start + timedelta(hours=1))
    assert c.paused_since is None
    assert c.next_action_at == start + timedelta(hours=12)
    resume(c, start + timedelta(hours=5))
    assert c.due_at == start + timedelta(hours=24)


# --- the snapshot survives JSON -----------------------------------------------------------------------------------------

@PROPS
@given(plans())
def test_to_json_and_back_is_the_same_plan(plan):
    stored = json.loads(json.dumps(plan.to_json()))  # what the JSONField keeps
    again = Plan.from_json(stored)
    assert again == plan
    assert again.steps == plan.steps
    assert again.to_json() == plan.to_json()
    assert Plan.from_json(json.loads(json.dumps(again.to_json()))) == plan


@PROPS
@given(registered_plans(), st.data())
def test_the_stored_plan_gives_the_same_instants(rp, data):
    registered_at, plan = rp
    again = Plan.from_json(json.loads(json.dumps(plan.to_json())))
    paused = data.draw(seconds(0, 3 * 86400))
    for step in plan.steps:
        assert utc(again.at(registered_at, paused, step.offset)) == utc(plan.at(registered_at, paused, step.offset))


# --- what a plan refuses ------------------------------------------------------------------------------------------------

@PROPS
@given(st.integers(-10**12, 0).map(lambda us: timedelta(microseconds=us)))
def test_a_zero_or_negative_time_limit_is_refused(duration):
    with pytest.raises(ValueError, match="more than zero"):
        Plan(duration)
    with pytest.raises(ValueError, match="more than zero"):
        Plan.from_json({**Plan(timedelta(hours=1)).to_json(), "duration_s": duration.total_seconds()})


@pytest.mark.parametrize("bad", [
    {"ladder": (Rung(1, timedelta(hours=-2), "reports_to"),)},  # escalates before the breach
    {"reminders": (150,)},  # a "reminder" after the breach
    {"reminders": (0,)},
    {"ladder": (Rung(1, timedelta(hours=1), "reports_to"), Rung(1, timedelta(hours=2), "department_head"))},
])
def test_a_plan_the_admin_would_refuse_is_refused_here_too(bad):
    """The desk's validators refuse these; rows written without them (an import, a shell, a data
    migration) must not yield a plan whose steps come out of order or share a key."""
    with pytest.raises(ValueError):
        Plan(timedelta(hours=24), **bad)


def test_a_business_deadline_does_not_count_a_holiday():
    cal = Calendar.from_text({"mon-fri": "09:00-17:00"}, holidays=[date(2026, 1, 26)])
    plan = Plan(timedelta(hours=8), calendar=cal)
    start = datetime(2026, 1, 26, 9, 0, tzinfo=ZoneInfo("Asia/Kolkata"))  # a holiday, a Monday
    assert plan.due_at(start, timedelta(0)) == datetime(2026, 1, 27, 17, 0, tzinfo=ZoneInfo("Asia/Kolkata"))
