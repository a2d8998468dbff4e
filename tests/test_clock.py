"""The business-time clock on examples a municipal officer can check with a wall calendar and a pencil.

Dates used (check on any calendar): 4 March 2025 is a Tuesday; 8 March 2025 a Saturday; 15 August
2025 a Friday; 20 October 2025 (Diwali) a Monday; 26 January 2026 a Monday. In Europe/London the
clocks went forward at 01:00 on Sunday 30 March 2025 (a 23-hour day) and back at 02:00 on Sunday
26 October 2025 (a 25-hour day).
"""
from __future__ import annotations

import pickle
import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from nagar_nigam_cc.sla.clock import (
    Calendar,
    add_business_time,
    business_time_between,
    is_working,
    next_working_instant,
)

IST = ZoneInfo("Asia/Kolkata")
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
H = timedelta(hours=1)

# The call centre's field hours: 07:00–22:00 Monday to Saturday, Sunday closed,
# Republic Day, Independence Day and Gandhi Jayanti every year.
FIELD = Calendar.from_text({"mon-sat": "07:00-22:00"}, yearly_holidays=["01-26", "08-15", "10-02"])
# Split shift: lunch 13:00–14:00 does not count.
SPLIT = Calendar.from_text({"mon-sat": "07:00-13:00,14:00-22:00"})


def ist(*args) -> datetime:
    return datetime(*args, tzinfo=IST)


def same_instant(x: datetime, y: datetime) -> bool:
    """Compare as instants. (Python compares two datetimes of one zone by wall clock, ignoring DST
    folds, so in London 01:30 BST and 01:30 GMT would look 'equal'.)"""
    return x.astimezone(UTC) == y.astimezone(UTC)


# ----- worked examples, Asia/Kolkata ------------------------------------------------------------


def test_garbage_complaint_at_half_past_nine_at_night():
    # Tue 21:30, 24 h of business time: 0.5 h on Tuesday (to 22:00), 15 h on Wednesday (07–22),
    # and the last 8.5 h on Thursday from 07:00: due Thursday 15:30.
    due = add_business_time(ist(2025, 3, 4, 21, 30), 24 * H, FIELD)
    assert due == ist(2025, 3, 6, 15, 30)
    assert due.tzinfo is IST
    assert business_time_between(ist(2025, 3, 4, 21, 30), due, FIELD) == 24 * H


def test_sunday_does_not_count():
    # Sat 18:00: 4 h on Saturday, Sunday closed, 15 h on Monday, 5 h on Tuesday from 07:00 → Tue 12:00.
    assert add_business_time(ist(2025, 3, 8, 18, 0), 24 * H, FIELD) == ist(2025, 3, 11, 12, 0)


def test_complaint_registered_on_sunday_starts_counting_on_monday_morning():
    assert add_business_time(ist(2025, 3, 9, 11, 0), 2 * H, FIELD) == ist(2025, 3, 10, 9, 0)


def test_before_opening_starts_counting_at_opening():
    assert add_business_time(ist(2025, 3, 4, 5, 0), 2 * H, FIELD) == ist(2025, 3, 4, 9, 0)


def test_independence_day_does_not_count():
    # Thu 14 Aug 20:00: 2 h on Thursday, Friday 15 August a holiday, 15 h on Saturday, Sunday closed,
    # 7 h on Monday from 07:00 → Mon 18 Aug 14:00.
    assert add_business_time(ist(2025, 8, 14, 20, 0), 24 * H, FIELD) == ist(2025, 8, 18, 14, 0)


def test_yearly_holiday_comes_back_every_year():
    # Republic Day 2026 is a Monday: Sat 24 Jan 20:00 + 10 h = 2 h Saturday + 8 h Tuesday → Tue 15:00.
    assert add_business_time(ist(2026, 1, 24, 20, 0), 10 * H, FIELD) == ist(2026, 1, 27, 15, 0)
    # Republic Day 2027 is a Tuesday: Mon 25 Jan 21:00 + 2 h = 1 h Monday + 1 h Wednesday → Wed 08:00.
    assert add_business_time(ist(2027, 1, 25, 21, 0), 2 * H, FIELD) == ist(2027, 1, 27, 8, 0)


def test_one_off_holiday_and_deadline_ending_exactly_at_closing():
    # Diwali (Mon 20 Oct 2025) as a one-off holiday. Sat 18 Oct 21:00 + 16 h: 1 h on Saturday,
    # Sunday closed, Monday a holiday, 15 h on Tuesday: the time runs out exactly at 22:00 Tuesday.
    # The deadline is Tuesday 22:00, not Wednesday 07:00 (the next opening).
    cal = Calendar.from_text({"mon-sat": "07:00-22:00"}, holidays=["2025-10-20"])
    assert add_business_time(ist(2025, 10, 18, 21, 0), 16 * H, cal) == ist(2025, 10, 21, 22, 0)
    assert not is_working(ist(2025, 10, 20, 12, 0), cal)
    assert is_working(ist(2025, 10, 20, 12, 0), FIELD)


def test_split_shift_lunch_does_not_count():
    # Mon 11:00 + 3 h: 11–13 is 2 h, lunch 13–14 is closed, 1 h more → 15:00.
    assert add_business_time(ist(2025, 3, 3, 11, 0), 3 * H, SPLIT) == ist(2025, 3, 3, 15, 0)
    # Exactly 2 h runs out as the lunch break begins: 13:00, not 14:00.
    assert add_business_time(ist(2025, 3, 3, 11, 0), 2 * H, SPLIT) == ist(2025, 3, 3, 13, 0)
    # A complaint in the lunch break starts counting at 14:00.
    assert add_business_time(ist(2025, 3, 3, 13, 20), 30 * timedelta(minutes=1), SPLIT) == ist(2025, 3, 3, 14, 30)
    # 14 h a day: Mon 07:00 + 48 h = Mon, Tue, Wed (42 h) + 6 h Thursday → Thu 13:00.
    assert add_business_time(ist(2025, 3, 3, 7, 0), 48 * H, SPLIT) == ist(2025, 3, 6, 13, 0)


def test_long_durations_skip_whole_weeks_correctly():
    # 15 h × 6 days = 90 h a week. 200 h from Mon 07:00 (3 Mar 2025): two weeks (180 h) to Mon 17 Mar
    # 07:00, then 20 h: 15 h Monday + 5 h Tuesday → Tue 18 Mar 12:00. No holiday in between.
    assert add_business_time(ist(2025, 3, 3, 7, 0), 200 * H, FIELD) == ist(2025, 3, 18, 12, 0)
    assert business_time_between(ist(2025, 3, 3, 7, 0), ist(2025, 3, 18, 12, 0), FIELD) == 200 * H
    # Exactly 8 working days (120 h) from Mon 3 Mar 07:00 ends Tue 11 Mar at 22:00 closing, not at
    # Wednesday's opening, even when the last whole week is used up exactly.
    assert add_business_time(ist(2025, 3, 3, 7, 0), 120 * H, FIELD) == ist(2025, 3, 11, 22, 0)
    assert add_business_time(ist(2025, 3, 3, 7, 0), 210 * H, FIELD) == ist(2025, 3, 18, 22, 0)


def test_zero_duration_is_the_start_itself():
    sunday = ist(2025, 3, 9, 11, 0)
    assert add_business_time(sunday, timedelta(0), FIELD) == sunday
    utc_start = datetime(2025, 3, 4, 3, 0, tzinfo=UTC)
    result = add_business_time(utc_start, timedelta(0), FIELD)
    assert result == utc_start and result.tzinfo is IST


def test_negative_duration_is_refused():
    with pytest.raises(ValueError, match="negative"):
        add_business_time(ist(2025, 3, 4, 10, 0), -H, FIELD)


def test_between_counts_only_working_time_and_is_signed():
    a, b = ist(2025, 3, 8, 18, 0), ist(2025, 3, 11, 12, 0)  # Sat evening to Tue noon
    assert business_time_between(a, b, FIELD) == 24 * H
    assert business_time_between(b, a, FIELD) == -24 * H
    assert business_time_between(a, a, FIELD) == timedelta(0)
    # All of Sunday: nothing.
    assert business_time_between(ist(2025, 3, 9), ist(2025, 3, 10), FIELD) == timedelta(0)
    # Lunch hour: nothing; 12:30–14:30 is one hour of work.
    assert business_time_between(ist(2025, 3, 3, 12, 30), ist(2025, 3, 3, 14, 30), SPLIT) == H


def test_inputs_in_another_zone_mean_the_same_instant():
    # 16:00 UTC is 21:30 IST: the same complaint as the first example.
    due = add_business_time(datetime(2025, 3, 4, 16, 0, tzinfo=UTC), 24 * H, FIELD)
    assert due == ist(2025, 3, 6, 15, 30) and due.tzinfo is IST


def test_always_open_is_plain_addition():
    cal = Calendar.always()
    rng = random.Random(7)
    for _ in range(200):
        start = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randrange(400 * 86400))
        d = timedelta(seconds=rng.randrange(1, 30 * 86400))
        assert add_business_time(start, d, cal) == start + d
        assert business_time_between(start, start + d, cal) == d


def test_is_working_and_next_working_instant():
    assert is_working(ist(2025, 3, 3, 7, 0), SPLIT)  # opening minute counts
    assert not is_working(ist(2025, 3, 3, 13, 0), SPLIT)  # closing minute does not
    assert not is_working(ist(2025, 3, 9, 10, 0), SPLIT)  # Sunday
    assert next_working_instant(ist(2025, 3, 3, 13, 0), SPLIT) == ist(2025, 3, 3, 14, 0)
    assert next_working_instant(ist(2025, 3, 8, 22, 0), SPLIT) == ist(2025, 3, 10, 7, 0)
    assert next_working_instant(ist(2025, 3, 3, 9, 15), SPLIT) == ist(2025, 3, 3, 9, 15)


# ----- daylight saving (Europe/London, America/New_York) ----------------------------------------


def test_london_days_of_23_and_25_hours():
    always = Calendar.always(LONDON)
    assert business_time_between(datetime(2025, 3, 30, tzinfo=LONDON), datetime(2025, 3, 31, tzinfo=LONDON),
                                 always) == 23 * H
    assert business_time_between(datetime(2025, 10, 26, tzinfo=LONDON), datetime(2025, 10, 27, tzinfo=LONDON),
                                 always) == 25 * H
    # 24 h of a 24×7 clock from Sunday midnight is 01:00 on Monday in spring, 23:00 on Sunday in autumn.
    spring = add_business_time(datetime(2025, 3, 30, tzinfo=LONDON), 24 * H, always)
    assert same_instant(spring, datetime(2025, 3, 31, 1, 0, tzinfo=LONDON))
    autumn = add_business_time(datetime(2025, 10, 26, tzinfo=LONDON), 24 * H, always)
    assert same_instant(autumn, datetime(2025, 10, 26, 23, 0, tzinfo=LONDON))


def test_london_window_across_the_jump_has_its_real_length():
    night = Calendar.from_text({"mon-sun": "00:00-06:00"}, tz=LONDON)
    day = lambda d: business_time_between(datetime(*d, tzinfo=LONDON), datetime(*d, 12, tzinfo=LONDON), night)
    assert day((2025, 3, 29)) == 6 * H
    assert day((2025, 3, 30)) == 5 * H  # 01:00 became 02:00
    assert day((2025, 10, 26)) == 7 * H  # 01:00–02:00 happened twice
    # A window that does not cross the change keeps its length on both days.
    office = Calendar.from_text({"mon-sun": "09:00-17:00"}, tz=LONDON)
    assert business_time_between(datetime(2025, 3, 30, tzinfo=LONDON), datetime(2025, 3, 31, tzinfo=LONDON),
                                 office) == 8 * H
    # Sat 29 Mar 16:00 GMT + 2 h: 1 h on Saturday, 1 h on Sunday from 09:00 BST → 10:00 BST (09:00 UTC).
    due = add_business_time(datetime(2025, 3, 29, 16, tzinfo=LONDON), 2 * H, office)
    assert same_instant(due, datetime(2025, 3, 30, 9, 0, tzinfo=UTC))


def test_nonexistent_opening_moves_forward_ambiguous_opening_is_the_first():
    # 01:30 does not exist on 30 March 2025 in London: the window 01:30–03:00 opens at 02:00 BST.
    cal = Calendar.from_text({"sun": "01:30-03:00"}, tz=LONDON)
    start = datetime(2025, 3, 30, 0, 0, tzinfo=LONDON)
    assert same_instant(next_working_instant(start, cal), datetime(2025, 3, 30, 1, 0, tzinfo=UTC))
    assert business_time_between(start, datetime(2025, 3, 31, tzinfo=LONDON), cal) == H
    # 01:30 happens twice on 26 October 2025: the window opens at the first, 01:30 BST (00:30 UTC),
    # and runs to 03:00 GMT (03:00 UTC): 2 h 30 min of real time.
    start = datetime(2025, 10, 26, 0, 0, tzinfo=LONDON)
    assert same_instant(next_working_instant(start, cal), datetime(2025, 10, 26, 0, 30, tzinfo=UTC))
    assert business_time_between(start, datetime(2025, 10, 27, tzinfo=LONDON), cal) == 2.5 * H
    # A window wholly inside the gap does not exist that day.
    gap = Calendar.from_text({"sun": "01:10-01:50"}, tz=LONDON)
    assert business_time_between(start, datetime(2025, 10, 27, tzinfo=LONDON), gap) == 40 * timedelta(minutes=1)
    assert business_time_between(datetime(2025, 3, 30, tzinfo=LONDON), datetime(2025, 3, 31, tzinfo=LONDON),
                                 gap) == timedelta(0)


def test_new_york_office_hours_across_the_change():
    # Fri 7 Mar 2025 16:00 EST + 3 h of 09:00–17:00 Mon–Fri: 1 h Friday, 2 h Monday 10 Mar (EDT) → 11:00 EDT.
    cal = Calendar.from_text({"mon-fri": "09:00-17:00"}, tz=NEW_YORK)
    due = add_business_time(datetime(2025, 3, 7, 16, tzinfo=NEW_YORK), 3 * H, cal)
    assert same_instant(due, datetime(2025, 3, 10, 15, 0, tzinfo=UTC))  # 11:00 EDT = 15:00 UTC


# ----- refusals ---------------------------------------------------------------------------------


def test_naive_datetimes_are_refused():
    naive = datetime(2025, 3, 4, 21, 30)
    with pytest.raises(ValueError, match="naive"):
        add_business_time(naive, H, FIELD)
    with pytest.raises(ValueError, match="naive"):
        business_time_between(naive, ist(2025, 3, 5), FIELD)
    with pytest.raises(ValueError, match="naive"):
        business_time_between(ist(2025, 3, 5), naive, FIELD)
    with pytest.raises(ValueError, match="naive"):
        is_working(naive, FIELD)
    with pytest.raises(ValueError, match="naive"):
        next_working_instant(naive, FIELD)


def test_wrong_types_are_refused():
    with pytest.raises(TypeError):
        add_business_time(date(2025, 3, 4), H, FIELD)
    with pytest.raises(TypeError):
        add_business_time(ist(2025, 3, 4), 3600, FIELD)


def test_empty_calendar_is_invalid():
    empty = Calendar(weekly=((),) * 7)
    with pytest.raises(ValueError, match="no working time"):
        empty.validate()
    with pytest.raises(ValueError, match="no working time"):
        add_business_time(ist(2025, 3, 4), H, empty)
    with pytest.raises(ValueError, match="no working time"):
        Calendar.from_text({})
    with pytest.raises(ValueError, match="every day of the year"):
        Calendar.from_text({"mon": "09:00-10:00"},
                           yearly_holidays=[(m, d) for m in range(1, 13) for d in range(1, 32)
                                            if _real(m, d)])


def _real(m: int, d: int) -> bool:
    try:
        date(2024, m, d)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("weekly, message", [
    ({"mon": "09:00-13:00,12:00-17:00"}, "overlap"),
    ({"mon": "14:00-17:00,09:00-13:00"}, "overlap or are out of order"),
    ({"mon": "17:00-09:00"}, "ends before it starts"),
    ({"mon": "09:00-09:00"}, "ends before it starts"),
    ({"mon": "09:00-24:30"}, "not a time between"),
    ({"mon": "9-17"}, "not a time"),
    ({"mon": "09:00"}, "HH:MM-HH:MM"),
    ({"funday": "09:00-17:00"}, "unknown day"),
    ({"sat-mon": "09:00-17:00"}, "backwards"),
    ({"mon-fri": "09:00-17:00", "fri": "09:00-13:00"}, "more than once"),
])
def test_bad_text_is_explained(weekly, message):
    with pytest.raises(ValueError, match=message):
        Calendar.from_text(weekly)


@pytest.mark.parametrize("weekly, message", [
    ((((-10, 60),),) + ((),) * 6, "outside 00:00-24:00"),
    ((((600, 1441),),) + ((),) * 6, "outside 00:00-24:00"),
    ((((600, 500),),) + ((),) * 6, "ends before it starts"),
    ((((60, 120),), ((100, 200),)) + ((),) * 5, None),  # two days of one window each: fine
    ((((60, 120), (120, 200)),) + ((),) * 6, None),  # touching windows: fine
    (((60, 120),) + ((),) * 6, "two whole minutes"),  # a window where a day's tuple belongs
    ((((60, 120), (100, 200)),) + ((),) * 6, "overlap"),
    ((((9.5, 20),),) + ((),) * 6, "whole minutes"),
    ((((60, 120),),) * 6, "exactly 7 days"),
])
def test_bad_windows_are_explained(weekly, message):
    cal = Calendar(weekly=weekly)
    if message is None:
        assert cal.validate() is cal
    else:
        with pytest.raises(ValueError, match=message):
            cal.validate()


def test_bad_holidays_are_explained():
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        Calendar.from_text({"mon": "09:00-17:00"}, holidays=["15/08/2025"])
    with pytest.raises(ValueError, match="real"):
        Calendar.from_text({"mon": "09:00-17:00"}, yearly_holidays=[(2, 30)])
    with pytest.raises(ValueError, match="a holiday is a date"):
        Calendar(weekly=(((60, 120),),) * 7, holidays=frozenset({datetime(2025, 8, 15, tzinfo=IST)})).validate()
    # 29 February is a fine yearly holiday (it simply does not occur in most years).
    assert Calendar.from_text({"mon": "09:00-17:00"}, yearly_holidays=["02-29"])


# ----- the calendar as a value ------------------------------------------------------------------


def test_calendar_is_a_value_and_round_trips():
    cal = Calendar.from_text({"mon-sat": "07:00-13:00,14:00-22:00"}, holidays=["2025-10-20", date(2025, 11, 5)],
                             yearly_holidays=["01-26", (8, 15)])
    again = Calendar.from_text({"mon-sat": "07:00-13:00,14:00-22:00"}, holidays=[date(2025, 10, 20), "2025-11-05"],
                               yearly_holidays=[(1, 26), "08-15"])
    add_business_time(ist(2025, 3, 4), 30 * H, cal)  # fill its memo: must not affect equality
    assert cal == again and hash(cal) == hash(again)
    assert Calendar.from_dict(cal.as_dict()) == cal
    assert pickle.loads(pickle.dumps(cal)) == cal
    assert cal.as_dict()["weekly"]["sun"] == ""
    assert cal.weekly[0] == ((420, 780), (840, 1320))
    assert Calendar.from_text({"mon-sun": "00:00-24:00"}) == Calendar.always()


# --- when the clock last stopped (the call centre's overnight queue) ---------------------------------------

def test_the_last_closing_is_the_end_of_the_last_window_to_the_microsecond():
    from nagar_nigam_cc.sla.clock import Calendar, last_closing_before

    ist = ZoneInfo("Asia/Kolkata")
    cal = Calendar.from_text({"mon-sun": "07:00-13:02,13:12-22:00"}, tz="Asia/Kolkata")
    assert last_closing_before(datetime(2026, 3, 3, 2, 0, 41, tzinfo=ist), cal) == datetime(2026, 3, 2, 22, 0, tzinfo=ist)
    assert last_closing_before(datetime(2026, 3, 3, 13, 27, tzinfo=ist), cal) == datetime(2026, 3, 3, 13, 2, tzinfo=ist)
    assert last_closing_before(datetime(2026, 3, 3, 22, 0, tzinfo=ist), cal) == datetime(2026, 3, 3, 22, 0, tzinfo=ist)
    joined = Calendar.from_text({"mon-sun": "00:00-24:00"}, tz="Asia/Kolkata")
    assert last_closing_before(datetime(2026, 3, 3, 2, 0, tzinfo=ist), joined) is None, "midnight is not a closing"
