"""The business-time clock: deadlines in working time, pure Python (no Django), exact to the microsecond.

A `Calendar` says when the corporation works: for each weekday some windows of local wall-clock time
(split shifts allowed), whole-day holidays on fixed dates, and holidays that come back every year
(26 January, 15 August, 2 October). Everything else is closed time, during which no clock runs.

    cal = Calendar.from_text({"mon-sat": "07:00-13:00,14:00-22:00"},
                             holidays=["2025-10-20"], yearly_holidays=["01-26", "08-15", "10-02"])
    due = add_business_time(registered_at, timedelta(hours=24), cal)
    used = business_time_between(registered_at, now, cal)

The rules, precisely:

- Instants. Every input datetime must be timezone-aware (a naive one raises ValueError: guessing its
  zone is how deadlines go wrong). Inputs may be in any zone; results are returned in the calendar's
  zone (`cal.tz`). All arithmetic inside is on real elapsed time (integer microseconds since the
  epoch), so an answer never depends on the zone the question was asked in.
  Beware when using the results: Python compares and subtracts two datetimes *of the same zone* by
  their wall clocks, ignoring DST folds, and (PEP 495) never finds a datetime inside a fold or gap
  `==` to one of another zone; in a DST zone convert to UTC first (`x.astimezone(UTC)`) before
  `a - b`, `a < b` or `a == b`. Asia/Kolkata has no DST, so Indian calendars never meet this.
- Windows are minutes after local midnight, `0 <= start < end <= 1440` (1440 is 24:00, the next
  midnight), sorted, not overlapping (touching is allowed). A window stands for the real instants
  between the moment its start is shown on the local clock and the moment its end is; across a DST
  change it therefore has its real, elapsed length (07:00–13:00 lasts 6 hours even on a 23-hour day,
  00:00–06:00 lasts 5 hours on the day the clocks go forward). A local time that does not exist (in
  the spring-forward gap) maps forward to the first instant after the gap; an ambiguous one (in the
  autumn fold) means its first occurrence (fold=0). So a window wholly inside a gap is empty.
- Holidays are local dates of `cal.tz`; the whole date is closed.
- `add_business_time(start, d)`: the instant at which `d` of working time has elapsed from `start`;
  if `start` is in closed time, counting begins at the next opening. `d == 0` returns `start` itself
  (as an instant, in `cal.tz`), even in closed time: nothing has to elapse. For `d > 0` the result is
  never strictly inside closed time: a deadline that uses up a window exactly is that window's end,
  not the next window's start. A negative `d` raises ValueError.
- `business_time_between(a, b)`: the working time in `[a, b)`. If `b < a` it is the negative of
  `business_time_between(b, a)`, so it is a signed measure: between(a, b) + between(b, c) ==
  between(a, c) for any a, b, c; and between(s, add_business_time(s, d)) == d.
- `is_working(t)`: whether `t` is inside a window; `next_working_instant(t)`: `t` if so, else the next
  opening.

Speed: the working intervals of each date are computed once per calendar (a dict keyed by the date's
ordinal) and whole days, then whole weeks, are skipped by their cached totals, so a 24–72 hour
deadline costs a few dictionary look-ups (see bench/clock_speed.py: well over 50,000 a second).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

__all__ = (
    "DAY_NAMES",
    "Calendar",
    "add_business_time",
    "business_time_between",
    "is_working",
    "next_working_instant",
)

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_INDEX = {**{n: i for i, n in enumerate(DAY_NAMES)}, **{n: i for i, n in enumerate(_FULL_DAY_NAMES)}}

_US = timedelta(microseconds=1)
_MIN_US = 60_000_000
_DAY_US = 86_400_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_MAX_ORDINAL = date.max.toordinal()
_CACHE_LIMIT = 200_000  # dates (or weeks) remembered per calendar before the cache starts afresh

_TIME_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")
_EMPTY_DAY: tuple[tuple[tuple[int, int], ...], int] = ((), 0)


def _default_tz() -> ZoneInfo:
    return ZoneInfo("Asia/Kolkata")


@dataclass(frozen=True)
class Calendar:
    """When the clock runs: weekly windows in local time of `tz`, one-off and yearly holidays.

    `weekly[i]` holds the windows of weekday i (Monday = 0) as (start, end) minutes after local
    midnight. Build one with `Calendar.from_text(...)` or `Calendar.always()`; `validate()` explains
    what is wrong with a calendar (the clock functions call it once per calendar).
    A calendar is immutable and hashable; it remembers the working intervals it has computed.
    """

    tz: tzinfo = field(default_factory=_default_tz)
    weekly: tuple[tuple[tuple[int, int], ...], ...] = ((),) * 7
    holidays: frozenset[date] = frozenset()
    yearly_holidays: frozenset[tuple[int, int]] = frozenset()
    # Per-calendar memo: date ordinal -> (intervals, total), first day ordinal -> 7-day total, flags.
    _days: dict = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)
    _weeks: dict = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)
    _state: dict = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        # Normalise friendly inputs (a zone name, lists, ISO strings) so equal calendars compare equal.
        if isinstance(self.tz, str):
            object.__setattr__(self, "tz", ZoneInfo(self.tz))
        try:
            weekly = tuple(tuple(tuple(w) for w in day) for day in self.weekly)
        except TypeError:
            weekly = self.weekly  # validate() will say what is wrong
        object.__setattr__(self, "weekly", weekly)
        object.__setattr__(self, "holidays", frozenset(_parse_date(h) for h in self.holidays))
        object.__setattr__(self, "yearly_holidays", frozenset(_parse_month_day(h) for h in self.yearly_holidays))

    def __reduce__(self):
        # Pickle the calendar, not its memo of computed dates.
        return (type(self), (self.tz, self.weekly, self.holidays, self.yearly_holidays))

    # ----- construction -------------------------------------------------------------------------

    @classmethod
    def from_text(cls, weekly: Mapping[str, str], *, tz: str | tzinfo = "Asia/Kolkata",
                  holidays: Iterable[date | str] = (), yearly_holidays: Iterable[tuple[int, int] | str] = ()
                  ) -> Calendar:
        """A validated calendar from readable text.

        `weekly` maps a day ("mon", "monday") or a range of days ("mon-sat") to its windows,
        "07:00-13:00,14:00-22:00" (24:00 is the end of the day; "" or "closed" means no window).
        Days not mentioned are closed; a day mentioned twice is an error. `holidays` are dates or
        "YYYY-MM-DD"; `yearly_holidays` are (month, day) or "MM-DD".
        """
        days: list[tuple[tuple[int, int], ...] | None] = [None] * 7
        for key, text in weekly.items():
            for i in _parse_day_key(key):
                if days[i] is not None:
                    raise ValueError(f"calendar: {DAY_NAMES[i]} is given more than once (in {key!r})")
                days[i] = _parse_windows(text, DAY_NAMES[i])
        cal = cls(tz=tz, weekly=tuple(d or () for d in days), holidays=frozenset(holidays),
                  yearly_holidays=frozenset(yearly_holidays))
        cal.validate()
        return cal

    @classmethod
    def always(cls, tz: str | tzinfo = "Asia/Kolkata") -> Calendar:
        """24×7, no holidays: business time is plain elapsed time."""
        return cls(tz=tz, weekly=(((0, 1440),),) * 7)

    def as_dict(self) -> dict:
        """A JSON-able snapshot (for storing the calendar a deadline was computed with);
        `Calendar.from_dict(cal.as_dict()) == cal`."""
        key = getattr(self.tz, "key", None)
        if key is None:
            raise ValueError("calendar: only an IANA zone (zoneinfo.ZoneInfo) can be written out by name")
        return {
            "tz": key,
            "weekly": {DAY_NAMES[i]: ",".join(f"{_hhmm(s)}-{_hhmm(e)}" for s, e in self.weekly[i]) for i in range(7)},
            "holidays": sorted(h.isoformat() for h in self.holidays),
            "yearly_holidays": sorted(f"{m:02d}-{d:02d}" for m, d in self.yearly_holidays),
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> Calendar:
        return cls.from_text(data["weekly"], tz=data.get("tz", "Asia/Kolkata"), holidays=data.get("holidays", ()),
                             yearly_holidays=data.get("yearly_holidays", ()))

    # ----- validation ---------------------------------------------------------------------------

    def validate(self) -> Calendar:
        """Raise ValueError saying what is wrong; return the calendar itself when it is sound."""
        if not isinstance(self.tz, tzinfo):
            raise ValueError(f"calendar: tz must be a time zone (zoneinfo.ZoneInfo), not {self.tz!r}")  # noqa: TRY004
        if not isinstance(self.weekly, tuple) or len(self.weekly) != 7:
            raise ValueError("calendar: weekly needs exactly 7 days of windows, Monday first")
        for i, windows in enumerate(self.weekly):
            name = DAY_NAMES[i]
            previous_end = None
            for window in windows:
                if not (isinstance(window, tuple) and len(window) == 2
                        and all(isinstance(m, int) and not isinstance(m, bool) for m in window)):
                    raise ValueError(f"calendar: {name}: a window is two whole minutes (start, end), not {window!r}")
                start, end = window
                if not (0 <= start <= 1440 and 0 <= end <= 1440):
                    raise ValueError(f"calendar: {name}: window {_fmt(window)} is outside 00:00-24:00 "
                                     f"(minutes 0..1440)")
                if start >= end:
                    raise ValueError(f"calendar: {name}: window {_fmt(window)} ends before it starts "
                                     f"(a night shift is two windows: one to 24:00, one from 00:00 next day)")
                if previous_end is not None and start < previous_end:
                    raise ValueError(f"calendar: {name}: windows overlap or are out of order at {_fmt(window)}")
                previous_end = end
        if not any(self.weekly):
            raise ValueError("calendar: no working time at all (every weekday is closed); "
                             "a deadline could never be reached")
        for h in self.holidays:
            if not isinstance(h, date) or isinstance(h, datetime):
                raise ValueError(f"calendar: a holiday is a date, not {h!r}")  # noqa: TRY004
        for md in self.yearly_holidays:
            _check_month_day(md)
        if len(self.yearly_holidays) >= 366:
            raise ValueError("calendar: every day of the year is a yearly holiday; a deadline could never be reached")
        if not self._state:
            self._state.update(
                valid=True,
                # Below this remaining time a whole-week skip can never apply, so it is not tried.
                week_floor=sum(e - s for day in self.weekly for s, e in day) * _MIN_US // 2,
            )
        return self

    # ----- the memo of working intervals --------------------------------------------------------

    def _ready(self) -> None:
        if not self._state:
            self.validate()

    def _day(self, ordinal: int) -> tuple[tuple[tuple[int, int], ...], int]:
        """The working intervals of a local date (as [start, end) microseconds since the epoch, sorted,
        disjoint) and their total."""
        try:
            return self._days[ordinal]
        except KeyError:
            pass
        if not 1 <= ordinal < _MAX_ORDINAL:
            raise ValueError("calendar: no deadline before the end of the calendar (year 9999)")
        d = date.fromordinal(ordinal)
        windows = self.weekly[d.weekday()]
        if not windows or d in self.holidays or (d.month, d.day) in self.yearly_holidays:
            result = _EMPTY_DAY
        else:
            intervals: list[list[int]] = []
            for start, end in windows:
                s = self._instant(ordinal, start)
                e = self._instant(ordinal, end)
                if e <= s:
                    continue  # wholly inside a spring-forward gap
                if intervals and intervals[-1][1] >= s:
                    intervals[-1][1] = max(intervals[-1][1], e)  # touching windows: one interval
                else:
                    intervals.append([s, e])
            result = (tuple((s, e) for s, e in intervals), sum(e - s for s, e in intervals))
        if len(self._days) >= _CACHE_LIMIT:
            self._days.clear()
        self._days[ordinal] = result
        return result

    def _week(self, ordinal: int) -> int:
        """Total working time of the 7 dates from `ordinal` on."""
        try:
            return self._weeks[ordinal]
        except KeyError:
            pass
        total = sum(self._day(ordinal + i)[1] for i in range(7))
        if len(self._weeks) >= _CACHE_LIMIT:
            self._weeks.clear()
        self._weeks[ordinal] = total
        return total

    def _instant(self, ordinal: int, minute: int) -> int:
        """The real instant (µs since the epoch) at which the local clock first shows `minute` of the
        date `ordinal`; a time in a gap maps to the end of the gap."""
        if minute == 1440:
            ordinal, minute = ordinal + 1, 0
        wall = (ordinal - _EPOCH_ORDINAL) * _DAY_US + minute * _MIN_US
        d = date.fromordinal(ordinal)
        local = datetime(d.year, d.month, d.day, minute // 60, minute % 60, tzinfo=self.tz)
        off0 = local.utcoffset() // _US
        off1 = local.replace(fold=1).utcoffset() // _US
        if off1 <= off0:
            return wall - off0  # an ordinary time, or the first occurrence of an ambiguous one
        # In a gap (PEP 495: fold=0 takes the offset before the transition, fold=1 the one after):
        # the transition lies in (wall - off1, wall - off0]; find it, to the second.
        lo = (wall - off1) // 1_000_000
        hi = -(-(wall - off0) // 1_000_000)
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if datetime.fromtimestamp(mid, self.tz).utcoffset() // _US == off0:
                lo = mid
            else:
                hi = mid
        return hi * 1_000_000


# ----- the clock ----------------------------------------------------------------------------------


def add_business_time(start: datetime, duration: timedelta, cal: Calendar) -> datetime:
    """The instant (in `cal.tz`) at which `duration` of working time has elapsed from `start`.

    Closed time before the first opening does not count; `duration == 0` returns `start` unchanged as
    an instant; for `duration > 0` a deadline that ends a window is that window's end.
    """
    t = _instant_us(start, "start")
    if not isinstance(duration, timedelta):
        raise TypeError(f"duration must be a timedelta, not {type(duration).__name__}")
    if duration < timedelta(0):
        raise ValueError(f"duration must not be negative (got {duration})")
    cal._ready()
    if not duration:
        return start.astimezone(cal.tz)
    remaining = duration // _US
    first = start.astimezone(cal.tz).toordinal()
    day, week, week_floor = cal._day, cal._week, cal._state["week_floor"]
    # The dates around `start` may hold instants before it (DST folds can shift a date's intervals
    # by up to a few hours past midnight): clip them. From first + 2 on, every interval is after it.
    for d in (first - 1, first, first + 1):
        for s, e in day(d)[0]:
            if e <= t:
                continue
            s = max(s, t)
            if remaining <= e - s:
                return _out(s + remaining, cal)
            remaining -= e - s
    d = first + 2
    while True:
        if remaining > week_floor:
            total = week(d)
            if total < remaining:
                remaining -= total
                d += 7
                continue
        intervals, total = day(d)
        if total < remaining:
            remaining -= total
            d += 1
            continue
        for s, e in intervals:
            if remaining <= e - s:
                return _out(s + remaining, cal)
            remaining -= e - s
        raise AssertionError("unreachable: a day's total covers the remaining time")  # pragma: no cover


def business_time_between(a: datetime, b: datetime, cal: Calendar) -> timedelta:
    """Working time in [a, b); if b < a, the negative of business_time_between(b, a)."""
    ta = _instant_us(a, "a")
    tb = _instant_us(b, "b")
    cal._ready()
    if tb < ta:
        return -business_time_between(b, a, cal)
    if ta == tb:
        return timedelta(0)
    first = a.astimezone(cal.tz).toordinal()
    last = b.astimezone(cal.tz).toordinal()
    # Dates first + 2 .. last - 1 lie wholly inside [a, b) (their intervals start after a and end by
    # the local midnight that opens `last`, which is not after b); the others are clipped.
    full_from, full_to = first + 2, last - 1
    day, week = cal._day, cal._week
    total = 0
    d = first - 1
    while d <= last + 1:
        if full_from <= d <= full_to:
            if d + 6 <= full_to:
                total += week(d)
                d += 7
            else:
                total += day(d)[1]
                d += 1
            continue
        for s, e in day(d)[0]:
            if s >= tb:
                break
            if e <= ta:
                continue
            total += min(e, tb) - max(s, ta)
        d += 1
    return timedelta(microseconds=total)


def is_working(t: datetime, cal: Calendar) -> bool:
    """Whether the clock runs at instant `t` (inside a window, not on a holiday)."""
    x = _instant_us(t, "t")
    cal._ready()
    ordinal = t.astimezone(cal.tz).toordinal()
    return any(s <= x < e for d in (ordinal - 1, ordinal, ordinal + 1) for s, e in cal._day(d)[0])


def next_working_instant(t: datetime, cal: Calendar) -> datetime:
    """`t` itself (in `cal.tz`) if the clock runs then, else the next opening."""
    x = _instant_us(t, "t")
    cal._ready()
    d = t.astimezone(cal.tz).toordinal() - 1
    while True:
        for s, e in cal._day(d)[0]:
            if e > x:
                return _out(max(s, x), cal)
        d += 1


def last_closing_before(t: datetime, cal: Calendar, *, lookback_days: int = 7) -> datetime | None:
    """The last moment at or before `t` when the clock stopped (the end of a working interval that
    the next one does not continue), looking back `lookback_days` days; None if there was none."""
    x = _instant_us(t, "t")
    cal._ready()
    today = t.astimezone(cal.tz).toordinal()
    for ordinal in range(today + 1, today - lookback_days - 2, -1):
        for _start, end in reversed(cal._day(ordinal)[0]):
            if end <= x:
                closing = _out(end, cal)
                if not is_working(closing, cal):  # where one window meets the next, nothing closed
                    return closing
    return None


# ----- helpers ------------------------------------------------------------------------------------


def _instant_us(dt: datetime, name: str) -> int:
    if not isinstance(dt, datetime):
        raise TypeError(f"{name} must be a datetime, not {type(dt).__name__}")
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"{name} is a naive datetime ({dt.isoformat()}); give it a time zone")
    return (dt - _EPOCH) // _US


def _out(us: int, cal: Calendar) -> datetime:
    return (_EPOCH + timedelta(microseconds=us)).astimezone(cal.tz)


def _parse_day_key(key: str) -> range | tuple[int]:
    k = key.strip().lower()
    if "-" in k:
        a, _, b = k.partition("-")
        if a.strip() not in _DAY_INDEX or b.strip() not in _DAY_INDEX:
            raise ValueError(f"calendar: unknown days {key!r} (use mon, tue, … or a range like mon-sat)")
        i, j = _DAY_INDEX[a.strip()], _DAY_INDEX[b.strip()]
        if j < i:
            raise ValueError(f"calendar: day range {key!r} runs backwards (weeks start on Monday)")
        return range(i, j + 1)
    if k not in _DAY_INDEX:
        raise ValueError(f"calendar: unknown day {key!r} (use mon, tue, … or a range like mon-sat)")
    return (_DAY_INDEX[k],)


def _parse_windows(text: str, day: str) -> tuple[tuple[int, int], ...]:
    if text is None or text.strip().lower() in ("", "closed", "-"):
        return ()
    windows = []
    for part in text.split(","):
        start, sep, end = part.partition("-")
        if not sep:
            raise ValueError(f"calendar: {day}: a window is written HH:MM-HH:MM, not {part.strip()!r}")
        windows.append((_parse_minute(start, day), _parse_minute(end, day)))
    return tuple(windows)


def _parse_minute(text: str, day: str) -> int:
    m = _TIME_RE.match(text)
    if not m:
        raise ValueError(f"calendar: {day}: {text.strip()!r} is not a time HH:MM")
    hours, minutes = int(m.group(1)), int(m.group(2))
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise ValueError(f"calendar: {day}: {text.strip()!r} is not a time between 00:00 and 24:00")
    return hours * 60 + minutes


def _parse_date(value) -> date:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"calendar: holiday {value!r} is not a date YYYY-MM-DD") from None
    return value  # validate() checks the type


def _parse_month_day(value) -> tuple[int, int]:
    if isinstance(value, str):
        m = re.match(r"^\s*(\d{1,2})-(\d{1,2})\s*$", value)
        if not m:
            raise ValueError(f"calendar: yearly holiday {value!r} is not MM-DD")
        value = (int(m.group(1)), int(m.group(2)))
    if isinstance(value, list):
        value = tuple(value)
    return value


def _check_month_day(md) -> None:
    ok = isinstance(md, tuple) and len(md) == 2 and all(isinstance(x, int) and not isinstance(x, bool) for x in md)
    if ok:
        try:
            date(2024, *md)  # a leap year, so 29 February is allowed
        except ValueError:
            ok = False
    if not ok:
        raise ValueError(f"calendar: a yearly holiday is a real (month, day), not {md!r}")


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _fmt(window) -> str:
    try:
        return f"{_hhmm(window[0])}-{_hhmm(window[1])}"
    except (TypeError, IndexError):
        return repr(window)

