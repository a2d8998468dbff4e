"""The business-time clock's laws, checked on generated calendars, zones, starts and durations.

Calendars get random windows per weekday (boundaries biased to the hours where clocks change, 00:00,
01:00–03:00, and to 24:00; touching windows allowed), random one-off holidays near the start and
random yearly holidays. Zones: Asia/Kolkata (no DST), Europe/London, America/New_York,
America/Sao_Paulo (until 2019 its clocks changed at midnight, so whole local midnights were missing or
doubled), Australia/Lord_Howe (a 30-minute change) and UTC. Starts are whole seconds, half of them
within a few days of a clock change, given in a random zone (not necessarily the calendar's).
Durations are whole seconds, up to three nominal weeks of the calendar's working time.

Everything is compared as instants (in UTC): Python compares and subtracts two datetimes of the same
zone by wall clock, ignoring DST folds, and never finds a datetime in a fold or gap `==` to one of
another zone (PEP 495), which would make these laws fail for the wrong reason.

No law needed weakening for DST: the clock is defined on real instants, so all of them hold exactly.
The one place where wall-clock intuition and the clock differ is documented and excluded from the
oracle below (and only there): in the second pass through an autumn fold a window boundary that falls
inside the fold means its first occurrence, so the wall clock reading alone cannot say whether that
instant is working time.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from nagar_nigam_cc.sla.clock import (
    Calendar,
    add_business_time,
    business_time_between,
    is_working,
    next_working_instant,
)

PROPS = settings(max_examples=300, deadline=None)

ZONES = [ZoneInfo(k) for k in ("Asia/Kolkata", "Europe/London", "America/New_York", "America/Sao_Paulo",
                               "Australia/Lord_Howe", "UTC")]
FIRST = int(datetime(2015, 1, 1, tzinfo=UTC).timestamp())
LAST = int(datetime(2030, 12, 31, tzinfo=UTC).timestamp())
US = timedelta(microseconds=1)
MINUTE = timedelta(minutes=1)


@cache
def transitions(zone: ZoneInfo) -> tuple[int, ...]:
    """UTC days (as timestamps) on which `zone` changes its offset, 2015–2030."""
    days = []
    previous = None
    for t in range(FIRST, LAST, 86400):
        offset = datetime.fromtimestamp(t, zone).utcoffset()
        if previous is not None and offset != previous:
            days.append(t - 86400)
        previous = offset
    return tuple(days)


# Any minute of the day, a third of the time one where clocks change (00:00, 01:00–03:00) or 24:00.
minute_of_day = st.sampled_from(list(range(1441)) + [0, 0, 30, 60, 90, 120, 150, 180, 1380, 1410, 1440, 1440] * 60)


@st.composite
def day_windows(draw) -> tuple[tuple[int, int], ...]:
    bounds = sorted(draw(BOUNDS))
    return tuple((s, e) for s, e in zip(bounds[::2], bounds[1::2]) if s < e)  # equal neighbours touch


BOUNDS = st.lists(minute_of_day, max_size=6)
WEEKLY = st.tuples(*[day_windows()] * 7).filter(any)
ANY_ZONE = st.sampled_from(ZONES)
ANYTIME = st.integers(FIRST, LAST)
NEAR = st.integers(-3 * 86400, 3 * 86400)
DAY_OFFSETS = st.lists(st.integers(-2, 30), max_size=8)
FEW_DAY_OFFSETS = st.lists(st.integers(-2, 30), max_size=3)
NATIONAL_DAYS = st.lists(st.sampled_from([(1, 26), (8, 15), (10, 2), (2, 29), (12, 31)]), max_size=3)


@st.composite
def instant(draw, zone: ZoneInfo | None = None) -> datetime:
    """A whole-second instant, half the time within 3 days of one of `zone`'s clock changes,
    expressed in a random zone."""
    zone = zone or draw(ANY_ZONE)
    near = transitions(zone)
    if near and draw(st.booleans()):
        t = draw(st.sampled_from(near)) + draw(NEAR)
    else:
        t = draw(ANYTIME)
    return datetime.fromtimestamp(t, draw(ANY_ZONE))


@st.composite
def scenario(draw):
    """(calendar, start, a duration scale in seconds)"""
    tz = draw(ANY_ZONE)
    start = draw(instant(tz))
    weekly = draw(WEEKLY)
    local = start.astimezone(tz).date()
    holidays = {local + timedelta(days=k) for k in draw(DAY_OFFSETS)}
    yearly = {(d.month, d.day) for d in (local + timedelta(days=k) for k in draw(FEW_DAY_OFFSETS))}
    yearly |= set(draw(NATIONAL_DAYS))
    cal = Calendar(tz=tz, weekly=weekly, holidays=frozenset(holidays), yearly_holidays=frozenset(yearly))
    cal.validate()
    week_seconds = sum(e - s for day in weekly for s, e in day) * 60
    return cal, start, max(3600, 3 * week_seconds)


def utc(x: datetime) -> datetime:
    return x.astimezone(UTC)


def seconds(limit: int):
    return st.integers(1, limit).map(lambda s: timedelta(seconds=s))


@PROPS
@given(scenario(), st.data())
def test_adding_in_two_steps_is_adding_once(sc, data):
    cal, start, scale = sc
    a, b = data.draw(seconds(scale)), data.draw(seconds(scale))
    once = add_business_time(start, a + b, cal)
    twice = add_business_time(add_business_time(start, a, cal), b, cal)
    assert utc(once) == utc(twice)
    assert once.tzinfo is cal.tz


@PROPS
@given(scenario(), st.data())
def test_between_start_and_deadline_is_the_duration(sc, data):
    cal, start, scale = sc
    d = data.draw(seconds(scale))
    due = add_business_time(start, d, cal)
    assert utc(due) > utc(start)
    assert business_time_between(start, due, cal) == d
    assert business_time_between(due, start, cal) == -d


@PROPS
@given(scenario(), st.data())
def test_adding_the_time_used_lands_at_the_earliest_such_instant(sc, data):
    # Durations measured off the calendar itself are exact sums of windows (and of whole days and
    # weeks) whenever t is in closed time: the cases where "ends exactly at a window's end" matters.
    cal, start, scale = sc
    t = utc(start) + data.draw(st.integers(0, 3 * scale).map(lambda s: timedelta(seconds=s)))
    used = business_time_between(start, t, cal)
    due = add_business_time(start, used, cal)
    assert utc(due) <= t
    assert business_time_between(due, t, cal) == timedelta(0)
    if used:
        assert is_working(utc(due) - US, cal)


@PROPS
@given(scenario(), st.data())
def test_longer_durations_never_end_earlier(sc, data):
    cal, start, scale = sc
    d1, d2 = sorted([data.draw(seconds(scale)), data.draw(seconds(scale))])
    assert utc(add_business_time(start, d1, cal)) <= utc(add_business_time(start, d2, cal))
    if d1 < d2:
        assert utc(add_business_time(start, d1, cal)) < utc(add_business_time(start, d2, cal))


@PROPS
@given(scenario(), st.data())
def test_deadline_is_never_inside_closed_time(sc, data):
    cal, start, scale = sc
    due = add_business_time(start, data.draw(seconds(scale)), cal)
    # The microsecond before the deadline is working time: a deadline that uses up a window is that
    # window's end, never a later opening.
    assert is_working(utc(due) - US, cal)
    assert utc(add_business_time(start, timedelta(0), cal)) == utc(start)


@PROPS
@given(scenario(), st.data())
def test_between_is_additive_in_any_order(sc, data):
    cal, a, scale = sc
    b = a + data.draw(st.integers(-3 * scale, 3 * scale).map(lambda s: timedelta(seconds=s)))
    c = a + data.draw(st.integers(-3 * scale, 3 * scale).map(lambda s: timedelta(seconds=s)))
    assert business_time_between(a, b, cal) + business_time_between(b, c, cal) == business_time_between(a, c, cal)


@PROPS
@given(scenario(), st.data())
def test_between_is_at_most_the_elapsed_time(sc, data):
    cal, a, scale = sc
    b = utc(a) + data.draw(st.integers(0, 3 * scale).map(lambda s: timedelta(seconds=s)))
    used = business_time_between(a, b, cal)
    assert timedelta(0) <= used <= b - utc(a)


@PROPS
@given(scenario())
def test_next_working_instant_skips_only_closed_time(sc):
    cal, start, _ = sc
    opening = next_working_instant(start, cal)
    assert utc(opening) >= utc(start)
    assert is_working(opening, cal)
    assert business_time_between(start, opening, cal) == timedelta(0)
    # Windows and clock changes fall on whole minutes, so every working interval lasts a minute or more.
    assert utc(add_business_time(start, timedelta(seconds=1), cal)) == utc(opening) + timedelta(seconds=1)
    if utc(opening) > utc(start):
        assert not is_working(start, cal)


def wall_clock_says_working(u: datetime, cal: Calendar) -> bool:
    """The oracle: read the local clock and the calendar on the wall, as a person would."""
    local = u.astimezone(cal.tz)
    if local.date() in cal.holidays or (local.month, local.day) in cal.yearly_holidays:
        return False
    m = local.hour * 60 + local.minute
    return any(s <= m < e for s, e in cal.weekly[local.weekday()])


@settings(max_examples=300, deadline=None)
@given(scenario(), st.integers(1, 36 * 60))
def test_agrees_with_the_wall_clock_minute_by_minute(sc, span_minutes):
    # All windows start on whole local minutes and every clock change in these zones happens on a
    # whole minute, so working time is made of whole UTC minutes: minute-by-minute reading is exact.
    cal, start, _ = sc
    a = utc(start).replace(second=0)
    count = 0
    for k in range(span_minutes):
        u = a + k * MINUTE
        working = is_working(u, cal)
        count += working
        if u.astimezone(cal.tz).fold == 0:  # second pass through a fold: see the module docstring
            assert working == wall_clock_says_working(u, cal), u.astimezone(cal.tz).isoformat()
    assert business_time_between(a, a + span_minutes * MINUTE, cal) == count * MINUTE


def test_the_generators_reach_the_clock_changes():
    # A guard on the generator itself: each DST zone has changes to sample near.
    for name, first_year in (("Europe/London", 2015), ("America/New_York", 2015), ("America/Sao_Paulo", 2015),
                             ("Australia/Lord_Howe", 2015)):
        days = transitions(ZoneInfo(name))
        assert days and date.fromtimestamp(days[0]).year == first_year, name
    assert transitions(ZoneInfo("Asia/Kolkata")) == ()
