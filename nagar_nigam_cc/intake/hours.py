"""Is the call centre open? Pure questions over the configured calendar (sla.clock)."""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from django.conf import settings

from nagar_nigam_cc.intake.models import CallCentre
from nagar_nigam_cc.sla import clock


@lru_cache(maxsize=1)
def default_calendar(tz: str) -> clock.Calendar:
    """Every day 07:00–22:00, the hours of the article's call centre."""
    return clock.Calendar.from_text({"mon-sun": "07:00-22:00"}, tz=tz)


def calendar() -> clock.Calendar:
    centre = CallCentre.current()
    if centre.calendar_id:
        return centre.calendar.to_clock()
    return default_calendar(settings.TIME_ZONE)


def is_open(now: datetime, cal: clock.Calendar | None = None) -> bool:
    return clock.is_working(now, cal or calendar())


def next_opening(now: datetime, cal: clock.Calendar | None = None) -> datetime:
    """`now` if open, else when the agents are next at their desks."""
    return clock.next_working_instant(now, cal or calendar())


def last_closing(now: datetime, cal: clock.Calendar | None = None, *, lookback_days: int = 7) -> datetime | None:
    """When the call centre last closed at or before `now` (the start of the overnight queue); None if
    it has not closed within `lookback_days`. Read from the calendar's working intervals, to the
    microsecond: a window that ends where the next begins is not a closing."""
    cal = cal or calendar()
    return clock.last_closing_before(now, cal, lookback_days=lookback_days)
